"""Fixed machine-code stubs that do not come from a trace.

`callback_stub(margin)`: the body of a METH_FASTCALL builtin, `PyObject *f(PyObject *self, PyObject *const
*args, Py_ssize_t nargs)`, that calls `self` (the hooks' Python callback) with the same arguments only while
the running thread has at least `margin` Python frames left before RecursionError, and otherwise returns
None without calling anything. The code is position-independent and reads four 8-byte data slots placed
after it, in this order: the addresses of PyThreadState_Get, PyObject_Vectorcall and Py_None, and the
offset of the thread state's remaining-frames counter (an int). The encoded slots hold placeholders; the
runtime writes the real values (see tracejit.runtime.native_callback, which keeps these bytes so that
using the stub needs no assembler at run time).

`release_stub(decref)`: `int64 f(int64 *graveyard)`: Py_DecRef(graveyard[1..graveyard[0]]), then
graveyard[0] = 0; returns 0. Empties a compiled loop's graveyard (old list items whose release the machine
code deferred to the end of a run) in one call instead of one ctypes call per object. Called with the GIL
held, like every entry.

May import: tracejit.backend.x86 (and through it iced_x86).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from .x86 import R12, R13, RAX, RBX, RCX, RDI, RDX, RSI, Asm, Encoded, Mem

CALLBACK_SLOTS = ("PyThreadState_Get", "PyObject_Vectorcall", "Py_None", "recursion_remaining_offset")
_PLACEHOLDERS = (0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444)


def release_stub(decref: int) -> Encoded:
    a = Asm()
    loop, done = a.new_label(), a.new_label()
    a.group("save callee-saved registers (rsp is 16-byte aligned after three pushes)")
    for r in (RBX, R12, R13):
        a.push(r)
    a.mov(RBX, RDI)
    a.mov(R12, Mem(RBX, 0))
    a.mov_imm(R13, 1)
    a.group("for i in 1..count: Py_DecRef(graveyard[i])")
    a.bind(loop)
    a.alu("cmp", R13, R12)
    a.jcc("g", done)
    a.mov(RDI, Mem(RBX, 0, R13, 8))
    a.mov_imm(RAX, decref)
    a.call_reg(RAX)
    a.alu("add", R13, 1)
    a.jmp(loop)
    a.bind(done)
    a.group("count = 0; return 0")
    a.mov_imm(RAX, 0)
    a.mov(Mem(RBX, 0), RAX)
    for r in (R13, R12, RBX):
        a.pop(r)
    a.ret()
    return a.finish()


def callback_stub(margin: int) -> Encoded:
    a = Asm()
    thread_state, vectorcall, none, offset = (a.const(p) for p in _PLACEHOLDERS)
    skip = a.new_label()
    a.group("save the arguments (rsp is 16-byte aligned after three pushes)")
    for r in (RBX, R12, R13):
        a.push(r)
    a.mov(RBX, RDI)
    a.mov(R12, RSI)
    a.mov(R13, RDX)
    a.group("frames left = (int) *(tstate + offset)")
    a.mov(RAX, thread_state)
    a.call_reg(RAX)
    a.mov(RCX, offset)
    a.mov(RCX, Mem(RAX, index=RCX))
    a.shift("shl", RCX, 32)
    a.shift("sar", RCX, 32)
    a.alu("cmp", RCX, margin)
    a.jcc("l", skip)
    a.group("return PyObject_Vectorcall(self, args, nargs, NULL)")
    a.mov(RDI, RBX)
    a.mov(RSI, R12)
    a.mov(RDX, R13)
    a.mov_imm(RCX, 0)
    a.mov(RAX, vectorcall)
    a.call_reg(RAX)
    for r in (R13, R12, RBX):
        a.pop(r)
    a.ret()
    a.group("too close to the recursion limit: return None (immortal on 3.12+)")
    a.bind(skip)
    a.mov(RAX, none)
    for r in (R13, R12, RBX):
        a.pop(r)
    a.ret()
    return a.finish()
