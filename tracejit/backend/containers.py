"""Emitters of the ops on strings, dicts, arrays and instances' attributes (tracejit.ir.ops): code-point loads, CPython's cached
one-character strings, the C API lookups and walks called from machine code (PyUnicode_Compare/Contains,
PyDict_GetItemWithError/Contains/Next), and raw array items. They register in assembler.EMITTERS like every
other emitter; the package imports this module right after assembler.

May import: tracejit.ir, tracejit.backend.assembler/x86/errors.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from ..ir.ops import ARRAY_STORAGE, GRAVEYARD_SLOTS, MAX_NEW_ITEMS, SHARED, Kind
from ..ir.trace import Const, Op
from .assembler import TEMP, Assembler, decref_inline, decref_shared, emitter, exit_unless_equal, exit_unless_shared, \
    graveyard_append, incref_inline, object_or_exit, ref_reg, status_or_exit, temp
from .errors import CompileError
from .x86 import RAX, RCX, RDI, RDX, RSI, RSP, XMM0, XMM1, Mem, Reg


@emitter("str_code_at")
def _str_code_at(s: Assembler, op: Op, i: int) -> None:
    """The code point at index i (guarded in range) of a compact string: its state byte gives the width of a
    code point (kind 1, 2 or 4 bytes) and whether the data follow an ASCII header or a compact one; a string
    that is not compact leaves the trace."""
    a, o = s.a, s.objects
    ex = s.exit_label(op)
    r = ref_reg(s, op.args[0], RAX)
    a.mov(RCX, s.g(op.args[1]))                  # rcx: the index
    a.load8(RDX, Mem(r, o.str_state))            # edx: the state byte
    a.test_imm(RDX, o.STR_COMPACT)
    a.jcc("e", ex)
    a.lea(RAX, r, None, o.str_compact_data)      # rax: the data, unless the header is ASCII's (shorter)
    not_ascii = a.new_label()
    a.test_imm(RDX, o.STR_ASCII)
    a.jcc("e", not_ascii)
    a.alu("sub", RAX, o.str_compact_data - o.str_ascii_data)
    a.bind(not_ascii)
    a.shift("shr", RDX, o.STR_KIND_SHIFT)
    a.alu("and", RDX, 7)                         # edx: bytes per code point
    two, four, done = a.new_label(), a.new_label(), a.new_label()
    a.alu("cmp", RDX, 1)
    a.jcc("ne", two)
    a.load8(RAX, Mem(RAX, 0, RCX, 1))
    a.jmp(done)
    a.bind(two)
    a.alu("cmp", RDX, 2)
    a.jcc("ne", four)
    a.load16(RAX, Mem(RAX, 0, RCX, 2))
    a.jmp(done)
    a.bind(four)
    a.load32(RAX, Mem(RAX, 0, RCX, 4))
    a.bind(done)
    s.put(s.dst(op), RAX)


def _call_c(s: Assembler, i: int, addr: int, operands: list, load=None, op: Op | None = None) -> None:
    """rax = addr(operands...) for up to three GPR operands (REF or INT values, constants), the live registers
    saved around the call. The operands stay in temp(1)... afterwards (temp(0) holds the result): an operand
    that dies here may be in a register the call clobbers. `load` (instead): loads the argument registers
    from the temporaries itself. `op`: the op the call is for (Assembler.call)."""
    a = s.a
    for k, v in enumerate(operands):
        a.mov(temp(k), s.g(v), scratch=RAX)
    s.save_live(i)
    if load is not None:
        load()
    for k, reg in zip(range(len(operands) if load is None else 0), (RDI, RSI, RDX)):
        a.mov(reg, temp(k))
    s.call(addr, op)
    a.mov(temp(0), RAX)
    s.restore_live(i)
    a.mov(RAX, temp(0))


def _made_or_exit(s: Assembler, op: Op, i: int) -> None:
    """The tail of an op that makes a new object: rax = the object, or NULL, when the error is cleared and the
    guard exits (the interpreter redoes the instruction and raises it); else rax becomes the op's result."""
    _exit_unless_made(s, op, i)
    s.put(s.dst(op), RAX)


def _exit_unless_made(s: Assembler, op: Op, i: int) -> None:
    """rax = a new object, or NULL: then the error is cleared and the op's exit taken (_clear_and_exit)."""
    a = s.a
    made = a.new_label()
    a.test(RAX, RAX)
    a.jcc("ne", made)
    _clear_and_exit(s, op, i)
    a.bind(made)


def _clear_and_exit(s: Assembler, op: Op, i: int) -> None:
    """PyErr_Clear() with the live registers saved, then leave through the op's exit."""
    s.save_live(i)
    s.call(s.ext.err_clear)
    s.restore_live(i)
    s.a.jmp(s.exit_label(op))


@emitter("str_compare", "str_contains")
def _str_call(s: Assembler, op: Op, i: int) -> None:
    """PyUnicode_Compare(a, b) / PyUnicode_Contains(a, b) of two exact strs (int results; neither can fail
    for such arguments, nor run Python code)."""
    a = s.a
    addr = getattr(s.ext, op.name)
    if not addr:
        raise CompileError(f"no C API address for {op.name}")
    _call_c(s, i, addr, op.args[:2])
    a.shift("shl", RAX, 32)
    a.shift("sar", RAX, 32)                      # the C int, sign-extended
    s.put(s.dst(op), RAX)


# the C function of each op that makes a new object from its register arguments
_NEW_OBJECT_FUNCTIONS = {"str_concat": lambda ext: ext.str_concat, "str_slice": lambda ext: ext.str_substring,
                         "list_slice": lambda ext: ext.list_slice, "tuple_slice": lambda ext: ext.tuple_slice,
                         "getattr_plain": lambda ext: ext.py_functions.get("PyObject_GetAttr")}


@emitter(*_NEW_OBJECT_FUNCTIONS)
def _new_object(s: Assembler, op: Op, i: int) -> None:
    """A new reference the trace owns: PyUnicode_Concat(a, b), PyUnicode_Substring(s, start, end),
    PyList_GetSlice / PyTuple_GetSlice(a, start, end) or PyObject_GetAttr(obj, name) (a lookup the guards before
    it made one of C only: no sync needed). NULL (a MemoryError, a result too long, an AttributeError) clears the
    error and exits: the interpreter runs the instruction again and raises it."""
    addr = _NEW_OBJECT_FUNCTIONS[op.name](s.ext)
    if not (addr and s.ext.err_clear):
        raise CompileError(f"no C API address for {op.name}")
    _call_c(s, i, addr, op.args, op=op)
    _made_or_exit(s, op, i)


MAX_PIECES = 6              # the temporaries: str_build's separator and pieces, call_c's function and arguments


@emitter("int_to_str")
def _int_to_str(s: Assembler, op: Op, i: int) -> None:
    """PyObject_Str(PyLong_FromLongLong(v)), the int object released after. NULL anywhere clears the error and
    exits (the interpreter redoes the instruction)."""
    a, ext = s.a, s.ext
    if not (ext.obj_str and ext.long_new and ext.decref and ext.err_clear):
        raise CompileError(f"no C API addresses for {op.name}")
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    called = a.new_label()
    s.save_live(i)
    a.mov(RDI, temp(0))
    s.call(ext.long_new)
    a.mov(temp(1), RAX)
    a.test(RAX, RAX)
    a.jcc("e", called)
    a.mov(RDI, RAX)
    s.call(ext.obj_str)
    a.mov(temp(2), RAX)
    a.mov(RDI, temp(1))
    s.call(ext.decref)
    a.mov(RAX, temp(2))
    a.bind(called)                               # rax: the new str, or NULL
    a.mov(temp(0), RAX)
    s.restore_live(i)
    a.mov(RAX, temp(0))
    _made_or_exit(s, op, i)


def _array_call(s: Assembler, i: int, addr: int, operands: list, keywords: bool = False) -> None:
    """rax = addr(operands[0], &operands[1:], n[, NULL]): the first operand and an array of the others, in the
    temporaries (at most MAX_PIECES in all): _PyUnicode_JoinArray's and PyObject_Vectorcall's form."""
    n = len(operands) - 1
    if not 1 <= n < MAX_PIECES:
        raise CompileError(f"a call with {n} arguments in an array")

    def load():
        s.a.mov(RDI, temp(0))
        s.a.lea(RSI, RSP, None, TEMP + 8)
        s.a.mov(RDX, n)
        if keywords:
            s.a.mov(RCX, 0)                      # no keyword names
    _call_c(s, i, addr, operands, load)


@emitter("str_build")
def _str_build(s: Assembler, op: Op, i: int) -> None:
    """str_build(sep, pieces...): _PyUnicode_JoinArray(sep, pieces, n); NULL clears the error and exits."""
    if not (s.ext.str_join and s.ext.err_clear):
        raise CompileError(f"no C API addresses for {op.name}")
    _array_call(s, i, s.ext.str_join, op.args)
    _made_or_exit(s, op, i)


@emitter("box_int", "new_iter", "call_c", "call_c_in_place")
def _call_new(s: Assembler, op: Op, i: int) -> None:
    """box_int: PyLong_FromLongLong(v); new_iter: PyObject_GetIter(seq); call_c and call_c_in_place:
    PyObject_Vectorcall(f, args, n, NULL) with the arguments in the temporaries (at most MAX_PIECES - 1). A new
    reference; NULL clears the error and exits."""
    ext = s.ext
    if not (ext.long_new and ext.vectorcall and ext.err_clear) or (op.name == "new_iter" and not ext.get_iter):
        raise CompileError(f"no C API addresses for {op.name}")
    if op.name == "box_int":
        _call_c(s, i, ext.long_new, op.args)
    elif op.name == "new_iter":                  # (a list's or a tuple's iterator is GC-tracked: Assembler.call)
        _call_c(s, i, ext.get_iter, op.args, op=op)
    else:
        _array_call(s, i, ext.vectorcall, op.args, keywords=True)
    _made_or_exit(s, op, i)


@emitter("new_tuple", "new_list")
def _new_sequence(s: Assembler, op: Op, i: int) -> None:
    """PyTuple_New(n) / PyList_New(n), then item k stored with a new reference: a tuple's items are inline (at
    tuple_items), a list's in the array its ob_item points to. NULL clears the error and exits."""
    a, ext, o = s.a, s.ext, s.objects
    addr = ext.tuple_new if op.name == "new_tuple" else ext.list_new
    if not (addr and ext.err_clear):
        raise CompileError(f"no C API address for {op.name}")
    if any(v.kind is not Kind.REF for v in op.args):
        raise CompileError(f"{op.name} of an unboxed value")
    n = len(op.args)
    if n > MAX_NEW_ITEMS:
        raise CompileError(f"{op.name} of {n} items")
    for k, v in enumerate(op.args):             # (an item that dies here may be in a register the call clobbers)
        a.mov(temp(k + 1), s.g(v), scratch=RAX)        # (temp(0): the call's result)
    _call_c(s, i, addr, [], lambda: a.mov(RDI, n), op=op)
    _exit_unless_made(s, op, i)
    for k in range(n):                          # (rax, rcx and rdx are no value's registers)
        a.mov(RCX, temp(k + 1))
        incref_inline(s, RCX)
        if op.name == "new_tuple":
            a.mov(Mem(RAX, o.tuple_items + 8 * k), RCX)
        else:
            a.mov(RDX, Mem(RAX, o.list_items))
            a.mov(Mem(RDX, 8 * k), RCX)
    s.put(s.dst(op), RAX)


@emitter("new_function")
def _new_function(s: Assembler, op: Op, i: int) -> None:
    """PyFunction_New(code, globals) (globals with str keys only, else exit: its lookup of __name__ could run an
    __eq__); NULL clears the error and exits. Then the defaults and the closure, unless
    the None constant, stored into the new function's func_defaults and func_closure (NULL there), a new
    reference each, as MAKE_FUNCTION (3.13: SET_FUNCTION_ATTRIBUTE) stores them."""
    a, ext, o = s.a, s.ext, s.objects
    if not (ext.function_new and ext.err_clear):
        raise CompileError("no C API address for new_function")
    code, namespace, defaults, closure = op.args
    fields = [(v, at) for v, at in ((defaults, o.func_defaults), (closure, o.func_closure))
              if not (isinstance(v, Const) and v.value is None)]
    # (an operand that dies here may be in a register the call clobbers; the call's own are in temp(0), temp(1))
    a.mov_imm(RAX, id(namespace.value))
    _exit_unless_str_keys(s, op, RAX)           # (PyFunction_New looks __name__ up in it)
    for k, (v, _) in enumerate(fields):
        a.mov(temp(k + 2), s.g(v), scratch=RAX)
    _call_c(s, i, ext.function_new, [code, namespace], op=op)
    _exit_unless_made(s, op, i)
    for k, (_, at) in enumerate(fields):
        a.mov(RCX, temp(k + 2))
        incref_inline(s, RCX)
        a.mov(Mem(RAX, at), RCX)
    s.put(s.dst(op), RAX)


@emitter("new_dict")
def _new_dict(s: Assembler, op: Op, i: int) -> None:
    """new_dict(k1, v1, ...): PyDict_New(), then PyDict_SetItem(d, k, v) for each pair in order (exact str keys:
    no Python code runs). A NULL dict clears the error and exits; a failed insertion also releases the dict."""
    a, ext = s.a, s.ext
    if not (ext.dict_new and ext.dict_setitem and ext.decref and ext.err_clear):
        raise CompileError("no C API addresses for new_dict")
    n = len(op.args)
    if n % 2 or n > MAX_NEW_ITEMS or any(v.kind is not Kind.REF for v in op.args):
        raise CompileError(f"new_dict of {n} values")
    for k, v in enumerate(op.args):
        a.mov(temp(k + 1), s.g(v), scratch=RAX)        # (temp(0): the dict)
    _call_c(s, i, ext.dict_new, [], lambda: None, op=op)
    _exit_unless_made(s, op, i)
    failed = a.new_label()
    for k in range(0, n, 2):
        s.save_live(i)
        a.mov(RDI, temp(0))
        a.mov(RSI, temp(k + 1))
        a.mov(RDX, temp(k + 2))
        s.call(ext.dict_setitem, op)
        s.restore_live(i)
        a.test32(RAX, RAX)
        a.jcc("ne", failed)
    done = a.new_label()
    a.mov(RAX, temp(0))
    s.put(s.dst(op), RAX)
    a.jmp(done)
    a.bind(failed)                              # the dict released (its items were the trace's to keep)
    s.save_live(i)
    a.mov(RDI, temp(0))
    s.call(ext.decref)
    s.restore_live(i)
    _clear_and_exit(s, op, i)
    a.bind(done)


@emitter("box_float")
def _box_float(s: Assembler, op: Op, i: int) -> None:
    """PyFloat_FromDouble(x): a new float object; NULL clears the error and exits."""
    a, ext = s.a, s.ext
    if not (ext.float_new and ext.err_clear):
        raise CompileError("no C API addresses for box_float")
    s.fbits_to(RAX, op.args[0])
    a.mov(temp(0), RAX)
    _call_c(s, i, ext.float_new, [], lambda: a.sse("movsd", XMM0, temp(0)))
    _made_or_exit(s, op, i)


@emitter("dict_setitem_str")
def _dict_setitem(s: Assembler, op: Op, i: int) -> None:
    """d[k] = v: the old value (args[3]) gets a reference that waits in the graveyard (room checked by the
    guard_graveyard before), then PyDict_SetItem(d, k, v) (which takes its own reference to v and drops the
    dict's to the old value); -1 (MemoryError, the dict unchanged) clears the error and exits."""
    a, ext = s.a, s.ext
    if not (ext.dict_setitem and ext.graveyard and ext.err_clear):
        raise CompileError("no C API addresses for dict stores")
    for k, v in enumerate(op.args):
        a.mov(temp(k), s.g(v), scratch=RAX)
    a.mov(RAX, temp(3))
    _set_in_dict(s, op, i, False)


def _set_in_dict(s: Assembler, op: Op, i: int, shared: bool) -> None:
    """The end of a dict store: the old value in rax gets a reference that waits in the graveyard (room checked
    by a guard_graveyard before), or (`shared`) the trace leaves unless the dict's reference to it is not its
    last; then PyDict_SetItem(temp(0), temp(1), temp(2)) (the dict takes its own reference to the value and drops
    its reference to the old one); -1 (MemoryError, the dict unchanged) clears the error and exits."""
    a = s.a
    if shared:
        _exit_unless_shared_or_stored(s, op, RAX, temp(2))
    else:
        incref_inline(s, RAX)
        graveyard_append(s, RAX)
    s.save_live(i)
    a.mov(RDI, temp(0))
    a.mov(RSI, temp(1))
    a.mov(RDX, temp(2))
    s.call(s.ext.dict_setitem)
    status_or_exit(s, op, i)


def _values_array(s: Assembler, obj: Reg, inline: int, ex, check: Reg, base: Reg) -> tuple[Reg, int]:
    """Leave through `ex` unless obj's values array is in use (3.11: its pointer set; 3.12: the word before the
    object odd, the array's address - 1; 3.13: the inline array's `valid` byte set, read into `check`). Returns
    (register, displacement): slot k is at Mem(register, displacement + 8 * k), obj itself (3.13) or `base`
    loaded with the word before the object."""
    a, v = s.a, s.ext.instance_values
    if v.kind == "inline":
        a.load8(check, Mem(obj, inline + v.valid))
        a.test(check, check)
        a.jcc("e", ex)
        return obj, inline + v.items
    a.mov(base, Mem(obj, v.word))
    if v.kind == "tagged":
        a.test_imm(base, 1)
    else:
        a.test(base, base)
    a.jcc("e", ex)
    return base, 1 if v.kind == "tagged" else 0


def _instance_layout(s: Assembler) -> None:
    if s.ext.instance_values is None:
        raise CompileError("instance values layout unknown")


@emitter("instance_attr")
def _instance_attr(s: Assembler, op: Op, i: int) -> None:
    """obj.name from slot `index` of obj's values array (CPython's LOAD_ATTR_INSTANCE_VALUE after its type-version
    guard): leaves the trace if the array is not in use or the slot is NULL."""
    _instance_layout(s)
    a, ex = s.a, s.exit_label(op)
    index, inline = op.args[1].value, op.args[2].value
    r, disp = _values_array(s, ref_reg(s, op.args[0], RAX), inline, ex, RCX, RCX)
    a.mov(RAX, Mem(r, disp + 8 * index))
    a.test(RAX, RAX)
    a.jcc("e", ex)
    s.put(s.dst(op), RAX)


@emitter("dict_attr")
def _dict_attr(s: Assembler, op: Op, i: int) -> None:
    """obj.name from the instance's own dict (CPython's LOAD_ATTR_WITH_HINT, without the hint): the dict pointer
    before the object (exit if there is none, or 3.12: the word tags the values array), keys all exact strs
    (dk_kind not general, else exit), then PyDict_GetItemWithError (borrowed; NULL for a missing key: exit)."""
    _instance_layout(s)
    a, ext, ex = s.a, s.ext, s.exit_label(op)
    if not ext.dict_getitem:
        raise CompileError("no C API address for dict lookups")
    _instance_dict_or_exit(s, op, ref_reg(s, op.args[0], RAX))
    a.mov(temp(0), RAX)                          # the dict and the name, as _call_c's load reads them
    a.mov(temp(1), s.g(op.args[1]), scratch=RCX)

    def load():
        a.mov(RDI, temp(0))
        a.mov(RSI, temp(1))
    _call_c(s, i, ext.dict_getitem, [], load)
    a.test(RAX, RAX)
    a.jcc("e", ex)                               # missing: the interpreter looks further (the class)
    s.put(s.dst(op), RAX)


def _instance_dict_or_exit(s: Assembler, op: Op, obj: Reg) -> None:
    """rax = the dict before the instance in `obj` (CPython's managed dict pointer); leave through op's exit where
    it has none (3.12: the word tags the values array instead) or its keys may be other than exact strs."""
    a, v, ex = s.a, s.ext.instance_values, s.exit_label(op)
    a.mov(RAX, Mem(obj, v.dict_word))
    if v.kind == "tagged":
        a.test_imm(RAX, 1)
        a.jcc("ne", ex)
    a.test(RAX, RAX)
    a.jcc("e", ex)
    _exit_unless_str_keys(s, op, RAX)


@emitter("dict_attr_set")
def _dict_attr_set(s: Assembler, op: Op, i: int) -> None:
    """obj.name = value where obj keeps its attributes in a real dict (CPython's STORE_ATTR_WITH_HINT, without the
    hint): the dict as dict_attr finds it (exit if none, or keys other than exact strs), the old value (args[2],
    read by dict_attr just before) gets a reference that waits in the graveyard (room checked by the
    guard_graveyard before), or (`shared`) the trace leaves unless the dict's reference to it is not its last,
    then PyDict_SetItem(dict, name, value); -1 (MemoryError, the dict unchanged) clears the error and exits."""
    _instance_layout(s)
    a, ext = s.a, s.ext
    if not (ext.dict_setitem and ext.graveyard and ext.err_clear):
        raise CompileError("no C API addresses for dict stores")
    _instance_dict_or_exit(s, op, ref_reg(s, op.args[0], RAX))
    a.mov(temp(0), RAX)                          # the dict, the name, the value, as the call's load reads them
    a.mov(temp(1), s.g(op.args[3]), scratch=RCX)
    a.mov(temp(2), s.g(op.args[1]), scratch=RCX)
    a.mov(RAX, s.g(op.args[2]))
    _set_in_dict(s, op, i, op.args[4].value == SHARED)


@emitter("list_pop", "list_pop_at", "list_insert")
def _list_method(s: Assembler, op: Op, i: int) -> None:
    """list.pop / list.insert's C function (METH_FASTCALL: self, the arguments' array, their count), called as the
    interpreter calls the method; NULL (IndexError, MemoryError: the list unchanged) clears the error and leaves.
    pop's result is the item, whose reference the list gave up; insert's, None, is released."""
    a, ext = s.a, s.ext
    if not (ext.err_clear and ext.decref):
        raise CompileError("no C API addresses for list methods")
    arguments = op.args[1:-1]
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    for k, v in enumerate(arguments):
        a.mov(temp(1 + k), s.g(v), scratch=RAX)
    s.save_live(i)
    a.mov(RDI, temp(0))
    a.lea(RSI, RSP, disp=TEMP + 8)
    a.mov_imm(RDX, len(arguments))
    s.call(op.args[-1].value)
    object_or_exit(s, op, i)
    if op.result is None:
        a.mov(RDI, RAX)
        s.call(ext.decref)                       # (None: 3.11 counts its references)
        s.restore_live(i)
    else:
        a.mov(temp(0), RAX)
        s.restore_live(i)
        a.mov(RAX, temp(0))
        s.put(s.dst(op), RAX)


@emitter("guard_no_own_attr")
def _guard_no_own_attr(s: Assembler, op: Op, i: int) -> None:
    """The class's shared keys (ht_cached_keys of the object's type) still hold `size` names, and the object's
    values array is in use."""
    _instance_layout(s)
    a, ex, v = s.a, s.exit_label(op), s.ext.instance_values
    size, inline = op.args[1].value, op.args[2].value
    r = ref_reg(s, op.args[0], RAX)
    a.mov(RCX, Mem(r, s.objects.ob_type))
    a.mov(RCX, Mem(RCX, v.keys_offset))
    a.test(RCX, RCX)
    a.jcc("e", ex)
    a.alu("cmp", Mem(RCX, v.keys_nentries), size)
    a.jcc("ne", ex)
    _values_array(s, r, inline, ex, RCX, RCX)


@emitter("member_attr")
def _member_attr(s: Assembler, op: Op, i: int) -> None:
    """obj.name of a __slots__ member, at its offset in the object (CPython's LOAD_ATTR_SLOT after the version
    guard); unset (NULL) leaves the trace."""
    r = ref_reg(s, op.args[0], RAX)
    s.a.mov(RAX, Mem(r, op.args[1].value))
    s.a.test(RAX, RAX)
    s.a.jcc("e", s.exit_label(op))
    s.put(s.dst(op), RAX)


def _exit_unless_shared_or_stored(s: Assembler, op: Op, old: Reg, value: Mem) -> None:
    """A `shared` store's check: leave unless the old value in register `old` is the value stored (`x.a =
    f(x.a)` giving back the same object) or has a reference besides the one the store drops. Uses rdx."""
    a = s.a
    a.mov(RDX, value)
    a.alu("cmp", old, RDX)
    a.jcc("e", same := a.new_label())
    exit_unless_shared(s, op, old)
    a.bind(same)


def _store_field(s: Assembler, op: Op, field: Mem) -> None:
    """The field (addressed from rcx, which holds the object) must still hold op.args[2], the old value read just
    before, else the trace leaves before writing anything; then it gets a new reference to op.args[1], and its
    reference to the old value goes to the graveyard (room checked by guard_graveyard), or, where the op's last
    argument is SHARED, the trace leaves first unless that reference is not the old value's last, and drops it at
    once. Expects the three arguments in temp(0..2)."""
    a = s.a
    shared = op.args[-1].value == SHARED
    a.mov(RAX, temp(2))
    a.alu("cmp", field, RAX)
    a.jcc("ne", s.exit_label(op))
    if shared:
        _exit_unless_shared_or_stored(s, op, RAX, temp(1))
    a.mov(RAX, temp(1))
    incref_inline(s, RAX)                        # (uses rdx: the field's register is rcx)
    a.mov(field, RAX)
    a.mov(RAX, temp(2))
    if shared:
        decref_shared(s, RAX)
    else:
        graveyard_append(s, RAX)


@emitter("member_set")
def _member_set(s: Assembler, op: Op, i: int) -> None:
    """obj.name = value of a __slots__ member (CPython's STORE_ATTR_SLOT after the version guard), the old value
    to the graveyard."""
    if not s.ext.graveyard:
        raise CompileError("no graveyard")
    for k, arg in enumerate(op.args[:3]):
        s.a.mov(temp(k), s.g(arg), scratch=RAX)
    s.a.mov(RCX, temp(0))
    _store_field(s, op, Mem(RCX, op.args[3].value))


def _storable_values(s: Assembler, op: Op, operands: int, inline: int) -> tuple[Reg, int]:
    """The prologue of a store into an instance's values array: the op's first `operands` arguments in temp(0...),
    then (register, displacement) of the object's values array, leaving through the op's exit unless it is in use
    or (3.13) if a dict shares it (a store must go through the dict)."""
    a, ex, v = s.a, s.exit_label(op), s.ext.instance_values
    for k, arg in enumerate(op.args[:operands]):
        a.mov(temp(k), s.g(arg), scratch=RAX)
    a.mov(RCX, temp(0))
    if v.kind == "inline":
        a.alu("cmp", Mem(RCX, v.dict_word), 0)
        a.jcc("ne", ex)
    return _values_array(s, RCX, inline, ex, RDX, RCX)


@emitter("instance_set")
def _instance_set(s: Assembler, op: Op, i: int) -> None:
    """obj.name = value into slot `index` of obj's values array (CPython's STORE_ATTR_INSTANCE_VALUE): the slot must
    still hold `old` in an array in use (3.13: with no dict sharing it; an allocation since the read may have run
    a collection's finalizers), else the trace leaves before writing anything; then the instance gets a new
    reference to value and its reference to old goes to the graveyard (room checked by guard_graveyard)."""
    _instance_layout(s)
    if not s.ext.graveyard:
        raise CompileError("no graveyard")
    r, disp = _storable_values(s, op, 3, op.args[4].value)
    _store_field(s, op, Mem(r, disp + 8 * op.args[3].value))


@emitter("cell_set")
def _cell_set(s: Assembler, op: Op, i: int) -> None:
    """cell.contents = value: a new reference to value stored; the cell's reference to the old contents
    (args[2]) goes to the graveyard (room checked by the guard_graveyard before)."""
    a = s.a
    if not s.ext.graveyard:
        raise CompileError("no graveyard")
    offset = s.objects.cell_contents
    for k, v in enumerate(op.args):
        a.mov(temp(k), s.g(v), scratch=RAX)
    a.mov(RAX, temp(1))
    incref_inline(s, RAX)
    a.mov(RCX, temp(0))
    a.mov(Mem(RCX, offset), RAX)
    a.mov(RAX, temp(2))
    graveyard_append(s, RAX)


@emitter("incref")
def _incref(s: Assembler, op: Op, i: int) -> None:
    incref_inline(s, ref_reg(s, op.args[0], RAX))


@emitter("decref")
def _decref(s: Assembler, op: Op, i: int) -> None:
    """Py_DECREF inline; the last reference deallocates (a str the trace made: no Python code runs)."""
    s.a.mov(RAX, s.g(op.args[0]))
    decref_inline(s, i)


@emitter("graveyard_push", "release_deferred")
def _graveyard_push(s: Assembler, op: Op, i: int) -> None:
    """graveyard[1 + count] = the object; count += 1 (a guard_graveyard before it made room). release_deferred
    uses the room guard_graveyard leaves (GRAVEYARD_RESERVE); should even that be full (a loop that never
    reaches a sync, which empties it), the object is released at once (Py_DecRef)."""
    a = s.a
    if not s.ext.graveyard:
        raise CompileError("no graveyard")
    a.mov(RAX, s.g(op.args[0]), scratch=RCX)
    if op.name == "release_deferred":
        room, done = a.new_label(), a.new_label()
        a.mov(RCX, s.ext.graveyard)
        a.alu("cmp", Mem(RCX, 0), GRAVEYARD_SLOTS)
        a.jcc("l", room)
        decref_inline(s, i)
        a.jmp(done)
        a.bind(room)
        graveyard_append(s, RAX)
        a.bind(done)
        return
    graveyard_append(s, RAX)


def _exit_unless_str_keys(s: Assembler, op: Op, d: Reg) -> None:
    """Leave through op's exit unless the dict in register d has keys of a kind that holds exact strs only (dk_kind
    not DICT_KEYS_GENERAL): then its lookups of a str key compare strings and run no Python code. Uses rcx."""
    a, o = s.a, s.objects
    a.mov(RCX, Mem(d, o.dict_keys))
    a.load8(RCX, Mem(RCX, o.dict_keys_kind))
    a.test32(RCX, RCX)
    a.jcc("e", s.exit_label(op))                 # DICT_KEYS_GENERAL


@emitter("dict_getitem_str", "dict_get_str", "dict_contains_str")
def _dict_lookup(s: Assembler, op: Op, i: int) -> None:
    """A lookup of an exact str key in an exact dict whose keys are all exact strs (dk_kind not general, else
    exit): PyDict_GetItemWithError (a borrowed value; NULL, no error set, for a missing key: d[k] exits,
    d.get(k, default) gives the default) or PyDict_Contains (1 or 0)."""
    a, ext = s.a, s.ext
    if not (ext.dict_getitem and ext.dict_contains):
        raise CompileError("no C API addresses for dict lookups")
    _exit_unless_str_keys(s, op, ref_reg(s, op.args[0], RAX))
    # dict_get_str's default goes to the call too (a third argument C ignores), to be kept in temp(2)
    _call_c(s, i, ext.dict_contains if op.name == "dict_contains_str" else ext.dict_getitem, op.args)
    if op.name == "dict_contains_str":
        a.shift("shl", RAX, 32)
        a.shift("sar", RAX, 32)                  # the C int: 1, 0 (-1 cannot happen for a str key)
    else:
        a.test(RAX, RAX)
        if op.name == "dict_getitem_str":
            a.jcc("e", s.exit_label(op))         # missing: the interpreter raises the KeyError
        else:
            found = a.new_label()
            a.jcc("ne", found)
            a.mov(RAX, temp(2))                  # the default
            a.bind(found)
    s.put(s.dst(op), RAX)


@emitter("dict_next", "dict_key_before", "dict_value_before")
def _dict_walk(s: Assembler, op: Op, i: int) -> None:
    """PyDict_Next(d, &pos, &key, &value) with pos, key and value in temporaries: dict_next gives the position
    after (0 returned, no entry left: exit), dict_key_before / dict_value_before call it at position - 1
    (an entry dict_next found) and give the key or value (borrowed from the dict)."""
    a = s.a
    if not s.ext.dict_next:
        raise CompileError("no C API address for PyDict_Next")
    a.mov(RAX, s.g(op.args[1]))
    if op.name != "dict_next":
        a.alu("sub", RAX, 1)
    a.mov(temp(1), RAX)

    def load():                                  # d, &pos, &key, &value
        a.mov(RDI, temp(0))
        a.lea(RSI, RSP, None, TEMP + 8)
        a.lea(RDX, RSP, None, TEMP + 16)
        a.lea(RCX, RSP, None, TEMP + 24)
    _call_c(s, i, s.ext.dict_next, op.args[:1], load)
    if op.name == "dict_next":
        a.test32(RAX, RAX)
        a.jcc("e", s.exit_label(op))
    a.mov(RAX, temp({"dict_next": 1, "dict_key_before": 2, "dict_value_before": 3}[op.name]))
    s.put(s.dst(op), RAX)


@emitter("guard_array_code")
def _guard_array_code(s: Assembler, op: Op, i: int) -> None:
    """The array's type code: the first byte of its ob_descr."""
    r = ref_reg(s, op.args[0], RAX)
    s.a.mov(RCX, Mem(r, s.objects.array_descr))
    s.a.load8(RCX, Mem(RCX, 0))
    exit_unless_equal(s, op, RCX, op.args[1])


def _array_item(s: Assembler, op: Op, size: int) -> Mem:
    """The address of item args[1] of array args[0] (index guarded in range): rax = ob_item, rcx = the index."""
    a = s.a
    r = ref_reg(s, op.args[0], RAX)
    a.mov(RCX, s.g(op.args[1]))
    a.mov(RAX, Mem(r, s.objects.array_items))
    return Mem(RAX, 0, RCX, size)


@emitter(*[f"array_get_{sfx}" for sfx in ARRAY_STORAGE])
def _array_get(s: Assembler, op: Op, i: int) -> None:
    """An array item as an unboxed value: a signed or unsigned int of its width, a float32 widened, a double."""
    a = s.a
    size, signed = ARRAY_STORAGE[op.name.rpartition("_")[2]]
    item = _array_item(s, op, size)
    if signed is None:
        d = s.dst(op)
        x = d if isinstance(d, Reg) else XMM0
        if size == 4:
            a.cvtss2sd(x, item)
        else:
            a.sse("movsd", x, item)
        s.fput(d, x)
        return
    if signed:
        a.load_signed(RAX, item, size)
    else:
        {1: a.load8, 2: a.load16, 4: a.load32}[size](RAX, item)
    s.put(s.dst(op), RAX)


@emitter(*[f"array_set_{sfx}" for sfx in ARRAY_STORAGE])
def _array_set(s: Assembler, op: Op, i: int) -> None:
    """a[i] = v as the raw item: a double, a float32 (rounded to nearest), an int of the item's width (outside
    its range the guard exits before anything is stored: the interpreter raises the OverflowError)."""
    a = s.a
    size, signed = ARRAY_STORAGE[op.name.rpartition("_")[2]]
    v = op.args[2]
    if signed is None:
        x = s.freg(v, XMM1)
        item = _array_item(s, op, size)
        if size == 4:
            a.cvtsd2ss_store(item, x, XMM0)
        else:
            a.movsd_store(item, x)
        return
    a.mov(RDX, s.g(v))
    if size < 8:
        bits = 8 * size
        if signed:
            a.load_signed_reg(RAX, RDX, size)
            a.alu("cmp", RAX, RDX)                       # fits iff sign-extending its low bytes gives it back
        else:
            a.mov(RAX, RDX)
            a.shift("shr", RAX, bits)                    # fits iff no bit above the low ones (and not negative)
            a.test(RAX, RAX)
        a.jcc("ne", s.exit_label(op))
    item = _array_item(s, op, size)
    a.store_narrow(item, RDX, size)


@emitter("latin1_char")
def _latin1_char(s: Assembler, op: Op, i: int) -> None:
    """CPython's one-character string for a code point below 256 (from the table at ext.latin1_chars);
    any other code point leaves the trace."""
    a = s.a
    a.mov(RAX, s.g(op.args[0]))
    a.alu("cmp", RAX, 256)
    a.jcc("ae", s.exit_label(op))                # unsigned: negative code points too
    a.mov(RCX, s.ext.latin1_chars)
    a.mov(RAX, Mem(RCX, 0, RAX, 8))
    s.put(s.dst(op), RAX)


@emitter("new_instance")
def _new_instance(s: Assembler, op: Op, i: int) -> None:
    """object's tp_new(cls, (), NULL): a new instance (type.__call__'s first step for a class without __new__ of
    its own); NULL clears the error and exits."""
    a, ext = s.a, s.ext
    if not (ext.object_new and ext.err_clear):
        raise CompileError("no C API address for new_instance")

    def load():
        a.mov(RDI, temp(0))
        a.mov(RSI, id(()))                       # the empty tuple (a singleton that lives as long as CPython)
        a.mov(RDX, 0)
    _call_c(s, i, ext.object_new, op.args[:1], load, op)
    _made_or_exit(s, op, i)


@emitter("fresh_setattr")
def _fresh_setattr(s: Assembler, op: Op, i: int) -> None:
    """PyObject_SetAttr(obj, name, value) on an instance the trace made; -1 clears the error and exits."""
    if not (s.ext.setattr and s.ext.err_clear):
        raise CompileError("no C API address for fresh_setattr")
    obj, value, name = op.args
    for k, v in enumerate((obj, name, value)):
        s.a.mov(temp(k), s.g(v), scratch=RAX)
    s.save_live(i)
    for k, reg in enumerate((RDI, RSI, RDX)):
        s.a.mov(reg, temp(k))
    s.call(s.ext.setattr, op)
    status_or_exit(s, op, i)


@emitter("member_init")
def _member_init(s: Assembler, op: Op, i: int) -> None:
    """obj.name = value into the empty __slots__ member at `offset` of an instance the trace made: the member takes
    a new reference (nothing to release: a new object's members are NULL)."""
    a = s.a
    for k, arg in enumerate(op.args[:2]):
        a.mov(temp(k), s.g(arg), scratch=RAX)
    a.mov(RAX, temp(1))
    incref_inline(s, RAX)                        # (uses rdx)
    a.mov(RCX, temp(0))
    a.mov(Mem(RCX, op.args[2].value), RAX)


@emitter("instance_init")
def _instance_init(s: Assembler, op: Op, i: int) -> None:
    """obj.name = value, the first store of the name into an instance the trace made: slot `index` of its values
    array gets a new reference to value, and the slot's number is appended to the array's insertion order (3.11/
    3.12: count in the byte 2 before the array, the k-th slot k bytes before that; 3.13: count in the header's
    byte 1, slots in the byte array after the header's capacity of values). Leaves the trace before writing
    anything if the array is not in use, the slot is not empty or (3.13) a dict shares the array."""
    _instance_layout(s)
    a, ex, v = s.a, s.exit_label(op), s.ext.instance_values
    index = op.args[2].value
    r, disp = _storable_values(s, op, 2, op.args[3].value)
    a.lea(RCX, r, None, disp)                    # rcx: the first value
    a.alu("cmp", Mem(RCX, 8 * index), 0)
    a.jcc("ne", ex)
    a.mov(RAX, temp(1))
    incref_inline(s, RAX)                        # (uses rdx)
    a.mov(Mem(RCX, 8 * index), RAX)
    if v.kind == "inline":
        a.load8(RDX, Mem(RCX, v.order_capacity - v.items))
        a.shift("shl", RDX, 3)
        a.alu("add", RDX, RCX)                   # rdx: the insertion order's bytes
        a.load8(RAX, Mem(RCX, v.order_size - v.items))
        a.alu("add", RDX, RAX)
        a.alu("add", RAX, 1)
        a.store_narrow(Mem(RCX, v.order_size - v.items), RAX, 1)
    else:
        a.load8(RAX, Mem(RCX, -v.order_size_before))
        a.alu("add", RAX, 1)
        a.store_narrow(Mem(RCX, -v.order_size_before), RAX, 1)
        a.unary("neg", RAX)
        a.alu("add", RAX, RCX)
        a.lea(RDX, RAX, None, -v.order_size_before)    # rdx: the byte count + 1 bytes before the count
    a.mov(RAX, index)
    a.store_narrow(Mem(RDX, 0), RAX, 1)
