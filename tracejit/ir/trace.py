"""Trace IR data: SSA values, ops, snapshots, the state layout shared with the machine code, and whole traces.

A loop trace is `label(inputs...)`, a straight-line body of ops (guards leave the trace), and `jump(args...)`
whose args become the label's inputs for the next iteration. A bridge trace starts at a guard of a loop,
reads its inputs from the state buffer and ends in `jump(args...)`, whose args are stored to the state
variables named by `Trace.jump_vars` before control re-enters the loop.

Machine code and runtime exchange values through one buffer of 64-bit slots per compiled loop (the
*state buffer*): slot 0 is the run budget, the next STACK_SLOTS slots hold value-stack items of an exit,
then come the state variables (fast locals, globals, range-iterator fields) at slots fixed by the loop's
StateLayout, and the last INNER_SLOTS slots hold the locals and value stacks of the inlined frames an exit
inside an inlined call rebuilds (Snapshot.exit_entries); the RELEASE_SLOTS before them, new objects an exit
owns that no frame holds (Snapshot.extra, released by the runtime). Doubles are stored by their bit pattern.

May import: tracejit.ir.ops, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import itertools
import struct
import types
from tracejit.plaindata import dataclass, field, memoized

from tracejit.fastwords import BUDGET_SLOT  # noqa: F401 - re-exported (tracejit.ir)

from .ops import OPS, Kind

STACK_BASE = 1
STACK_SLOTS = 32
STATE_BASE = STACK_BASE + STACK_SLOTS
MAX_SLOTS = 512
INNER_SLOTS = 64                        # values of the inlined frames one exit rebuilds (locals and stacks)
INNER_BASE = MAX_SLOTS - INNER_SLOTS
RELEASE_SLOTS = 8                       # new objects an exit owns that no frame holds (Snapshot.extra)
RELEASE_BASE = INNER_BASE - RELEASE_SLOTS

# A loop with calls that may run Python code (ops.runs_python) has a *frame sync area* beside its state buffer
# (int64 words), written by the runtime at entry and by the machine code around each such call
# (tracejit.backend.pycalls): the running frame, where the thread keeps its executing frame, the exception a
# call raised, and per state slot the bits the frame's local was last written from.
SYNC_IFRAME = 0                 # the loop's _PyInterpreterFrame*
SYNC_CELL = 1                   # the address of the thread's current-frame word
SYNC_SAVED = 2                  # the current frame the call replaced (restored after it)
SYNC_EXCEPTION = 3              # the exception a call raised (a reference the runtime takes), else 0
SYNC_RECURSION = 4              # the address of the thread's Python-frames-left counter (an int)
SYNC_HIDDEN = 5                 # the JIT's own Python frames between the loop's frame and the machine code
SYNC_CHANGED = 6                # 1: something rebound a local of the frame during the last call
SYNC_RESULT = 7                 # the last call's result (scratch)
SYNC_TRACING = 8                # the address of the thread's tracing counter (an int; our callback raised it)
SYNC_MONITORING = 9             # the address of the interpreter's instrumentation version (a tool or tracer set)
SYNC_MONITORING_SEEN = 10       # its value before the last call (scratch)
SYNC_SHADOW = 16                # + state slot: the bits the frame's object was last made from
MAX_SYNCED = 64                 # locals one sync writes back, at most
SYNC_OLD = SYNC_SHADOW + MAX_SLOTS          # + k: the object a sync replaced in the k-th local (scratch)
SYNC_NEW = SYNC_OLD + MAX_SYNCED            # + k: the object the k-th local holds after the sync
SYNC_VALID = SYNC_NEW + MAX_SYNCED          # + state slot: 1 if the shadow bits made the frame's object
SYNC_WORDS = SYNC_VALID + MAX_SLOTS

# The fast entries of the back-edge stub, and its data slots: tracejit/fastwords.py (importable at start-up).


class Var:
    """An SSA value produced by one op or loaded as a trace input. Compared by identity."""

    __slots__ = ("id", "kind")

    def __init__(self, id: int, kind: Kind):
        self.id = id
        self.kind = kind

    def __repr__(self) -> str:
        return f"{self.kind.value}{self.id}"


@dataclass(frozen=True, eq=False)
class Const:
    """A constant. Equal only to a constant of the same kind and bit pattern (so 0.0 != -0.0, nan == nan)."""
    value: int | float | bool
    kind: Kind

    def key(self) -> tuple:
        if self.kind is Kind.FLOAT:
            return (self.kind, struct.pack("<d", self.value))
        if self.kind is Kind.REF:
            return (self.kind, id(self.value))
        return (self.kind, int(self.value))

    def __eq__(self, other) -> bool:
        return isinstance(other, Const) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        if self.kind is Kind.FLOAT:
            return f"{self.value!r}"
        if self.kind is Kind.BOOL:
            return "True" if self.value else "False"
        if self.kind is Kind.REF:
            return ref_name(self.value)
        return str(self.value)


Value = Var | Const


def const_int(v: int) -> Const:
    return Const(int(v), Kind.INT)


def const_float(v: float) -> Const:
    return Const(float(v), Kind.FLOAT)


def const_bool(v: bool) -> Const:
    return Const(bool(v), Kind.BOOL)


class _Null:
    """The NULL that CPython pushes beside a callable (value-stack slot with no object)."""

    def __repr__(self) -> str:
        return "NULL"


NULL = _Null()


def const_null() -> Const:
    return Const(NULL, Kind.REF)


def const_ref(obj) -> Const:
    """A constant object (a type, a builtin function, True/False/None): the trace keeps it alive."""
    return Const(obj, Kind.REF)


class NameBindings(tuple):
    """guard_after_call's names of one dict: ((name, object, bound), ...), each name bound to the object the trace
    holds, or (`bound` False) unbound there. Written names(f, len, !abs): `!`, must stay unbound."""
    __slots__ = ()

    def text(self) -> str:
        return "names(" + ", ".join(name if bound else f"!{name}" for name, _, bound in self) + ")"


class InlinedChecks(tuple):
    """guard_after_call's last argument: the InlinedFunction records of the functions the trace and its loop
    inline, whose code and defaults a call may have replaced. Written functions(f, g)."""
    __slots__ = ()

    def text(self) -> str:
        return "functions(" + ", ".join(getattr(f.function, "__name__", "?") for f in self) + ")"


def ref_name(obj) -> str:
    """How a constant object is written in the text form: <float>, <len>, <True>, 'name' ..."""
    if obj is NULL:
        return "NULL"
    if type(obj) in (NameBindings, InlinedChecks):
        return obj.text()
    if isinstance(obj, type):
        return f"<{obj.__name__}>"
    if obj is None or obj is True or obj is False:
        return f"<{obj}>"
    if type(obj) is str and len(obj) <= 40:
        return repr(obj)                # a name (py_call's function, an attribute's), a separator, a piece
    if type(obj) in _NAMED_TYPES:       # exact types: their __name__ is data, so no program code runs here
        return f"<{obj.__name__}>"
    return f"<{type(obj).__name__} object>"


_NAMED_TYPES = frozenset({types.FunctionType, types.BuiltinFunctionType, types.ModuleType, types.WrapperDescriptorType,
                          types.MethodDescriptorType})


@dataclass(frozen=True)
class StateVar:
    """A place in the interpreter's state that a trace reads or writes.

    where: 'fast' (key = fast-local slot index), 'global' (key = name in the module dict),
    'iter' (key = (stack depth, field) with field in next/step/remaining: a range iterator's state),
    'complex' (key = (where, key, 'real' or 'imag')): one part of a local or global that holds a complex
    number, kept as two FLOAT variables and written back as one complex object,
    'stack' (key = position above the loop's base stack depth; only used for exits and bridge inputs),
    'base' (key = position below the loop's base stack depth: an object on the value stack at the loop's
    header, e.g. a comprehension's list; read at entry, never written),
    'inner' (key = an exit's own place for a value of an inlined frame it rebuilds: Snapshot.inner_frames;
    a bridge from such an exit reads its inputs there),
    'release' (key = an exit's place for a new object it only releases).
    """
    where: str
    key: int | str | tuple
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # (dict keys everywhere: the recorder's state, layouts, snapshots; hashed once, not at every lookup)
        object.__setattr__(self, "_hash", hash((self.where, self.key)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def exit_place(self) -> bool:
        """A place only exits store and bridges read (a value stack item, an inlined frame's value), not one of
        the loop's state variables."""
        return self.where in ("stack", "inner", "release")

    def __str__(self) -> str:
        if self.where == "fast":
            return self.name or f"fast[{self.key}]"
        if self.where == "global":
            return f"g:{self.key}"
        if self.where == "iter":
            return f"it{self.key[0]}.{self.key[1]}"
        if self.where == "complex":
            return self.name or f"{self.key[0]}[{self.key[1]}].{self.key[2]}"
        if self.where == "base":
            return f"base[{self.key}]"
        if self.where == "inner":
            return f"inner[{self.key}]"
        if self.where == "release":
            return f"release[{self.key}]"
        return f"stack[{self.key}]"


def snapshot_vars(snap: Snapshot, memo: dict) -> list[Var]:
    """The variables a snapshot chain needs (Snapshot.values()), made once per snapshot: the guards of one
    instruction, or of one inlined call before it writes, share theirs."""
    found = memo.get(id(snap))
    if found is None:
        found = memo[id(snap)] = [v for v in snap.values() if isinstance(v, Var)]
    return found


@memoized
def stack_var(pos: int) -> StateVar:
    """The place of value-stack item `pos` (one record per position: snapshots ask for them at every exit)."""
    return StateVar("stack", pos)


@memoized
def inner_var(k: int) -> StateVar:
    """An exit's place k for the values of the inlined frames it rebuilds (one record per place, as stack_var)."""
    return StateVar("inner", k)


@memoized
def release_var(k: int) -> StateVar:
    """An exit's place k for an object it stores only to be released (one record per place, as stack_var)."""
    return StateVar("release", k)


@dataclass(frozen=True, eq=False)
class Pin:
    """A name the trace treats as a constant: `name` resolves to `expected` when the loop is entered (in the
    frame's globals, then its builtins, when `owner` is None; else in the module `owner`'s namespace). The
    runtime checks every pin at entry; the machine code rebinds no names, and after a call that may run Python
    code guard_after_call looks them up again where their namespace changed (recorder.generic.namespaces)."""
    name: str
    expected: object
    owner: object = None


@dataclass(frozen=True, eq=False)
class InlinedFunction:
    """A Python function a trace inlines, with what the trace assumed of it: the runtime checks at every entry
    that it still has this code and these defaults (by identity; the machine code cannot change them)."""
    function: object
    code: object
    defaults: object
    kwdefaults: object

    @classmethod
    def of(cls, func) -> InlinedFunction:
        return cls(func, func.__code__, func.__defaults__, func.__kwdefaults__)

    def unchanged(self) -> bool:
        """Whether the function still has what the trace assumed."""
        f = self.function
        return self._assumes(f.__code__, f.__defaults__, f.__kwdefaults__)

    def same_as(self, other: InlinedFunction) -> bool:
        """Whether `other` (the same function, seen at another time) assumed the same."""
        return self._assumes(other.code, other.defaults, other.kwdefaults)

    def _assumes(self, code, defaults, kwdefaults) -> bool:
        return code is self.code and defaults is self.defaults and kwdefaults is self.kwdefaults


@dataclass
class StateLayout:
    """Slot numbers and kinds of a compiled loop's state variables (grows when bridges add variables), and
    the names it pins to constants, the functions its traces inline and `inline_depth`, the most Python frames
    they inline at once (an entry needs that much room under the recursion limit, as the calls would in the
    interpreter)."""
    slots: dict[StateVar, int] = field(default_factory=dict)
    kinds: dict[StateVar, Kind] = field(default_factory=dict)
    pins: list[Pin] = field(default_factory=list)
    inlined: dict[int, InlinedFunction] = field(default_factory=dict)     # id(function) -> what was assumed
    inline_depth: int = 0
    owned: set[StateVar] = field(default_factory=set)      # variables whose object the loop owns (refcounts)
    calls_python: bool = False      # a trace of the loop calls what may run Python code (ops.runs_python)
    writes_globals: bool = False    # a trace of the loop assigns a global (a call's sync writes back no global)
    # a bridge of the loop leaves a new object in a variable no sync writes back (a fresh iterator's sequence),
    # which the graveyard keeps until the run ends (optimizer.refcounts: no call that may run Python code, which
    # empties the graveyard, may join it)
    graveyard_keeps: bool = False
    # a trace of the loop makes SHARED attribute stores (ir.ops.OLD_VALUE_STORES), whose checks count the old
    # object's references; a trace of the loop may leave an object of any type in the graveyard (a deferred
    # release, a HELD store). Never both: the graveyard's reference would pass such a check
    # (optimizer.refcounts.check_shared_stores)
    shared_stores: bool = False
    graveyard_any: bool = False

    def checkpoint(self) -> tuple:
        """What a bridge's recording and compile may add to its loop's layout (variables, pins, functions,
        owned variables, flags), for `restore` after its compile fails: machine code and the round trip
        (runtime/native_entry.py) keep serving the layout they were made for."""
        return (dict(self.slots), dict(self.kinds), list(self.pins), dict(self.inlined), self.inline_depth,
                set(self.owned), self.calls_python, self.writes_globals, self.graveyard_keeps, self.shared_stores,
                self.graveyard_any)

    def restore(self, saved: tuple) -> None:
        """Back to a checkpoint (in place: the loop's other parts hold these dicts)."""
        slots, kinds, pins, inlined, self.inline_depth, owned, self.calls_python, self.writes_globals, \
            self.graveyard_keeps, self.shared_stores, self.graveyard_any = saved
        for mine, theirs in ((self.slots, slots), (self.kinds, kinds), (self.inlined, inlined)):
            mine.clear()
            mine.update(theirs)
        self.pins[:] = pins
        self.owned.clear()
        self.owned.update(owned)

    def pin(self, name: str, expected, owner=None) -> None:
        for p in self.pins:
            if p.name == name and p.owner is owner:
                if p.expected is not expected:
                    raise ValueError(f"{name} pinned to two objects")
                return
        self.pins.append(Pin(name, expected, owner))

    def inline(self, functions: list[InlinedFunction], depth: int) -> None:
        """Record the functions a trace inlines, as it inlined them. A bridge fails if a function its loop
        inlined has changed since (it would jump into code that assumes the old one) or if it inlined a
        function of the loop's as another version."""
        for known in self.inlined.values():
            if not known.unchanged():
                raise ValueError(f"{known.function.__name__} changed since the loop inlined it")
        for f in functions:
            known = self.inlined.get(id(f.function))
            if known is None:
                self.inlined[id(f.function)] = f
            elif not known.same_as(f):
                raise ValueError(f"{f.function.__name__} changed since the loop inlined it")
        self.inline_depth = max(self.inline_depth, depth)

    def slot(self, sv: StateVar) -> int:
        if sv.where == "stack":
            if sv.key >= STACK_SLOTS:
                raise ValueError("value stack too deep for an exit")
            return STACK_BASE + sv.key
        if sv.where == "inner":
            if sv.key >= INNER_SLOTS:
                raise ValueError("inlined frames too large for an exit")
            return INNER_BASE + sv.key
        if sv.where == "release":
            if sv.key >= RELEASE_SLOTS:
                raise ValueError("too many new objects alive at an exit")
            return RELEASE_BASE + sv.key
        return self.slots[sv]

    def add(self, sv: StateVar, kind: Kind) -> int:
        if sv.where == "stack":
            return self.slot(sv)
        if sv in self.slots:
            if self.kinds[sv] is not kind:
                raise ValueError(f"{sv} is {self.kinds[sv]} in the loop but {kind} here")
            return self.slots[sv]
        n = STATE_BASE + len(self.slots)
        if n >= RELEASE_BASE:
            raise ValueError("too many state variables")
        self.slots[sv] = n
        self.kinds[sv] = kind
        return n

    def extend(self, pairs: list[tuple[StateVar, Kind]]) -> None:
        """add() every (variable, kind), all or nothing: raises ValueError, with the layout unchanged, if any
        of them conflicts (a bridge that fails to compile must not leave part of its variables behind, e.g.
        two of a range iterator's three fields)."""
        new = {sv for sv, _ in pairs if sv.where != "stack" and sv not in self.slots}
        if STATE_BASE + len(self.slots) + len(new) > RELEASE_BASE:
            raise ValueError("too many state variables")
        kinds = dict(self.kinds)
        for sv, kind in pairs:
            if sv.where != "stack" and kinds.setdefault(sv, kind) is not kind:
                raise ValueError(f"{sv} is {kinds[sv]} in the loop but {kind} here")
        for sv, kind in pairs:
            self.add(sv, kind)

    @property
    def nslots(self) -> int:
        return STATE_BASE + len(self.slots)

    def variables(self) -> list[StateVar]:
        return list(self.slots)


@dataclass(eq=False)
class Snapshot:
    """The state of one interpreter frame to rebuild when a guard fails, linked to the snapshot of the frame
    that called it (`parent`): a chain of frame states, innermost first, in the manner of PyPy's resume data
    (`rpython/jit/metainterp/resume.py`) and LuaJIT's snapshot frame links. Guards recorded inside one call
    share the parent snapshots of their callers; guards recorded at one instruction share the whole chain.
    A snapshot is plain data: which exit a guard takes is the guard's own record (`Op.exit_id`).

    pc: the bytecode offset the frame resumes at.
    state: value of every state variable the trace tracks at this point (the loop's frame: fast locals,
    globals, iterator fields).
    stack: values pushed above the loop's base stack depth (bottom first).
    complex_at: positions in `stack` where a complex number the trace never allocated sits: stack[j] is
    its real part and stack[j + 1] its imaginary part (one item of the interpreter's stack, two here).
    popped: how many of the loop's base stack items (iterators of enclosing loops that ended in a bridge)
    are gone here: `stack` starts at base depth - popped.
    code: the frame's code object (None: the loop's own code).
    parent: the calling frame's snapshot, stopped at its call (None: the loop's own frame, the root).
    extra: new objects the exit owns that no frame holds (an int boxed for a call the guard follows): stored
    at StateVar("release", k) only to be released (tracejit.optimizer.refcounts gives them).
    tuples_at: (position, n) for each tuple the trace never allocated on the loop's frame's stack (`G[x, y]`'s
    index, passed on to an inlined __getitem__): stack[position:position + n] are its items (one item of the
    interpreter's stack, n here); the exit makes the tuple.
    """
    pc: int
    state: dict[StateVar, Value]
    stack: list[Value]
    complex_at: tuple[int, ...] = ()
    popped: int = 0
    code: object = None
    parent: Snapshot | None = None
    extra: tuple = ()
    tuples_at: tuple = ()

    def entries(self) -> list[tuple[StateVar, Value]]:
        """(place, value) pairs of this frame the exit stores into the state buffer, state variables first."""
        return list(self.state.items()) + [(stack_var(i), v) for i, v in enumerate(self.stack)]

    def exit_entries(self) -> list[tuple[StateVar, Value]]:
        """(place, value) pairs an exit stores for the whole chain: the root frame's entries(), then each inlined
        frame's locals and stack items at their places StateVar("inner", k) (inner_frames)."""
        out = self.frames()[0].entries()
        for s, locals_, stack_at in self.inner_frames():
            out += [(inner_var(k), s.state[sv]) for sv, k in locals_]
            out += [(inner_var(k), v) for k, v in zip(stack_at, s.stack)]
        return out + [(release_var(k), v) for k, v in enumerate(self.extra)]

    def inner_frames(self) -> list[tuple[Snapshot, list[tuple[StateVar, int]], list[int]]]:
        """The inlined frames of the chain, outermost first, each with [(local, k)] and [k] of its stack items:
        the exit's own places for their values (StateVar("inner", k)), numbered in this order, which the exit
        stores (exit_entries) and the runtime reads back (ExitInfo.inner)."""
        out, k = [], 0
        for s in self.frames()[1:]:
            locals_ = [(sv, k + j) for j, sv in enumerate(s.state)]
            k += len(locals_)
            out.append((s, locals_, list(range(k, k + len(s.stack)))))
            k += len(s.stack)
        return out

    def frames(self) -> list[Snapshot]:
        """The chain from the root frame (the loop's) to this one, outermost first."""
        if self.parent is None:
            return [self]
        chain, s = [], self
        while s is not None:
            chain.append(s)
            s = s.parent
        return chain[::-1]

    def values(self) -> list[Value]:
        """Every value the chain's frames need, the parents' included, and the exit's extra objects (what keeps
        a value alive)."""
        return [v for s in self.frames() for _, v in s.entries()] + list(self.extra)

    def holds(self, value) -> bool:
        """Whether `value` (the object itself) is one of the chain's values (what values() lists)."""
        s = self
        while s is not None:
            if any(v is value for v in s.state.values()) or any(v is value for v in s.stack) or \
                    any(v is value for v in s.extra):
                return True
            s = s.parent
        return False

    def map(self, fn, parents: dict[int, Snapshot] | None = None) -> Snapshot:
        """A copy with fn(value) for each value, parents included; `parents` (id -> copy) keeps shared parent
        snapshots shared in the copies."""
        parent = self.parent
        if parent is not None:
            if parents is None:
                parents = {}
            if id(parent) not in parents:
                parents[id(parent)] = parent.map(fn, parents)
            parent = parents[id(parent)]
        return Snapshot(self.pc, {sv: fn(v) for sv, v in self.state.items()}, [fn(v) for v in self.stack],
                        self.complex_at, self.popped, self.code, parent, tuple(fn(v) for v in self.extra),
                        self.tuples_at)


@dataclass(eq=False)
class Op:
    """One IR instruction: its op, arguments, result and (a guard) snapshot."""
    name: str
    args: list[Value]
    result: Var | None = None
    snapshot: Snapshot | None = None
    pc: int = -1               # bytecode offset the op was recorded from (-1: none)
    exit_id: int = -1          # a guard: the exit number its machine code returns (given by the runtime)
    frame: str = ""            # recorded inside inlined calls: their functions, outermost first ("f/g")
    owned: tuple = ()          # a guard: the new objects alive at it, which its exit owns (optimizer.refcounts)

    @property
    def opdef(self):
        return OPS[self.name]

    def is_guard(self) -> bool:
        return OPS[self.name].guard


@dataclass(eq=False)
class Trace:
    """A linear trace: a loop (label ... jump back) or a bridge (inputs ... jump into its loop)."""
    kind: str                               # 'loop' or 'bridge'
    name: str                               # e.g. 'f@24' (code name @ header offset)
    filename: str
    header_pc: int                          # loop header offset (resume point of the budget exit)
    base_depth: int                         # value-stack depth at the loop header
    inputs: list[tuple[StateVar, Var]]      # loaded from the state buffer when the trace starts
    ops: list[Op]
    layout: StateLayout
    jump_vars: list[StateVar] = field(default_factory=list)   # bridge: where jump args are stored
    start_pc: int = -1                      # bridge: offset where it starts (its guard's resume pc)
    lines: dict[int, int] = field(default_factory=dict)       # bytecode offset -> source line
    recorded: list[tuple[int, str]] = field(default_factory=list)   # the instructions recorded, in order:
                                                                    # (offset, text)
    preamble: int = 0          # loop: ops[1:preamble + 1] run once per entry, the back-edge jumps past them
                               # (optimizer.passes.hoist_loop_invariants)
    class_names: dict[int, str] = field(default_factory=dict)  # guard_version's tags -> the classes' names (report)
    # loop: for the `next` state variable of each range iterator, the least value its run took when recorded (the
    # first or the last): optimizer.passes.remove_negative_index_checks checks that bound once per entry where the
    # recorded run would have passed that check (its checks hold whatever the runs are)
    run_least: dict = field(default_factory=dict)

    def new_vars(self) -> VarFactory:
        """Fresh variables for a pass that adds values: numbered after every input and result of the trace."""
        ids = [v.id for _, v in self.inputs] + [op.result.id for op in self.ops if op.result is not None]
        return VarFactory(max(ids, default=0) + 1)

    def guards(self) -> list[Op]:
        return [op for op in self.ops if op.snapshot is not None]


class VarFactory:
    """Hands out fresh SSA variables with increasing numbers."""

    def __init__(self, start: int = 0):
        self._ids = itertools.count(start)

    def new(self, kind: Kind) -> Var:
        return Var(next(self._ids), kind)


# ----------------------------------------------------------------------------------------------------------
# verification


class IRError(Exception):
    pass


def verify(trace: Trace) -> None:
    """Check SSA form, kinds against the op table, label/jump shape and snapshots. Raises IRError. (It runs at
    every compile: the messages are made only for an error, and a snapshot frame that guards share is checked
    once, as what is defined only grows.)"""
    defined: set[int] = set()
    for _, v in trace.inputs:
        defined.add(id(v))

    def undefined(values) -> Value | None:
        for v in values:
            if type(v) is Var and id(v) not in defined:
                return v
        return None

    ops = trace.ops
    if not ops or ops[-1].name != "jump":
        raise IRError("trace must end with jump")
    if trace.kind == "loop":
        if ops[0].name != "label":
            raise IRError("loop trace must start with label")
        if not all(OPS[op.name].invariant_kind for op in ops[1:trace.preamble + 1]) or \
                (trace.preamble and ops[trace.preamble + 1].name != "guard_budget"):
            raise IRError("a loop preamble holds ops that may be hoisted only, then guard_budget")
        label = ops[0]
        if [id(v) for v in label.args] != [id(v) for _, v in trace.inputs]:
            raise IRError("label args must be the trace inputs")
        if len(ops[-1].args) != len(label.args):
            raise IRError("jump and label differ in arity")
        for a, b in zip(ops[-1].args, label.args):
            if a.kind is not b.kind:
                raise IRError(f"jump arg {a!r} has kind {a.kind} but label arg {b!r} has {b.kind}")
    else:
        if len(ops[-1].args) != len(trace.jump_vars):
            raise IRError("bridge jump args and jump_vars differ")
        for a, sv in zip(ops[-1].args, trace.jump_vars):
            if trace.layout.kinds.get(sv) is not a.kind:
                raise IRError(f"bridge jump stores {a!r} into {sv} of kind {trace.layout.kinds.get(sv)}")
    checked: set[int] = set()           # snapshot frames whose values were all defined where they were checked
    last = len(ops) - 1
    for n, op in enumerate(ops):
        d = OPS.get(op.name)
        if d is None:
            raise IRError(f"op {n} {op.name}: unknown op")
        if op.name == "label" and n != 0:
            raise IRError(f"op {n} {op.name}: label must be first")
        if op.name == "jump" and n != last:
            raise IRError(f"op {n} {op.name}: jump must be last")
        if not d.variadic:
            if len(op.args) != d.arity:
                raise IRError(f"op {n} {op.name}: expected {d.arity} args")
            for a, k in zip(op.args, d.args):
                if a.kind is not k:
                    raise IRError(f"op {n} {op.name}: arg {a!r} should be {k}")
            if any(not isinstance(op.args[k], Const) for k in d.const_args):
                raise IRError(f"op {n} {op.name}: args {d.const_args} must be constants")
        if op.name != "label":
            bad = undefined(op.args)
            if bad is not None:
                raise IRError(f"op {n} {op.name}: {bad!r} used before definition")
        if d.guard:
            if op.snapshot is None:
                raise IRError(f"op {n} {op.name}: guard without snapshot")
            for frame in op.snapshot.frames():
                if id(frame) in checked:
                    continue
                if undefined(frame.state.values()) is not None or undefined(frame.stack) is not None:
                    sv, v = next((sv, v) for sv, v in frame.entries() if type(v) is Var and id(v) not in defined)
                    raise IRError(f"op {n} {op.name} snapshot {sv}: {v!r} used before definition")
                checked.add(id(frame))
        if d.result is Kind.VOID:
            if op.result is not None:
                raise IRError(f"op {n} {op.name}: void op with result")
        else:
            if op.result is None or op.result.kind is not d.result:
                raise IRError(f"op {n} {op.name}: result must be a {d.result} var")
            if id(op.result) in defined:
                raise IRError(f"op {n} {op.name}: {op.result!r} defined twice")
            defined.add(id(op.result))


# ----------------------------------------------------------------------------------------------------------
# text form


def format_snapshot(snap: Snapshot, exit_id: int = -1) -> str:
    """`#exit @pc [variables | stack items]`; a frame of an inlined call is shown after its caller's, as
    `<- name@pc [...]`."""
    text = f"#{exit_id} " if exit_id >= 0 else ""
    text += f"@{snap.pc} [{_format_frame(snap)}]"
    for frame in snap.frames()[-2::-1]:
        text += f" <- {getattr(frame.code, 'co_name', 'loop')}@{frame.pc} [{_format_frame(frame)}]"
    return text


def _format_frame(snap: Snapshot) -> str:
    parts = [f"{sv}={v!r}" for sv, v in snap.state.items()]
    text = " ".join(parts)
    if snap.stack:
        items, j, tuples = [], 0, dict(snap.tuples_at)
        while j < len(snap.stack):
            if j in snap.complex_at:
                items.append(f"complex({snap.stack[j]!r}, {snap.stack[j + 1]!r})")
                j += 2
            elif j in tuples:
                items.append(f"tuple({', '.join(repr(v) for v in snap.stack[j:j + tuples[j]])})")
                j += tuples[j]
            else:
                items.append(repr(snap.stack[j]))
                j += 1
        text += " | stack " + " ".join(items)
    if snap.popped:
        text += f" | popped {snap.popped}"
    return text


def format_op(op: Op, show_snapshots: bool = True, show_exits: bool = True) -> str:
    """One op as text; `show_exits=False` leaves out the exit number the runtime gives a guard."""
    args = ", ".join(repr(a) for a in op.args)
    text = f"{op.name}({args})"
    if op.result is not None:
        text = f"{op.result!r} = {text}"
    if op.snapshot is not None and show_snapshots:
        text += "  -> " + format_snapshot(op.snapshot, op.exit_id if show_exits else -1)
        if op.owned:
            text += " owns " + " ".join(repr(v) for v in op.owned)
    return text


def format_trace(trace: Trace, show_snapshots: bool = True, show_exits: bool = True) -> str:
    head = f"{trace.kind} {trace.name} ({trace.filename}) header=@{trace.header_pc} base_depth={trace.base_depth}"
    if trace.kind == "bridge":
        head += f" start=@{trace.start_pc}"
    lines = [head]
    lines.append("inputs: " + ", ".join(f"{v!r}={sv}" for sv, v in trace.inputs))
    last_pc = None
    for op in trace.ops:
        pc = ""
        if op.pc >= 0 and (op.pc, op.frame) != last_pc:
            ln = trace.lines.get(op.pc)
            pc = f"@{op.pc}" + (f" line {ln}" if ln else "") + (f" in {op.frame}" if op.frame else "")
            last_pc = (op.pc, op.frame)
        indent = "" if op.name in ("label", "jump") else "  "
        lines.append(f"{indent}{format_op(op, show_snapshots, show_exits):<60} {('# ' + pc) if pc else ''}".rstrip())
    if trace.kind == "bridge":
        lines.append("jump stores: " + ", ".join(str(sv) for sv in trace.jump_vars))
    return "\n".join(lines)
