"""The recorder's iterator protocols: FOR_ITER over range(), a list, a str, a tuple, a dict's keys, values or
items, enumerate(list) and zip(lists) as state
variables of the loop (the iterator object itself is never touched by the machine code), the end of an
enclosing loop's iterator inside a bridge, and GET_ITER of a bridge that starts such a loop again; and inner
loops unrolled into the trace (inner_iterator, inner_for_iter: their iterators are objects the trace makes and
walks in their own memory).

An iterator at value-stack position `pos` is kept as StateVars ("iter", (pos, field)): next/step/remaining for
a range, index/seq (index0/seq0... for zip) for lists, plus count for enumerate, cindex/cseq for a str,
tindex/tseq for a tuple, aindex/aseq for an array.array, dkpos/dkleft/dkdict (dv..., di...) for a dict's keys
(values, items); the runtime reads them from the iterator at entry and writes them back at exits
(cpython.layout's iterator accessors).

Any other iterator, in the loop's own trace on CPython 3.12+: its __next__ called on the generic path
(PyIter_Next, _for_iter_generic).

May import: tracejit.ir, tracejit.cpython.bytecode/layout (the iterator types it knows),
tracejit.recorder.frame/virtuals/strings/arrays/lists/generic/dicts/attributes, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.cpython.bytecode import Instr
from tracejit.cpython.layout import DICT_ITER_TYPES, SEQ_ITER_TYPES, type_version
from tracejit.ir import OPS, Const, Kind, Op, Snapshot, StateVar, Var, const_int, const_ref
from tracejit.ir.ops import EXHAUSTED, HEAPTYPE, INT64_MAX, INT64_MIN

from . import arrays, attributes, dicts, generic, strings
from .lists import LENGTH_OPS, made_sequence
from .frame import BaseItem, RecordAbort
from .virtuals import VirtualRange, VirtualTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import FrameView, TraceRecorder

I, R = Kind.INT, Kind.REF
LOOP_LEFT = "loop exited during recording"
_UNKNOWN = object()         # concrete value of a bridge input the recording cannot observe


def for_iter(rec: TraceRecorder, ins: Instr, snap: Snapshot, pc: int, fall: set[int], view: FrameView) -> None:
    pos = len(rec.stack) - 1
    top = rec.stack[-1]
    if type(top) is Var and (id(top) in rec.inner_iters or _adopt_inner(rec, top, pos, snap, ins.offset)):
        _for_iter_inner(rec, ins, snap, pc, fall, view)
        return
    if not isinstance(top, BaseItem) or pos != rec.floor - 1:
        raise RecordAbort("for loop over an iterator the trace does not own")
    if pc not in fall:
        if rec.bridge is None or pc not in rec.arrivals(ins.target):
            raise RecordAbort(LOOP_LEFT)
        _for_iter_end(rec, ins, snap, pos)
        return
    try:
        it = view.stack(pos)
    except LookupError:
        raise RecordAbort("loop iterator slot empty") from None
    if rec.generic_calls and rec.bridge is None and not _iter_fields(rec, pos) and not _walkable(it, view):
        _for_iter_generic(rec, ins, pos, pc, view)
        return
    if type(it) is enumerate:
        _for_iter_enumerate(rec, ins, snap, pos, it, view)
    elif type(it) is zip:
        _for_iter_zip(rec, ins, snap, pos, it, view)
    else:
        if type(it) is LIST_ITERATOR:
            _for_iter_list(rec, ins, snap, pos, it, view)
            return
        walk = SEQUENCE_WALKS.get(type(it))
        if walk is not None:
            _for_iter_sequence(rec, ins, snap, pos, it, view, *walk)
            return
        kind = DICT_WALKS.get(type(it))
        if kind is not None:
            _for_iter_dict(rec, ins, snap, pos, it, view, kind)
            return
        _for_iter_range(rec, ins, snap, pos, it, view)


def _walkable(it, view: FrameView) -> bool:
    """Whether the trace walks iterator `it` itself (a range, a list, a str, a tuple, an array, a dict's keys,
    values or items; enumerate and zip of lists), rather than calling its __next__."""
    t = type(it)
    if t is RANGE_ITERATOR or t is LIST_ITERATOR or t in SEQUENCE_WALKS or t in DICT_WALKS:
        return True
    try:
        if t is enumerate:
            view.enumerate_state(it)
        elif t is zip:
            view.zip_state(it)
        else:
            return False
    except TypeError:
        return False
    return True


def _for_iter_generic(rec: TraceRecorder, ins: Instr, pos: int, pc: int, view: FrameView) -> None:
    """`for x in it` over any other iterator (a generator, map, a set's, a user class's __next__), on the
    generic path: PyIter_Next(it), the call the interpreter's FOR_ITER makes (tp_iternext, StopIteration
    cleared). The iterator stays in the frame (a base stack item the machine code reads); an exception leaves
    the trace at FOR_ITER, and the end of the iterator leaves it where the interpreter goes then (the iterator
    popped and released, the jump past the loop), so the iterator is never asked twice. The interpreter has run
    the FOR_ITER already (the recorder is at `pc`, the loop body's first instruction): the item is resolved here."""
    it = rec.read_state(StateVar("base", pos), lambda: view.stack(pos))
    base = rec.stack.pop()                  # the state after the loop: its iterator popped
    rec.floor -= 1
    end = rec.snapshot(ins.target)
    rec.stack.append(base)
    rec.floor += 1
    item = generic.call(rec, "PyIter_Next", [it], ins.offset, view)
    ended = rec.emit("ref_eq", [item, const_ref(EXHAUSTED)], None, ins.offset)
    rec.emit("guard_false", [ended], end, ins.offset)
    rec.stack.append(item)
    generic.resolve(rec, pc, view)          # (after the end's guard: no exit may leave EXHAUSTED on the stack)


def _for_iter_range(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
    names = ("next", "step", "remaining")
    svs = [StateVar("iter", (pos, n)) for n in names]
    if svs[0] not in rec.state:
        try:
            state = view.range_iter_state(it)
        except (LookupError, TypeError):
            raise RecordAbort("for loop over something other than range() or a list") from None
        if state[0] is None:
            raise RecordAbort("for loop over something other than range() or a list")
        # the interpreter already advanced the iterator: undo that to get the state before FOR_ITER
        nxt, step, remaining = state
        nxt, remaining = nxt - step, remaining + 1
        for sv, c in zip(svs, (nxt, step, remaining)):
            if not INT64_MIN <= c <= INT64_MAX:
                raise RecordAbort("range outside int64")
            rec.new_input(sv, I, c)
        snap.state.update({sv: rec.state[sv] for sv in svs})
    nxt, step, rem = (rec.state[sv] for sv in svs)
    more = rec.emit("int_gt", [rem, const_int(0)], snap, ins.offset)
    rec.emit("guard_true", [more], snap, ins.offset)
    rec.state[svs[0]] = rec.emit("int_add", [nxt, step], None, ins.offset)
    rec.state[svs[2]] = rec.emit("int_sub", [rem, const_int(1)], None, ins.offset)
    rec.stack.append(nxt)


def _for_iter_list(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
    """`for x in some_list`: the iterator's index and list are state; each iteration guards the index
    against the list's current length (the interpreter ends the loop) and reads the item."""
    def states():
        index, seq = view.list_iter_state(it)
        if seq is None:
            raise RecordAbort(LOOP_LEFT)
        return [(index, seq)]
    (item,) = _list_walks(rec, ins, snap, pos, [""], states)
    rec.stack.append(item)


def _tuple_item(rec: TraceRecorder, seq, index, snap: Snapshot, pc: int):
    return rec.emit("tuple_getitem", [seq, index], snap, pc)


LIST_ITERATOR = type(iter([]))
RANGE_ITERATOR = type(iter(range(0)))
# a walk over a sequence keeps its index and the sequence as state fields <prefix>index, <prefix>seq
WALK_PREFIX = {list: "", str: "c", tuple: "t", arrays.ARRAY: "a"}
# `for x in s` over a str, a tuple or an array: iterator type -> (the sequence's exact type, item rule); their
# iterators keep the index and the sequence where a list iterator does (tracejit.cpython.layout.SEQ_ITER_TYPES)
ITEM_RULES = {str: strings.character, tuple: _tuple_item, arrays.ARRAY: arrays.item}
SEQUENCE_WALKS = {it_type: (exact, ITEM_RULES[exact]) for it_type, exact in SEQ_ITER_TYPES.items()}


def _for_iter_sequence(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView, exact: type,
                       item) -> None:
    """`for c in some_str` (fields cindex/cseq), `for x in some_tuple` (tindex/tseq), `for x in an_array`
    (aindex/aseq): the iterator's index and sequence are state; each iteration guards the index against the
    length and reads the item (a str's character: recorder/strings.py; an array's raw item: arrays.py)."""
    prefix = WALK_PREFIX[exact]
    index_sv, seq_sv = StateVar("iter", (pos, prefix + "index")), StateVar("iter", (pos, prefix + "seq"))
    if index_sv not in rec.state:
        index, seq = view.seq_iter_state(it)
        if seq is None:
            raise RecordAbort(LOOP_LEFT)
        if type(seq) is not exact:          # a subclass's instance: its items are not where an exact one has them
            raise RecordAbort(f"for loop over a {type(seq).__name__}, a subclass of {exact.__name__}")
        rec.new_input(index_sv, I, index - 1)      # the interpreter already advanced the iterator
        rec.new_input(seq_sv, R, seq)
        snap.state.update({index_sv: rec.state[index_sv], seq_sv: rec.state[seq_sv]})
    index, seq = rec.state[index_sv], rec.state[seq_sv]
    rec.emit("guard_class", [seq, const_ref(exact)], snap, ins.offset)
    rec.emit("guard_index", [index, rec.emit(LENGTH_OPS[exact], [seq], snap, ins.offset)], snap, ins.offset)
    rec.stack.append(item(rec, seq, index, snap, ins.offset))
    rec.state[index_sv] = rec.emit("int_add", [index, const_int(1)], None, ins.offset)


# `for k in d` / `d.keys()`, `d.values()`, `d.items()`: iterator type -> the kind, the prefix of its state fields
DICT_WALKS = DICT_ITER_TYPES
# what each kind of dict walk reads of the entry it found: the key, the value, or both (an item)
DICT_PARTS = {"k": ("dict_key_before",), "v": ("dict_value_before",), "i": ("dict_key_before", "dict_value_before")}


def _for_iter_dict(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView, kind: str) -> None:
    """A dict's keys, values or items (fields dkpos/dkleft/dkdict, dv..., di...): the iterator's position,
    its count of items left and its dict are state. Each iteration finds the next entry (dict_next: none
    left, the interpreter ends the loop), guards that items are left (else the interpreter raises "dictionary
    keys changed during iteration"), and reads the key and/or value (borrowed from the dict, which the trace
    never changes); an item is a tuple made only where the loop needs it whole (_item_tuple). A dict that
    changed size since the iterator was made is refused at entry (the interpreter raises at FOR_ITER)."""
    p = "d" + kind
    pos_sv, left_sv, dict_sv = (StateVar("iter", (pos, p + f)) for f in ("pos", "left", "dict"))
    if pos_sv not in rec.state:
        try:
            after, left, d = view.dict_iter_state(it, kind)
        except TypeError as e:
            raise RecordAbort(f"for loop over {e}") from None
        # the interpreter already took the entry before position `after`: looking from there finds it again
        rec.new_input(pos_sv, I, after - 1)
        rec.new_input(left_sv, I, left + 1)
        rec.new_input(dict_sv, R, d)
        snap.state.update({sv: rec.state[sv] for sv in (pos_sv, left_sv, dict_sv)})
    d, at, left = rec.state[dict_sv], rec.state[pos_sv], rec.state[left_sv]
    dicts.not_a_namespace(rec, d, snap, ins.offset)
    after = rec.emit("dict_next", [d, at], snap, ins.offset)
    rec.emit("guard_true", [rec.emit("int_gt", [left, const_int(0)], snap, ins.offset)], snap, ins.offset)
    parts = [rec.emit(name, [d, after], snap, ins.offset) for name in DICT_PARTS[kind]]
    rec.stack.append(_item_tuple(rec, parts, snap, ins.offset) if kind == "i" else parts[0])
    rec.state[pos_sv] = after
    rec.state[left_sv] = rec.emit("int_sub", [left, const_int(1)], None, ins.offset)


def _iter_fields(rec: TraceRecorder, pos: int) -> set[str]:
    """The fields of the iterator at stack position `pos` the trace or its loop keep as state."""
    return {sv.key[1] for sv in list(rec.state) + list(rec.layout.slots)
            if sv.where == "iter" and sv.key[0] == pos} - {"fresh"}


def _iter_field(rec: TraceRecorder, pos: int, name: str):
    """An iterator field for _for_iter_end: the trace's value, or a bridge input from the state buffer
    (its concrete value is unknown here: the interpreter has already dropped the iterator)."""
    sv = StateVar("iter", (pos, name))
    if sv not in rec.state:
        if sv not in rec.layout.kinds:
            raise RecordAbort("an iterator the trace does not know ends")
        rec.new_input(sv, rec.layout.kinds[sv], _UNKNOWN)
    return rec.state[sv]


def _emit_known(rec: TraceRecorder, name: str, args: list, snapshot: Snapshot | None, pc: int, result):
    """Emit an op whose result the recording already knows (`result`) without evaluating it (an argument's
    concrete value may be unknown); where every argument is known, the two must agree."""
    conc = [rec.conc(a) for a in args]
    if not any(c is _UNKNOWN for c in conc):
        if OPS[name].evaluate(*conc) != result:
            raise RecordAbort("recorder disagrees with interpreter on a loop's end")
        return rec.emit(name, args, snapshot, pc)
    res = rec.vars.new(OPS[name].result)
    rec.ops.append(Op(name, list(args), res, None, pc))
    rec.concrete[id(res)] = result
    return res


def _for_iter_end(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int) -> None:
    """A bridge sees the FOR_ITER of an enclosing (or sibling) loop end: guard that its range or list
    iterator is exhausted, then pop it. The exits after that describe a lower stack (Snapshot.popped);
    the runtime releases the iterator object there."""
    fields = _iter_fields(rec, pos)
    walked = next((t for t, p in WALK_PREFIX.items() if fields == {p + "index", p + "seq"}), None)
    if fields == {"next", "step", "remaining"}:
        more = _emit_known(rec, "int_gt", [_iter_field(rec, pos, "remaining"), const_int(0)], snap,
                                ins.offset, False)
    elif walked is not None:
        c = WALK_PREFIX[walked]
        seq = _iter_field(rec, pos, c + "seq")
        known = rec.conc(seq)
        n = _emit_known(rec, LENGTH_OPS[walked], [seq], snap, ins.offset, 0 if known is _UNKNOWN else len(known))
        more = _emit_known(rec, "int_lt", [_iter_field(rec, pos, c + "index"), n], snap, ins.offset, False)
    else:
        raise RecordAbort("a bridge ends a loop over an enumerate or zip object")
    if isinstance(more, Const):
        if more.value:
            raise RecordAbort("recorder disagrees with interpreter on a loop's end")
    else:
        rec.emit("guard_false", [more], snap, ins.offset)
    rec.stack.pop()
    rec.floor -= 1


def get_iter(rec: TraceRecorder, iterable, pc: int) -> None:
    """GET_ITER before a FOR_ITER. In a bridge, where an iterator was popped (a loop inside the one the bridge runs
    through starts again): iter() of a list, str, tuple or array, or iter(range(...)), becomes the state of the
    iterator at that position, marked `fresh`; the runtime makes the iterator object only if an exit needs it.
    Anywhere else an inner loop starts (inner_iterator)."""
    p = len(rec.stack)
    if rec.bridge is None or p != rec.floor or p >= rec.base_depth:
        if rec.bridge is not None and not rec.unrolls_in_bridge:
            raise RecordAbort("GET_ITER of an inner loop in a bridge")
        inner_iterator(rec, iterable, pc)
        return
    if isinstance(iterable, VirtualRange):
        fields = {"next": iterable.start, "step": iterable.step, "remaining": iterable.length}
    else:
        iterable = rec.value(iterable)
        t = type(rec.conc(iterable))
        if iterable.kind is not R or t not in WALK_PREFIX:
            raise RecordAbort(f"iter() of {t.__name__} in a bridge")
        rec.emit("guard_class", [iterable, const_ref(t)], rec.snapshot_with(pc, [iterable]), pc)
        c = WALK_PREFIX[t]
        fields = {c + "index": const_int(0), c + "seq": iterable}
    known = _iter_fields(rec, p)
    if known and known != set(fields):
        raise RecordAbort("iterators of different kinds at one stack position")
    for name, value in fields.items():
        rec.state[StateVar("iter", (p, name))] = value
    rec.state[StateVar("iter", (p, "fresh"))] = const_int(1)
    rec.stack.append(BaseItem(p))
    rec.floor = p + 1


# iter() of these runs no Python code
PLAIN_ITERABLES = (list, tuple, range, str, bytes, dict, set, frozenset)

# an inner loop's iterable -> the iterator the trace makes for it and walks in its own memory (INNER_WALKS: no
# Python code runs, nothing is allocated, nothing can fail). A str's only where its iterator is the ASCII one
# (3.12+: its characters are CPython's cached one-character strings; 3.11's str iterator may allocate one)
_ASCII_STR_ITERATOR = type(iter(""))
INNER_ITERATORS = {list: LIST_ITERATOR, tuple: type(iter(()))}
# iterator type -> (the op for the items it has left, the op taking its next item)
INNER_WALKS = {RANGE_ITERATOR: ("range_iter_left", "range_iter_take"),
               LIST_ITERATOR: ("seq_iter_left", "list_iter_take"),
               type(iter(())): ("seq_iter_left", "tuple_iter_take")}
if _ASCII_STR_ITERATOR is not type(iter("\u0100")):
    INNER_ITERATORS[str] = _ASCII_STR_ITERATOR
    INNER_WALKS[_ASCII_STR_ITERATOR] = ("seq_iter_left", "str_iter_take")
_EMPTY_RANGE = range(0)


def inner_iterator(rec: TraceRecorder, iterable, pc: int) -> None:
    """GET_ITER of an inner `for` loop (not the traced loop's own, nor an enclosing loop's that a bridge starts
    again) over range(), a list, a tuple or an ASCII str with at most `rec.unroll` items: the trace makes the
    iterator as the interpreter does (new_iter: iter() of it, or for a range, of range(0) with its start, step
    and length set) and walks it itself (inner_for_iter), each iteration of the inner loop recorded in turn
    (unrolled). The iterator is an object of the trace's own on the frame's stack, always in the state the
    interpreter would have left it in: an exit hands it to the frame, and the interpreter goes on with it.
    Anything else aborts (GET_ITER ...)."""
    if not rec.unroll:
        raise RecordAbort("GET_ITER")
    if isinstance(iterable, VirtualRange):
        if iterable.snapshot is None:
            raise RecordAbort("GET_ITER of range() for an inner loop")
        _too_long(rec, rec.conc(iterable.length))
        snap = iterable.snapshot        # (its exit makes the range again: the CALL of range(), nothing ran since)
        it = rec.emit("new_iter", [const_ref(_EMPTY_RANGE)], snap, pc)
        rec.emit("range_iter_set", [it, iterable.start, iterable.step, iterable.length], None, pc)
        _push_walked(rec, it)
        return
    iterable = rec.value(iterable)
    t = type(rec.conc(iterable)) if iterable.kind is R else None
    base = _iterated_as(t)
    want = INNER_ITERATORS.get(base)
    if want is None:
        raise RecordAbort(f"GET_ITER of {t.__name__ if t else 'a number'} for an inner loop")
    _too_long(rec, len(rec.conc(iterable)))
    snap = rec.snapshot_with(pc, [iterable])
    if base is t:
        rec.emit("guard_class", [iterable, const_ref(t)], snap, pc)
    else:                               # (its class's version: the class, and that it still iterates as its base)
        attributes.guard_type_version(rec, iterable, type_version(t), snap, pc)
    it = rec.emit("new_iter", [iterable], snap, pc)
    _push_walked(rec, it)
    if type(rec.conc(it)) is not want:
        raise RecordAbort("GET_ITER of a str with other than ASCII characters for an inner loop")
    if t is str:
        # (its exit: the FOR_ITER, with the str's other iterator on the stack)
        rec.emit("guard_class", [it, const_ref(want)], rec.snapshot(rec.frame.next_offset[pc]), pc)


def _push_walked(rec: TraceRecorder, it: Var) -> None:
    """The iterator `it` the trace made for an inner loop, on the stack as GET_ITER leaves it (the interpreter's is
    taken as its object at the next instruction: made_alike), walked from its first item (inner_for_iter)."""
    rec.made_alike.add(id(it))
    rec.stack.append(it)
    rec.inner_iters[id(it)] = 0


def _iterated_as(t):
    """The type whose iterator iter() of an object of type `t` makes: `t` itself, or for a Python subclass of list or
    tuple that leaves __iter__ to it (deltablue's OrderedCollection), with a version tag, that base (None:
    neither)."""
    if t in INNER_ITERATORS or t is None or not t.__flags__ & HEAPTYPE or not type_version(t):
        return t
    base = next((b for b in (list, tuple) if issubclass(t, b)), None)
    return base if base is not None and t.__iter__ is base.__iter__ and t.__len__ is base.__len__ else t


def _too_long(rec: TraceRecorder, items: int) -> None:
    if items > rec.unroll:
        raise RecordAbort(f"an inner loop of more than {rec.unroll} iterations")


def adoptable(rec: TraceRecorder, top: Var, pos: int) -> bool:
    """`top`, at stack position `pos` of a bridge's own frame above its loop's iterators, is an iterator of an
    inner loop the loop's trace unrolled (one of INNER_WALKS' types), which the bridge can go on walking."""
    return rec.bridge is not None and rec.unroll and pos >= rec.floor and len(rec.frames) == 1 and \
        type(rec.concrete.get(id(top))) in INNER_WALKS


def _adopt_inner(rec: TraceRecorder, top: Var, pos: int, snap: Snapshot, pc: int) -> bool:
    """A bridge that starts inside an inner loop the loop's trace unrolled: the iterator on top of the stack at its
    FOR_ITER (an input of the bridge, above the loop's own iterators) is walked as one the bridge made
    (_for_iter_inner), its exact type guarded; the bridge may then unroll the inner loops it meets after it
    (TraceRecorder.unrolls_in_bridge)."""
    if not adoptable(rec, top, pos):
        return False
    t = type(rec.conc(top))
    rec.emit("guard_class", [top, const_ref(t)], snap, pc)
    rec.inner_iters[id(top)] = 0
    rec.unrolls_in_bridge = True
    return True


def _for_iter_inner(rec: TraceRecorder, ins: Instr, snap: Snapshot, pc: int, fall: set[int],
                    view: FrameView) -> None:
    """FOR_ITER of an inner loop's iterator the trace made, in the loop's own frame: the interpreter has run it
    already (the recorder is at `pc`, the body's first instruction or where the loop's end goes)."""
    going_on = pc in fall
    if not going_on and pc not in rec.arrivals(ins.target):
        raise RecordAbort(f"unexpected control flow to @{pc}")
    inner_for_iter(rec, ins, snap, going_on, view)


def inner_for_iter(rec: TraceRecorder, ins: Instr, snap: Snapshot, going_on: bool | None, view) -> bool:
    """FOR_ITER of an inner loop's iterator the trace made (inner_iterator), the way the interpreter went
    (`going_on`: on with an item, False: at the end; None inside an inlined call, where the recorder runs the
    callee itself and the iterator's concrete state decides). The iterator is walked in its own memory: the items
    it has left, guarded (its exit: this FOR_ITER, nothing taken: the interpreter's FOR_ITER goes the other way),
    then on with its next item taken (a range's unboxed), or past the loop's end with the iterator popped. In the
    loop's frame the item is the one the interpreter's FOR_ITER left on the frame's stack. Returns whether the
    loop goes on."""
    it = rec.stack[-1]
    root = going_on is not None                 # (the interpreter ran this FOR_ITER: the loop's own frame)
    left_op, take_op = INNER_WALKS[type(rec.conc(it))]
    left = rec.emit(left_op, [it], None, ins.offset, unknown=root)
    more = rec.emit("int_gt", [left, const_int(0)], None, ins.offset, unknown=root)
    if root:
        rec.concrete[id(left)] = int(going_on)
        rec.concrete[id(more)] = going_on
    else:
        going_on = bool(rec.concrete[id(more)])
    rec.emit("guard_true" if going_on else "guard_false", [more], snap, ins.offset, unknown=root)
    if not going_on:
        rec.stack.pop()                         # the iterator: FOR_ITER popped it at the end
        del rec.inner_iters[id(it)]
        return False
    n = rec.inner_iters[id(it)] = rec.inner_iters[id(it)] + 1
    _too_long(rec, n)
    item = rec.emit(take_op, [it], None, ins.offset, unknown=root)
    rec.stack.append(item)
    if root:
        rec.concrete[id(item)] = view.stack(len(rec.stack) - 1)
    return True


def iterator_object(rec: TraceRecorder, iterable, pc: int, view: FrameView):
    """GET_ITER whose iterator no loop of the trace walks (a generator expression's argument): the iterator
    object, made as the interpreter makes it: iter() through call_c for the builtin containers (no Python code
    runs), else PyObject_GetIter on the generic path (a class's __iter__)."""
    iterable = rec.value(iterable)
    t = type(rec.conc(iterable)) if iterable.kind is R else None
    snap = rec.snapshot_with(pc, [iterable])
    if t in PLAIN_ITERABLES:
        rec.emit("guard_class", [iterable, const_ref(t)], snap, pc)
        made = rec.emit("call_c", [const_ref(iter), iterable], snap, pc)
        rec.made_alike.add(id(made))
        return made
    if not rec.generic_calls or iterable.kind is not R:
        raise RecordAbort("GET_ITER")
    return generic.call(rec, "PyObject_GetIter", generic.objects(rec, [iterable], snap, pc), pc, view)


def _list_walks(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, suffixes: list[str], states) -> list:
    """The next item of each of several list iterators advanced together (one of a loop's iterator, or
    the lists of a zip): every index is guarded against its list's current length before any advances
    (else the interpreter runs the FOR_ITER: it ends the loop, or raises as zip(strict=True) does)."""
    svs = [(StateVar("iter", (pos, "index" + s)), StateVar("iter", (pos, "seq" + s))) for s in suffixes]
    if svs[0][0] not in rec.state:
        try:
            walks = states()
        except TypeError as e:
            raise RecordAbort(f"for loop over {e}") from None
        for (index_sv, seq_sv), (index, seq) in zip(svs, walks):
            # the interpreter already advanced the iterator: undo that to get the state before FOR_ITER
            rec.new_input(index_sv, I, index - 1)
            rec.new_input(seq_sv, R, seq)
            snap.state.update({index_sv: rec.state[index_sv], seq_sv: rec.state[seq_sv]})
    for index_sv, seq_sv in svs:
        n = rec.emit("list_len", [rec.state[seq_sv]], snap, ins.offset)
        rec.emit("guard_index", [rec.state[index_sv], n], snap, ins.offset)
    items = []
    for index_sv, seq_sv in svs:
        index, seq = rec.state[index_sv], rec.state[seq_sv]
        items.append(rec.emit("list_getitem", [seq, index], snap, ins.offset))
        rec.state[index_sv] = rec.emit("int_add", [index, const_int(1)], None, ins.offset)
    return items


def _for_iter_enumerate(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
    """`for i, x in enumerate(a_list)`: the count and the list iterator's index and list are state; the
    (count, item) tuple stays virtual (UNPACK_SEQUENCE takes it apart; _item_tuple)."""
    count_sv = StateVar("iter", (pos, "count"))

    def states():
        count, index, seq = view.enumerate_state(it)
        rec.new_input(count_sv, I, count - 1)          # before the interpreter's FOR_ITER
        snap.state[count_sv] = rec.state[count_sv]
        return [(index, seq)]
    (item,) = _list_walks(rec, ins, snap, pos, [""], states)
    count = rec.state[count_sv]
    # CPython counts in a Python int from Py_ssize_t's maximum on: such a count leaves the trace
    rec.state[count_sv] = rec.emit("int_add_ovf", [count, const_int(1)], snap, ins.offset)
    rec.stack.append(_item_tuple(rec, [count, item], snap, ins.offset))


def _item_tuple(rec: TraceRecorder, items: list, snap: Snapshot, pc: int) -> VirtualTuple:
    """The tuple FOR_ITER gives (an item of enumerate, zip or dict.items()), left virtual: made (new_tuple, its exit
    before FOR_ITER, the iterator not advanced) only where the loop needs it whole (`for pair in zip(a, b)`)."""
    return VirtualTuple(items, made_sequence(rec, "new_tuple", items, snap, pc))


def _for_iter_zip(rec: TraceRecorder, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
    """`for x, y in zip(list1, list2)`: each list iterator's index and list are state; the tuple of items
    stays virtual (_item_tuple)."""
    try:
        n = len(view.zip_state(it))
    except TypeError as e:
        raise RecordAbort(f"for loop over {e}") from None
    items = _list_walks(rec, ins, snap, pos, [str(k) for k in range(n)], lambda: view.zip_state(it))
    rec.stack.append(_item_tuple(rec, items, snap, ins.offset))
