"""The `__init__` makers of tracejit's record classes, compiled ahead of time (see tracejit/plaindata.py).

Written by tools/record_inits.py; do not edit. MAKERS maps each maker's source text, as plaindata.init_maker_source
writes it, to the function that text defines.

May import: nothing.
"""
# flake8: noqa


def _make_0(_MISSING, _set):
    def __init__(self, code, key, scratch, nslots, descriptor):
        self.code = code
        self.key = key
        self.scratch = scratch
        self.nslots = nslots
        self.descriptor = descriptor
    return __init__


def _make_1(_MISSING, _set):
    def __init__(self, code, label):
        self.code = code
        self.label = label
    return __init__


def _make_2(_MISSING, _set):
    def __init__(self, code, pc):
        _set(self, 'code', code)
        _set(self, 'pc', pc)
    return __init__


def _make_3(_MISSING, _set):
    def __init__(self, code, resume_pc, locals, stack):
        self.code = code
        self.resume_pc = resume_pc
        self.locals = locals
        self.stack = stack
    return __init__


def _make_4(_MISSING, _set):
    def __init__(self, code, snapshot, attrs):
        self.code = code
        self.snapshot = snapshot
        self.attrs = attrs
    return __init__


def _make_5(_MISSING, _set):
    def __init__(self, fall, target, join):
        _set(self, 'fall', fall)
        _set(self, 'target', target)
        _set(self, 'join', join)
    return __init__


def _make_6(_MISSING, _set):
    def __init__(self, for_iter_caches, for_iter_skip, end_for_pops, cmp_shift, cmp_to_bool):
        _set(self, 'for_iter_caches', for_iter_caches)
        _set(self, 'for_iter_skip', for_iter_skip)
        _set(self, 'end_for_pops', end_for_pops)
        _set(self, 'cmp_shift', cmp_shift)
        _set(self, 'cmp_to_bool', cmp_to_bool)
    return __init__


def _make_7(_MISSING, _set):
    def __init__(self, function, code, defaults, kwdefaults):
        _set(self, 'function', function)
        _set(self, 'code', code)
        _set(self, 'defaults', defaults)
        _set(self, 'kwdefaults', kwdefaults)
    return __init__


def _make_8(_MISSING, _set):
    def __init__(self, index):
        _set(self, 'index', index)
    return __init__


def _make_9(_MISSING, _set):
    def __init__(self, index, slot, kind, written):
        _set(self, 'index', index)
        _set(self, 'slot', slot)
        _set(self, 'kind', kind)
        _set(self, 'written', written)
    return __init__


def _make_10(_MISSING, _set):
    def __init__(self, list_iter_index, list_iter_seq, enum_index, enum_sit, enum_longindex, zip_size, zip_iters):
        _set(self, 'list_iter_index', list_iter_index)
        _set(self, 'list_iter_seq', list_iter_seq)
        _set(self, 'enum_index', enum_index)
        _set(self, 'enum_sit', enum_sit)
        _set(self, 'enum_longindex', enum_longindex)
        _set(self, 'zip_size', zip_size)
        _set(self, 'zip_iters', zip_iters)
    return __init__


def _make_11(_MISSING, _set):
    def __init__(self, real, imag):
        self.real = real
        self.imag = imag
    return __init__


def _make_12(_MISSING, _set):
    def __init__(self, reentry, epilogue):
        self.reentry = reentry
        self.epilogue = epilogue
    return __init__


def _make_13(_MISSING, _set):
    def __init__(self, title, op_index, rows):
        self.title = title
        self.op_index = op_index
        self.rows = rows
    return __init__


def _make_14(_MISSING, _set):
    def __init__(self, value, kind):
        _set(self, 'value', value)
        _set(self, 'kind', kind)
    return __init__


def _make_15(_MISSING, _set, _default_alloc, _factory_group_ops, _default_linked_entry):
    def __init__(self, code, entry, reentry, epilogue, exit_ids, encoded, alloc=_default_alloc, group_ops=_MISSING, linked_entry=_default_linked_entry):
        self.code = code
        self.entry = entry
        self.reentry = reentry
        self.epilogue = epilogue
        self.exit_ids = exit_ids
        self.encoded = encoded
        self.alloc = alloc
        self.group_ops = _factory_group_ops() if group_ops is _MISSING else group_ops
        self.linked_entry = linked_entry
    return __init__


def _make_16(_MISSING, _set, _default_chain, _default_rebuilt):
    def __init__(self, layout, snapshot, chain=_default_chain, rebuilt=_default_rebuilt):
        self.layout = layout
        self.snapshot = snapshot
        self.chain = chain
        self.rebuilt = rebuilt
    return __init__


def _make_17(_MISSING, _set, _default_code_len, _factory_groups, _factory_tags, _factory_item_pos, _factory_offsets, _factory_pool):
    def __init__(self, code, label_offsets, code_len=_default_code_len, groups=_MISSING, tags=_MISSING, item_pos=_MISSING, offsets=_MISSING, pool=_MISSING):
        self.code = code
        self.label_offsets = label_offsets
        self.code_len = code_len
        self.groups = _factory_groups() if groups is _MISSING else groups
        self.tags = _factory_tags() if tags is _MISSING else tags
        self.item_pos = _factory_item_pos() if item_pos is _MISSING else item_pos
        self.offsets = _factory_offsets() if offsets is _MISSING else offsets
        self.pool = _factory_pool() if pool is _MISSING else pool
    return __init__


def _make_18(_MISSING, _set, _default_complex_at, _default_popped, _default_code, _default_parent, _default_extra, _default_tuples_at):
    def __init__(self, pc, state, stack, complex_at=_default_complex_at, popped=_default_popped, code=_default_code, parent=_default_parent, extra=_default_extra, tuples_at=_default_tuples_at):
        self.pc = pc
        self.state = state
        self.stack = stack
        self.complex_at = complex_at
        self.popped = popped
        self.code = code
        self.parent = parent
        self.extra = extra
        self.tuples_at = tuples_at
    return __init__


def _make_19(_MISSING, _set, _default_exit_counts, _default_ceil, _default_sin, _default_cos, _default_tan, _default_exp, _default_log, _default_hypot, _default_incref, _default_decref, _default_float_new, _default_long_new, _default_get_iter, _default_err_clear, _default_err_occurred, _default_list_append, _default_tuple_new, _default_list_new, _default_list_slice, _default_tuple_slice, _default_complex_new, _default_vectorcall, _default_builtin_sum, _default_long_as_int64, _default_graveyard, _default_sse41, _default_small_int_zero, _default_small_int_stride, _default_str_compare, _default_str_contains, _default_dict_getitem, _default_dict_contains, _default_dict_next, _default_dict_setitem, _default_dict_new, _default_str_concat, _default_str_substring, _default_obj_str, _default_str_join, _default_object_new, _default_setattr, _default_function_new, _default_gc_collecting, _factory_py_functions, _default_sync, _default_code_instrs, _default_raised_exception, _default_release_graveyard, _default_gate_word, _default_gate_ident, _default_gate_pending, _default_gate_breaker, _default_gate_breaker_size, _default_gate_bit, _default_latin1_chars, _default_layout, _default_instance_values):
    def __init__(self, bridge_table, fmod, floor, pow, copysign, exit_counts=_default_exit_counts, ceil=_default_ceil, sin=_default_sin, cos=_default_cos, tan=_default_tan, exp=_default_exp, log=_default_log, hypot=_default_hypot, incref=_default_incref, decref=_default_decref, float_new=_default_float_new, long_new=_default_long_new, get_iter=_default_get_iter, err_clear=_default_err_clear, err_occurred=_default_err_occurred, list_append=_default_list_append, tuple_new=_default_tuple_new, list_new=_default_list_new, list_slice=_default_list_slice, tuple_slice=_default_tuple_slice, complex_new=_default_complex_new, vectorcall=_default_vectorcall, builtin_sum=_default_builtin_sum, long_as_int64=_default_long_as_int64, graveyard=_default_graveyard, sse41=_default_sse41, small_int_zero=_default_small_int_zero, small_int_stride=_default_small_int_stride, str_compare=_default_str_compare, str_contains=_default_str_contains, dict_getitem=_default_dict_getitem, dict_contains=_default_dict_contains, dict_next=_default_dict_next, dict_setitem=_default_dict_setitem, dict_new=_default_dict_new, str_concat=_default_str_concat, str_substring=_default_str_substring, obj_str=_default_obj_str, str_join=_default_str_join, object_new=_default_object_new, setattr=_default_setattr, function_new=_default_function_new, gc_collecting=_default_gc_collecting, py_functions=_MISSING, sync=_default_sync, code_instrs=_default_code_instrs, raised_exception=_default_raised_exception, release_graveyard=_default_release_graveyard, gate_word=_default_gate_word, gate_ident=_default_gate_ident, gate_pending=_default_gate_pending, gate_breaker=_default_gate_breaker, gate_breaker_size=_default_gate_breaker_size, gate_bit=_default_gate_bit, latin1_chars=_default_latin1_chars, layout=_default_layout, instance_values=_default_instance_values):
        self.bridge_table = bridge_table
        self.fmod = fmod
        self.floor = floor
        self.pow = pow
        self.copysign = copysign
        self.exit_counts = exit_counts
        self.ceil = ceil
        self.sin = sin
        self.cos = cos
        self.tan = tan
        self.exp = exp
        self.log = log
        self.hypot = hypot
        self.incref = incref
        self.decref = decref
        self.float_new = float_new
        self.long_new = long_new
        self.get_iter = get_iter
        self.err_clear = err_clear
        self.err_occurred = err_occurred
        self.list_append = list_append
        self.tuple_new = tuple_new
        self.list_new = list_new
        self.list_slice = list_slice
        self.tuple_slice = tuple_slice
        self.complex_new = complex_new
        self.vectorcall = vectorcall
        self.builtin_sum = builtin_sum
        self.long_as_int64 = long_as_int64
        self.graveyard = graveyard
        self.sse41 = sse41
        self.small_int_zero = small_int_zero
        self.small_int_stride = small_int_stride
        self.str_compare = str_compare
        self.str_contains = str_contains
        self.dict_getitem = dict_getitem
        self.dict_contains = dict_contains
        self.dict_next = dict_next
        self.dict_setitem = dict_setitem
        self.dict_new = dict_new
        self.str_concat = str_concat
        self.str_substring = str_substring
        self.obj_str = obj_str
        self.str_join = str_join
        self.object_new = object_new
        self.setattr = setattr
        self.function_new = function_new
        self.gc_collecting = gc_collecting
        self.py_functions = _factory_py_functions() if py_functions is _MISSING else py_functions
        self.sync = sync
        self.code_instrs = code_instrs
        self.raised_exception = raised_exception
        self.release_graveyard = release_graveyard
        self.gate_word = gate_word
        self.gate_ident = gate_ident
        self.gate_pending = gate_pending
        self.gate_breaker = gate_breaker
        self.gate_breaker_size = gate_breaker_size
        self.gate_bit = gate_bit
        self.latin1_chars = latin1_chars
        self.layout = layout
        self.instance_values = instance_values
    return __init__


def _make_20(_MISSING, _set, _default_fresh):
    def __init__(self, pos, kind, slots, fresh=_default_fresh):
        _set(self, 'pos', pos)
        _set(self, 'kind', kind)
        _set(self, 'slots', slots)
        _set(self, 'fresh', fresh)
    return __init__


def _make_21(_MISSING, _set, _default_guard, _default_pure, _default_commutative, _default_variadic, _default_reads_heap, _default_writes_heap, _default_identities, _default_redundant_if_repeated, _default_fusable, _default_calls_out, _default_undo_on_overflow, _default_exit_reason, _default_no_bridge, _default_new_ref, _default_runs_python, _default_any_type, _default_handed_over, _default_allocates_tracked, _default_slower_ns, _default_const_args, _default_stores, _default_field, _default_removable, _default_writes_items, _default_writes_in_place, _default_hoist):
    def __init__(self, name, args, result, evaluate, guard=_default_guard, pure=_default_pure, commutative=_default_commutative, variadic=_default_variadic, reads_heap=_default_reads_heap, writes_heap=_default_writes_heap, identities=_default_identities, redundant_if_repeated=_default_redundant_if_repeated, fusable=_default_fusable, calls_out=_default_calls_out, undo_on_overflow=_default_undo_on_overflow, exit_reason=_default_exit_reason, no_bridge=_default_no_bridge, new_ref=_default_new_ref, runs_python=_default_runs_python, any_type=_default_any_type, handed_over=_default_handed_over, allocates_tracked=_default_allocates_tracked, slower_ns=_default_slower_ns, const_args=_default_const_args, stores=_default_stores, field=_default_field, removable=_default_removable, writes_items=_default_writes_items, writes_in_place=_default_writes_in_place, hoist=_default_hoist):
        _set(self, 'name', name)
        _set(self, 'args', args)
        _set(self, 'result', result)
        _set(self, 'evaluate', evaluate)
        _set(self, 'guard', guard)
        _set(self, 'pure', pure)
        _set(self, 'commutative', commutative)
        _set(self, 'variadic', variadic)
        _set(self, 'reads_heap', reads_heap)
        _set(self, 'writes_heap', writes_heap)
        _set(self, 'identities', identities)
        _set(self, 'redundant_if_repeated', redundant_if_repeated)
        _set(self, 'fusable', fusable)
        _set(self, 'calls_out', calls_out)
        _set(self, 'undo_on_overflow', undo_on_overflow)
        _set(self, 'exit_reason', exit_reason)
        _set(self, 'no_bridge', no_bridge)
        _set(self, 'new_ref', new_ref)
        _set(self, 'runs_python', runs_python)
        _set(self, 'any_type', any_type)
        _set(self, 'handed_over', handed_over)
        _set(self, 'allocates_tracked', allocates_tracked)
        _set(self, 'slower_ns', slower_ns)
        _set(self, 'const_args', const_args)
        _set(self, 'stores', stores)
        _set(self, 'field', field)
        _set(self, 'removable', removable)
        _set(self, 'writes_items', writes_items)
        _set(self, 'writes_in_place', writes_in_place)
        _set(self, 'hoist', hoist)
    return __init__


def _make_22(_MISSING, _set, _default_hint, _default_crosses_call, _default_loc):
    def __init__(self, var, start, end, hint=_default_hint, crosses_call=_default_crosses_call, loc=_default_loc):
        self.var = var
        self.start = start
        self.end = end
        self.hint = hint
        self.crosses_call = crosses_call
        self.loc = loc
    return __init__


def _make_23(_MISSING, _set, _default_label):
    def __init__(self, name, slot, kind, label=_default_label):
        _set(self, 'name', name)
        _set(self, 'slot', slot)
        _set(self, 'kind', kind)
        _set(self, 'label', label)
    return __init__


def _make_24(_MISSING, _set, _default_loop, _default_exit, _default_started, _default_idle, _default_missed):
    def __init__(self, recorder, frame, code, site, view, loop=_default_loop, exit=_default_exit, started=_default_started, idle=_default_idle, missed=_default_missed):
        self.recorder = recorder
        self.frame = frame
        self.code = code
        self.site = site
        self.view = view
        self.loop = loop
        self.exit = exit
        self.started = started
        self.idle = idle
        self.missed = missed
    return __init__


def _make_25(_MISSING, _set, _default_name):
    def __init__(self, where, key, name=_default_name):
        _set(self, 'where', where)
        _set(self, 'key', key)
        _set(self, 'name', name)
        self.__post_init__()
    return __init__


def _make_26(_MISSING, _set, _default_obj, _default_escaped):
    def __init__(self, items, obj=_default_obj, escaped=_default_escaped):
        self.items = items
        self.obj = obj
        self.escaped = escaped
    return __init__


def _make_27(_MISSING, _set, _default_obj, _default_escaped):
    def __init__(self, items, snapshot, obj=_default_obj, escaped=_default_escaped):
        self.items = items
        self.snapshot = snapshot
        self.obj = obj
        self.escaped = escaped
    return __init__


def _make_28(_MISSING, _set, _default_oparg):
    def __init__(self, offset, op, arg, target, line, index, real_op, oparg=_default_oparg):
        _set(self, 'offset', offset)
        _set(self, 'op', op)
        _set(self, 'arg', arg)
        _set(self, 'target', target)
        _set(self, 'line', line)
        _set(self, 'index', index)
        _set(self, 'real_op', real_op)
        _set(self, 'oparg', oparg)
    return __init__


def _make_29(_MISSING, _set, _default_owned, _default_owned_table, _default_globals):
    def __init__(self, places, iters, nslots, nlocalsplus, base_depth, headroom, buffer, scratch, exit_records, retain_table, owned=_default_owned, owned_table=_default_owned_table, globals=_default_globals):
        _set(self, 'places', places)
        _set(self, 'iters', iters)
        _set(self, 'nslots', nslots)
        _set(self, 'nlocalsplus', nlocalsplus)
        _set(self, 'base_depth', base_depth)
        _set(self, 'headroom', headroom)
        _set(self, 'buffer', buffer)
        _set(self, 'scratch', scratch)
        _set(self, 'exit_records', exit_records)
        _set(self, 'retain_table', retain_table)
        _set(self, 'owned', owned)
        _set(self, 'owned_table', owned_table)
        _set(self, 'globals', globals)
    return __init__


def _make_30(_MISSING, _set, _default_owner):
    def __init__(self, name, expected, owner=_default_owner):
        _set(self, 'name', name)
        _set(self, 'expected', expected)
        _set(self, 'owner', owner)
    return __init__


def _make_31(_MISSING, _set, _default_raised):
    def __init__(self, op, pc, values, iterations, raised=_default_raised):
        self.op = op
        self.pc = pc
        self.values = values
        self.iterations = iterations
        self.raised = raised
    return __init__


def _make_32(_MISSING, _set, _default_result, _default_snapshot, _default_pc, _default_exit_id, _default_frame, _default_owned):
    def __init__(self, name, args, result=_default_result, snapshot=_default_snapshot, pc=_default_pc, exit_id=_default_exit_id, frame=_default_frame, owned=_default_owned):
        self.name = name
        self.args = args
        self.result = result
        self.snapshot = snapshot
        self.pc = pc
        self.exit_id = exit_id
        self.frame = frame
        self.owned = owned
    return __init__


def _make_33(_MISSING, _set, _default_resume_pc, _factory_kinds, _default_popped, _default_fails, _default_bridge, _default_bridge_retries, _default_bridge_after, _default_frame, _factory_inner, _factory_owned_vars, _factory_owned, _default_linked, _default_immediate, _default_unlinked, _default_budget_outs, _default_last_out, _factory_own_retain, _factory_retain, _default_stored):
    def __init__(self, exit_id, pc, stack, guard, reason, trace_name, snapshot, resume_pc=_default_resume_pc, kinds=_MISSING, popped=_default_popped, fails=_default_fails, bridge=_default_bridge, bridge_retries=_default_bridge_retries, bridge_after=_default_bridge_after, frame=_default_frame, inner=_MISSING, owned_vars=_MISSING, owned=_MISSING, linked=_default_linked, immediate=_default_immediate, unlinked=_default_unlinked, budget_outs=_default_budget_outs, last_out=_default_last_out, own_retain=_MISSING, retain=_MISSING, stored=_default_stored):
        self.exit_id = exit_id
        self.pc = pc
        self.stack = stack
        self.guard = guard
        self.reason = reason
        self.trace_name = trace_name
        self.snapshot = snapshot
        self.resume_pc = resume_pc
        self.kinds = _factory_kinds() if kinds is _MISSING else kinds
        self.popped = popped
        self.fails = fails
        self.bridge = bridge
        self.bridge_retries = bridge_retries
        self.bridge_after = bridge_after
        self.frame = frame
        self.inner = _factory_inner() if inner is _MISSING else inner
        self.owned_vars = _factory_owned_vars() if owned_vars is _MISSING else owned_vars
        self.owned = _factory_owned() if owned is _MISSING else owned
        self.linked = linked
        self.immediate = immediate
        self.unlinked = unlinked
        self.budget_outs = budget_outs
        self.last_out = last_out
        self.own_retain = _factory_own_retain() if own_retain is _MISSING else own_retain
        self.retain = _factory_retain() if retain is _MISSING else retain
        self.stored = stored
    return __init__


def _make_34(_MISSING, _set, _default_snapshot):
    def __init__(self, start, stop, step, length, snapshot=_default_snapshot):
        self.start = start
        self.stop = stop
        self.step = step
        self.length = length
        self.snapshot = snapshot
    return __init__


def _make_35(_MISSING, _set, _default_step):
    def __init__(self, start, stop, snapshot, step=_default_step):
        self.start = start
        self.stop = stop
        self.snapshot = snapshot
        self.step = step
    return __init__


def _make_36(_MISSING, _set, _default_trace_function, _default_tstate_profile):
    def __init__(self, code_extra, code_monitoring, local_monitor_events, own_tool, long_tag, long_digits, long_tagged, recursion_remaining, margin, tstate_cframe, current_frame, iframe_code, iframe_frame_obj, budget_slot, gate_breaker_size, trace_function=_default_trace_function, tstate_profile=_default_tstate_profile):
        _set(self, 'code_extra', code_extra)
        _set(self, 'code_monitoring', code_monitoring)
        _set(self, 'local_monitor_events', local_monitor_events)
        _set(self, 'own_tool', own_tool)
        _set(self, 'long_tag', long_tag)
        _set(self, 'long_digits', long_digits)
        _set(self, 'long_tagged', long_tagged)
        _set(self, 'recursion_remaining', recursion_remaining)
        _set(self, 'margin', margin)
        _set(self, 'tstate_cframe', tstate_cframe)
        _set(self, 'current_frame', current_frame)
        _set(self, 'iframe_code', iframe_code)
        _set(self, 'iframe_frame_obj', iframe_frame_obj)
        _set(self, 'budget_slot', budget_slot)
        _set(self, 'gate_breaker_size', gate_breaker_size)
        _set(self, 'trace_function', trace_function)
        _set(self, 'tstate_profile', tstate_profile)
    return __init__


def _make_37(_MISSING, _set, _default_xmm):
    def __init__(self, name, num, xmm=_default_xmm):
        _set(self, 'name', name)
        _set(self, 'num', num)
        _set(self, 'xmm', xmm)
    return __init__


def _make_38(_MISSING, _set, _factory_items, _factory_tags, _factory_groups, _factory_labels, _default_nlabels, _factory_pool, _default_hot_range):
    def __init__(self, items=_MISSING, tags=_MISSING, groups=_MISSING, labels=_MISSING, nlabels=_default_nlabels, pool=_MISSING, hot_range=_default_hot_range):
        self.items = _factory_items() if items is _MISSING else items
        self.tags = _factory_tags() if tags is _MISSING else tags
        self.groups = _factory_groups() if groups is _MISSING else groups
        self.labels = _factory_labels() if labels is _MISSING else labels
        self.nlabels = nlabels
        self.pool = _factory_pool() if pool is _MISSING else pool
        self.hot_range = hot_range
    return __init__


def _make_39(_MISSING, _set, _factory_jump_vars, _default_start_pc, _factory_lines, _factory_recorded, _default_preamble, _factory_class_names, _factory_run_least):
    def __init__(self, kind, name, filename, header_pc, base_depth, inputs, ops, layout, jump_vars=_MISSING, start_pc=_default_start_pc, lines=_MISSING, recorded=_MISSING, preamble=_default_preamble, class_names=_MISSING, run_least=_MISSING):
        self.kind = kind
        self.name = name
        self.filename = filename
        self.header_pc = header_pc
        self.base_depth = base_depth
        self.inputs = inputs
        self.ops = ops
        self.layout = layout
        self.jump_vars = _factory_jump_vars() if jump_vars is _MISSING else jump_vars
        self.start_pc = start_pc
        self.lines = _factory_lines() if lines is _MISSING else lines
        self.recorded = _factory_recorded() if recorded is _MISSING else recorded
        self.preamble = preamble
        self.class_names = _factory_class_names() if class_names is _MISSING else class_names
        self.run_least = _factory_run_least() if run_least is _MISSING else run_least
    return __init__


def _make_40(_MISSING, _set, _factory_line_counts, _factory_events, _default_events_dropped, _factory_recording_seconds):
    def __init__(self, line_counts=_MISSING, events=_MISSING, events_dropped=_default_events_dropped, recording_seconds=_MISSING):
        self.line_counts = _factory_line_counts() if line_counts is _MISSING else line_counts
        self.events = _factory_events() if events is _MISSING else events
        self.events_dropped = events_dropped
        self.recording_seconds = _factory_recording_seconds() if recording_seconds is _MISSING else recording_seconds
    return __init__


def _make_41(_MISSING, _set, _factory_saves):
    def __init__(self, locs, intervals, fused, nspill, saves=_MISSING):
        self.locs = locs
        self.intervals = intervals
        self.fused = fused
        self.nspill = nspill
        self.saves = _factory_saves() if saves is _MISSING else saves
    return __init__


def _make_42(_MISSING, _set, _factory_slots, _factory_kinds, _factory_pins, _factory_inlined, _default_inline_depth, _factory_owned, _default_calls_python, _default_writes_globals, _default_graveyard_keeps, _default_shared_stores, _default_graveyard_any):
    def __init__(self, slots=_MISSING, kinds=_MISSING, pins=_MISSING, inlined=_MISSING, inline_depth=_default_inline_depth, owned=_MISSING, calls_python=_default_calls_python, writes_globals=_default_writes_globals, graveyard_keeps=_default_graveyard_keeps, shared_stores=_default_shared_stores, graveyard_any=_default_graveyard_any):
        self.slots = _factory_slots() if slots is _MISSING else slots
        self.kinds = _factory_kinds() if kinds is _MISSING else kinds
        self.pins = _factory_pins() if pins is _MISSING else pins
        self.inlined = _factory_inlined() if inlined is _MISSING else inlined
        self.inline_depth = inline_depth
        self.owned = _factory_owned() if owned is _MISSING else owned
        self.calls_python = calls_python
        self.writes_globals = writes_globals
        self.graveyard_keeps = graveyard_keeps
        self.shared_stores = shared_stores
        self.graveyard_any = graveyard_any
    return __init__


def _make_43(_MISSING, _set, _factory_stage_traces, _default_listing_source, _default_compile_seconds, _default_from_exit):
    def __init__(self, trace, address, size, stage_traces=_MISSING, listing_source=_default_listing_source, compile_seconds=_default_compile_seconds, from_exit=_default_from_exit):
        self.trace = trace
        self.address = address
        self.size = size
        self.stage_traces = _factory_stage_traces() if stage_traces is _MISSING else stage_traces
        self.listing_source = listing_source
        self.compile_seconds = compile_seconds
        self.from_exit = from_exit
    return __init__


MAKERS = {
    'def __make__(_MISSING, _set):\n    def __init__(self, code, key, scratch, nslots, descriptor):\n        self.code = code\n        self.key = key\n        self.scratch = scratch\n        self.nslots = nslots\n        self.descriptor = descriptor\n    return __init__\n': _make_0,
    'def __make__(_MISSING, _set):\n    def __init__(self, code, label):\n        self.code = code\n        self.label = label\n    return __init__\n': _make_1,
    "def __make__(_MISSING, _set):\n    def __init__(self, code, pc):\n        _set(self, 'code', code)\n        _set(self, 'pc', pc)\n    return __init__\n": _make_2,
    'def __make__(_MISSING, _set):\n    def __init__(self, code, resume_pc, locals, stack):\n        self.code = code\n        self.resume_pc = resume_pc\n        self.locals = locals\n        self.stack = stack\n    return __init__\n': _make_3,
    'def __make__(_MISSING, _set):\n    def __init__(self, code, snapshot, attrs):\n        self.code = code\n        self.snapshot = snapshot\n        self.attrs = attrs\n    return __init__\n': _make_4,
    "def __make__(_MISSING, _set):\n    def __init__(self, fall, target, join):\n        _set(self, 'fall', fall)\n        _set(self, 'target', target)\n        _set(self, 'join', join)\n    return __init__\n": _make_5,
    "def __make__(_MISSING, _set):\n    def __init__(self, for_iter_caches, for_iter_skip, end_for_pops, cmp_shift, cmp_to_bool):\n        _set(self, 'for_iter_caches', for_iter_caches)\n        _set(self, 'for_iter_skip', for_iter_skip)\n        _set(self, 'end_for_pops', end_for_pops)\n        _set(self, 'cmp_shift', cmp_shift)\n        _set(self, 'cmp_to_bool', cmp_to_bool)\n    return __init__\n": _make_6,
    "def __make__(_MISSING, _set):\n    def __init__(self, function, code, defaults, kwdefaults):\n        _set(self, 'function', function)\n        _set(self, 'code', code)\n        _set(self, 'defaults', defaults)\n        _set(self, 'kwdefaults', kwdefaults)\n    return __init__\n": _make_7,
    "def __make__(_MISSING, _set):\n    def __init__(self, index):\n        _set(self, 'index', index)\n    return __init__\n": _make_8,
    "def __make__(_MISSING, _set):\n    def __init__(self, index, slot, kind, written):\n        _set(self, 'index', index)\n        _set(self, 'slot', slot)\n        _set(self, 'kind', kind)\n        _set(self, 'written', written)\n    return __init__\n": _make_9,
    "def __make__(_MISSING, _set):\n    def __init__(self, list_iter_index, list_iter_seq, enum_index, enum_sit, enum_longindex, zip_size, zip_iters):\n        _set(self, 'list_iter_index', list_iter_index)\n        _set(self, 'list_iter_seq', list_iter_seq)\n        _set(self, 'enum_index', enum_index)\n        _set(self, 'enum_sit', enum_sit)\n        _set(self, 'enum_longindex', enum_longindex)\n        _set(self, 'zip_size', zip_size)\n        _set(self, 'zip_iters', zip_iters)\n    return __init__\n": _make_10,
    'def __make__(_MISSING, _set):\n    def __init__(self, real, imag):\n        self.real = real\n        self.imag = imag\n    return __init__\n': _make_11,
    'def __make__(_MISSING, _set):\n    def __init__(self, reentry, epilogue):\n        self.reentry = reentry\n        self.epilogue = epilogue\n    return __init__\n': _make_12,
    'def __make__(_MISSING, _set):\n    def __init__(self, title, op_index, rows):\n        self.title = title\n        self.op_index = op_index\n        self.rows = rows\n    return __init__\n': _make_13,
    "def __make__(_MISSING, _set):\n    def __init__(self, value, kind):\n        _set(self, 'value', value)\n        _set(self, 'kind', kind)\n    return __init__\n": _make_14,
    'def __make__(_MISSING, _set, _default_alloc, _factory_group_ops, _default_linked_entry):\n    def __init__(self, code, entry, reentry, epilogue, exit_ids, encoded, alloc=_default_alloc, group_ops=_MISSING, linked_entry=_default_linked_entry):\n        self.code = code\n        self.entry = entry\n        self.reentry = reentry\n        self.epilogue = epilogue\n        self.exit_ids = exit_ids\n        self.encoded = encoded\n        self.alloc = alloc\n        self.group_ops = _factory_group_ops() if group_ops is _MISSING else group_ops\n        self.linked_entry = linked_entry\n    return __init__\n': _make_15,
    'def __make__(_MISSING, _set, _default_chain, _default_rebuilt):\n    def __init__(self, layout, snapshot, chain=_default_chain, rebuilt=_default_rebuilt):\n        self.layout = layout\n        self.snapshot = snapshot\n        self.chain = chain\n        self.rebuilt = rebuilt\n    return __init__\n': _make_16,
    'def __make__(_MISSING, _set, _default_code_len, _factory_groups, _factory_tags, _factory_item_pos, _factory_offsets, _factory_pool):\n    def __init__(self, code, label_offsets, code_len=_default_code_len, groups=_MISSING, tags=_MISSING, item_pos=_MISSING, offsets=_MISSING, pool=_MISSING):\n        self.code = code\n        self.label_offsets = label_offsets\n        self.code_len = code_len\n        self.groups = _factory_groups() if groups is _MISSING else groups\n        self.tags = _factory_tags() if tags is _MISSING else tags\n        self.item_pos = _factory_item_pos() if item_pos is _MISSING else item_pos\n        self.offsets = _factory_offsets() if offsets is _MISSING else offsets\n        self.pool = _factory_pool() if pool is _MISSING else pool\n    return __init__\n': _make_17,
    'def __make__(_MISSING, _set, _default_complex_at, _default_popped, _default_code, _default_parent, _default_extra, _default_tuples_at):\n    def __init__(self, pc, state, stack, complex_at=_default_complex_at, popped=_default_popped, code=_default_code, parent=_default_parent, extra=_default_extra, tuples_at=_default_tuples_at):\n        self.pc = pc\n        self.state = state\n        self.stack = stack\n        self.complex_at = complex_at\n        self.popped = popped\n        self.code = code\n        self.parent = parent\n        self.extra = extra\n        self.tuples_at = tuples_at\n    return __init__\n': _make_18,
    'def __make__(_MISSING, _set, _default_exit_counts, _default_ceil, _default_sin, _default_cos, _default_tan, _default_exp, _default_log, _default_hypot, _default_incref, _default_decref, _default_float_new, _default_long_new, _default_get_iter, _default_err_clear, _default_err_occurred, _default_list_append, _default_tuple_new, _default_list_new, _default_list_slice, _default_tuple_slice, _default_complex_new, _default_vectorcall, _default_builtin_sum, _default_long_as_int64, _default_graveyard, _default_sse41, _default_small_int_zero, _default_small_int_stride, _default_str_compare, _default_str_contains, _default_dict_getitem, _default_dict_contains, _default_dict_next, _default_dict_setitem, _default_dict_new, _default_str_concat, _default_str_substring, _default_obj_str, _default_str_join, _default_object_new, _default_setattr, _default_function_new, _default_gc_collecting, _factory_py_functions, _default_sync, _default_code_instrs, _default_raised_exception, _default_release_graveyard, _default_gate_word, _default_gate_ident, _default_gate_pending, _default_gate_breaker, _default_gate_breaker_size, _default_gate_bit, _default_latin1_chars, _default_layout, _default_instance_values):\n    def __init__(self, bridge_table, fmod, floor, pow, copysign, exit_counts=_default_exit_counts, ceil=_default_ceil, sin=_default_sin, cos=_default_cos, tan=_default_tan, exp=_default_exp, log=_default_log, hypot=_default_hypot, incref=_default_incref, decref=_default_decref, float_new=_default_float_new, long_new=_default_long_new, get_iter=_default_get_iter, err_clear=_default_err_clear, err_occurred=_default_err_occurred, list_append=_default_list_append, tuple_new=_default_tuple_new, list_new=_default_list_new, list_slice=_default_list_slice, tuple_slice=_default_tuple_slice, complex_new=_default_complex_new, vectorcall=_default_vectorcall, builtin_sum=_default_builtin_sum, long_as_int64=_default_long_as_int64, graveyard=_default_graveyard, sse41=_default_sse41, small_int_zero=_default_small_int_zero, small_int_stride=_default_small_int_stride, str_compare=_default_str_compare, str_contains=_default_str_contains, dict_getitem=_default_dict_getitem, dict_contains=_default_dict_contains, dict_next=_default_dict_next, dict_setitem=_default_dict_setitem, dict_new=_default_dict_new, str_concat=_default_str_concat, str_substring=_default_str_substring, obj_str=_default_obj_str, str_join=_default_str_join, object_new=_default_object_new, setattr=_default_setattr, function_new=_default_function_new, gc_collecting=_default_gc_collecting, py_functions=_MISSING, sync=_default_sync, code_instrs=_default_code_instrs, raised_exception=_default_raised_exception, release_graveyard=_default_release_graveyard, gate_word=_default_gate_word, gate_ident=_default_gate_ident, gate_pending=_default_gate_pending, gate_breaker=_default_gate_breaker, gate_breaker_size=_default_gate_breaker_size, gate_bit=_default_gate_bit, latin1_chars=_default_latin1_chars, layout=_default_layout, instance_values=_default_instance_values):\n        self.bridge_table = bridge_table\n        self.fmod = fmod\n        self.floor = floor\n        self.pow = pow\n        self.copysign = copysign\n        self.exit_counts = exit_counts\n        self.ceil = ceil\n        self.sin = sin\n        self.cos = cos\n        self.tan = tan\n        self.exp = exp\n        self.log = log\n        self.hypot = hypot\n        self.incref = incref\n        self.decref = decref\n        self.float_new = float_new\n        self.long_new = long_new\n        self.get_iter = get_iter\n        self.err_clear = err_clear\n        self.err_occurred = err_occurred\n        self.list_append = list_append\n        self.tuple_new = tuple_new\n        self.list_new = list_new\n        self.list_slice = list_slice\n        self.tuple_slice = tuple_slice\n        self.complex_new = complex_new\n        self.vectorcall = vectorcall\n        self.builtin_sum = builtin_sum\n        self.long_as_int64 = long_as_int64\n        self.graveyard = graveyard\n        self.sse41 = sse41\n        self.small_int_zero = small_int_zero\n        self.small_int_stride = small_int_stride\n        self.str_compare = str_compare\n        self.str_contains = str_contains\n        self.dict_getitem = dict_getitem\n        self.dict_contains = dict_contains\n        self.dict_next = dict_next\n        self.dict_setitem = dict_setitem\n        self.dict_new = dict_new\n        self.str_concat = str_concat\n        self.str_substring = str_substring\n        self.obj_str = obj_str\n        self.str_join = str_join\n        self.object_new = object_new\n        self.setattr = setattr\n        self.function_new = function_new\n        self.gc_collecting = gc_collecting\n        self.py_functions = _factory_py_functions() if py_functions is _MISSING else py_functions\n        self.sync = sync\n        self.code_instrs = code_instrs\n        self.raised_exception = raised_exception\n        self.release_graveyard = release_graveyard\n        self.gate_word = gate_word\n        self.gate_ident = gate_ident\n        self.gate_pending = gate_pending\n        self.gate_breaker = gate_breaker\n        self.gate_breaker_size = gate_breaker_size\n        self.gate_bit = gate_bit\n        self.latin1_chars = latin1_chars\n        self.layout = layout\n        self.instance_values = instance_values\n    return __init__\n': _make_19,
    "def __make__(_MISSING, _set, _default_fresh):\n    def __init__(self, pos, kind, slots, fresh=_default_fresh):\n        _set(self, 'pos', pos)\n        _set(self, 'kind', kind)\n        _set(self, 'slots', slots)\n        _set(self, 'fresh', fresh)\n    return __init__\n": _make_20,
    "def __make__(_MISSING, _set, _default_guard, _default_pure, _default_commutative, _default_variadic, _default_reads_heap, _default_writes_heap, _default_identities, _default_redundant_if_repeated, _default_fusable, _default_calls_out, _default_undo_on_overflow, _default_exit_reason, _default_no_bridge, _default_new_ref, _default_runs_python, _default_any_type, _default_handed_over, _default_allocates_tracked, _default_slower_ns, _default_const_args, _default_stores, _default_field, _default_removable, _default_writes_items, _default_writes_in_place, _default_hoist):\n    def __init__(self, name, args, result, evaluate, guard=_default_guard, pure=_default_pure, commutative=_default_commutative, variadic=_default_variadic, reads_heap=_default_reads_heap, writes_heap=_default_writes_heap, identities=_default_identities, redundant_if_repeated=_default_redundant_if_repeated, fusable=_default_fusable, calls_out=_default_calls_out, undo_on_overflow=_default_undo_on_overflow, exit_reason=_default_exit_reason, no_bridge=_default_no_bridge, new_ref=_default_new_ref, runs_python=_default_runs_python, any_type=_default_any_type, handed_over=_default_handed_over, allocates_tracked=_default_allocates_tracked, slower_ns=_default_slower_ns, const_args=_default_const_args, stores=_default_stores, field=_default_field, removable=_default_removable, writes_items=_default_writes_items, writes_in_place=_default_writes_in_place, hoist=_default_hoist):\n        _set(self, 'name', name)\n        _set(self, 'args', args)\n        _set(self, 'result', result)\n        _set(self, 'evaluate', evaluate)\n        _set(self, 'guard', guard)\n        _set(self, 'pure', pure)\n        _set(self, 'commutative', commutative)\n        _set(self, 'variadic', variadic)\n        _set(self, 'reads_heap', reads_heap)\n        _set(self, 'writes_heap', writes_heap)\n        _set(self, 'identities', identities)\n        _set(self, 'redundant_if_repeated', redundant_if_repeated)\n        _set(self, 'fusable', fusable)\n        _set(self, 'calls_out', calls_out)\n        _set(self, 'undo_on_overflow', undo_on_overflow)\n        _set(self, 'exit_reason', exit_reason)\n        _set(self, 'no_bridge', no_bridge)\n        _set(self, 'new_ref', new_ref)\n        _set(self, 'runs_python', runs_python)\n        _set(self, 'any_type', any_type)\n        _set(self, 'handed_over', handed_over)\n        _set(self, 'allocates_tracked', allocates_tracked)\n        _set(self, 'slower_ns', slower_ns)\n        _set(self, 'const_args', const_args)\n        _set(self, 'stores', stores)\n        _set(self, 'field', field)\n        _set(self, 'removable', removable)\n        _set(self, 'writes_items', writes_items)\n        _set(self, 'writes_in_place', writes_in_place)\n        _set(self, 'hoist', hoist)\n    return __init__\n": _make_21,
    'def __make__(_MISSING, _set, _default_hint, _default_crosses_call, _default_loc):\n    def __init__(self, var, start, end, hint=_default_hint, crosses_call=_default_crosses_call, loc=_default_loc):\n        self.var = var\n        self.start = start\n        self.end = end\n        self.hint = hint\n        self.crosses_call = crosses_call\n        self.loc = loc\n    return __init__\n': _make_22,
    "def __make__(_MISSING, _set, _default_label):\n    def __init__(self, name, slot, kind, label=_default_label):\n        _set(self, 'name', name)\n        _set(self, 'slot', slot)\n        _set(self, 'kind', kind)\n        _set(self, 'label', label)\n    return __init__\n": _make_23,
    'def __make__(_MISSING, _set, _default_loop, _default_exit, _default_started, _default_idle, _default_missed):\n    def __init__(self, recorder, frame, code, site, view, loop=_default_loop, exit=_default_exit, started=_default_started, idle=_default_idle, missed=_default_missed):\n        self.recorder = recorder\n        self.frame = frame\n        self.code = code\n        self.site = site\n        self.view = view\n        self.loop = loop\n        self.exit = exit\n        self.started = started\n        self.idle = idle\n        self.missed = missed\n    return __init__\n': _make_24,
    "def __make__(_MISSING, _set, _default_name):\n    def __init__(self, where, key, name=_default_name):\n        _set(self, 'where', where)\n        _set(self, 'key', key)\n        _set(self, 'name', name)\n        self.__post_init__()\n    return __init__\n": _make_25,
    'def __make__(_MISSING, _set, _default_obj, _default_escaped):\n    def __init__(self, items, obj=_default_obj, escaped=_default_escaped):\n        self.items = items\n        self.obj = obj\n        self.escaped = escaped\n    return __init__\n': _make_26,
    'def __make__(_MISSING, _set, _default_obj, _default_escaped):\n    def __init__(self, items, snapshot, obj=_default_obj, escaped=_default_escaped):\n        self.items = items\n        self.snapshot = snapshot\n        self.obj = obj\n        self.escaped = escaped\n    return __init__\n': _make_27,
    "def __make__(_MISSING, _set, _default_oparg):\n    def __init__(self, offset, op, arg, target, line, index, real_op, oparg=_default_oparg):\n        _set(self, 'offset', offset)\n        _set(self, 'op', op)\n        _set(self, 'arg', arg)\n        _set(self, 'target', target)\n        _set(self, 'line', line)\n        _set(self, 'index', index)\n        _set(self, 'real_op', real_op)\n        _set(self, 'oparg', oparg)\n    return __init__\n": _make_28,
    "def __make__(_MISSING, _set, _default_owned, _default_owned_table, _default_globals):\n    def __init__(self, places, iters, nslots, nlocalsplus, base_depth, headroom, buffer, scratch, exit_records, retain_table, owned=_default_owned, owned_table=_default_owned_table, globals=_default_globals):\n        _set(self, 'places', places)\n        _set(self, 'iters', iters)\n        _set(self, 'nslots', nslots)\n        _set(self, 'nlocalsplus', nlocalsplus)\n        _set(self, 'base_depth', base_depth)\n        _set(self, 'headroom', headroom)\n        _set(self, 'buffer', buffer)\n        _set(self, 'scratch', scratch)\n        _set(self, 'exit_records', exit_records)\n        _set(self, 'retain_table', retain_table)\n        _set(self, 'owned', owned)\n        _set(self, 'owned_table', owned_table)\n        _set(self, 'globals', globals)\n    return __init__\n": _make_29,
    "def __make__(_MISSING, _set, _default_owner):\n    def __init__(self, name, expected, owner=_default_owner):\n        _set(self, 'name', name)\n        _set(self, 'expected', expected)\n        _set(self, 'owner', owner)\n    return __init__\n": _make_30,
    'def __make__(_MISSING, _set, _default_raised):\n    def __init__(self, op, pc, values, iterations, raised=_default_raised):\n        self.op = op\n        self.pc = pc\n        self.values = values\n        self.iterations = iterations\n        self.raised = raised\n    return __init__\n': _make_31,
    'def __make__(_MISSING, _set, _default_result, _default_snapshot, _default_pc, _default_exit_id, _default_frame, _default_owned):\n    def __init__(self, name, args, result=_default_result, snapshot=_default_snapshot, pc=_default_pc, exit_id=_default_exit_id, frame=_default_frame, owned=_default_owned):\n        self.name = name\n        self.args = args\n        self.result = result\n        self.snapshot = snapshot\n        self.pc = pc\n        self.exit_id = exit_id\n        self.frame = frame\n        self.owned = owned\n    return __init__\n': _make_32,
    'def __make__(_MISSING, _set, _default_resume_pc, _factory_kinds, _default_popped, _default_fails, _default_bridge, _default_bridge_retries, _default_bridge_after, _default_frame, _factory_inner, _factory_owned_vars, _factory_owned, _default_linked, _default_immediate, _default_unlinked, _default_budget_outs, _default_last_out, _factory_own_retain, _factory_retain, _default_stored):\n    def __init__(self, exit_id, pc, stack, guard, reason, trace_name, snapshot, resume_pc=_default_resume_pc, kinds=_MISSING, popped=_default_popped, fails=_default_fails, bridge=_default_bridge, bridge_retries=_default_bridge_retries, bridge_after=_default_bridge_after, frame=_default_frame, inner=_MISSING, owned_vars=_MISSING, owned=_MISSING, linked=_default_linked, immediate=_default_immediate, unlinked=_default_unlinked, budget_outs=_default_budget_outs, last_out=_default_last_out, own_retain=_MISSING, retain=_MISSING, stored=_default_stored):\n        self.exit_id = exit_id\n        self.pc = pc\n        self.stack = stack\n        self.guard = guard\n        self.reason = reason\n        self.trace_name = trace_name\n        self.snapshot = snapshot\n        self.resume_pc = resume_pc\n        self.kinds = _factory_kinds() if kinds is _MISSING else kinds\n        self.popped = popped\n        self.fails = fails\n        self.bridge = bridge\n        self.bridge_retries = bridge_retries\n        self.bridge_after = bridge_after\n        self.frame = frame\n        self.inner = _factory_inner() if inner is _MISSING else inner\n        self.owned_vars = _factory_owned_vars() if owned_vars is _MISSING else owned_vars\n        self.owned = _factory_owned() if owned is _MISSING else owned\n        self.linked = linked\n        self.immediate = immediate\n        self.unlinked = unlinked\n        self.budget_outs = budget_outs\n        self.last_out = last_out\n        self.own_retain = _factory_own_retain() if own_retain is _MISSING else own_retain\n        self.retain = _factory_retain() if retain is _MISSING else retain\n        self.stored = stored\n    return __init__\n': _make_33,
    'def __make__(_MISSING, _set, _default_snapshot):\n    def __init__(self, start, stop, step, length, snapshot=_default_snapshot):\n        self.start = start\n        self.stop = stop\n        self.step = step\n        self.length = length\n        self.snapshot = snapshot\n    return __init__\n': _make_34,
    'def __make__(_MISSING, _set, _default_step):\n    def __init__(self, start, stop, snapshot, step=_default_step):\n        self.start = start\n        self.stop = stop\n        self.snapshot = snapshot\n        self.step = step\n    return __init__\n': _make_35,
    "def __make__(_MISSING, _set, _default_trace_function, _default_tstate_profile):\n    def __init__(self, code_extra, code_monitoring, local_monitor_events, own_tool, long_tag, long_digits, long_tagged, recursion_remaining, margin, tstate_cframe, current_frame, iframe_code, iframe_frame_obj, budget_slot, gate_breaker_size, trace_function=_default_trace_function, tstate_profile=_default_tstate_profile):\n        _set(self, 'code_extra', code_extra)\n        _set(self, 'code_monitoring', code_monitoring)\n        _set(self, 'local_monitor_events', local_monitor_events)\n        _set(self, 'own_tool', own_tool)\n        _set(self, 'long_tag', long_tag)\n        _set(self, 'long_digits', long_digits)\n        _set(self, 'long_tagged', long_tagged)\n        _set(self, 'recursion_remaining', recursion_remaining)\n        _set(self, 'margin', margin)\n        _set(self, 'tstate_cframe', tstate_cframe)\n        _set(self, 'current_frame', current_frame)\n        _set(self, 'iframe_code', iframe_code)\n        _set(self, 'iframe_frame_obj', iframe_frame_obj)\n        _set(self, 'budget_slot', budget_slot)\n        _set(self, 'gate_breaker_size', gate_breaker_size)\n        _set(self, 'trace_function', trace_function)\n        _set(self, 'tstate_profile', tstate_profile)\n    return __init__\n": _make_36,
    "def __make__(_MISSING, _set, _default_xmm):\n    def __init__(self, name, num, xmm=_default_xmm):\n        _set(self, 'name', name)\n        _set(self, 'num', num)\n        _set(self, 'xmm', xmm)\n    return __init__\n": _make_37,
    'def __make__(_MISSING, _set, _factory_items, _factory_tags, _factory_groups, _factory_labels, _default_nlabels, _factory_pool, _default_hot_range):\n    def __init__(self, items=_MISSING, tags=_MISSING, groups=_MISSING, labels=_MISSING, nlabels=_default_nlabels, pool=_MISSING, hot_range=_default_hot_range):\n        self.items = _factory_items() if items is _MISSING else items\n        self.tags = _factory_tags() if tags is _MISSING else tags\n        self.groups = _factory_groups() if groups is _MISSING else groups\n        self.labels = _factory_labels() if labels is _MISSING else labels\n        self.nlabels = nlabels\n        self.pool = _factory_pool() if pool is _MISSING else pool\n        self.hot_range = hot_range\n    return __init__\n': _make_38,
    'def __make__(_MISSING, _set, _factory_jump_vars, _default_start_pc, _factory_lines, _factory_recorded, _default_preamble, _factory_class_names, _factory_run_least):\n    def __init__(self, kind, name, filename, header_pc, base_depth, inputs, ops, layout, jump_vars=_MISSING, start_pc=_default_start_pc, lines=_MISSING, recorded=_MISSING, preamble=_default_preamble, class_names=_MISSING, run_least=_MISSING):\n        self.kind = kind\n        self.name = name\n        self.filename = filename\n        self.header_pc = header_pc\n        self.base_depth = base_depth\n        self.inputs = inputs\n        self.ops = ops\n        self.layout = layout\n        self.jump_vars = _factory_jump_vars() if jump_vars is _MISSING else jump_vars\n        self.start_pc = start_pc\n        self.lines = _factory_lines() if lines is _MISSING else lines\n        self.recorded = _factory_recorded() if recorded is _MISSING else recorded\n        self.preamble = preamble\n        self.class_names = _factory_class_names() if class_names is _MISSING else class_names\n        self.run_least = _factory_run_least() if run_least is _MISSING else run_least\n    return __init__\n': _make_39,
    'def __make__(_MISSING, _set, _factory_line_counts, _factory_events, _default_events_dropped, _factory_recording_seconds):\n    def __init__(self, line_counts=_MISSING, events=_MISSING, events_dropped=_default_events_dropped, recording_seconds=_MISSING):\n        self.line_counts = _factory_line_counts() if line_counts is _MISSING else line_counts\n        self.events = _factory_events() if events is _MISSING else events\n        self.events_dropped = events_dropped\n        self.recording_seconds = _factory_recording_seconds() if recording_seconds is _MISSING else recording_seconds\n    return __init__\n': _make_40,
    'def __make__(_MISSING, _set, _factory_saves):\n    def __init__(self, locs, intervals, fused, nspill, saves=_MISSING):\n        self.locs = locs\n        self.intervals = intervals\n        self.fused = fused\n        self.nspill = nspill\n        self.saves = _factory_saves() if saves is _MISSING else saves\n    return __init__\n': _make_41,
    'def __make__(_MISSING, _set, _factory_slots, _factory_kinds, _factory_pins, _factory_inlined, _default_inline_depth, _factory_owned, _default_calls_python, _default_writes_globals, _default_graveyard_keeps, _default_shared_stores, _default_graveyard_any):\n    def __init__(self, slots=_MISSING, kinds=_MISSING, pins=_MISSING, inlined=_MISSING, inline_depth=_default_inline_depth, owned=_MISSING, calls_python=_default_calls_python, writes_globals=_default_writes_globals, graveyard_keeps=_default_graveyard_keeps, shared_stores=_default_shared_stores, graveyard_any=_default_graveyard_any):\n        self.slots = _factory_slots() if slots is _MISSING else slots\n        self.kinds = _factory_kinds() if kinds is _MISSING else kinds\n        self.pins = _factory_pins() if pins is _MISSING else pins\n        self.inlined = _factory_inlined() if inlined is _MISSING else inlined\n        self.inline_depth = inline_depth\n        self.owned = _factory_owned() if owned is _MISSING else owned\n        self.calls_python = calls_python\n        self.writes_globals = writes_globals\n        self.graveyard_keeps = graveyard_keeps\n        self.shared_stores = shared_stores\n        self.graveyard_any = graveyard_any\n    return __init__\n': _make_42,
    'def __make__(_MISSING, _set, _factory_stage_traces, _default_listing_source, _default_compile_seconds, _default_from_exit):\n    def __init__(self, trace, address, size, stage_traces=_MISSING, listing_source=_default_listing_source, compile_seconds=_default_compile_seconds, from_exit=_default_from_exit):\n        self.trace = trace\n        self.address = address\n        self.size = size\n        self.stage_traces = _factory_stage_traces() if stage_traces is _MISSING else stage_traces\n        self.listing_source = listing_source\n        self.compile_seconds = compile_seconds\n        self.from_exit = from_exit\n    return __init__\n': _make_43,
}
