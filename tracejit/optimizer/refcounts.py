"""Owned references in a trace: where the objects a trace makes (ops the table marks `new_ref`, e.g. a
concatenated str) are released, and which exits own which of them.

Every other REF value in a trace is borrowed: the frame, a list or a dict holds the object for as long as
the machine code runs. A new object is the trace's own. This pass runs on the finished (optimized) trace and
gives each owned value exactly one end on every path:

- its last use (an op's argument, or a guard's snapshot) is followed by `decref`;
- at the `jump` it is handed on, unreleased, to a state variable the loop owns: the next iteration's label
  input (loop), or the slot the loop reloads at its re-entry (bridge). A loop owns a state variable whose
  value at the end of its iteration is owned (a fixpoint over the label: `a, b = b, a` keeps both owned);
  the runtime takes a reference to each owned variable's object at entry, so that the first iteration owns
  its inputs like every later one. A value handed on twice, a constant or a borrowed str is `incref`ed;
- a value borrowed from an owned object (an attribute of an instance the trace made: an op that reads the heap,
  with the object as its first argument) keeps that object alive until its own last use; a jump that would hand
  such a value on past its owner raises RefcountError (the next recording reads it as a reference of its own);
- every guard records the owned values alive at it (`Op.owned`): its exit hands them to the runtime, which
  releases them after writing the frame back (the frame has taken its own references), or to the bridge
  attached there, which owns them as inputs (`owned_inputs`).

A bridge that leaves a new object in a variable the loop borrows (`last = s` on a rare branch, `s` new)
hands it to the loop's graveyard, which keeps it until the native run ends (the runtime then writes the
frame back and releases it). Where ownership cannot be expressed (a variable the loop owns would get a
borrowed object of a type the bridge does not know), the pass raises RefcountError and the trace is not
compiled. Releasing what the string ops make (strs, boxed numbers) never runs Python code inside machine code;
the result of a call that may run Python code (ops.runs_python: py_call) may be any object, whose release could
run a __del__: unless the trace guarded its type to one whose release runs no Python code (SAFE_TYPES), its
release must not free it. The recorder puts a guard_not_last where the interpreter drops such a value (a call's
result popped, a local's old value replaced), whose exit leaves the trace when that reference is the object's
last (the interpreter then frees it there, as it would without the JIT); the release goes right after that guard,
its last use. Where its last use is a store that gives an object its own reference to it (OpDef.stores: an
attribute's new value, a list's new item), the release right after the store cannot free it either. (Released
through the graveyard, at the next call or when the run ends, its __del__ ran at another point of the program: tests/test_generic.py, test_a_del_runs_where_the_interpreter_runs_it.) Such a value
released anywhere else (an inlined callee's local at its return, a call's argument) still goes through the
graveyard: where the interpreter frees it there, its finalizer runs later than without the JIT (README, "Limits").
A guard_not_last of a value the trace does not own, or knows the type of, is dropped.

Across a call that may run Python code, every object the trace still uses afterwards must stay alive whatever
the call does: the trace's own, a constant, or one the frame holds (a local, written back before the call, or
an item of the loop's base stack); anything else (an item read from a list before the call and used after it)
raises RefcountError.

May import: tracejit.ir, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import replace

from tracejit.ir import OPS, Const, Kind, Op, Snapshot, StateVar, Trace, Var, snapshot_vars
from tracejit.ir.ops import HELD, OLD_VALUE_STORES, SAFE_TYPES, SHARED, calls_python


class RefcountError(ValueError):
    """The trace would need an ownership the machine code cannot keep (it is not compiled). `hint`: what a new
    recording should do otherwise (tracejit.recorder.frame.RecordAbort.hint), or None."""

    def __init__(self, message: str, hint: tuple | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def owned_loop_variables(trace: Trace) -> set[StateVar]:
    """The state variables a loop owns: those whose value at the jump is an owned value (made by a new_ref op,
    or the label input of another owned variable), found by iterating to a fixpoint."""
    made = {id(op.result) for op in trace.ops if op.result is not None and OPS[op.name].new_ref}
    pairs = list(zip(trace.inputs, trace.ops[-1].args))
    owned: set[StateVar] = set()
    changed = True
    while changed:
        changed = False
        for (sv, label_in), back in pairs:
            if sv in owned or not isinstance(back, Var):
                continue
            if id(back) in made:
                owned.add(sv)
                made.add(id(label_in))
                changed = True
    return owned


def place_releases(trace: Trace, owned_inputs: set[StateVar], strs_at_start: set[StateVar] = frozenset(),
                   kept_at_start: set[StateVar] = frozenset()) -> Trace:
    """A copy of `trace` with `decref`/`incref` ops placed and every guard's `owned` values set (see the
    module docstring). `owned_inputs`: the inputs the trace owns when it starts (a loop: the variables it
    owns, `layout.owned`; a bridge: what its exit owned). `strs_at_start` (a bridge): variables whose object
    at its exit is a constant or a str the exit owns in another place (`a = b` of a new string): a variable
    the loop owns among them gets its own reference at the bridge's jump. `kept_at_start` (a bridge): the
    other places (a stack item, an inlined frame's local) whose object at its exit is one the exit owns in a
    variable the loop owns: like that variable's, such an input left in a variable the loop borrows needs a
    reference of its own (the graveyard's), since the loop may release the object."""
    loop = trace.kind == "loop"
    layout_owned = trace.layout.owned
    if not loop:
        trace = _read_owned_variables(trace, owned_inputs)
    ops = trace.ops
    owned: dict[int, Var] = {id(v): v for sv, v in trace.inputs if sv in owned_inputs}
    if not owned and not any(OPS[op.name].new_ref for op in ops) and (loop or not layout_owned):
        # (nothing owned: no release to check)
        if any(op.name == "guard_not_last" for op in ops):
            trace = replace(trace, ops=[op for op in ops if op.name != "guard_not_last"])
        return trace
    last: dict[int, int] = {}           # owned value -> index of the op that uses it last (-1: none)
    for vid in owned:
        last[vid] = -1
    # a value borrowed from an object the trace owns (an attribute of an instance it made, and what is read from
    # that in turn) -> that owner: each use of the value is a use of the owner, which holds it
    keeper: dict[int, int] = {}
    snapshot_memo: dict = {}            # (snapshot_vars: guards share snapshots)
    for k, op in enumerate(ops):
        if op.name == "label":
            continue
        for v in op.args if op.snapshot is None else (*op.args, *snapshot_vars(op.snapshot, snapshot_memo)):
            if isinstance(v, Var):
                vid = keeper.get(id(v), id(v))
                if vid in owned:
                    last[vid] = k
        d = OPS[op.name]
        if op.result is not None and d.new_ref:
            owned[id(op.result)] = op.result
            last[id(op.result)] = k
        elif op.result is not None and op.result.kind is Kind.REF and d.reads_heap and op.args and \
                isinstance(op.args[0], Var):
            vid = keeper.get(id(op.args[0]), id(op.args[0]))
            if vid in owned:
                keeper[id(op.result)] = vid

    # what the jump hands on: (state variable, value), a bridge's unchanged variables included
    targets = _jump_targets(trace)
    strs = _known_strs(trace) | {id(v) for sv, v in trace.inputs if sv in strs_at_start}
    kept_by_loop = {id(v) for sv, v in trace.inputs if sv in layout_owned or sv in kept_at_start}  # (see below)
    handed: set[int] = set()
    increfs: list = []
    escapes: list = []                  # (value, needs a reference of its own) a bridge leaves in variables
                                        # the loop borrows
    # variables the loop owns first: a value one of them takes needs no other keeper
    for sv, arg in sorted(targets, key=lambda t: t[0] not in layout_owned):
        mine = isinstance(arg, Var) and id(arg) in owned
        if isinstance(arg, Var) and id(arg) in keeper:
            # borrowed from an object the trace made, which it releases: read as an owned reference instead
            made_by = next((op.name for op in ops if op.result is arg), None)
            raise RefcountError(f"{sv} would keep what an object the trace made holds, past that object",
                                ("owned_reads", made_by) if made_by and OPS[made_by].field else None)
        if sv in layout_owned:
            if mine and id(arg) not in handed:
                handed.add(id(arg))
            elif isinstance(arg, Const) or mine or id(arg) in strs:
                increfs.append(arg)
            else:
                raise RefcountError(f"{sv}, which the loop owns, would get an object of unknown type")
        elif mine and loop:
            raise RefcountError(f"a new object would be left in {sv}, which the loop borrows")
        elif mine and id(arg) not in handed:
            escapes.append((arg, False))    # the graveyard keeps it until the run ends (below)
            handed.add(id(arg))
            if sv.where != "fast":
                _keep_until_run_ends(trace, sv)
        elif mine or (isinstance(arg, Var) and id(arg) in kept_by_loop):
            # also held by a variable the loop owns, which may drop it: the graveyard gets a reference too
            if not (mine or id(arg) in strs):
                raise RefcountError(f"{sv}, which the loop borrows, would get an object the loop may drop")
            escapes.append((arg, True))
            if sv.where != "fast":
                _keep_until_run_ends(trace, sv)

    if not loop and trace.layout.graveyard_keeps and calls_python(ops):
        raise RefcountError("a call that may run Python code would empty the graveyard, which keeps what another "
                            "bridge left in the loop")
    # a bridge that gives the loop a reference of its own to a value it borrowed (incref at the jump) keeps the
    # inputs it owns until the jump: the borrowed value may be the same object (`last = t2` left one object,
    # owned once, in two variables), which releasing its owned input first would free before the incref
    if not loop and any(isinstance(a, Var) for a in increfs):
        for sv, v in trace.inputs:
            if sv in owned_inputs:
                last[id(v)] = len(ops) - 1

    # a bridge's inputs of the loop's state variables (an exit stores only what the bridge changed: the buffer
    # still holds the others)
    input_of = {} if loop else {id(v): sv for sv, v in trace.inputs if sv.where not in ("stack", "base", "release")}
    out: list[Op] = []
    # owned, not yet released or handed on, in order of definition: first the owned inputs (one nothing uses
    # is released where the iteration starts, after a loop's preamble)
    alive: dict[int, Var] = {id(v): v for sv, v in trace.inputs if sv in owned_inputs}
    unsafe = _unsafe_releases(trace, owned_inputs, last)
    check_calls_keep_alive(trace, set(owned))
    if not loop:
        _release_done(out, alive, last, handed, -1, None, unsafe)
    for k, op in enumerate(ops):
        if op.name == "jump":
            if escapes:
                # each waits in the graveyard (room checked first; full: the exit is the loop's header with
                # the bridge's state, and the runtime writes the objects back and releases them)
                at_header = Snapshot(trace.header_pc, dict(targets), [])
                for v, another in escapes:
                    out.append(Op("guard_graveyard", [], None, at_header, op.pc, frame=op.frame,
                                  owned=tuple(alive.values())))
                    if another:
                        out.append(Op("incref", [v], pc=op.pc, frame=op.frame))
                    else:
                        del alive[id(v)]
                    out.append(Op("graveyard_push", [v], pc=op.pc, frame=op.frame))
            for a in increfs:
                out.append(Op("incref", [a], pc=op.pc, frame=op.frame))
            for vid, v in list(alive.items()):
                if vid not in handed:
                    out.append(Op(_release(vid, unsafe), [v], pc=op.pc, frame=op.frame))
            out.append(op)
            continue
        if op.name == "guard_not_last" and id(op.args[0]) not in unsafe.dying:
            # the trace does not own the object, or knows its type to be one whose release runs no Python code
            _release_done(out, alive, last, handed, k, op, unsafe)
            continue
        if OPS[op.name].guard:
            op = replace(op, owned=tuple(alive.values()), snapshot=_storing(op.snapshot, alive, input_of))
        out.append(op)
        if op.result is not None and id(op.result) in owned:
            alive[id(op.result)] = op.result
        if op.name != "label" and not (loop and k <= trace.preamble):
            _release_done(out, alive, last, handed, k, op, unsafe)
    return replace(trace, ops=out)


def _storing(snap: Snapshot, alive: dict[int, Var], input_of: dict[int, StateVar]) -> Snapshot:
    """The guard's snapshot such that its exit stores every owned value alive there (ops and snapshots are shared
    with earlier stages' traces: a changed copy). A bridge's input still in the loop's variable (one the
    bridge has not assigned by then) is put back into the root frame's state (its place); any other object no
    frame holds (an int boxed for a call; a bridge's input whose variable now holds something else, `last = t2`)
    becomes an extra, stored to be released."""
    held = {id(v) for v in snap.values()}
    missing = [v for v in alive.values() if id(v) not in held]
    if not missing:
        return snap
    root = snap.frames()[0].state
    places = {input_of[id(v)]: v for v in missing if id(v) in input_of and input_of[id(v)] not in root}
    extra = tuple(v for v in missing if id(v) not in input_of or input_of[id(v)] in root)
    if places:
        snap = _with_root_state(snap, places)
    return replace(snap, extra=extra) if extra else snap


def _with_root_state(snap: Snapshot, places: dict[StateVar, Var]) -> Snapshot:
    if snap.parent is None:
        return replace(snap, state={**snap.state, **places})
    return replace(snap, parent=_with_root_state(snap.parent, places))


def _release_done(out: list[Op], alive: dict[int, Var], last: dict[int, int], handed: set[int], k: int,
                  op: Op | None, unsafe: Unsafe) -> None:
    """Release every alive value whose last use is at or before op k (one the jump hands on is kept)."""
    for vid, v in list(alive.items()):
        if last[vid] <= k and vid not in handed:
            out.append(Op(_release(vid, unsafe), [v], pc=op.pc if op else -1, frame=op.frame if op else ""))
            del alive[vid]


class Unsafe:
    """Owned values whose release needs care: `deferred`, released through the graveyard (a popped list item, of
    a type whose release runs no Python code, which a value read earlier may still be); `dying`, those whose
    release may run Python code: released right after the guard_not_last that is its last use (`checked`: the
    reference released is then not the object's last), any other through the graveyard too."""

    def __init__(self, deferred: set[int], dying: set[int], checked: set[int]) -> None:
        self.deferred, self.dying, self.checked = deferred, dying, checked


def _release(vid: int, unsafe: Unsafe) -> str:
    if vid in unsafe.deferred or (vid in unsafe.dying and vid not in unsafe.checked):
        return "release_deferred"
    return "decref"


def _unsafe_releases(trace: Trace, owned_inputs: set[StateVar], last: dict[int, int]) -> Unsafe:
    """The owned values whose release needs care (Unsafe): those that may run Python code when released, in a loop
    that calls what may run Python code (in any other, an attribute read is still held by its owner when
    released): results of ops that may make objects of any type (ops.any_type: those calls, attribute reads), and
    the objects the trace's variables own, unless the trace guarded their type to one of SAFE_TYPES; which of
    them a guard_not_last checks at their last use; and the list items handed over."""
    # (an object its holder handed over, a popped list item, may die at its release in any loop: OpDef.handed_over)
    handed = {id(op.result) for op in trace.ops if op.result is not None and OPS[op.name].handed_over}
    calls = trace.layout.calls_python or calls_python(trace.ops)
    made: set[int] = set()
    if calls:
        made = {id(op.result) for op in trace.ops if op.result is not None and OPS[op.name].any_type} | \
            {id(v) for sv, v in trace.inputs if sv in owned_inputs}
    safe = {id(op.args[0]) for op in trace.ops if op.name == "guard_class" and isinstance(op.args[1], Const)
            and op.args[1].value in SAFE_TYPES}
    checked = {id(op.args[0]) for k, op in enumerate(trace.ops)
               if op.name == "guard_not_last" and last.get(id(op.args[0])) == k}
    # ... or a store that gave an object its own reference (an attribute's value, a list's item: OpDef.stores)
    checked |= {id(op.args[j]) for k, op in enumerate(trace.ops) for j in OPS[op.name].stores
                if last.get(id(op.args[j])) == k}
    return Unsafe(handed, (made - safe - handed) & last.keys(), checked)    # (last: the owned values)


def _jump_targets(trace: Trace) -> list[tuple[StateVar, object]]:
    """What the trace's jump hands on: (state variable, value), a bridge's unchanged variables included."""
    jump = trace.ops[-1]
    if trace.kind == "loop":
        return [(sv, arg) for (sv, _), arg in zip(trace.inputs, jump.args)]
    stored = set(trace.jump_vars)
    return list(zip(trace.jump_vars, jump.args)) + \
        [(sv, v) for sv, v in trace.inputs if sv.where not in ("stack", "base", "release") and sv not in stored]


def _keep_until_run_ends(trace: Trace, sv: StateVar) -> None:
    """A bridge leaves a new object in `sv`, a variable of the loop no sync writes back (a fresh iterator's
    sequence: no frame slot or iterator object holds it): only the graveyard keeps it, until the run ends. A
    call that may run Python code empties the graveyard (its deferred releases run there, the frame written
    back), which would free it while the loop still reads it."""
    if trace.layout.calls_python or calls_python(trace.ops):
        raise RefcountError(f"{sv} would get a new object only the graveyard keeps, in a loop with calls that may "
                            f"run Python code (they empty it)")


def check_shared_stores(trace: Trace) -> None:
    """A SHARED attribute store (ir.ops.OLD_VALUE_STORES) leaves the trace where the instance's reference is the
    old object's last; a reference the loop's graveyard keeps (a release deferred, a HELD store's) would pass that
    check, and the object would die when the run ends instead of at the store. So a loop whose traces (with the
    releases placed) make such stores leaves no object of any type in the graveyard, and one that does makes none:
    RefcountError with the "no_shared_stores" hint (the next recording stores over objects on the generic path).
    Marks the loop's layout with what this trace does."""
    shared = anything = False
    for op in trace.ops:
        mode = op.args[-1].value if op.name in OLD_VALUE_STORES else None
        shared = shared or mode == SHARED
        anything = anything or mode == HELD or op.name in ("release_deferred", "graveyard_push")
    layout = trace.layout
    if (shared and (anything or layout.graveyard_any)) or (anything and layout.shared_stores):
        raise RefcountError("a shared store's check would count a reference the graveyard keeps",
                            ("no_shared_stores", True))
    layout.shared_stores = layout.shared_stores or shared
    layout.graveyard_any = layout.graveyard_any or anything


def keeps_in_graveyard(trace: Trace) -> bool:
    """The bridge (with its releases placed) leaves a new object in a variable no sync writes back: the loop's
    layout is marked (Layout.graveyard_keeps) once it is compiled."""
    pushed = {id(op.args[0]) for op in trace.ops if op.name == "graveyard_push"}
    return trace.kind != "loop" and any(sv.where != "fast" and isinstance(v, Var) and id(v) in pushed
                                        for sv, v in _jump_targets(trace))


def check_calls_keep_alive(trace: Trace, owned_ids: set[int]) -> None:
    """Raise RefcountError when an object the trace uses after a call that may run Python code could die during
    it (see the module docstring)."""
    ops = trace.ops
    calls = [k for k, op in enumerate(ops) if OPS[op.name].runs_python]
    if not calls:
        return
    last: dict[int, int] = {}
    for k, op in enumerate(ops):
        if op.name == "label":
            continue
        for a in op.args:
            if isinstance(a, Var):
                last[id(a)] = k
        if op.snapshot is not None:
            for v in op.snapshot.values():
                if isinstance(v, Var):
                    last[id(v)] = k
    defined: dict[int, tuple[int, Var]] = {id(v): (-1, v) for _, v in trace.inputs}
    for k, op in enumerate(ops):
        if op.result is not None:
            defined[id(op.result)] = (k, op.result)
    for k in calls:
        state = ops[k].snapshot.frames()[0].state
        held = {id(v) for sv, v in state.items() if sv.where in ("fast", "base", "iter", "global")}
        for vid, (at, v) in defined.items():
            if v.kind is Kind.REF and at < k < last.get(vid, -1) and vid not in owned_ids and vid not in held:
                # a field read from an object (an instance's attribute: the op table's `field`) could be read as
                # an owned reference instead
                made_by = ops[at].name if at >= 0 else None
                owned = made_by is not None and OPS[made_by].field is not None
                raise RefcountError(f"{v!r}, which the trace does not own, is used after a call that may run "
                                    f"Python code", ("owned_reads", made_by) if owned else None)


def _read_owned_variables(trace: Trace, owned_inputs: set[StateVar]) -> Trace:
    """A bridge that neither reads nor writes a variable the loop owns, whose object its exit does not own in
    that place, leaves that object to the loop, which needs its own reference to it; one that leaves alone
    an object its exit owns in a variable the loop borrows must keep that object alive. Such variables
    become inputs of the bridge: its jump increfs (or refuses an object it does not know) or escapes them."""
    have = {sv for sv, _ in trace.inputs} | set(trace.jump_vars)
    missing = [sv for sv in trace.layout.owned if sv not in have and sv not in owned_inputs]
    # and an object its exit owns in a variable the loop borrows, which the bridge leaves alone: it goes to
    # the graveyard at the jump
    missing += [sv for sv in owned_inputs if sv not in have and sv not in trace.layout.owned
                and sv.where not in ("stack", "base")]
    if not missing:
        return trace
    new = trace.new_vars()
    extra = [(sv, new.new(Kind.REF)) for sv in missing]      # owned: objects
    return replace(trace, inputs=list(trace.inputs) + extra)


def _known_strs(trace: Trace) -> set[int]:
    """Values the trace knows to be exact strs: guarded (guard_class(v, str)) or made as characters."""
    out = set()
    for op in trace.ops:
        if op.name == "guard_class" and isinstance(op.args[1], Const) and op.args[1].value is str:
            out.add(id(op.args[0]))
        elif op.name == "latin1_char" and op.result is not None:
            out.add(id(op.result))
    return out
