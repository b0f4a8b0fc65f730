"""Emitters of the generic path's calls, which may run any Python code (ops marked `runs_python`: py_call), and
of the guard after them.

Python code called from machine code must see the program as the interpreter would show it: the loop's frame
as the thread's executing frame (its caller, `sys._getframe(1)`, the frame a traceback or a warning starts
from), at the instruction being run (its line), with its locals holding what the program assigned them.
While machine code runs none of that is so: the locals live unboxed in registers, and the thread's executing
frame is the JIT's own. So around each such call the machine code *syncs the frame* (PyPy forces its
virtualizable frame at such calls; tracejit writes the frame back):

1. every fast local the loop keeps is written back (boxed: an int, a float, a bool; an object with a new
   reference) unless the frame already holds an object made from the same bits (the sync area's shadow bits,
   which the runtime also reads at exits); the objects replaced are released once all are written;
2. the frame's instruction pointer is set to the instruction, and the frame becomes the thread's executing
   frame (the word the layout's `current_frame_cell` names); the JIT's own Python frames between them no
   longer count against the recursion limit (SYNC_HIDDEN);
3. the objects whose release the trace deferred (the graveyard) are released now, in this context;
4. the call, its arguments held (a reference each) for its duration, with the hooks' signal gate open (a
   signal handler runs in the called code, as without the JIT) and the thread's tracing counter as it was
   before the hook's callback raised it (the called code's events are reported: its own loops enter the JIT,
   another tool sees them);
5. the thread's executing frame and the recursion counter are restored; a local rebound during the call
   (a debugger writing `f_locals`) sets SYNC_CHANGED, which the next guard_after_call checks;
6. NULL: the exception is taken (PyErr_GetRaisedException) into SYNC_EXCEPTION and the op's exit is taken;
   the runtime raises it at the instruction (the call is not made again).

The sync area's words are named in tracejit.ir.trace (SYNC_*). CPython 3.12+ only (3.11's exceptions are
three objects; the recorder does not record such calls there).

May import: tracejit.ir, tracejit.backend.assembler/containers/x86/errors/stubs.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from ..ir.ops import PY_END_RESULT, PY_FLAG, PY_INT_RESULT, Kind
from ..ir.trace import (MAX_SYNCED, SYNC_CELL, SYNC_CHANGED, SYNC_EXCEPTION, SYNC_HIDDEN, SYNC_IFRAME,
                        SYNC_MONITORING, SYNC_MONITORING_SEEN, SYNC_NEW, SYNC_OLD, SYNC_RECURSION, SYNC_RESULT,
                        SYNC_SAVED, SYNC_SHADOW, SYNC_TRACING, SYNC_VALID, Const, Op, StateVar)
from .assembler import TEMP, TEMPORARIES, Assembler, decref_inline, emitter, incref_inline, temp
from .containers import _call_c, _exit_unless_str_keys
from .errors import CompileError
from .stubs import emit_open_gate
from .x86 import RAX, RCX, RDI, RDX, RSI, RSP, XMM0, Mem

MAX_REGISTER_ARGS = 3           # py_call's arguments in registers (PyObject_Vectorcall's: in an array)
MAX_ARRAY_ARGS = TEMPORARIES - 1    # ... in the temporaries, after the callable


def synced_locals(s: Assembler) -> list[tuple[StateVar, int, Kind]]:
    """The loop's fast locals a sync writes back: (variable, state slot, kind in the loop)."""
    layout = s.t.layout
    out = [(sv, slot, layout.kinds[sv]) for sv, slot in layout.slots.items() if sv.where == "fast"]
    if len(out) > MAX_SYNCED:
        raise CompileError(f"more than {MAX_SYNCED} locals to write back around a call")
    if any(sv.where == "complex" for sv in layout.slots):
        raise CompileError("a complex number kept in two slots, around a call that may run Python code")
    return out


def _word(k: int) -> Mem:
    """Word k of the sync area (its address in rdx, loaded by _sync_base)."""
    return Mem(RDX, 8 * k)


def _sync_base(s: Assembler) -> None:
    s.a.mov(RDX, s.ext.sync)


@emitter("py_call")
def _py_call(s: Assembler, op: Op, i: int) -> None:
    a, o, ext = s.a, s.objects, s.ext
    name = op.args[0].value
    fn = ext.py_functions.get(name)
    if not (fn and ext.sync and ext.code_instrs and ext.raised_exception and ext.release_graveyard):
        raise CompileError(f"no C API addresses for py_call {name}")
    args = op.args[1:]
    flag = args.pop().value if name in PY_FLAG else 0    # a constant, not passed to C as an argument
    to_bool = flag and PY_FLAG[name] == "truth"
    kwnames = flag if PY_FLAG.get(name) == "kwnames" and flag else ()     # the names of the last arguments
    if to_bool and not ext.py_functions.get("PyObject_IsTrue"):
        raise CompileError("no C API address for PyObject_IsTrue")
    vector = name == "PyObject_Vectorcall"
    if len(args) > (MAX_ARRAY_ARGS + 1 if vector else MAX_REGISTER_ARGS):
        raise CompileError(f"py_call {name} with {len(args)} arguments")
    synced = synced_locals(s)
    state = op.snapshot.frames()[0].state
    # the values the frame gets, staged in their state slots (what an exit would store there); a bridge's
    # variable it never touched is in its slot already
    kinds = {}
    for sv, slot, kind in synced:
        v = state.get(sv)
        if v is not None:
            s.store_value(s.slot_mem(slot), v)
            kinds[sv] = v.kind
    for k, v in enumerate(args):
        a.mov(temp(k), s.g(v), scratch=RAX)
    s.save_live(i)
    # 1. the frame's locals and line
    _sync_base(s)
    a.mov(_word(SYNC_CHANGED), 0, scratch=RAX)
    a.mov(RCX, _word(SYNC_IFRAME))
    a.mov(RAX, ext.code_instrs + op.snapshot.pc)
    a.mov(Mem(RCX, o.iframe_instr), RAX)             # the frame is at the instruction (its line)
    for k, (sv, slot, loop_kind) in enumerate(synced):
        _write_local(s, k, sv, slot, kinds.get(sv, loop_kind), loop_kind)
    # 2. the frame becomes the thread's executing frame; the program's recursion and tracing counters, its
    # signal handlers; the instrumentation version, to see a tracer or tool the call starts
    _sync_base(s)
    a.mov(RAX, _word(SYNC_CELL))
    a.mov(RSI, Mem(RAX, 0))
    a.mov(_word(SYNC_SAVED), RSI)
    a.mov(RCX, _word(SYNC_IFRAME))
    a.mov(Mem(RAX, 0), RCX)
    _add_hidden(s, "add")
    _add_to_int(s, SYNC_TRACING, -1)
    _open_gate(s)
    _sync_base(s)
    a.mov(RAX, _word(SYNC_MONITORING))
    a.mov(RAX, Mem(RAX, 0))
    a.mov(_word(SYNC_MONITORING_SEEN), RAX)
    # 3. what the sync replaced and what the trace deferred is released in this context
    for k in range(len(synced)):
        _release_word(s, SYNC_OLD + k)
    done = a.new_label()
    a.mov(RDI, ext.graveyard)
    a.mov(RAX, Mem(RDI, 0))
    a.test(RAX, RAX)
    a.jcc("e", done)
    s.call(ext.release_graveyard)
    a.bind(done)
    _sync_base(s)
    a.mov(RCX, _word(SYNC_IFRAME))
    for k, (sv, _, _) in enumerate(synced):
        a.mov(RAX, Mem(RCX, o.iframe_localsplus + 8 * sv.key))
        a.mov(_word(SYNC_NEW + k), RAX)
    restore = a.new_label()
    a.mov(_word(SYNC_RESULT), 0, scratch=RAX)
    a.mov(RAX, _word(SYNC_EXCEPTION))            # boxing a local failed (MemoryError): no call
    a.test(RAX, RAX)
    a.jcc("ne", restore)
    # 4. the call, its arguments held
    for k, v in enumerate(args):
        if not isinstance(v, Const):
            a.mov(RAX, temp(k))
            incref_inline(s, RAX)
    if vector:          # PyObject_Vectorcall(callable, args, positional count, kwnames or NULL)
        a.mov(RDI, temp(0))
        a.lea(RSI, RSP, None, TEMP + 8)
        a.mov(RDX, len(args) - 1 - len(kwnames))
        a.mov(RCX, id(kwnames) if kwnames else 0)     # a code object's constant: the trace holds it
    else:
        for k, reg in zip(range(len(args)), (RDI, RSI, RDX)):
            a.mov(reg, temp(k))
    s.call(fn)
    if to_bool:                                  # the result's truth, as a bool; the result released
        _truth_of_rax(s)
    if name in PY_END_RESULT:                    # NULL with no exception: the end object
        _end_of_null(s, PY_END_RESULT[name])
    result = PY_INT_RESULT.get(name)
    if result == "none":                         # 0: the result is None; -1: NULL (raised)
        a.test32(RAX, RAX)
        a.mov(RAX, 0, keep_flags=True)
        a.mov(RCX, id(None), keep_flags=True)
        a.cmov("e", RAX, RCX)                    # (None is immortal: 3.12+ only here)
    elif result == "bool":                       # 1, 0: True, False (swapped by the flag); -1: NULL (raised)
        _bool_of_eax(s, bool(flag))
    _sync_base(s)
    a.mov(_word(SYNC_RESULT), RAX)
    for k, v in enumerate(args):
        if not isinstance(v, Const):
            a.mov(RDI, temp(k))
            decref_inline(s, i, RDI, saved=True)
    # 5. a local rebound or a tracer started during the call: guard_after_call exits
    _sync_base(s)
    a.mov(RCX, _word(SYNC_IFRAME))
    for k, (sv, _, _) in enumerate(synced):
        same = a.new_label()
        a.mov(RAX, Mem(RCX, o.iframe_localsplus + 8 * sv.key))
        a.alu("cmp", RAX, _word(SYNC_NEW + k))
        a.jcc("e", same)
        a.mov(_word(SYNC_CHANGED), 1, scratch=RAX)
        a.bind(same)
    same = a.new_label()
    a.mov(RAX, _word(SYNC_MONITORING))
    a.mov(RAX, Mem(RAX, 0))
    a.alu("cmp", RAX, _word(SYNC_MONITORING_SEEN))
    a.jcc("e", same)
    a.mov(_word(SYNC_CHANGED), 1, scratch=RAX)
    a.bind(same)
    # 6. undo 2 (the frame's line stays: an exit sets it)
    a.bind(restore)
    _close_gate(s)
    _sync_base(s)
    _add_to_int(s, SYNC_TRACING, 1)
    _restore_frame(s)
    ok, raised = a.new_label(), a.new_label()
    _sync_base(s)
    a.mov(RAX, _word(SYNC_RESULT))
    a.test(RAX, RAX)
    a.jcc("ne", ok)
    a.mov(RAX, _word(SYNC_EXCEPTION))
    a.test(RAX, RAX)
    a.jcc("ne", raised)                          # (the box failure's, taken already)
    s.call(ext.raised_exception)
    _sync_base(s)
    a.mov(_word(SYNC_EXCEPTION), RAX)
    a.bind(raised)
    s.restore_live(i)
    a.jmp(s.exit_label(op))
    a.bind(ok)
    a.mov(temp(0), RAX)
    s.restore_live(i)
    a.mov(RAX, temp(0))
    s.put(s.dst(op), RAX)


def _truth_of_rax(s: Assembler) -> None:
    """rax := True / False for PyObject_IsTrue(rax), the object released; NULL stays NULL, and -1 (an exception in
    __bool__) becomes NULL. Uses the sync area's result word as scratch."""
    a, ext = s.a, s.ext
    done, false, fail = a.new_label(), a.new_label(), a.new_label()
    a.test(RAX, RAX)
    a.jcc("e", done)
    _sync_base(s)
    a.mov(_word(SYNC_RESULT), RAX)
    a.mov(RDI, RAX)
    s.call(ext.py_functions["PyObject_IsTrue"])
    _sync_base(s)
    a.mov(RDI, _word(SYNC_RESULT))
    a.mov(_word(SYNC_RESULT), RAX)               # the truth (an int)
    decref_inline(s, -1, RDI, saved=True)
    _sync_base(s)
    a.mov(RAX, _word(SYNC_RESULT))
    a.test32(RAX, RAX)
    a.jcc("s", fail)
    a.jcc("e", false)
    a.mov(RAX, id(True))
    a.jmp(done)
    a.bind(false)
    a.mov(RAX, id(False))
    a.jmp(done)
    a.bind(fail)
    a.mov(RAX, 0)
    a.bind(done)


def _end_of_null(s: Assembler, end: object) -> None:
    """rax := a new reference to `end` where rax is NULL with no exception set (PyIter_Next: the iterator is
    exhausted); NULL with an exception stays NULL (raised)."""
    a = s.a
    if not s.ext.err_occurred:
        raise CompileError("no C API address for PyErr_Occurred")
    done = a.new_label()
    a.test(RAX, RAX)
    a.jcc("ne", done)
    s.call(s.ext.err_occurred)
    a.test(RAX, RAX)
    a.mov(RAX, 0, keep_flags=True)
    a.jcc("ne", done)
    a.mov(RAX, id(end))
    incref_inline(s, RAX)
    a.bind(done)


def _bool_of_eax(s: Assembler, invert: bool) -> None:
    """rax := True / False for the int 1 / 0 in eax (False / True when `invert`), NULL for -1 (an exception is
    set). True and False are immortal (3.12+ only here): no reference to take."""
    a = s.a
    a.test32(RAX, RAX)
    a.mov(RCX, 0, keep_flags=True)
    a.mov(RDX, id(False if invert else True), keep_flags=True)
    a.mov(RSI, id(True if invert else False), keep_flags=True)
    a.cmov("g", RCX, RDX)
    a.cmov("e", RCX, RSI)
    a.mov(RAX, RCX)


def _write_local(s: Assembler, k: int, sv: StateVar, slot: int, kind: Kind, loop_kind: Kind) -> None:
    """Local sv.key of the frame := the object for the bits in state slot `slot` (of `kind`), unless the shadow
    bits say it holds one made from them (SYNC_VALID: the shadow is of the loop's kind); the object replaced
    goes to SYNC_OLD + k (0: none)."""
    a, o, ext = s.a, s.objects, s.ext
    skip, boxed, write = a.new_label(), a.new_label(), a.new_label()
    _sync_base(s)
    a.mov(_word(SYNC_OLD + k), 0, scratch=RAX)
    a.mov(RAX, s.slot_mem(slot))
    if kind is loop_kind:                        # (another kind here: its bits may equal the shadow's)
        a.mov(RCX, _word(SYNC_VALID + slot))
        a.test(RCX, RCX)
        a.jcc("e", write)
        a.alu("cmp", RAX, _word(SYNC_SHADOW + slot))
        a.jcc("e", skip)
    a.bind(write)
    a.mov(RCX, _word(SYNC_EXCEPTION))            # a box failed before: write nothing more
    a.test(RCX, RCX)
    a.jcc("ne", skip)
    if kind is Kind.INT:
        a.mov(RDI, RAX)
        s.call(ext.long_new)
    elif kind is Kind.FLOAT:
        a.movq_to_xmm(XMM0, RAX)
        s.call(ext.float_new)
    elif kind is Kind.BOOL:
        a.test(RAX, RAX)
        a.mov(RAX, id(False))
        a.mov(RCX, id(True))
        a.cmov("ne", RAX, RCX)
        incref_inline(s, RAX)
    else:
        incref_inline(s, RAX)
    if kind in (Kind.INT, Kind.FLOAT):
        a.test(RAX, RAX)
        a.jcc("ne", boxed)
        s.call(ext.raised_exception)                 # MemoryError: taken; the rest is not written
        _sync_base(s)
        a.mov(_word(SYNC_EXCEPTION), RAX)
        a.jmp(skip)
    a.bind(boxed)
    _sync_base(s)
    a.mov(RCX, s.slot_mem(slot))
    a.mov(_word(SYNC_SHADOW + slot), RCX)
    a.mov(_word(SYNC_VALID + slot), 1 if kind is loop_kind else 0, scratch=RCX)
    a.mov(RCX, _word(SYNC_IFRAME))
    a.mov(RSI, Mem(RCX, o.iframe_localsplus + 8 * sv.key))
    a.mov(_word(SYNC_OLD + k), RSI)
    a.mov(Mem(RCX, o.iframe_localsplus + 8 * sv.key), RAX)
    a.bind(skip)


def _release_word(s: Assembler, k: int) -> None:
    """Py_XDECREF(sync[k]) (the live registers saved already)."""
    a = s.a
    skip = a.new_label()
    _sync_base(s)
    a.mov(RDI, _word(k))
    a.test(RDI, RDI)
    a.jcc("e", skip)
    decref_inline(s, -1, RDI, saved=True)
    a.bind(skip)


def _add_hidden(s: Assembler, how: str) -> None:
    """The recursion counter (an int) += or -= SYNC_HIDDEN (rdx: the sync area; uses rax, rsi)."""
    a = s.a
    skip = a.new_label()
    a.mov(RAX, _word(SYNC_RECURSION))
    a.test(RAX, RAX)
    a.jcc("e", skip)
    a.load32(RSI, Mem(RAX, 0))
    a.alu(how, RSI, _word(SYNC_HIDDEN))
    a.store_narrow(Mem(RAX, 0), RSI, 4)
    a.bind(skip)


def _add_to_int(s: Assembler, word: int, k: int) -> None:
    """The int at the address in sync word `word` += k (rdx: the sync area; uses rax, rcx)."""
    a = s.a
    a.mov(RAX, _word(word))
    a.load32(RCX, Mem(RAX, 0))
    a.alu("add", RCX, k)
    a.store_narrow(Mem(RAX, 0), RCX, 4)


def _open_gate(s: Assembler) -> None:
    """The signal gate opened for the call (stubs.emit_open_gate: the called code runs a handler of a signal that
    came while it was held). Uses rax, rcx."""
    ext = s.ext
    if ext.gate_word:
        emit_open_gate(s.a, ext.gate_word, ext.gate_ident, ext.gate_pending, ext.gate_breaker, ext.gate_breaker_size,
                       ext.gate_bit)


def _close_gate(s: Assembler) -> None:
    """The signal gate's main-thread word := 0: handlers wait again (uses rax, rcx)."""
    a, ext = s.a, s.ext
    if ext.gate_word:
        a.mov(RAX, ext.gate_word)
        a.mov(Mem(RAX, 0), 0, scratch=RCX)


def _restore_frame(s: Assembler) -> None:
    """The thread's executing frame and recursion counter as they were before the sync."""
    a = s.a
    _sync_base(s)
    a.mov(RAX, _word(SYNC_CELL))
    a.mov(RCX, _word(SYNC_SAVED))
    a.mov(Mem(RAX, 0), RCX)
    _add_hidden(s, "sub")


@emitter("guard_after_call")
def _guard_after_call(s: Assembler, op: Op, i: int) -> None:
    """Exit unless each dict's version is the one read before the call (triples of arguments: the dict, the
    version, the names) or, where it changed and names are given, the dict has str keys only and binds each name
    to the object the trace holds (NULL: unbound); unless each inlined function (the last argument) has its code,
    defaults and keyword defaults (NULL: None); and unless no local of the frame was rebound during the call and
    no tracer or tool started (SYNC_CHANGED)."""
    a, o, ext = s.a, s.objects, s.ext
    ex = s.exit_label(op)
    triples, functions = (op.args[:-1], op.args[-1].value) if op.args else ((), ())
    for d, version, names in zip(triples[::3], triples[1::3], triples[2::3]):
        a.mov(RCX, s.g(d), scratch=RAX)
        a.mov(RCX, Mem(RCX, o.dict_version))
        a.alu("cmp", RCX, s.gsrc(version, RAX))
        if names.value is None:
            a.jcc("ne", ex)
            continue
        if not ext.dict_getitem:
            raise CompileError("no C API address for dict lookups")
        same = a.new_label()
        a.jcc("e", same)
        a.mov(RAX, s.g(d), scratch=RCX)
        _exit_unless_str_keys(s, op, RAX)
        for name, expected, bound in names.value:
            def load(d=d, name=name):
                a.mov(RDI, s.g(d), scratch=RAX)
                a.mov_imm(RSI, id(name))         # (the op's constant keeps the name and the object alive)
            _call_c(s, i, ext.dict_getitem, [], load)
            a.mov_imm(RCX, id(expected) if bound else 0)
            a.alu("cmp", RAX, RCX)
            a.jcc("ne", ex)
        a.bind(same)
    for f in functions:                                     # (the constant keeps them alive)
        a.mov_imm(RCX, id(f.function))
        for at, expected in ((o.func_code, f.code), (o.func_defaults, f.defaults), (o.func_kwdefaults, f.kwdefaults)):
            a.mov_imm(RDX, 0 if expected is None else id(expected))
            a.alu("cmp", RDX, Mem(RCX, at))
            a.jcc("ne", ex)
    _sync_base(s)
    a.mov(RAX, _word(SYNC_CHANGED))
    a.test(RAX, RAX)
    a.jcc("ne", ex)


@emitter("dict_version")
def _dict_version(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    a.mov(RCX, s.g(op.args[0]), scratch=RAX)
    a.mov(RAX, Mem(RCX, s.objects.dict_version))
    s.put(s.dst(op), RAX)
