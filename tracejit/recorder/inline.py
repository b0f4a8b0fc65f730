"""Calls of Python functions, inlined into the trace.

At a CALL of a plain Python function the recorder pushes an abstract frame for the callee (its arguments and
defaults in its locals), records the callee's instructions with the same handlers as the loop's, and pops the
frame at RETURN_VALUE / RETURN_CONST, pushing the result on the caller's stack. No frame is made in the machine
code: the callee's locals are SSA values.

The interpreter gives the recorder no events inside the callee (they would need hooks in every frame), so the
recorder runs the callee itself on the concrete values it already tracks: each branch goes the way its
condition's concrete value says, with a guard on that direction. After the call, the first event in the caller
cross-checks the result against the real one; any difference aborts the recording.

Deoptimization inside an inlined call before the call wrote anything restarts the call: such a guard exits
to the caller's CALL instruction, with the callable and its arguments on the stack (the snapshot `restart` of
the callee's AbstractFrame); nothing the program can see has happened yet, and a bridge can grow there. Once
the outermost inlined call has stored into a list or a global, a guard's snapshot is the exact chain of
frames (TraceRecorder.exact_snapshot: each callee frame keeps its caller's exact snapshot at the call,
`AbstractFrame.parent`), and its exit rebuilds every inlined frame mid-body (runtime/resume.py). A snapshot
taken before a write is never used by a guard after it. (A callee may not read an object after its write:
the recorder runs the callee before the interpreter does, so it cannot know what such a read gives.)

What is inlined: a function of the loop's own module (same globals and builtins). Called by a name bound to a
module-level function, the function is a constant: pinned, and the runtime checks at every entry that it
still has the `__code__`, `__defaults__` and `__kwdefaults__` the trace inlined (StateLayout.inlined). Held in
a variable (a parameter, a lambda, a closure), it is guarded on its code, globals and builtins, its
defaults and closure cells read when the trace runs (_guard_function). Called with positional and keyword
arguments (defaults fill the rest); neither a generator nor a coroutine; no `*args`, `**kwargs`, keyword-only
parameters or cells of its own, no `nonlocal` assignment; no loop in the recorded path and no read of an object
after a write; at most the parameter `inline_depth` (MAX_INLINE_DEPTH by default) frames deep. A function refused
before its call is recorded is called on the generic path where there is one (CPython 3.12+, the loop's own
frame); anything else aborts with its reason.

May import: tracejit.ir, tracejit.cpython.bytecode, tracejit.recorder.frame, tracejit.recorder.diamonds,
tracejit.recorder.iterators (inner loops of an inlined call, unrolled), the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys
import types

from tracejit.cpython.bytecode import instructions_at
from tracejit.ir import Const, InlinedFunction, Kind, Snapshot, StateVar, Var, const_int, const_ref

from . import diamonds, generic, iterators
from .frame import BRANCHES, AbstractFrame, RecordAbort, constant

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import FrameView, TraceRecorder

# a loop inside an inlined function: the next recording calls the outermost inlined function (hint not_inlined), whose
# own loops are then profiled and compiled on their own
LOOP_INLINED = "a loop in an inlined call"
MAX_INLINE_DEPTH = 4        # Python frames inlined at once, the loop's own frame not counted (inline_depth)
CO_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE, CO_ASYNC_GENERATOR = 0x20, 0x80, 0x100, 0x200
CO_VARARGS, CO_VARKEYWORDS = 0x04, 0x08
_REFUSED_FLAGS = {CO_GENERATOR: "a generator", CO_COROUTINE: "a coroutine", CO_ITERABLE_COROUTINE: "a coroutine",
                  CO_ASYNC_GENERATOR: "an async generator", CO_VARARGS: "a function with *args",
                  CO_VARKEYWORDS: "a function with **kwargs"}


def _watched(code) -> bool:
    """Another sys.monitoring tool (a coverage tool, a debugger) has local events on `code` (3.12+): its events
    in the function are reported only where the interpreter runs it, not inlined into machine code."""
    m = getattr(sys, "monitoring", None)
    return m is not None and any(tool != m.OPTIMIZER_ID and m.get_tool(tool) is not None and
                                 m.get_local_events(tool, code) for tool in range(6))


def unrolling(rec: TraceRecorder, step, *args):
    """step(rec, *args): a step of an inner loop the trace unrolls inside an inlined call (recorder/iterators.py).
    One it cannot unroll (more items than `unroll`, an iterable of another kind) aborts as a loop in an inlined
    call: the next recording calls the outermost inlined function instead, whose loops compile on their own."""
    try:
        return step(rec, *args)
    except RecordAbort:
        raise RecordAbort(LOOP_INLINED, ("not_inlined", rec.frames[1].code)) from None


def inlinable_function(obj) -> bool:
    """A function a trace may hold as a constant (pinned): one defined at a module's top level."""
    return type(obj) is types.FunctionType and obj.__closure__ is None and "<" not in obj.__qualname__ \
        and "." not in obj.__qualname__


def refusal(rec: TraceRecorder, func: types.FunctionType, view: FrameView) -> str | None:
    """Why func cannot be inlined here (the caller then calls it on the generic path, where it can), or None."""
    code = func.__code__
    for flag, what in _REFUSED_FLAGS.items():
        if code.co_flags & flag:
            return f"call of {what}"
    if code.co_cellvars:
        return "call of a function with cells"
    if code.co_kwonlyargcount:
        return "call of a function with keyword-only parameters"
    if code.co_freevars and any(i.op == "STORE_DEREF" for at in instructions_at(code).values() for i in at):
        return "call of a function that assigns a nonlocal"
    if func.__globals__ is not view.globals or func.__builtins__ is not view.builtins:
        return "call of a function of another module"
    if _watched(code):
        return "call of a function another tool watches (sys.monitoring local events)"
    if code in rec.not_inlined:
        return "call of a function whose recording made a call that may run Python code (not inlined)"
    if len(rec.frames) > rec.max_inline_depth:
        return "calls nested too deep to inline" if rec.max_inline_depth else "inlining is off (inline_depth=0)"
    return None


def bind(func: types.FunctionType, args: list, kw_names: tuple, default) -> list:
    """The callee's parameters from a call's arguments (the last len(kw_names) of them by keyword) and the
    function's defaults (default(k): the value of the k-th), as the interpreter binds them; a call it would
    reject aborts."""
    code = func.__code__
    n = code.co_argcount
    npos = len(args) - len(kw_names)
    if npos > n:
        raise RecordAbort("call with too many arguments")
    params: list = list(args[:npos]) + [None] * (n - npos)
    names = code.co_varnames[:n]
    for name, value in zip(kw_names, args[npos:]):
        if name not in names[code.co_posonlyargcount:] or params[names.index(name)] is not None:
            raise RecordAbort(f"call with a keyword {name} the function does not take once")
        params[names.index(name)] = value
    defaults = func.__defaults__ or ()
    first_default = n - len(defaults)
    for k in range(n):
        if params[k] is None:
            if k < first_default:
                raise RecordAbort("call without a required argument")
            params[k] = default(k - first_default)
    return params


class ResumedFrame:
    """An inlined frame a bridge recording resumes mid-body (the bridge of an exit inside inlined calls): its
    code, the offset the guard stopped it at, its locals (values by index, None: unbound) and value stack, as
    the exit's snapshot gives them: the bridge's inputs (StateVar("inner", k)) or constants."""
    __slots__ = ("code", "pc", "locals", "stack")

    def __init__(self, code, pc: int, locals: list, stack: list) -> None:
        self.code, self.pc, self.locals, self.stack = code, pc, locals, stack


def resumed_frames(rec: TraceRecorder, chain: Snapshot, rebuilt: list | None) -> list[ResumedFrame]:
    """The inlined frames of an exit's snapshot chain, outermost first, their values the bridge's inputs at the
    exit's places (Snapshot.inner_frames), each known as the object the exit rebuilds the frame with (`rebuilt`:
    runtime.resume.ResumeFrame, in the same order)."""
    frames = chain.inner_frames()
    if rebuilt is None or len(rebuilt) != len(frames):
        raise RecordAbort("a bridge inside an inlined call without the frames its exit rebuilds")
    # one value of the parent trace in several places (an argument still on the loop frame's stack, a local of
    # the loop passed on) is one input of the bridge: what the trace knew of it (its class guarded, which
    # decides how a new object it owns is released) is known of each place
    root = chain.frames()[0]
    inner_ids = {id(v) for s, _, _ in frames for v in list(s.state.values()) + list(s.stack)}
    pending = {id(v): (sv, v) for sv, v in root.state.items()
               if sv.where == "fast" and isinstance(v, Var) and id(v) in inner_ids}

    def value(v, k: int, obj):
        if isinstance(v, Const):
            return v
        known = rec.exit_inputs.get(id(v))
        if known is None:
            if id(v) in pending:
                sv, _ = pending.pop(id(v))
                known = rec.new_input(sv, v.kind, _concrete(obj, v.kind))
            else:
                known = rec.new_input(StateVar("inner", k), v.kind, _concrete(obj, v.kind))
            rec.exit_inputs[id(v)] = known
        return known
    out = []
    for (s, locals_, stack_at), rf in zip(frames, rebuilt):
        if len(rf.locals) != len(locals_) or len(rf.stack) != len(stack_at):
            raise RecordAbort("a bridge inside an inlined call whose frames differ from its exit's")
        values: list = [None] * s.code.co_nlocals
        for (sv, k), (index, obj) in zip(locals_, rf.locals):
            values[index] = value(s.state[sv], k, obj)
        stack = [value(v, k, obj) for v, k, obj in zip(s.stack, stack_at, rf.stack)]
        out.append(ResumedFrame(s.code, s.pc, values, stack))
    return out


def _concrete(obj, kind: Kind):
    """An exit's boxed object as the recorder's concrete value of that kind (an int where a bool was boxed)."""
    if kind is Kind.INT:
        return int(obj)
    if kind is Kind.FLOAT:
        return float(obj)
    return obj


def call(rec: TraceRecorder, callee, func: types.FunctionType, args: list, kw_names: tuple, snap: Snapshot,
         at_call: Snapshot | None, pc: int, view: FrameView, resumable: bool = False) -> object:
    """Inline func(*args) called at `pc` of the frame being recorded (`snap`: its state before the CALL, with the
    callable and arguments on its stack; the last len(kw_names) arguments are keywords); returns the result.
    `at_call` is the same state as an exact chain of frames (None: not one an exit can rebuild).
    `callee` is the value called: a constant (a module-level function, pinned: what the trace assumes of it is
    checked at entry) or a variable holding func (guarded: see _guard_function).
    In a bridge that resumes inlined frames (TraceRecorder.resume_chain), the call of the next of them
    (`resumable`: a plain function or method call, nothing made before it) continues that frame where its
    exit stopped it, with its locals and stack, instead of starting the function."""
    resumed = None
    if rec.resume_chain:
        resumed = rec.resume_chain.pop(0)
        if not resumable or resumed.code is not func.__code__ or at_call is None or not rec.exact_callee_exits:
            raise RecordAbort("a bridge inside an inlined call it cannot resume (a constructor, an operator, "
                              "a property)" if not resumable else "a bridge inside an inlined call that differs")
    reason = refusal(rec, func, view)
    if reason:
        raise RecordAbort(reason)
    code = func.__code__
    if isinstance(callee, Const):
        if code.co_freevars:
            raise RecordAbort("call of a closure held in a constant")
        # its code and defaults as inlined here (StateLayout.inlined: checked at entry and after calls)
        seen = rec.inlined.get(id(func))
        if seen is None:
            rec.inlined[id(func)] = InlinedFunction.of(func)
        elif not seen.unchanged():
            raise RecordAbort(f"{func.__name__}'s code or defaults changed during the recording")
        defaults = func.__defaults__ or ()
        given = bind(func, args, kw_names, lambda k: constant(defaults[k]))
    else:
        given = bind(func, args, kw_names, _guard_function(rec, callee, func, snap, pc, view))
    caller = rec.frame
    frame = AbstractFrame(code, parent=at_call)
    if resumed is not None:
        given = resumed.locals
        frame.stack = list(resumed.stack)
        rec.inline_wrote = True         # exits resume this frame mid-body, as the bridge's own exit did
    frame.locals = given + [None] * (code.co_nlocals + len(code.co_freevars) - len(given))
    frame.function = callee
    frame.restart = caller.restart if caller.restart is not None else snap
    frame.call_pc = caller.call_pc if caller.restart is not None else pc
    frame.path = f"{caller.path}/{code.co_name}" if caller.path else code.co_name
    rec.frames.append(frame)
    rec.inline_depth = max(rec.inline_depth, len(rec.frames) - 1)
    try:
        if resumed is not None and code.co_freevars:
            # its cells, as its COPY_FREE_VARS (before the guard's instruction) read them from the function called
            cells = rec.emit("func_closure", [callee], rec.snapshot(resumed.pc), resumed.pc)
            for k in range(len(code.co_freevars)):
                frame.locals[code.co_nlocals + k] = rec.emit("tuple_getitem", [cells, const_int(k)], None,
                                                             resumed.pc)
        return _run(rec, frame, _CalleeView(func), resumed.pc if resumed is not None else None)
    finally:
        rec.frames.pop()                  # a call inside this one has popped its own frame (this finally)
        if len(rec.frames) == 1:
            # exits in the caller resume after the call
            rec.inline_wrote = rec.inline_wrote_heap = rec.item_writes = rec.dict_writes = False
            rec.slot_values = {}
            rec.stored_objects = {}


def _guard_function(rec: TraceRecorder, callee, func: types.FunctionType, snap: Snapshot, pc: int,
                    view: FrameView):
    """Guards that the variable `callee` holds a function with func's code, globals and builtins (any such
    function: a closure made anew for each call of its maker still matches); returns the default(k) reader for
    bind, which reads the defaults the function has when the trace runs. The trace holds the code and the
    namespaces, never the function (a function's lifetime stays the program's)."""
    rec.emit("guard_class", [callee, const_ref(types.FunctionType)], snap, pc)
    for field, expected in (("func_code", func.__code__), ("func_globals", view.globals),
                            ("func_builtins", view.builtins)):
        value = rec.emit(field, [callee], snap, pc)
        rec.emit("guard_true", [rec.emit("ref_eq", [value, const_ref(expected)], snap, pc)], snap, pc)
    defaults: list = []

    def default(k: int):
        if not defaults:        # read once, if the call needs a default: the tuple, of the length seen here
            tup = rec.emit("func_defaults", [callee], snap, pc)
            n = rec.emit("tuple_len", [tup], snap, pc)
            rec.emit("guard_true", [rec.emit("int_eq", [n, const_int(len(func.__defaults__))], snap, pc)],
                     snap, pc)
            defaults.append(tup)
        return rec.emit("tuple_getitem", [defaults[0], const_int(k)], None, pc)
    return default


class _CalleeView:
    """The recorder's FrameView for an inlined frame (which the interpreter has not made yet): names resolve
    in the function's namespaces; its locals are the frame's SSA values."""

    module_level = False

    def __init__(self, func: types.FunctionType):
        self.globals = func.__globals__
        self.builtins = func.__builtins__

    def local(self, index: int):
        raise LookupError(index)

    def stack(self, pos: int):
        raise LookupError(pos)


def _locals_let_go(rec: TraceRecorder, frame: AbstractFrame, result, pc: int, operands: list) -> None:
    """At an inlined call's return its locals let go of their objects: those the graveyard holds for them
    (attributes.write) are checked there (generic.dropped); one returned would be held by the caller's stack,
    which the trace does not check."""
    if not rec.held_by_graveyard:
        return
    if id(result) in rec.held_by_graveyard:
        raise RecordAbort("an inlined call returns an object an attribute store gave the graveyard")
    for v in frame.locals or ():
        generic.dropped(rec, v, pc, operands)


def _run(rec: TraceRecorder, frame: AbstractFrame, view: _CalleeView, start: int | None = None):
    """Record the callee from its first instruction (or `start`) to its return, taking branches by concrete
    values."""
    pc = frame.order[0] if start is None else start
    depth = len(rec.frames) - 1
    indent = "  " * depth + f"{frame.code.co_name}:"
    while True:
        instrs = frame.instrs.get(pc)
        if not instrs:
            raise RecordAbort(f"no instruction at @{pc} of {frame.code.co_name}")
        rec.count += 1
        if rec.count > rec.trace_limit:
            raise RecordAbort("trace too long")
        for ins in instrs:
            rec.recorded.append((frame.call_pc, f"{indent}{ins.line}@{pc} ", ins))
        nxt = frame.next_offset.get(pc)
        for ins in instrs:
            if ins.op in ("RETURN_VALUE", "RETURN_CONST"):
                result = rec.pop() if ins.op == "RETURN_VALUE" else constant(ins.arg)
                _locals_let_go(rec, frame, result, pc, [result] if ins.op == "RETURN_VALUE" else [])
                return result
            if ins.op == "FOR_ITER" and rec.stack and id(rec.stack[-1]) in rec.inner_iters:
                # an inner loop the trace unrolls (recorder/iterators.py): on into its body, or past its end
                going_on = unrolling(rec, iterators.inner_for_iter, ins, rec.snapshot(pc), None, view)
                nxt = nxt if going_on else ins.target
                break
            if ins.op == "JUMP" and ins.target is not None and ins.target <= ins.offset and \
                    rec.unrolls(ins.target):
                nxt = ins.target                # the unrolled inner loop's next iteration
                break
            if ins.op == "FOR_ITER" or (ins.target is not None and ins.target <= ins.offset):
                raise RecordAbort(LOOP_INLINED, ("not_inlined", rec.frames[1].code))
            if ins.op in BRANCHES:
                snap = rec.snapshot(pc)
                shape = diamonds.convert(rec, ins, snap, view)
                if shape is not None:           # both arms computed: on at the join
                    rec.record_arms(shape, lambda at, i: (frame.call_pc, f"{indent}{i.line}@{at} ", i))
                    nxt = shape.join
                elif rec.branch(ins, snap, None):
                    nxt = ins.target
                break
            if ins.op == "JUMP":
                nxt = ins.target
                break
            rec.execute(ins, view)
        if nxt is None:
            raise RecordAbort(f"{frame.code.co_name} ends without a return")
        pc = nxt
