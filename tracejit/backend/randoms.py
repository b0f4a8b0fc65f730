"""Emitters of the ops of random.Random's methods (tracejit.ir.ops, recorder/randoms.py) and of the guard they
stand behind: the C functions behind _random.Random.getrandbits and .random called from machine code as their
method descriptors call them (ml_meth(self, arg), ml_meth(self, NULL)), in a loop where the stdlib's
_randbelow loops, and the instance's own dict looked up for the names those methods read. They register in
assembler.EMITTERS like every other emitter; the package imports this module.

May import: tracejit.ir, tracejit.backend.assembler/containers/x86/errors.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from ..ir.trace import Op
from .assembler import TEMP, Assembler, emitter, incref_inline, ref_reg, small_int_address, temp
from .containers import _call_c, _exit_unless_str_keys, _instance_layout
from .errors import CompileError
from .x86 import RAX, RCX, RDI, RSI, RSP, Mem, Reg


@emitter("guard_no_own_attrs")
def _guard_no_own_attrs(s: Assembler, op: Op, i: int) -> None:
    """Leave unless the instance keeps no values array in use (3.11: the pointer 32 bytes before it NULL; 3.12:
    the word 24 bytes before it not tagging one; 3.13: the recorder emits this for classes without inline
    values only) and its dict (the word 24 bytes before it), if any, has exact str keys only (else a lookup could
    run an __eq__) and none of the names (PyDict_GetItemWithError of each: NULL, no error, for a missing key)."""
    _instance_layout(s)
    a, ext, ex, v = s.a, s.ext, s.exit_label(op), s.ext.instance_values
    if not ext.dict_getitem:
        raise CompileError("no C API address for dict lookups")
    names = op.args[1].value
    names = (names,) if type(names) is str else tuple(names)
    r = ref_reg(s, op.args[0], RAX)
    if v.kind == "pointer":
        a.alu("cmp", Mem(r, v.word), 0)
        a.jcc("ne", ex)
    a.mov(RCX, Mem(r, v.dict_word))
    if v.kind == "tagged":
        a.test_imm(RCX, 1)
        a.jcc("ne", ex)
    done = a.new_label()
    a.test(RCX, RCX)
    a.jcc("e", done)                             # no dict: no attribute of its own
    a.mov(temp(1), RCX)
    _exit_unless_str_keys(s, op, RCX)
    for name in names:
        def load(name=name):
            a.mov(RDI, temp(1))
            a.mov_imm(RSI, id(name))             # (the op's constant keeps the name alive)
        _call_c(s, i, ext.dict_getitem, [], load)
        a.test(RAX, RAX)
        a.jcc("ne", ex)
    a.bind(done)


def _need(s: Assembler) -> None:
    ext = s.ext
    if not (ext.decref and ext.err_clear and ext.long_as_int64 and ext.small_int_stride):
        raise CompileError("no C API addresses for random numbers")


def _draw(s: Assembler, getrandbits: int, failed: int) -> None:
    """r = getrandbits(self, k), the generator in temp(0), the cached int object k in temp(6): the new int's
    value in temp(2) and rax, the object released; NULL (MemoryError) jumps to `failed` (_result_or_exit). The
    live registers are saved (by the caller)."""
    a, ext = s.a, s.ext
    a.mov(RDI, temp(0))
    a.mov(RSI, temp(6))
    s.call(getrandbits)                          # a new int, 0 <= r < 2**k
    a.test(RAX, RAX)
    a.jcc("e", failed)
    a.mov(temp(1), RAX)
    a.mov(RDI, RAX)
    a.lea(RSI, RSP, disp=TEMP + 24)              # int *overflow at temp(3) (k <= 63: never set)
    a.mov_imm(RCX, 0)
    a.mov(temp(3), RCX)
    s.call(ext.long_as_int64)
    a.mov(temp(2), RAX)
    a.mov(RDI, temp(1))
    s.call(ext.decref)
    a.mov(RAX, temp(2))


def _below(s: Assembler, getrandbits: int, failed: int) -> None:
    """The stdlib's _randbelow(n) for n in temp(5) (n > 0): k = n.bit_length(); r = getrandbits(k) until r < n;
    r in temp(2) (_draw)."""
    a = s.a
    a.mov(RAX, temp(5))
    a.bsr(RCX, RAX)
    a.alu("add", RCX, 1)                         # k = n.bit_length(), 1..63
    small_int_address(s, RCX)
    a.mov(temp(6), RCX)
    again = a.new_label()
    a.bind(again)
    _draw(s, getrandbits, failed)
    a.alu("cmp", RAX, temp(5))
    a.jcc("ge", again)                           # while r >= n: r = getrandbits(k)


def _result_or_exit(s: Assembler, op: Op, i: int, failed: int, as_float: bool = False) -> None:
    """The tail of a drawing op, the live registers saved: its result from temp(2) (a double's bits with
    `as_float`), the registers restored; at `failed` (a NULL from the C function) the error cleared, the
    registers restored and the op's exit taken."""
    a = s.a
    done = a.new_label()
    s.restore_live(i)
    a.mov(RAX, temp(2))
    d = s.dst(op)
    if as_float and isinstance(d, Reg):
        a.movq_to_xmm(d, RAX)
    elif as_float:
        a.mov(d, RAX)
    else:
        s.put(d, RAX)
    a.jmp(done)
    a.bind(failed)
    s.call(s.ext.err_clear)
    s.restore_live(i)
    a.jmp(s.exit_label(op))
    a.bind(done)


@emitter("random_range")
def _random_range(s: Assembler, op: Op, i: int) -> None:
    """start + _randbelow(width); width <= 0 leaves before any call (the interpreter raises the ValueError)."""
    _need(s)
    a = s.a
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    a.mov(temp(4), s.g(op.args[1]), scratch=RAX)
    a.mov(temp(5), s.g(op.args[2]), scratch=RAX)
    a.mov(RAX, temp(5))
    a.test(RAX, RAX)
    a.jcc("le", s.exit_label(op))
    failed = a.new_label()
    s.save_live(i)
    _below(s, op.args[3].value, failed)
    a.alu("add", RAX, temp(4))                   # (r < width: start + r <= start + width - 1, in int64)
    a.mov(temp(2), RAX)
    _result_or_exit(s, op, i, failed)


@emitter("random_bits")
def _random_bits(s: Assembler, op: Op, i: int) -> None:
    """getrandbits(k) for 0 <= k <= 63 (else leave: the interpreter raises, or makes an int beyond int64)."""
    _need(s)
    a = s.a
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    a.mov(RCX, s.g(op.args[1]), scratch=RAX)
    a.alu("cmp", RCX, 63)
    a.jcc("a", s.exit_label(op))                 # (unsigned: a negative k too)
    small_int_address(s, RCX)
    a.mov(temp(6), RCX)
    failed = a.new_label()
    s.save_live(i)
    _draw(s, op.args[2].value, failed)
    _result_or_exit(s, op, i, failed)


@emitter("random_float")
def _random_float(s: Assembler, op: Op, i: int) -> None:
    """random(): the C function's float, its value read and the object released."""
    _need(s)
    a = s.a
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    failed = a.new_label()
    s.save_live(i)
    a.mov(RDI, temp(0))
    a.mov_imm(RSI, 0)
    s.call(op.args[1].value)
    a.test(RAX, RAX)
    a.jcc("e", failed)
    a.mov(RCX, Mem(RAX, s.objects.float_value))
    a.mov(temp(2), RCX)
    a.mov(RDI, RAX)
    s.call(s.ext.decref)
    _result_or_exit(s, op, i, failed, as_float=True)


@emitter("random_choice")
def _random_choice(s: Assembler, op: Op, i: int) -> None:
    """seq[_randbelow(len(seq))] of a list or a tuple (its class guarded before), a new reference; an empty one
    leaves before any call (the interpreter raises the IndexError). No Python code runs between the length and
    the item's read: the item is there."""
    _need(s)
    a, o = s.a, s.objects
    is_tuple = op.args[3].value
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    a.mov(temp(4), s.g(op.args[1]), scratch=RAX)
    a.mov(RAX, temp(4))
    a.mov(RAX, Mem(RAX, o.ob_size))
    a.mov(temp(5), RAX)
    a.test(RAX, RAX)
    a.jcc("le", s.exit_label(op))
    failed = a.new_label()
    s.save_live(i)
    _below(s, op.args[2].value, failed)
    a.mov(RCX, RAX)
    a.mov(RAX, temp(4))
    if is_tuple:
        a.mov(RAX, Mem(RAX, o.tuple_items, RCX, 8))
    else:
        a.mov(RAX, Mem(RAX, o.list_items))
        a.mov(RAX, Mem(RAX, 0, RCX, 8))
    incref_inline(s, RAX)
    a.mov(temp(2), RAX)
    _result_or_exit(s, op, i, failed)
