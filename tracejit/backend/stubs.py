"""Fixed machine-code stubs that do not come from a trace.

`callback_stub(margin)`: the body of a METH_FASTCALL builtin, `PyObject *f(PyObject *self, PyObject *const
*args, Py_ssize_t nargs)`, that calls `self` (the hooks' Python callback) with the same arguments only while
the running thread has at least `margin` Python frames left before RecursionError, and otherwise returns
None without calling anything. When the callback returns a raise marker (an instance of the runtime's marker
type, which holds an exception), the builtin raises that exception (PyErr_SetRaisedException, CPython 3.12+)
instead of returning: the interpreter raises it where the event came from, with no frame of the JIT's in its
traceback. The code is position-independent and reads CALLBACK_SLOTS, 8-byte data slots placed after it, in
this order: the addresses of PyThreadState_Get, PyObject_Vectorcall and Py_None, the offset of the thread
state's remaining-frames counter (an int), the marker type's address, the offset of the exception in a marker,
the addresses of PyErr_SetRaisedException (0 where it does not exist: no marker is returned there) and
Py_DecRef. The encoded slots hold placeholders; the
runtime writes the real values (see tracejit.runtime.native_callback, which keeps these bytes so that
using the stub needs no assembler at run time).

`release_stub(decref)`: `int64 f(int64 *graveyard)`: Py_DecRef(graveyard[1..graveyard[0]]), then
graveyard[0] = 0; returns 0. Empties a compiled loop's graveyard (old list items whose release the machine
code deferred to the end of a run) in one call instead of one ctypes call per object. Called with the GIL
held, like every entry.

`retaining_entry_stub(incref)`: `int64 f(int64 (*trace)(int64 *), int64 *table, int64 *buffer)`: calls the
trace (its exit id in rax), then gives the objects its exit left in the buffer for the runtime's write-back a
reference each (`emit_retain`: table[exit id] is the exit's retain record or 0); returns the exit id. The
runtime's Python entry calls compiled loops through it (tracejit.runtime.compiled: ExitInfo.retain).

`emit_unbox_int64(a, layout, base, ndigits, third, reject)`: rax := the value of the exact int at `base`, where it
fits in an int64; the one sequence the trace's `int_value` and the round trip's entry both emit.

`trace_stub(margin)`: a C-level trace function for CPython 3.11, `int f(PyObject *obj, PyFrameObject *frame,
int what, PyObject *arg)`, installed with PyEval_SetTrace instead of a Python one (see
tracejit.runtime.native_trace, which keeps its bytes). It calls the hooks' Python dispatcher
`dispatch(frame, event, arg)` only when there is something to do: a 'call' or 'line' event in a code object
not yet classified, a 'line' event at a loop header of a code object with loops, every 'line' event of a code
object marked so (line counting), and every 'opcode' event (recording). At a loop header's line it first calls
the fast entry whose address is in the word the `fast_entry` slot points to, if any (backend/fastentry.py,
`int64 f(frame, code, offset)`): 0 means the loop ran (the stub returns 0), 1 that the dispatcher decides,
-1 an exception. Code objects are classified through
their co_extra slot at index EXTRA_INDEX: 1 = nothing to trace (the frame's f_trace_lines is cleared, so its
lines cost nothing more), 2 = every line, otherwise a pointer to a bitmap {int64 nbits; bytes} of the loop
header code units. Like callback_stub it skips the Python call when fewer than `margin` frames are left.
Data slots after the code, in order: TRACE_SLOTS.

May import: tracejit.backend.x86 (and through it iced_x86).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from .iced import Code

from .x86 import R8, R9, R11, R12, R13, R14, R15, RAX, RBX, RCX, RDI, RDX, RSI, RSP, Asm, Encoded, I, Mem, Reg

CALLBACK_SLOTS = ("PyThreadState_Get", "PyObject_Vectorcall", "Py_None", "recursion_remaining_offset",
                  "marker_type", "marker_exception_offset", "PyErr_SetRaisedException", "Py_DecRef")
_PLACEHOLDERS = (0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
                 0x5555555555555555, 0x6666666666666666, 0x7777777777777777, 0x8888888888888888)
TRACE_SLOTS = ("dispatch", "PyObject_Vectorcall", "Py_DecRef", "PyThreadState_Get", "recursion_remaining_offset",
               "events", "extra_index", "frame_f_frame", "iframe_code", "iframe_instr", "code_adaptive",
               "code_extra", "frame_trace_lines", "fast_entry")
PY_TRACE_CALL, PY_TRACE_LINE, PY_TRACE_OPCODE = 0, 2, 7


def emit_frames_left_check(a: Asm, thread_state_get: int | Mem, recursion_remaining: int, frames: int,
                           fail: int) -> None:
    """Jump to `fail` unless the running thread has at least `frames` Python frames left before RecursionError
    (its thread state's counter at `recursion_remaining`). Leaves the thread state in rax; uses rcx and the
    caller-saved registers (a call). An address is an immediate or a data slot (a pool constant)."""
    a.mov(RAX, thread_state_get)
    a.call_reg(RAX)
    a.load_signed(RCX, Mem(RAX, recursion_remaining), 4)
    a.alu("cmp", RCX, frames)
    a.jcc("l", fail)


def emit_open_gate(a: Asm, word: int | Mem, ident: int | Mem, pending: int | Mem, breaker: int | Mem,
                   breaker_size: int, bit: int | Mem) -> None:
    """The hooks' signal gate opened (tracejit.hooks.SignalGate): its main-thread word := `ident`; if a signal came
    while it was held, the eval breaker's `bit` set, so the handler runs at the next check. Uses rax, rcx. Each
    value is an immediate or a data slot (a pool constant)."""
    a.mov(RAX, word)
    a.mov(RCX, ident)
    a.mov(Mem(RAX, 0), RCX)
    none = a.new_label()
    a.mov(RAX, pending)
    a.load32(RCX, Mem(RAX, 0))
    a.test32(RCX, RCX)
    a.jcc("e", none)
    a.mov(RAX, breaker)
    if breaker_size == 8 and isinstance(bit, int):
        a.alu("or", Mem(RAX, 0), bit)
    elif breaker_size == 8:
        a.mov(RCX, bit)
        a.alu("or", Mem(RAX, 0), RCX)
    else:
        a.load32(RCX, Mem(RAX, 0))
        a.alu("or", RCX, bit)
        a.store_narrow(Mem(RAX, 0), RCX, 4)
    a.bind(none)


def emit_unbox_int64(a: Asm, layout, base: Reg, ndigits: Reg, third: Reg, reject: int) -> None:
    """rax := the value of the exact int at `base` if it fits in an int64 (at most three digits of
    layout.long_shift bits, the third below 8: -2**63 itself not), else jump to `reject`. Digits are 32-bit
    words; the first two are read as one 8-byte word (reading past a one-digit int stays inside its memory
    block), the third only where the int has one. Uses rcx (the sign), rdx, `ndigits` and `third` (none of them
    `base`); 3.11's signed ob_size or 3.12+'s lv_tag, as `layout.long_tagged` says."""
    mask = (1 << layout.long_shift) - 1
    a.mov(RCX, Mem(base, layout.long_tag))
    a.mov(RDX, Mem(base, layout.long_digits))
    a.mov(ndigits, RCX)
    if layout.long_tagged:
        a.shift("shr", ndigits, 3)             # the number of digits
        a.alu("and", RCX, 2)                    # 2: negative
    else:
        a.shift("sar", RCX, 63)                 # -1: negative
        a.alu("xor", ndigits, RCX)
        a.alu("sub", ndigits, RCX)              # |ob_size|: the number of digits
    a.alu("cmp", ndigits, 3)
    a.jcc("a", reject)
    a.mov(RAX, RDX)
    a.shift("shr", RAX, 32)
    a.alu("and", RAX, mask)                     # second digit
    a.alu("and", RDX, mask)                     # first digit
    keep_hi, keep_lo, two, positive = a.new_label(), a.new_label(), a.new_label(), a.new_label()
    a.alu("cmp", ndigits, 2)
    a.jcc("ae", keep_hi)
    a.mov_imm(RAX, 0, keep_flags=True)
    a.bind(keep_hi)
    a.alu("cmp", ndigits, 1)
    a.jcc("ae", keep_lo)
    a.mov_imm(RDX, 0, keep_flags=True)
    a.bind(keep_lo)
    a.shift("shl", RAX, layout.long_shift)
    a.alu("or", RAX, RDX)
    a.alu("cmp", ndigits, 3)
    a.jcc("ne", two)
    a.load32(third, Mem(base, layout.long_digits + 8))     # third digit: below 8, or the magnitude passes 2**63
    a.alu("cmp", third, 7)
    a.jcc("a", reject)
    a.shift("shl", third, 2 * layout.long_shift)
    a.alu("or", RAX, third)
    a.bind(two)
    a.test(RCX, RCX)
    a.jcc("e", positive)
    a.unary("neg", RAX)
    a.bind(positive)


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


def emit_retain(a: Asm, buffer: Reg, exit_id: Reg, table: Reg, record: Reg, k: Reg, incref: int | Mem) -> None:
    """Py_IncRef(buffer[slot]) (NULL skipped) for each slot of the exit's retain record, table[exit id]: 0 for
    none, else {n, slot 1 .. slot n} (with Py_DecRef as `incref`: the release of what an owned record names).
    The objects an exit leaves in the state buffer for the runtime's Python
    write-back are mostly borrowed (an attribute read from a values array, a list item, a class attribute);
    Python code runs before the write-back boxes them (the runtime's own, where a garbage collection can start,
    and its finalizers can drop the last reference), so each gets a reference first, which the runtime
    releases after the write-back. `buffer`, `exit_id`, `table` are kept; `record` and `k` (callee-saved
    registers, like the others) are clobbered, and so are the caller-saved ones."""
    done, loop, skip = a.new_label(), a.new_label(), a.new_label()
    a.mov(record, Mem(table, 0, exit_id, 8))
    a.test(record, record)
    a.jcc("e", done)
    a.mov(k, Mem(record, 0))
    a.bind(loop)
    a.test(k, k)
    a.jcc("e", done)
    a.mov(RCX, Mem(record, 0, k, 8))
    a.mov(RDI, Mem(buffer, 0, RCX, 8))
    a.test(RDI, RDI)
    a.jcc("e", skip)
    a.mov(RAX, incref)
    a.call_reg(RAX)
    a.bind(skip)
    a.alu("sub", k, 1)
    a.jmp(loop)
    a.bind(done)


def retaining_entry_stub(incref: int) -> Encoded:
    a = Asm()
    saved = (RBX, R12, R13, R14, R15)
    a.group("save callee-saved registers (rsp is 16-byte aligned after five pushes); rbx = buffer, r12 = table")
    for r in saved:
        a.push(r)
    a.mov(RBX, RDX)
    a.mov(R12, RSI)
    a.group("r13 = trace(buffer): the exit id")
    a.mov(RAX, RDI)
    a.mov(RDI, RBX)
    a.call_reg(RAX)
    a.mov(R13, RAX)
    a.group("a reference to each object the exit's retain record names")
    emit_retain(a, RBX, R13, R12, R14, R15, incref)
    a.group("return the exit id")
    a.mov(RAX, R13)
    for r in reversed(saved):
        a.pop(r)
    a.ret()
    return a.finish()


def callback_stub(margin: int) -> Encoded:
    a = Asm()
    thread_state, vectorcall, none, offset, marker_type, exc_offset, set_raised, decref = \
        (a.const(p) for p in _PLACEHOLDERS)
    skip, returned = a.new_label(), a.new_label()
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
    a.group("a raise marker: rbx = its exception (a new reference), the marker released, the exception raised")
    a.test(RAX, RAX)
    a.jcc("e", returned)
    a.mov(RCX, Mem(RAX, 8))                      # ob_type
    a.alu("cmp", RCX, marker_type)
    a.jcc("ne", returned)
    a.mov(RCX, exc_offset)
    a.mov(RBX, Mem(RAX, index=RCX))
    a.alu("add", Mem(RBX, 0), 1)                 # (an exception is never immortal)
    a.mov(RDI, RAX)
    a.mov(RAX, decref)
    a.call_reg(RAX)
    a.mov(RDI, RBX)
    a.mov(RAX, set_raised)
    a.call_reg(RAX)
    a.mov_imm(RAX, 0)
    a.bind(returned)
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


def trace_stub(margin: int) -> Encoded:
    a = Asm()
    slot = {name: a.const(0x5A5A5A5A00000000 + k) for k, name in enumerate(TRACE_SLOTS)}
    classify, skip_frame, call_python, return0, fail, header = (a.new_label() for _ in range(6))
    a.group("save registers (rsp is 16-byte aligned after three pushes); r12 = (int) what")
    for r in (RBX, R12, R13):
        a.push(r)
    a.mov(RBX, RSI)
    a.mov(R12, RDX)
    a.shift("shl", R12, 32)
    a.shift("sar", R12, 32)
    a.mov(R13, RCX)
    a.group("'opcode': always the dispatcher; 'call' and 'line': classify; anything else: return 0")
    a.alu("cmp", R12, PY_TRACE_OPCODE)
    a.jcc("e", call_python)
    a.alu("cmp", R12, PY_TRACE_CALL)
    a.jcc("e", classify)
    a.alu("cmp", R12, PY_TRACE_LINE)
    a.jcc("ne", return0)
    a.bind(classify)
    a.group("rax = frame->f_frame->f_code; rdx = its co_extra[index] (unknown: the dispatcher)")
    a.mov(RCX, slot["frame_f_frame"])
    a.mov(RAX, Mem(RBX, index=RCX))
    a.mov(RCX, slot["iframe_code"])
    a.mov(RAX, Mem(RAX, index=RCX))
    a.mov(RCX, slot["code_extra"])
    a.mov(RDX, Mem(RAX, index=RCX))
    a.test(RDX, RDX)
    a.jcc("e", call_python)
    a.mov(RCX, slot["extra_index"])
    a.alu("cmp", Mem(RDX, 0), RCX)
    a.jcc("le", call_python)
    a.mov(RDX, Mem(RDX, 8, RCX, 8))
    a.test(RDX, RDX)
    a.jcc("e", call_python)
    a.alu("cmp", RDX, 1)
    a.jcc("e", skip_frame)
    a.group("a code object with loops: a 'call' needs nothing; a 'line' at a loop header (bitmap) goes on")
    a.alu("cmp", R12, PY_TRACE_CALL)
    a.jcc("e", return0)
    a.alu("cmp", RDX, 2)
    a.jcc("e", call_python)
    a.mov(RCX, slot["frame_f_frame"])
    a.mov(RCX, Mem(RBX, index=RCX))
    a.mov(R8, slot["iframe_instr"])
    a.mov(RCX, Mem(RCX, index=R8))
    a.alu("sub", RCX, RAX)
    a.alu("sub", RCX, slot["code_adaptive"])
    a.shift("sar", RCX, 1)
    a.alu("cmp", RCX, Mem(RDX, 0))
    a.jcc("ae", return0)
    a.mov(R8, RCX)
    a.shift("shr", R8, 3)
    a.emit(I.create_reg_mem(Code.MOVZX_R32_RM8, R8.r32, Mem(RDX, 8, R8).mo()))
    a.mov(R9, RCX)
    a.alu("and", R9, 7)
    a.emit(I.create_reg_reg(Code.BT_RM64_R64, R8.r64, R9.r64))
    a.jcc("b", header)
    a.jmp(return0)
    a.group("a loop header: the fast entry, if any, (frame, code, offset): 0 ran, 1 the dispatcher, -1 raised")
    a.bind(header)
    a.mov(R8, slot["fast_entry"])
    a.mov(R8, Mem(R8, 0))
    a.test(R8, R8)
    a.jcc("e", call_python)
    a.mov(RDI, RBX)
    a.mov(RSI, RAX)
    a.mov(RDX, RCX)
    a.alu("add", RDX, RCX)
    a.call_reg(R8)
    a.test(RAX, RAX)
    a.jcc("e", return0)
    a.alu("cmp", RAX, 1)
    a.jcc("e", call_python)
    a.jmp(fail)
    a.group("nothing to trace in this code object: frame->f_trace_lines = 0")
    a.bind(skip_frame)
    a.mov(RCX, slot["frame_trace_lines"])
    a.emit(I.create_mem_i32(Code.MOV_RM8_IMM8, Mem(RBX, index=RCX).mo(), 0))
    a.jmp(return0)
    a.group("dispatch(frame, events[what], arg) unless fewer than `margin` frames are left")
    a.bind(call_python)
    a.mov(RAX, slot["PyThreadState_Get"])
    a.call_reg(RAX)
    a.mov(RCX, slot["recursion_remaining_offset"])
    a.mov(RCX, Mem(RAX, index=RCX))
    a.shift("shl", RCX, 32)
    a.shift("sar", RCX, 32)
    a.alu("cmp", RCX, margin)
    a.jcc("l", return0)
    a.alu("sub", RSP, 32)
    a.mov(Mem(RSP, 0), RBX)
    a.mov(RAX, slot["events"])
    a.mov(RAX, Mem(RAX, 0, R12, 8))
    a.mov(Mem(RSP, 8), RAX)
    a.mov(Mem(RSP, 16), R13)
    a.mov(RDI, slot["dispatch"])
    a.mov(RSI, RSP)
    a.mov_imm(RDX, 3)
    a.mov_imm(RCX, 0)
    a.mov(RAX, slot["PyObject_Vectorcall"])
    a.call_reg(RAX)
    a.alu("add", RSP, 32)
    a.test(RAX, RAX)
    a.jcc("e", fail)
    a.mov(RDI, RAX)
    a.mov(RAX, slot["Py_DecRef"])
    a.call_reg(RAX)
    a.group("return 0 (-1: the dispatcher raised, the exception propagates into the frame)")
    a.bind(return0)
    a.mov_imm(RAX, 0)
    for r in (R13, R12, RBX):
        a.pop(r)
    a.ret()
    a.bind(fail)
    a.mov_imm(RAX, -1)
    for r in (R13, R12, RBX):
        a.pop(r)
    a.ret()
    return a.finish()


TIMER_FIELDS = ("stop", "pending", "tv_sec", "tv_nsec", "syscall", "Py_AddPendingCall", "callback", "stopped",
                "eval_breaker", "breaker_bit", "callback_arg", "thread_count")
PENDING_CALL_SLOTS = ("PyObject_CallNoArgs", "Py_DecRef", "PyErr_Clear", "PyThreadState_Get",
                      "PyThreadState_EnterTracing", "PyThreadState_LeaveTracing")
SYS_FUTEX, FUTEX_WAIT_PRIVATE, FUTEX_WAKE_PRIVATE = 202, 128, 129      # x86-64 Linux


def timer_thread_stub() -> Encoded:
    """`void *f(int64 *t)`, the body of a native thread (pthread_create) that asks CPython to run a callback in
    the main thread every period, holding no GIL and running no Python code itself. `t` points to the int64
    fields TIMER_FIELDS: until t.stop is set, sleep (a futex wait on t.stop for t.tv_sec/t.tv_nsec: stop() sets
    t.stop and wakes the futex, so the thread leaves at once instead of after its sleep) and, when no request is
    pending (t.pending: 0 idle, 1 requested, 2 the callback is running; the callback sets 2, then 0), set
    t.pending = 1, Py_AddPendingCall(t.callback, t.callback_arg)
    (callable without the GIL) and OR t.breaker_bit into the int32 at t.eval_breaker, then again every period
    while the request waits (3.11 computes the eval breaker in the calling thread, which cannot run pending
    calls, and the main thread recomputes it, dropping the request's bit while the JIT holds signal handlers:
    without this the request would wait for the next signal or GIL switch), but only while the int64 at
    t.thread_count (the interpreter's count of other threads) is 0: another thread could not serve the
    request, and in 3.11's tracing mode would re-check the raised breaker at a function's RESUME forever (with
    other threads, GIL switches make the main thread notice the request); on leaving, set t.stopped."""
    a = Asm()
    loop, wake, done = a.new_label(), a.new_label(), a.new_label()
    f = {name: 8 * k for k, name in enumerate(TIMER_FIELDS)}
    a.group("rbx = t (rsp is 16-byte aligned after one push)")
    a.push(RBX)
    a.mov(RBX, RDI)
    a.group("syscall(SYS_futex, &t.stop, FUTEX_WAIT_PRIVATE, 0, &t.tv_sec, NULL): sleep unless t.stop != 0; "
            "if t.stop: leave")
    a.bind(loop)
    a.mov_imm(RDI, SYS_FUTEX)
    a.lea(RSI, RBX, disp=f["stop"])
    a.mov_imm(RDX, FUTEX_WAIT_PRIVATE)
    a.mov_imm(RCX, 0)
    a.lea(R8, RBX, disp=f["tv_sec"])
    a.mov_imm(R9, 0)
    a.mov(R11, Mem(RBX, f["syscall"]))
    a.mov_imm(RAX, 0)                           # a variadic call: no vector registers
    a.call_reg(R11)
    a.alu("cmp", Mem(RBX, f["stop"]), 0)
    a.jcc("ne", done)
    a.group("t.pending: 0 idle, 1 requested, 2 the callback runs (leave the breaker alone)")
    a.alu("cmp", Mem(RBX, f["pending"]), 1)
    a.jcc("e", wake)
    a.jcc("g", loop)
    a.mov(Mem(RBX, f["pending"]), 1)
    a.mov(RDI, Mem(RBX, f["callback"]))
    a.mov(RSI, Mem(RBX, f["callback_arg"]))
    a.mov(RAX, Mem(RBX, f["Py_AddPendingCall"]))
    a.call_reg(RAX)
    a.group("lock or dword [t.eval_breaker], t.breaker_bit (again each period while the request waits: the main "
            "thread recomputes the breaker, and cannot run the call while the JIT holds signal handlers)")
    a.bind(wake)
    a.group("only while no other thread runs (*t.thread_count == 0): a thread that cannot serve the request would "
            "find the breaker set and, in 3.11's tracing mode, re-check it at a RESUME forever")
    a.mov(RAX, Mem(RBX, f["thread_count"]))
    a.alu("cmp", Mem(RAX, 0), 0)
    a.jcc("ne", loop)
    a.mov(RAX, Mem(RBX, f["eval_breaker"]))
    a.mov(RCX, Mem(RBX, f["breaker_bit"]))
    locked_or = I.create_mem_reg(Code.OR_RM32_R32, Mem(RAX, 0).mo(), RCX.r32)
    locked_or.has_lock_prefix = True
    a.emit(locked_or)
    a.jmp(loop)
    a.group("t.stopped = 1; return NULL")
    a.bind(done)
    a.mov(Mem(RBX, f["stopped"]), 1)
    a.mov_imm(RAX, 0)
    a.pop(RBX)
    a.ret()
    return a.finish()


def pending_call_stub() -> Encoded:
    """`int f(PyObject *callable)`, a pending call (Py_AddPendingCall) that calls a Python callable with no
    arguments and returns 0; an exception (the callable must not raise) is cleared. Machine code instead of a
    ctypes callback, whose libffi trampoline would be mapped writable and executable. The call runs between
    PyThreadState_EnterTracing and PyThreadState_LeaveTracing: no profiler (cProfile, sys.setprofile) or trace
    function (a debugger's, coverage's) sees it. Data slots after the code, in order: PENDING_CALL_SLOTS."""
    a = Asm()
    slot = {name: a.const(0x6B6B6B6B00000000 + k) for k, name in enumerate(PENDING_CALL_SLOTS)}
    failed, done = a.new_label(), a.new_label()
    a.group("rbx = callable, r12 = PyThreadState_Get() (rsp 16-byte aligned after two pushes and 8 bytes)")
    a.push(RBX)
    a.push(R12)
    a.alu("sub", RSP, 8)
    a.mov(RBX, RDI)
    a.mov(RAX, slot["PyThreadState_Get"])
    a.call_reg(RAX)
    a.mov(R12, RAX)
    a.group("PyThreadState_EnterTracing(tstate); rbx = PyObject_CallNoArgs(callable); "
            "PyThreadState_LeaveTracing(tstate)")
    a.mov(RDI, R12)
    a.mov(RAX, slot["PyThreadState_EnterTracing"])
    a.call_reg(RAX)
    a.mov(RDI, RBX)
    a.mov(RAX, slot["PyObject_CallNoArgs"])
    a.call_reg(RAX)
    a.mov(RBX, RAX)
    a.mov(RDI, R12)
    a.mov(RAX, slot["PyThreadState_LeaveTracing"])
    a.call_reg(RAX)
    a.test(RBX, RBX)
    a.jcc("e", failed)
    a.group("Py_DecRef(result); return 0")
    a.mov(RDI, RBX)
    a.mov(RAX, slot["Py_DecRef"])
    a.call_reg(RAX)
    a.jmp(done)
    a.group("PyErr_Clear(); return 0")
    a.bind(failed)
    a.mov(RAX, slot["PyErr_Clear"])
    a.call_reg(RAX)
    a.bind(done)
    a.mov_imm(RAX, 0)
    a.alu("add", RSP, 8)
    a.pop(R12)
    a.pop(RBX)
    a.ret()
    return a.finish()
