"""The generic path: an instruction whose operands the trace does not specialize becomes a call of the C API
function the interpreter itself calls for it (ir.ops.PY_FUNCTIONS: PyNumber_Add, PyObject_RichCompare,
PyObject_GetAttr, PyObject_GetItem, PyObject_Vectorcall...), which may run any Python code.

The recorder cannot compute such a call's result (running it twice would run the program's code twice): the
interpreter runs the instruction, and the result is read from the frame's value stack at the next
instruction (`resolve`). There the recorder also emits `guard_after_call`, whose exit resumes after the
instruction with the result on the stack: the globals or builtins changed during the call (a name the trace
holds as a constant may be rebound), or a local of the frame was rebound (a debugger). Later instructions
specialize on the result as on any object (a type guard, then unboxed).

Around the call the machine code writes the frame back and makes it the thread's executing frame
(backend/pycalls.py); an exception the call raises leaves the trace at the instruction, with its operands
consumed, and the interpreter raises it there. What the recorder knew of objects' types before the call is
forgotten after it, except for immutable builtin types (an instance's __class__ may be assigned).

Only in the loop's own frame, with the hooks able to raise a call's exception where the frame resumes
(CPython 3.12+), and not in a loop that assigns globals (the call would see them as they were at entry).

May import: tracejit.ir, tracejit.cpython.bytecode, tracejit.recorder.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.cpython.bytecode import PUSH_NULL_BELOW_CALLABLE
from tracejit.ir import Const, InlinedChecks, Kind, NameBindings, Op, Var
from tracejit.ir.ops import (HEAPTYPE, OPS, PY_FUNCTIONS, PY_RAW_ARGS, PY_SLOWER_DEFAULT_NS, PY_SLOWER_NS,
                             SAFE_TYPES, calls_python)

from . import dicts
from .complexnum import VirtualComplex
from .frame import UNBOUND, RecordAbort

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracejit.ir import Snapshot

    from .recorder import FrameView, TraceRecorder

R = Kind.REF

# BINARY_OP's operator -> the PyNumber function (an in-place operator: its in-place one)
BINARY = {"+": "Add", "-": "Subtract", "*": "Multiply", "/": "TrueDivide", "//": "FloorDivide",
          "%": "Remainder", "**": "Power", "<<": "Lshift", ">>": "Rshift", "&": "And", "|": "Or", "^": "Xor",
          "@": "MatrixMultiply"}
COMPARE = {"<": 0, "<=": 1, "==": 2, "!=": 3, ">": 4, ">=": 5}      # Py_LT ... Py_GE
UNARY = {"UNARY_NEGATIVE": "PyNumber_Negative", "UNARY_INVERT": "PyNumber_Invert", "UNARY_POSITIVE": "PyNumber_Positive"}
GLOBALS_AND_CALLS = "a loop that assigns a global and makes a call that may run Python code"
SAVED_NS_PER_INSTRUCTION = 2.5     # what machine code saves per bytecode instruction (CPython 3.12's interpreter)
MARGIN = 2                          # the estimates are rough, and entries, exits, recording and compiling cost too
# a bridge also saves its guard's exit and the loop's entry again at its next back-edge, which the path takes
# without it (bench/overheads.py on 3.12: a native round trip 0.16 us; 3.11's costs more): richards' polymorphic
# scheduler loop keeps running as machine code through its bridges (whole process 0.94x -> 1.13x, the other
# realworld programs within their noise)
BRIDGE_SAVES_ROUND_TRIP_NS = 160
SYNCED_LOCAL_NS = 1                 # a sync's check of one local
WRITTEN_LOCAL_NS = 15               # ... and writing one back (boxed, the old object released)
MAX_ARGUMENTS = 9               # arguments of a generic call (the backend's array)
# compiling one op of a loop's trace (measured on 3.12: about 0.2 ms an op; its bridges and the first compile's imports not counted)
COMPILE_NS_PER_OP = 200_000
LITTLE_LEFT = "too little of its run left to pay for compiling"


def binary_function(symbol: str, inplace: bool) -> str:
    """The PyNumber function of BINARY_OP's operator `symbol` (e.g. "+=" in place)."""
    name = BINARY.get(symbol)
    if name is None:
        raise RecordAbort(f"operator {symbol}")
    return f"PyNumber_{'InPlace' if inplace else ''}{name}"


def objects(rec: TraceRecorder, values: list, snap: Snapshot, pc: int) -> list:
    """The operands of a generic call as objects: numbers boxed (new objects the trace owns)."""
    out = []
    for v in values:
        if isinstance(v, VirtualComplex):
            raise RecordAbort("a complex number as the operand of a call that may run Python code")
        out.append(dicts.as_object(rec, v, snap, pc))
    return out


def call(rec: TraceRecorder, name: str, args: list, pc: int, view: FrameView, method: bool = False,
         pushed: bool = True):
    """Record `name(args...)` (a key of PY_FUNCTIONS) for the instruction at pc, whose operands the handler has
    popped; the handler pushes the result (a new object the trace owns), which `resolve` reads at the next
    instruction. Aborts where the generic path is not available. `method`: LOAD_ATTR for a call (see resolve);
    `pushed` False: the instruction pushes nothing (a store: the result is None)."""
    assert name in PY_FUNCTIONS, name
    if not rec.generic_calls:
        raise RecordAbort("a call that may run Python code (generic calls are off, or need CPython 3.12+)")
    if len(rec.frames) > 1:
        # (the loop's frame can make it: the next recording calls the outermost inlined function instead)
        raise RecordAbort(f"a call that may run Python code inside an inlined call ({name} in "
                          f"{rec.frame.code.co_name})", ("not_inlined", rec.frames[1].code))
    if rec.pending_result is not None:
        raise RecordAbort("two calls that may run Python code in one instruction")
    if rec.writes_globals or rec.layout.writes_globals:
        raise RecordAbort(GLOBALS_AND_CALLS)
    for k, a in enumerate(args):
        raw = k >= PY_RAW_ARGS.get(name, len(args)) and isinstance(a, Const)    # an operator, a flag
        if not isinstance(a, (Var, Const)) or (a.kind is not R and not raw):
            raise RecordAbort("an unboxed operand of a call that may run Python code")
    if rec.generic_context is None:
        if type(view.globals) is not dict or type(view.builtins) is not dict:
            raise RecordAbort("a call that may run Python code with globals or builtins that are not a dict")
        rec.generic_context = (Const(view.globals, R), Const(view.builtins, R))
    g, b = rec.generic_context
    snap = rec.snapshot(pc)                 # the operands consumed: an exception is raised from here
    g_version = rec.emit("dict_version", [g], None, pc)
    b_version = rec.emit("dict_version", [b], None, pc)
    result = rec.emit("py_call", [Const(name, R)] + list(args), snap, pc)
    if pushed:
        rec.pending_result = (result, g_version, b_version, method)
    else:
        rec.concrete[id(result)] = None
        rec.pending_result = (None, g_version, b_version, False)
    # what Python code may have changed: an instance's class; what is not known until the interpreter ran it
    rec.known_class = {k: t for k, t in rec.known_class.items() if not t.__flags__ & HEAPTYPE}
    return result


def dropped(rec: TraceRecorder, value, pc: int, operands: list) -> None:
    """The interpreter drops its reference to `value` at the instruction at pc (POP_TOP: a call's result; a
    STORE_FAST: the local's old value; `operands`: what the instruction popped, for its snapshot). Where the trace
    may own the object (the result of an op that makes objects of any type, or a variable carried around the
    loop) and does not know its type, the trace's release could free it and run a __del__ in the middle of
    machine code: a guard_class where the object is of a type whose release runs no Python code
    (SAFE_TYPES), else a guard_not_last, which leaves the trace when this reference is the object's last, so
    that the interpreter frees it right here (tracejit.optimizer.refcounts releases it after the guard, and drops
    the guard where the trace does not own the object)."""
    if not isinstance(value, Var) or value.kind is not R or rec.known_class.get(id(value)) in SAFE_TYPES:
        return
    if id(value) in rec.held_by_graveyard:
        # the graveyard holds the reference this variable would (an attribute store gave it the instance's): it
        # must not be the last one, else the interpreter lets go of the object here, as it would without the JIT
        rec.emit("guard_not_last_held", [value], rec.snapshot_with(pc, operands), pc)
        return
    if id(value) not in rec.made_any and id(value) not in rec.input_ids:
        return
    t = type(rec.conc(value))
    snap = rec.snapshot_with(pc, operands)
    if t in SAFE_TYPES:
        rec.emit("guard_class", [value, Const(t, R)], snap, pc)
        return
    rec.emit("guard_not_last", [value], snap, pc)
    if not operands or operands[0] is not value or value in rec.pending_values or _held(rec, value):
        return
    # popped, and no variable or stack item of the frames being recorded holds it: the recorder lets go of the
    # object too, so that, as in the interpreter, it dies at this POP_TOP (its __del__ runs there) also in the
    # iteration being recorded (a later use of its concrete value aborts the recording)
    rec.concrete[id(value)] = UNBOUND


def _held(rec: TraceRecorder, value) -> bool:
    """Whether a variable or stack item of the frames being recorded is the value `value`."""
    if any(v is value for v in rec.state.values()):
        return True
    return any(v is value for frame in rec.frames for v in (*frame.stack, *(frame.locals or ())))


def resolve(rec: TraceRecorder, pc: int, view: FrameView) -> None:
    """At the instruction after a generic call: its result as the interpreter left it on the stack, and the
    guard that nothing the trace assumed changed during the call (exit: here, the result on the stack)."""
    result, g_version, b_version, method = rec.pending_result
    rec.pending_result = None
    if result is None:                  # a store
        return _guard(rec, pc, g_version, b_version)
    pos = rec.stack_position(result)
    if pos is None:
        raise RecordAbort("the result of a call that may run Python code left the stack")
    if method:
        rec.concrete[id(result)] = _bound(view, pos)
        rec.unchecked_top = True
        return _guard(rec, pc, g_version, b_version)
    try:
        rec.concrete[id(result)] = view.stack(pos)
    except LookupError:
        raise RecordAbort("the result of a call that may run Python code is missing") from None
    _guard(rec, pc, g_version, b_version)


def _bound(view: FrameView, pos: int):
    """LOAD_ATTR for a call, generic: the trace makes the attribute (a bound method) and pushes it with the NULL
    beside it, where the interpreter pushed either that pair or the method's function and its self
    ([meth, self]; CALL takes both forms). The attribute, as the interpreter's pair gives it: a function's
    (or a C method descriptor's) __get__ binds it, in C."""
    first, second = (pos - 1, pos) if PUSH_NULL_BELOW_CALLABLE else (pos, pos + 1)
    items = []
    for k in (first, second):
        try:
            items.append(view.stack(k))
        except LookupError:
            items.append(None)
    if PUSH_NULL_BELOW_CALLABLE:
        meth_or_null, value = items
        if meth_or_null is None:
            return value
        return meth_or_null.__get__(value, type(value))
    value, self_or_null = items
    if self_or_null is None:
        return value
    return value.__get__(self_or_null, type(self_or_null))


def _guard(rec: TraceRecorder, pc: int, g_version, b_version) -> None:
    (g, g_names), (b, b_names) = namespaces(rec, modules=False)
    # (the functions the trace inlines are added when it is finished: recheck_after_calls)
    rec.emit("guard_after_call", [g, g_version, g_names, b, b_version, b_names, Const(InlinedChecks(), R)],
             rec.snapshot(pc), pc)


def holds_globals(rec: TraceRecorder) -> bool:
    """Whether the loop keeps a global as a variable (read at entry, carried in a register)."""
    return any(getattr(sv, "where", None) == "global" for sv in
               (*rec.state, *(sv for sv, _ in rec.inputs), *rec.layout.kinds, *rec.layout.slots))


_UNBOUND = object()


def namespaces(rec: TraceRecorder, modules: bool = True) -> list[tuple[Const, Const]]:
    """(dict, names) for each namespace whose names the trace holds as constants (its pins and its loop's): the
    frame's globals and builtins, and with `modules` each module one of whose attributes it pinned. `names` (a
    constant for guard_after_call): ((name, object, bound), ...), `bound` False where the name must stay unbound
    (a builtin that no global may shadow); None for the globals and builtins of a loop that keeps a global as a
    variable: any change to them leaves the trace (its value in the register would be stale)."""
    g, b = rec.generic_context
    if g.value is b.value:
        raise RecordAbort("the frame's globals are its builtins")
    whole = holds_globals(rec)
    found: dict[int, tuple[Const, dict]] = {id(g.value): (g, {}), id(b.value): (b, {})}
    pins = [*rec.pins, *((p.name, p.expected, p.owner) for p in rec.layout.pins)]
    for name, obj, owner in pins:
        if owner is None:
            if g.value.get(name, _UNBOUND) is obj:
                found[id(g.value)][1][name] = (name, obj, True)
            else:
                found[id(g.value)][1].setdefault(name, (name, None, False))
                found[id(b.value)][1][name] = (name, obj, True)
        elif modules:
            d = owner.__dict__
            found.setdefault(id(d), (Const(d, R), {}))[1][name] = (name, obj, True)
    out = []
    for d, names in found.values():
        free = not whole or (d is not g and d is not b)
        out.append((d, Const(NameBindings(names.values()) if free else None, R)))
    return out


def recheck_after_calls(rec: TraceRecorder, ops: list) -> list:
    """The finished trace's ops with, at each call that may run Python code, the checks that what the whole
    trace assumed is still so afterwards, all in its guard_after_call (whose exit grows no bridge): the names it
    holds as constants in each namespace (the version of each namespace dict read before the call, and where it
    changed the names looked up) and the code, defaults and keyword defaults of each function it or its loop
    inlined (a call may replace them: `f.__defaults__ = ...`)."""
    if not calls_python(ops):
        return ops
    dicts = namespaces(rec)
    # what each function had when inlined (this trace's, then the loop's: a bridge jumps into its code)
    inlined = {id(f.function): f for f in [*rec.layout.inlined.values(), *rec.inlined.values()]}
    functions = Const(InlinedChecks(inlined.values()), R)
    out, versions = [], []
    for op in ops:
        if op.name == "py_call":
            versions = []
            for d, names in dicts[2:]:
                v = rec.vars.new(Kind.INT)
                out.append(Op("dict_version", [d], v, None, op.pc, frame=op.frame))
                versions += [d, v, names]
        elif op.name == "guard_after_call":
            g, g_version, _, b, b_version, _, _ = op.args
            (_, g_names), (_, b_names) = dicts[:2]
            op = Op(op.name, [g, g_version, g_names, b, b_version, b_names] + versions + [functions], None,
                    op.snapshot, op.pc, frame=op.frame)
        out.append(op)
    return out


def slower_ns(ops: list, synced_locals: int, written_locals: int) -> float:
    """How much longer than the interpreter the trace's calls and attribute reads take (ns per pass), with
    `synced_locals` locals written back around each call, `written_locals` of them changed on each pass."""
    total = 0.0
    for op in ops:
        if op.name == "py_call":
            total += PY_SLOWER_NS.get(op.args[0].value, PY_SLOWER_DEFAULT_NS) + \
                SYNCED_LOCAL_NS * synced_locals + WRITTEN_LOCAL_NS * written_locals
        else:
            total += OPS[op.name].slower_ns
    return total


def pays_back(rec: TraceRecorder) -> None:
    """Abort a recording of a loop whose run, the first the JIT counted, has too few iterations left
    (`rec.left`) for its machine code to save what compiling the trace costs: the loop waits for a later run
    (Engine._first_run_left; a list comprehension run once at start-up never compiles)."""
    # (an op faster than the interpreter's way to the same result by more than its instructions say, a negative
    # slower_ns: a random number drawn without randrange's Python code, counts what it saves too)
    per_pass = SAVED_NS_PER_INSTRUCTION * len(rec.recorded) - sum(min(OPS[op.name].slower_ns, 0) for op in rec.ops)
    if per_pass * rec.left < COMPILE_NS_PER_OP * len(rec.ops):
        # (how many would: a later wait of the loop's then decides without recording it again)
        rec.pays_back_from = int(COMPILE_NS_PER_OP * len(rec.ops) / per_pass) + 1
        raise RecordAbort(LITTLE_LEFT)


def worth_compiling(rec: TraceRecorder) -> None:
    """Abort a recording whose machine code would be slower than the interpreter: the time its calls and
    attribute reads lose against the interpreter's specialized instructions is more than what running the
    recorded instructions as machine code saves (by MARGIN), for a bridge the exit and entry it saves too.
    Its loop then runs at the interpreter's speed (a bridge's path: through its guard's exit)."""
    inputs = dict(rec.inputs)
    fast = [sv for sv in rec.state if sv.where == "fast"]
    lost = slower_ns(rec.ops, len(fast), sum(1 for sv in fast if rec.state[sv] is not inputs.get(sv)))
    if not lost:
        return
    saved = SAVED_NS_PER_INSTRUCTION * len(rec.recorded)
    if rec.bridge is not None:
        saved += BRIDGE_SAVES_ROUND_TRIP_NS
    if lost * MARGIN > saved:
        # final, within the margin too: over the 32 realworld programs no loop so judged ever compiled later, and
        # the second recordings it took then (10 of them, 1-5 ms each: the same path, the same verdict) were lost
        raise RecordAbort(f"slower than the interpreter: its calls and attribute reads would lose {lost:.0f} ns "
                          f"per pass, machine code would save {saved:.0f} ns", final=True)
