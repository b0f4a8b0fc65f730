"""The back-edge callback in machine code: a compiled loop entered with no Python code on the way.

`jump_stub(d: JumpStub) -> Encoded` assembles, on CPython 3.12+, the body of a METH_FASTCALL builtin,
`PyObject *f(PyObject *self, PyObject *const *args, Py_ssize_t nargs)`, registered as the sys.monitoring JUMP
callback with `self` = the hooks' Python callback (on_jump) and args = (code, from, to); on 3.11
(`d.trace_function`), `int64 f(PyFrameObject *frame, PyObject *code, int64 to)`, which the C-level trace
function (stubs.trace_stub) calls at a loop header's 'line' event. When everything below holds it runs the
loop itself:

1. the engine's gate word is 1; 3.12+: the interpreter's instrumentation version is the one the gate was opened
   at (another tool, sys.settrace or sys.setprofile changing events closes it), no other tool has local events
   on the code object (which change no version), and the jump goes backwards; 3.11: the thread has no profile
   function (a program's sys.settrace replaces the trace function that calls this one);
2. the code object's co_extra slot (at `extra_index`) holds a table of fast entries, {n, entry addresses...},
   one of them for `to`;
3. that entry's back-edges to let pass (FAST_SKIP: the loop backs off) are used up, else one is counted and
   the stub returns at once (None; 3.11: 0);
4. that entry (FAST_* words) has a round trip (0: disabled), its loop is not busy, its fast entries are below
   their limit (the runtime wants to look: a judgement is due, or its periodic check of other tools); the thread
   has `margin` Python frames left; its executing frame is the code's; the words of the entry's guards hold
   (FAST_GUARDS: what the trace assumed of Python objects, checked by the runtime when it enabled the entry).

Then: the loop's busy word set, signal handlers held (the main thread; as the Python callbacks do), the budget
written, `roundtrip(frame object or NULL, interpreter frame)` (backend/roundtrip.py) called, the run's graveyard
emptied (the old objects whose release it deferred to its end) when the round trip wrote the frame back, busy
cleared, handlers released. An exit the entry marks quiet (QUIET_GUARD, QUIET_BUDGET: nothing for the runtime to decide;
QUIET_UNTIL + n: a guard exit with nothing to decide while the stub has counted fewer than n of its failures)
is counted in the loop's counters, the exit's count and the engine's, and the stub returns (None; 3.11: 0): the
interpreter continues where the exit put the frame. Any other outcome of a run goes to `finish(code, to,
result)` (the runtime's Python bookkeeping of a run it did not start; 3.12+: its result is returned; 3.11: 0,
or -1 when it raised). When a condition above fails, nothing has run: 3.12+ calls `self(*args)` as the plain
callback stub does (None near the recursion limit); 3.11 returns 1 (the trace function calls its dispatcher).

May import: tracejit.backend.x86 and .stubs, tracejit.fastwords and tracejit.plaindata.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.fastwords import (COUNT_BUDGET, COUNT_ENTRIES, COUNT_GUARD, COUNT_ITERATIONS, FAST_BUDGET, FAST_BUFFER,
                                FAST_BUSY, FAST_COUNTERS, FAST_FAILS, FAST_GRAVEYARD, FAST_GUARDS, FAST_LIMIT,
                                FAST_QUIET, FAST_RELEASE, FAST_ROUNDTRIP, FAST_SKIP, FAST_TO, JUMP_SLOTS, QUIET_BUDGET,
                                QUIET_UNTIL)
from tracejit.plaindata import dataclass

from .stubs import emit_frames_left_check, emit_open_gate
from .x86 import R12, R13, R14, R15, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, Asm, Encoded, Mem



@dataclass(frozen=True)
class JumpStub:
    """What shapes the stub's code: one per CPython version (its layout's offsets; the addresses are data slots,
    fastwords.JUMP_SLOTS, so the runtime keeps the encoded bytes and needs no assembler: runtime/fastpath.py)."""
    code_extra: int         # PyCodeObject.co_extra
    code_monitoring: int    # PyCodeObject._co_monitoring (-1: not checked): the tools with local events
    local_monitor_events: int
    own_tool: int           # our sys.monitoring tool id (its local events are ours)
    long_tag: int           # the int layout (a jump offset is an int of at most one digit)
    long_digits: int
    long_tagged: bool
    recursion_remaining: int
    margin: int
    tstate_cframe: int      # -1: the current frame is in the thread state (3.13)
    current_frame: int
    iframe_code: int
    iframe_frame_obj: int
    budget_slot: int
    gate_breaker_size: int  # the eval breaker the signal gate raises: 4 or 8 bytes
    trace_function: bool = False    # 3.11: called by the C-level trace function (see the module docstring)
    tstate_profile: int = -1        # 3.11: PyThreadState.c_profilefunc


SAVED = (RBX, R12, R13, R14, R15, RBP)
ARGS = Mem(RSP, 0)          # three argument words for finish(): code, to, result
RESULT, ME, CODE, TO = Mem(RSP, 24), Mem(RSP, 32), Mem(RSP, 40), Mem(RSP, 48)


def jump_stub(d: JumpStub) -> Encoded:
    a = Asm()
    slot = {name: a.const(0x5A5A5A5A00000000 + k) for k, name in enumerate(JUMP_SLOTS)}
    slow, skip, back = a.new_label(), a.new_label(), a.new_label()
    a.group("save registers; 56 bytes of locals (rsp 16-byte aligned)")
    for r in SAVED:
        a.push(r)
    a.alu("sub", RSP, 56)
    if d.trace_function:
        a.group("CODE = code, TO = rdi = to; the gate is open")
        a.mov(CODE, RSI)
        a.mov(TO, RDX)
        a.mov(RDI, RDX)
        a.mov(RAX, slot["gate"])
        a.alu("cmp", Mem(RAX, 0), 1)
        a.jcc("ne", slow)
    else:
        _jump_event(a, d, slot, slow)
    a.group("r14 = the fast entry for `to` in the code's table (co_extra)")
    a.mov(RAX, CODE)
    a.mov(RAX, Mem(RAX, d.code_extra))
    a.test(RAX, RAX)
    a.jcc("e", slow)
    a.mov(RCX, slot["extra_index"])
    a.alu("cmp", Mem(RAX, 0), RCX)
    a.jcc("le", slow)
    a.mov(RAX, Mem(RAX, 8, RCX, 8))                       # {n, entries...}
    a.test(RAX, RAX)
    a.jcc("e", slow)
    a.mov(RCX, Mem(RAX, 0))
    scan, found = a.new_label(), a.new_label()
    a.bind(scan)
    a.test(RCX, RCX)
    a.jcc("e", slow)
    a.mov(R14, Mem(RAX, 0, RCX, 8))
    a.alu("cmp", RDI, Mem(R14, 8 * FAST_TO))
    a.jcc("e", found)
    a.alu("sub", RCX, 1)
    a.jmp(scan)
    a.bind(found)
    a.group("a back-edge the loop lets pass while it backs off: counted down, nothing else")
    counted = a.new_label()
    a.alu("cmp", Mem(R14, 8 * FAST_SKIP), 0)
    a.jcc("le", counted)
    a.alu("sub", Mem(R14, 8 * FAST_SKIP), 1)
    a.jmp(skip)
    a.bind(counted)
    a.group("enabled, not busy, below its limit")
    a.alu("cmp", Mem(R14, 8 * FAST_ROUNDTRIP), 0)
    a.jcc("e", slow)
    a.mov(RAX, Mem(R14, 8 * FAST_BUSY))
    a.alu("cmp", Mem(RAX, 0), 0)
    a.jcc("ne", slow)
    a.mov(RAX, Mem(R14, 8 * FAST_COUNTERS))
    a.mov(RCX, Mem(RAX, 8 * COUNT_ENTRIES))
    a.alu("cmp", RCX, Mem(R14, 8 * FAST_LIMIT))
    a.jcc("ge", slow)
    a.group(f"at least {d.margin} Python frames left; r15 = the executing interpreter frame, the code's")
    emit_frames_left_check(a, slot["PyThreadState_Get"], d.recursion_remaining, d.margin, slow)
    if d.tstate_profile >= 0:
        a.alu("cmp", Mem(RAX, d.tstate_profile), 0)      # rax = the thread state
        a.jcc("ne", slow)
    if d.tstate_cframe >= 0:
        a.mov(RAX, Mem(RAX, d.tstate_cframe))
    a.mov(R15, Mem(RAX, d.current_frame))
    a.test(R15, R15)
    a.jcc("e", slow)
    a.mov(RAX, CODE)
    a.alu("cmp", RAX, Mem(R15, d.iframe_code))
    a.jcc("ne", slow)
    a.group("the guards: {n, (base or 0 for the frame, offset, expected)...}")
    guards, guard = a.new_label(), a.new_label()
    a.mov(RDX, Mem(R14, 8 * FAST_GUARDS))
    a.test(RDX, RDX)
    a.jcc("e", guards)
    a.mov(RCX, Mem(RDX, 0))
    a.alu("add", RDX, 8)
    a.bind(guard)
    a.test(RCX, RCX)
    a.jcc("e", guards)
    a.mov(RSI, Mem(RDX, 0))
    based = a.new_label()
    a.test(RSI, RSI)
    a.jcc("ne", based)
    a.mov(RSI, R15)
    a.bind(based)
    a.alu("add", RSI, Mem(RDX, 8))
    a.mov(RSI, Mem(RSI, 0))
    a.alu("cmp", RSI, Mem(RDX, 16))
    a.jcc("ne", slow)
    a.alu("add", RDX, 24)
    a.alu("sub", RCX, 1)
    a.jmp(guard)
    a.bind(guards)
    a.group("hold signal handlers (the main thread); busy; the budget")
    a.mov(ME, 0)
    other = a.new_label()
    a.mov(RAX, slot["gate_word"])
    a.test(RAX, RAX)
    a.jcc("e", other)
    a.mov(RAX, slot["PyThread_get_thread_ident"])
    a.call_reg(RAX)
    a.alu("cmp", RAX, slot["gate_ident"])
    a.jcc("ne", other)
    a.mov(RAX, slot["gate_word"])
    a.alu("cmp", Mem(RAX, 0), 0)                          # closed: a callback of this thread holds it (an entry
    a.jcc("e", other)                                     # from code a native run called): it stays closed
    a.mov(ME, 1)
    a.mov(Mem(RAX, 0), 0)
    a.bind(other)
    a.mov(RAX, Mem(R14, 8 * FAST_BUSY))
    a.mov(Mem(RAX, 0), 1)
    a.mov(RAX, Mem(R14, 8 * FAST_BUFFER))
    a.mov(RCX, Mem(R14, 8 * FAST_BUDGET))
    a.mov(Mem(RAX, 8 * d.budget_slot), RCX)
    a.group("the round trip (frame object or NULL, interpreter frame); busy cleared; handlers released")
    a.mov(RDI, Mem(R15, d.iframe_frame_obj))
    a.mov(RSI, R15)
    a.mov(RAX, Mem(R14, 8 * FAST_ROUNDTRIP))
    a.call_reg(RAX)
    a.mov(RESULT, RAX)
    a.group("the run's deferred releases, once the round trip wrote the frame back (else finish() makes them)")
    released = a.new_label()
    a.test(RAX, RAX)
    a.jcc("l", released)
    a.mov(RDI, Mem(R14, 8 * FAST_GRAVEYARD))
    a.alu("cmp", Mem(RDI, 0), 0)
    a.jcc("e", released)
    a.mov(RAX, Mem(R14, 8 * FAST_RELEASE))
    a.call_reg(RAX)
    a.bind(released)
    a.mov(RCX, Mem(R14, 8 * FAST_BUSY))
    a.mov(Mem(RCX, 0), 0)
    _release_handlers(a, d, slot)
    a.group("REJECTED: nothing ran; an exit to decide: finish(); a quiet one: counted here")
    a.mov(RAX, RESULT)
    a.alu("cmp", RAX, -1)
    a.jcc("e", slow)
    finish = a.new_label()
    a.test(RAX, RAX)
    a.jcc("l", finish)
    a.mov(RCX, Mem(R14, 8 * FAST_QUIET))
    a.mov(RDX, Mem(RCX, 0, RAX, 8))
    a.test(RDX, RDX)
    a.jcc("e", finish)
    quiet = a.new_label()
    a.alu("cmp", RDX, QUIET_UNTIL)
    a.jcc("l", quiet)
    a.group("a guard exit quiet until its failures counted here reach quiet - QUIET_UNTIL")
    a.mov(RCX, Mem(R14, 8 * FAST_FAILS))
    a.mov(RSI, Mem(RCX, 0, RAX, 8))
    a.alu("add", RSI, QUIET_UNTIL)
    a.alu("cmp", RSI, RDX)
    a.jcc("ge", finish)
    a.bind(quiet)
    a.mov(RSI, Mem(R14, 8 * FAST_COUNTERS))
    a.alu("add", Mem(RSI, 8 * COUNT_ENTRIES), 1)
    a.mov(RCX, Mem(R14, 8 * FAST_BUDGET))
    a.mov(RDI, Mem(R14, 8 * FAST_BUFFER))
    a.alu("sub", RCX, Mem(RDI, 8 * d.budget_slot))
    a.alu("add", Mem(RSI, 8 * COUNT_ITERATIONS), RCX)
    a.mov(RDI, slot["engine_counters"])
    a.alu("add", Mem(RDI, 0), 1)
    guard = a.new_label()
    a.alu("cmp", RDX, QUIET_BUDGET)
    a.jcc("ne", guard)
    a.alu("add", Mem(RSI, 8 * COUNT_BUDGET), 1)
    a.alu("add", Mem(RDI, 8), 1)
    a.jmp(skip)
    a.bind(guard)
    a.alu("add", Mem(RSI, 8 * COUNT_GUARD), 1)
    a.alu("add", Mem(RDI, 16), 1)
    a.mov(RCX, Mem(R14, 8 * FAST_FAILS))
    a.alu("add", Mem(RCX, 0, RAX, 8), 1)
    a.jmp(skip)
    a.bind(finish)
    if d.trace_function:
        _finish_traced(a, slot, back)
    else:
        _finish_jump(a, slot, back)
    a.bind(slow)
    if d.trace_function:
        a.group("nothing ran: return 1 (the trace function calls its dispatcher)")
        a.mov_imm(RAX, 1)
        a.jmp(back)
    else:
        a.group("nothing ran: return self(*args) (None near the recursion limit)")
        emit_frames_left_check(a, slot["PyThreadState_Get"], d.recursion_remaining, d.margin, skip)
        a.mov(RDI, RBX)
        a.mov(RSI, R12)
        a.mov(RDX, R13)
        a.mov_imm(RCX, 0)
        a.mov(RAX, slot["PyObject_Vectorcall"])
        a.call_reg(RAX)
        a.jmp(back)
    a.bind(skip)
    if d.trace_function:
        a.mov_imm(RAX, 0)
    else:
        a.mov(RAX, slot["none"])                          # immortal (3.12+)
    a.bind(back)
    a.alu("add", RSP, 56)
    for r in reversed(SAVED):
        a.pop(r)
    a.ret()
    return a.finish()


def _jump_event(a: Asm, d: JumpStub, slot: dict, slow: int) -> None:
    """3.12+: rbx = self, r12 = args, r13 = nargs; the gate open at this version; CODE = code, TO = rdi = to
    (ints of at most one digit), a backward jump; no other tool's local events on the code."""
    a.mov(RBX, RDI)
    a.mov(R12, RSI)
    a.mov(R13, RDX)
    a.group("the gate is open at this instrumentation version")
    a.mov(RAX, slot["gate"])
    a.alu("cmp", Mem(RAX, 0), 1)
    a.jcc("ne", slow)
    a.mov(RCX, slot["version"])
    a.mov(RCX, Mem(RCX, 0))
    a.alu("cmp", RCX, Mem(RAX, 8))
    a.jcc("ne", slow)
    a.alu("cmp", R13, 3)
    a.jcc("ne", slow)
    a.group("rsi = from, rdi = to (ints of at most one digit); a backward jump")
    _small_int(a, d, Mem(R12, 8), RSI, slow)
    _small_int(a, d, Mem(R12, 16), RDI, slow)
    a.alu("cmp", RDI, RSI)
    a.jcc("ge", slow)
    a.mov(RAX, Mem(R12, 0))
    a.mov(CODE, RAX)
    a.mov(TO, RDI)
    if d.code_monitoring >= 0:
        a.group("no other tool has local events on the code")
        none = a.new_label()
        a.mov(RAX, Mem(RAX, d.code_monitoring))
        a.test(RAX, RAX)
        a.jcc("e", none)
        a.mov(RCX, Mem(RAX, 0))
        a.mov(RDX, Mem(RAX, 8))
        a.mov_imm(RSI, (1 << 8 * (d.local_monitor_events - 8)) - 1)
        a.alu("and", RDX, RSI)
        a.alu("or", RCX, RDX)
        a.mov_imm(RSI, ~(0x0101010101010101 << d.own_tool) & ((1 << 64) - 1))
        a.alu("and", RCX, RSI)
        a.jcc("ne", slow)
        a.bind(none)


def _finish_jump(a: Asm, slot: dict, back: int) -> None:
    """3.12+: return finish(code, to, result) (rax = result; the `to` object is the event's)."""
    a.group("return finish(code, to, result)")
    a.mov(RDI, RAX)
    a.mov(RAX, slot["PyLong_FromLongLong"])
    a.call_reg(RAX)
    a.test(RAX, RAX)
    a.jcc("e", back)                                      # no int: the error propagates (NULL)
    a.mov(Mem(RSP, 16), RAX)
    a.mov(RCX, Mem(R12, 0))
    a.mov(Mem(RSP, 0), RCX)
    a.mov(RCX, Mem(R12, 16))
    a.mov(Mem(RSP, 8), RCX)
    _call_finish(a, slot)
    a.mov(RAX, R13)
    a.jmp(back)


def _finish_traced(a: Asm, slot: dict, back: int) -> None:
    """3.11: finish(code, to, result) with ints made here; return 0, or -1 when something raised."""
    a.group("finish(code, to, result): 0, or -1 when it raised")
    failed = a.new_label()
    a.mov(RDI, RAX)
    a.mov(RAX, slot["PyLong_FromLongLong"])
    a.call_reg(RAX)
    a.test(RAX, RAX)
    a.jcc("e", failed)
    a.mov(Mem(RSP, 16), RAX)
    a.mov(RDI, TO)
    a.mov(RAX, slot["PyLong_FromLongLong"])
    a.call_reg(RAX)
    a.test(RAX, RAX)
    done = a.new_label()
    a.jcc("ne", done)
    a.mov(RDI, Mem(RSP, 16))
    a.mov(RAX, slot["Py_DecRef"])
    a.call_reg(RAX)
    a.jmp(failed)
    a.bind(done)
    a.mov(Mem(RSP, 8), RAX)
    a.mov(RCX, CODE)
    a.mov(Mem(RSP, 0), RCX)
    a.mov(RAX, Mem(RSP, 8))
    a.mov(TO, RAX)                                        # the int, released below
    _call_finish(a, slot)
    a.mov(RDI, TO)
    a.mov(RAX, slot["Py_DecRef"])
    a.call_reg(RAX)
    a.test(R13, R13)
    a.jcc("e", failed)
    a.mov(RDI, R13)
    a.mov(RAX, slot["Py_DecRef"])
    a.call_reg(RAX)
    a.mov_imm(RAX, 0)
    a.jmp(back)
    a.bind(failed)
    a.mov_imm(RAX, -1)
    a.jmp(back)


def _call_finish(a: Asm, slot: dict) -> None:
    """r13 = finish(*ARGS) (a new reference or NULL); the result int (ARGS[2]) released."""
    a.mov(RDI, slot["finish"])
    a.mov(RSI, RSP)
    a.mov_imm(RDX, 3)
    a.mov_imm(RCX, 0)
    a.mov(RAX, slot["PyObject_Vectorcall"])
    a.call_reg(RAX)
    a.mov(R13, RAX)
    a.mov(RDI, Mem(RSP, 16))
    a.mov(RAX, slot["Py_DecRef"])
    a.call_reg(RAX)


def _small_int(a: Asm, d: JumpStub, src: Mem, out, slow: int) -> None:
    """out = the value of the int at src, if it is non-negative with at most one digit (else slow). Uses rax, rcx."""
    a.mov(RAX, src)
    a.mov(RCX, Mem(RAX, d.long_tag))
    if d.long_tagged:
        zero = a.new_label()
        a.test_imm(RCX, 2)                                # negative
        a.jcc("ne", slow)
        a.shift("shr", RCX, 3)
        a.alu("cmp", RCX, 1)
        a.jcc("a", slow)
        a.mov_imm(out, 0, keep_flags=True)
        a.jcc("b", zero)
        a.load32(out, Mem(RAX, d.long_digits))
        a.bind(zero)
    else:
        zero = a.new_label()
        a.alu("cmp", RCX, 1)
        a.jcc("a", slow)                                  # unsigned: negative sizes are large
        a.mov_imm(out, 0, keep_flags=True)
        a.jcc("b", zero)
        a.load32(out, Mem(RAX, d.long_digits))
        a.bind(zero)


def _release_handlers(a: Asm, d: JumpStub, slot: dict) -> None:
    """The main thread: the signal gate opened again (a signal that came meanwhile: its handler runs at the
    program's next check, as after a Python callback). Uses rax, rcx."""
    done = a.new_label()
    a.alu("cmp", ME, 0)
    a.jcc("e", done)
    emit_open_gate(a, slot["gate_word"], slot["gate_ident"], slot["gate_pending"], slot["gate_breaker"],
                   d.gate_breaker_size, slot["gate_bit"])
    a.bind(done)
