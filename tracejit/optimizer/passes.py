"""Optimization passes over a trace: each takes a Trace and returns a new Trace with the same meaning.

- fold_constants: evaluate pure ops whose arguments are all constants (with the op table's semantics; not
  ops that read object memory, whose result may differ at the next entry);
  drop guards that constants prove always pass; apply the op table's identities (x+0, x*1, x-0).
- guard_implied_constants: at a guard_true(c)/guard_false(c) exit, c is known to be False/True: put that
  constant in the exit's snapshot, so the condition need not be kept alive for the exit.
- common_subexpressions: reuse the result of an identical earlier pure op (a read of object memory only
  up to the next op that writes object memory).
- remove_redundant_guards: drop a guard identical to an earlier one (same op, same SSA arguments) of an op
  the table marks redundant_if_repeated: it cannot fail where the first passed (e.g. the type of a list read
  twice, `i < 0` for two indexings), unless a call that may run Python code lies between them.
- remove_dead_code: drop pure ops whose results are never used by an op, a snapshot or the jump.
- hoist_loop_invariants: an op whose arguments the loop does not change (inputs it passes back unchanged,
  constants, results of ops hoisted before it), and whose outcome nothing else the loop does can change (the op
  table's `hoist`, OpDef.invariant_kind: an object's type and a class's attributes only Python code changes; an
  instance's attribute, a list's length also a store that is not in place or one of that field), moves into the
  loop's preamble, the ops between `label` and `guard_budget`: it runs once per entry into the loop (and after
  each bridge, which may change the inputs), not once per iteration (LuaJIT's and PyPy's loop-invariant code
  motion, without the peeled iteration). The backend's back-edge jumps to `guard_budget`, and keeps what the
  preamble computed in its registers across the loop. A guard hoisted exits at the loop header; an op reading an
  object a guard left in the loop checks stays after that guard (the guard may be what makes the read safe).
  The same op twice in the preamble (read again in the loop after a store in place) is made once.
- remove_negative_index_checks: `x < 0` then guard_false, where x is a loop counter plus or minus a constant (the
  sign check of `a[i]`, `a[i - 1]`, a slice's start), leaves the loop: the preamble checks once per entry that the
  counter's least value in the run is high enough (not where the run recorded was below it: a search down to -1
  that breaks first would leave at every entry). A counter is a range's next value (with its `remaining`: its
  values in a run lie between the first and first + (remaining - 1) * step, whichever the step's sign) or an
  overflow-checked add of a constant step that is not negative (`i += 1`). (A list index is also checked against
  the length by guard_index, unsigned; a slice's bound decides its arithmetic by its sign.)

May import: tracejit.ir, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from types import ModuleType

from tracejit.plaindata import replace

from tracejit.ir import OPS, Const, GuardFailed, Kind, Op, Snapshot, StateVar, Trace, Var
from tracejit.ir.trace import snapshot_vars
from tracejit.ir.ops import HEAPTYPE, calls_python


class _Subst:
    def __init__(self):
        self.map: dict[int, object] = {}
        self.snapshots: dict[int, Snapshot] = {}    # id -> what snapshot() gave for it (see there)

    def __call__(self, v):
        while isinstance(v, Var) and id(v) in self.map:
            v = self.map[id(v)]
        return v

    def snapshot(self, s: Snapshot | None) -> Snapshot | None:
        """s with the substitutions made; s itself when none of its chain's values has one (snapshots are not
        changed after recording, so stages may share them: most passes replace few values). A snapshot shared
        by several guards is looked at once: its values were all made before its first guard, whose pass has
        made their substitutions by then (a pass maps only results of the ops it has seen), and its guards
        share the result."""
        if s is None:
            return None
        m = self.map
        if not m:
            return s
        done = self.snapshots.get(id(s))
        if done is not None:
            return done
        out, t = s, s
        while t is not None and out is s:
            for vs in (t.state.values(), t.stack, t.extra):
                if any(isinstance(v, Var) and id(v) in m for v in vs):
                    out = s.map(self)
                    break
            t = t.parent
        self.snapshots[id(s)] = out
        return out


def _rebuild(trace: Trace, ops: list[Op]) -> Trace:
    return replace(trace, ops=ops)


def _map_ops(trace: Trace, fn) -> Trace:
    """Apply fn(op, subst) -> list of ops (or []) to each op after substituting its args and snapshot. An op
    none of whose values has a substitution is passed on as it is (the stages share it, as they share
    snapshots: no pass changes an op in place; fn makes a new one to change it)."""
    sub = _Subst()
    out: list[Op] = []
    m = sub.map
    for op in trace.ops:
        # (most arguments have no substitution: looked up inline)
        args = op.args
        if m and op.name != "label" and any(id(a) in m for a in args):
            args = [sub(a) if id(a) in m else a for a in args]
        snap = sub.snapshot(op.snapshot)
        new = op if args is op.args and snap is op.snapshot else \
            Op(op.name, args, op.result, snap, op.pc, op.exit_id, op.frame)
        out.extend(fn(new, sub))
    return _rebuild(trace, out)


def fold_constants(trace: Trace) -> Trace:
    def fn(op: Op, sub: _Subst) -> list[Op]:
        d = OPS[op.name]
        if d.evaluate is None or op.name == "label" or d.reads_heap:
            return [op]
        if all(isinstance(a, Const) for a in op.args):
            try:
                r = d.evaluate(*[a.value for a in op.args])
            except GuardFailed:
                return [op]            # always fails: keep it, the trace exits here
            if not d.folds_to(r):
                return [op]            # a new object each time (OpDef.folds_to)
            if op.result is not None:
                sub.map[id(op.result)] = Const(r, d.result)
            return []
        if op.result is not None and len(op.args) == 2:
            for pos, a in enumerate(op.args):
                if isinstance(a, Const) and a.kind is Kind.INT:
                    other = op.args[1 - pos]
                    if (pos, a.value) in d.identities:
                        sub.map[id(op.result)] = other
                        return []
        return [op]
    return _map_ops(trace, fn)


def guard_implied_constants(trace: Trace) -> Trace:
    def fn(op: Op, sub: _Subst) -> list[Op]:
        if op.name in ("guard_true", "guard_false") and isinstance(op.args[0], Var):
            c = op.args[0]
            if op.snapshot.holds(c):        # (most conditions are not among the exit's values: no copy)
                known = Const(op.name == "guard_false", Kind.BOOL)   # value of c when this guard fails
                return [replace(op, snapshot=op.snapshot.map(lambda v: known if v is c else v))]
        return [op]
    return _map_ops(trace, fn)


# reads that a store of a list's or an array's items (OpDef.writes_items) cannot change: an object's type
ITEMS_KEEP = frozenset({"type_of"})
UNBOXED_BY = {"box_float": float, "box_int": int}     # the exact type each makes of its number
UNBOX = {"float_value": float, "int_value": int}        # ... and the op that reads the number back


def common_subexpressions(trace: Trace) -> Trace:
    seen: dict[tuple, Var] = {}

    def key(op: Op) -> tuple:
        args = tuple([("v", id(a)) if type(a) is Var else ("c",) + a.key() for a in op.args])
        if OPS[op.name].commutative:
            if len(args) == 2 and (args[0][0] == "v" or args[1][0] == "v"):
                # one order for both: a constant first, two values by their identity
                a0, a1 = args
                if a0[0] == "v" and (a1[0] == "c" or a1[1] < a0[1]):
                    args = (a1, a0)
            else:
                args = tuple(sorted(args, key=repr))
        return (op.name, args)

    fields: dict[tuple, Var] = {}     # (object, kind of field, field) -> what a read gave or a write stored
    boxes: dict[int, tuple[type, object]] = {}    # box_float / box_int result -> (its type, the number boxed)
    made: dict[int, object] = {}      # new_instance result -> its class (its type: no Python code ran in between)

    def fn(op: Op, sub: _Subst) -> list[Op]:
        d = OPS[op.name]
        if op.name in UNBOXED_BY:
            boxes[id(op.result)] = (UNBOXED_BY[op.name], op.args[0])
        elif op.name == "new_instance":
            made[id(op.result)] = op.args[0]
        elif op.name == "type_of" and id(op.args[0]) in made:
            sub.map[id(op.result)] = made[id(op.args[0])]   # (its version guard, then, is one made before)
            return []
        elif d.runs_python:
            made.clear()                # Python code may assign an instance's __class__
        elif op.name == "guard_class" and isinstance(op.args[1], Const) and \
                boxes.get(id(op.args[0]), (None,))[0] is op.args[1].value:
            return []                   # a number the trace boxed itself (a field forwarded to what was stored)
        elif op.name in UNBOX and boxes.get(id(op.args[0]), (None,))[0] is UNBOX[op.name]:
            sub.map[id(op.result)] = boxes[id(op.args[0])][1]
            return []
        if d.field is not None:
            kind, at, stored = d.field
            k = (id(op.args[0]), kind, op.args[at].value)
            if stored is None:
                # a field read again, with no write in between (its guard passed the first time, and only Python
                # code could empty the field or take an instance's values array out of use): the first read's value
                if k in fields:
                    sub.map[id(op.result)] = fields[k]
                    return []
                fields[k] = op.result
                return [op]
            # a write changes only that field's reads (a type, a list, a cell do not change): of any object (two
            # variables may hold one object), and this object's is the value stored
            for other in [f for f in fields if f[1:] == k[1:]]:
                del fields[other]
            fields[k] = op.args[stored]
            return [op]
        if d.writes_heap:           # object memory changed: reads of it must be done again (a list's or an
            if not d.writes_items:  # array's items changed: not an attribute, a class's value or a type)
                fields.clear()
            for k in [k for k in seen if OPS[k[0]].reads_heap and not (d.writes_items and k[0] in ITEMS_KEEP)]:
                del seen[k]
        if op.result is None or not d.pure or d.evaluate is None or (d.guard and (d.reads_heap or d.calls_out)):
            return [op]
        # (a guard that computes its result from its arguments alone, `int_value` of an int object, an overflow
        # check: the same again cannot fail where the first passed, and gives the same result)
        k = key(op)
        if k in seen:
            sub.map[id(op.result)] = seen[k]
            return []
        seen[k] = op.result
        return [op]
    return _map_ops(trace, fn)


def remove_redundant_guards(trace: Trace) -> Trace:
    seen: set[tuple] = set()

    def fn(op: Op, sub: _Subst) -> list[Op]:
        d = OPS[op.name]
        if d.runs_python:                   # Python code may change what the guards checked
            seen.clear()
        elif d.writes_heap and not d.writes_items:     # ... and a store what a guard reading object memory
            for k in [k for k in seen if OPS[k[0]].reads_heap]:    # checked (a dict store giving an instance its
                seen.discard(k)                                     # own attribute; an item store cannot)
        if not d.redundant_if_repeated:
            return [op]
        k = (op.name,) + tuple(("c",) + a.key() if isinstance(a, Const) else ("v", id(a)) for a in op.args)
        if k in seen:
            return []
        seen.add(k)
        return [op]
    return _map_ops(trace, fn)


def remove_dead_code(trace: Trace) -> Trace:
    used: set[int] = set()
    keep: list[Op] = []
    marked: set[int] = set()            # snapshots whose values are in `used` (guards share snapshots)
    for op in reversed(trace.ops):
        d = OPS[op.name]
        removable = (d.pure and not d.guard or d.removable) and op.result is not None and \
            op.name not in ("label", "jump")
        if removable and id(op.result) not in used:
            continue
        keep.append(op)
        for a in op.args:
            used.add(id(a))
        if op.snapshot is not None and id(op.snapshot) not in marked:
            marked.add(id(op.snapshot))
            used.update(map(id, op.snapshot.values()))
    keep.reverse()
    return _rebuild(trace, keep)


def _fixed_class(cls) -> bool:
    """Whether no object's class can be assigned to or from the constant class `cls` (a builtin type; not a
    module's, which `__class__` assignment may swap for a subclass of it)."""
    return type(cls) is Const and not cls.value.__flags__ & HEAPTYPE and cls.value is not ModuleType


def _unchanged_inputs(trace: Trace) -> set[int]:
    """id of each loop input the jump passes back as it is (a list the loop indexes, a step it adds)."""
    return {id(v) for v, back in zip(trace.ops[0].args, trace.ops[-1].args) if v is back}


def hoist_loop_invariants(trace: Trace) -> Trace:
    ops = trace.ops
    if trace.kind != "loop" or len(ops) < 3 or ops[1].name != "guard_budget":
        return trace
    budget = ops[1]
    body = ops[2:-1]
    # the values every iteration starts and ends with alike: the inputs the loop passes back unchanged, then the
    # results of the ops hoisted
    invariant = _unchanged_inputs(trace)
    calls = calls_python(ops)               # Python code may change types and any object
    written: set[tuple] = set()             # the fields the loop stores
    in_place = True                         # ... and whether its stores change no object's shape
    for op in body:
        d = OPS[op.name]
        if d.writes_heap and d.field is not None:
            kind, at, _ = d.field
            written.add((kind, op.args[at].value))
        if d.writes_heap and not d.writes_in_place or d.allocates_tracked:
            in_place = False
    # the values a guard left in the loop checks (one with no result: a type, a version, a bound, a branch), and the
    # objects whose types they are: an op reading one of them may need that guard to have passed (an attribute read
    # at its class's offset, an int's value, a str's code at an index checked), so it stays after it
    checked: set[int] = set()
    type_of: dict[int, int] = {}

    def hoistable(op: Op) -> bool:
        d = OPS[op.name]
        kind = d.invariant_kind
        if not kind or not all(type(a) is Const or id(a) in invariant for a in op.args):
            return False
        if any(id(a) in checked for a in op.args):
            return False
        if kind == "args":
            return True
        if calls and not (op.name == "guard_class" and _fixed_class(op.args[1])):
            return False                    # (an instance's __class__ may be assigned, a builtin object's not)
        if kind == "shape":
            if not in_place:
                return False
            if d.field is not None and (d.field[0], op.args[d.field[1]].value) in written:
                return False
        return True

    hoisted: list[Op] = []
    first: dict[tuple, object] = {}         # an op hoisted -> its result: the same again in the preamble is that

    def fn(op: Op, sub: _Subst) -> list[Op]:
        if op.name in ("label", "guard_budget", "jump"):
            return [op]
        if hoistable(op):
            # nothing in the preamble changes what an op there reads: the same op with the same arguments twice (the
            # loop read them again after a store that is in place) gives the same answer: one is enough
            k = (op.name,) + tuple(("c",) + a.key() if type(a) is Const else ("v", id(a)) for a in op.args)
            if k in first:
                if op.result is not None:
                    sub.map[id(op.result)] = first[k]
                return []
            first[k] = op.result
            # run before the iteration starts: a guard's exit is the loop header, with every input as it is there
            snap = budget.snapshot if OPS[op.name].guard else None
            hoisted.append(Op(op.name, list(op.args), op.result, snap, budget.pc))
            if op.result is not None:
                invariant.add(id(op.result))
                if op.name == "type_of":
                    type_of[id(op.result)] = id(op.args[0])
            return []
        if OPS[op.name].guard and op.result is None and not OPS[op.name].writes_heap:     # (a store's guard is its own)
            for a in op.args:
                if type(a) is Var:
                    checked.add(id(a))
                    if id(a) in type_of:
                        checked.add(type_of[id(a)])
        return [op]

    kept = _map_ops(trace, fn).ops
    if not hoisted:
        return trace
    return replace(trace, ops=[kept[0]] + hoisted + kept[1:], preamble=len(hoisted))


def _counters(trace: Trace, made: dict[int, Op]) -> dict[int, tuple]:
    """The loop's counters: id(input) -> (its step, the input counting its iterations left, or None). A counter is
    an int input to which each iteration adds a step the loop does not change: a range iterator's next value
    (with its `remaining`, which the loop counts down, leaving when it is 0: the counter's values in a run lie
    between the first and first + (remaining - 1) * step, whichever the step's sign), or an overflow-checked add
    of a constant step that is not negative (`i += 1` in a `while` loop: its values only grow)."""
    label, jump = trace.ops[0], trace.ops[-1]
    back_of = {id(v): back for v, back in zip(label.args, jump.args)}
    invariant = _unchanged_inputs(trace)
    place = {sv: v for sv, v in trace.inputs}
    out = {}
    for sv, v in trace.inputs:
        d = made.get(id(back_of.get(id(v))))
        if v.kind is not Kind.INT or d is None or d.name not in ("int_add", "int_add_ovf") or d.args[0] is not v:
            continue
        step = d.args[1]
        if sv.where == "iter" and sv.key[1] == "next" and d.name == "int_add" and \
                (type(step) is Const or id(step) in invariant):
            left = place.get(StateVar("iter", (sv.key[0], "remaining"), sv.name))
            counted = made.get(id(back_of.get(id(left)))) if left is not None else None
            if counted is not None and counted.name == "int_sub" and counted.args[0] is left and \
                    counted.args[1] == Const(1, Kind.INT) and _leaves_at_zero(trace, left):
                out[id(v)] = (step, left)
        elif d.name == "int_add_ovf" and type(step) is Const and step.value >= 0:
            out[id(v)] = (step, None)
    return out


def _leaves_at_zero(trace: Trace, left: Var) -> bool:
    """The loop's iteration starts with guard_true(left > 0), before anything else can leave or use a value."""
    ops = trace.ops[trace.preamble + 2:]
    return len(ops) >= 2 and ops[0].name == "int_gt" and ops[0].args == [left, Const(0, Kind.INT)] and \
        ops[1].name == "guard_true" and ops[1].args[0] is ops[0].result


def remove_negative_index_checks(trace: Trace) -> Trace:
    ops = trace.ops
    if trace.kind != "loop" or len(ops) < 4 or ops[trace.preamble + 1].name != "guard_budget":
        return trace
    budget_at = trace.preamble + 1
    budget = ops[budget_at]
    made = {id(op.result): op for op in ops if op.result is not None}
    counters = _counters(trace, made)
    if not counters:
        return trace
    recorded_least = {id(v): trace.run_least[sv] for sv, v in trace.inputs if sv in trace.run_least}
    uses: dict[int, int] = {}
    memo: dict = {}
    for op in ops[1:]:
        for a in list(op.args) + (snapshot_vars(op.snapshot, memo) if op.snapshot is not None else []):
            if type(a) is Var:
                uses[id(a)] = uses.get(id(a), 0) + 1
    # `x < 0` then guard_false, of a counter or a counter plus or minus a constant (`a[i]`, `a[i - 1]`): false at
    # every iteration of a run where the counter's least value is at least the bound that needs
    need: dict[int, int] = {}
    drop: set[int] = set()
    body = ops[budget_at + 1:-1]
    for k, op in enumerate(body[:-1]):
        nxt = body[k + 1]
        if op.name != "int_lt" or op.args[1] != Const(0, Kind.INT) or nxt.name != "guard_false" or \
                nxt.args[0] is not op.result:
            continue
        x, offset = op.args[0], 0
        src = made.get(id(x))
        if src is not None and src.name in ("int_add", "int_add_ovf", "int_sub", "int_sub_ovf") and \
                type(src.args[1]) is Const and id(src.args[0]) in counters:
            x, offset = src.args[0], src.args[1].value if src.name.startswith("int_add") else -src.args[1].value
        if id(x) not in counters or not -2 ** 32 < offset < 2 ** 32:
            continue
        least = recorded_least.get(id(x))
        if least is not None and least + offset < 0:
            # the run recorded went below the bound (a search down to -1 that breaks first): checked once per entry,
            # such runs would all leave at the header; the check stays at each iteration
            continue
        need[id(x)] = max(need.get(id(x), -2 ** 63), -offset)
        drop.add(id(nxt))
        if uses.get(id(op.result)) == 1:
            drop.add(id(op))            # (the comparison had no other use)
    if not drop:
        return trace
    # ... checked once per entry instead, in the preamble (an exit at the loop header, where the first iteration's
    # check would have failed, or a later one's of this run)
    new = trace.new_vars()
    checks: list[Op] = []

    def emit(name: str, args: list, kind: Kind | None) -> Var | None:
        result = new.new(kind) if kind is not None else None
        checks.append(Op(name, args, result, budget.snapshot if OPS[name].guard else None, budget.pc))
        return result

    for v in ops[0].args:
        if id(v) not in need:
            continue
        step, left = counters[id(v)]
        least = v
        if left is not None:            # first + (remaining - 1) * step (wrapping: with nothing left, no iteration)
            last = emit("int_add", [v, emit("int_mul", [emit("int_sub", [left, Const(1, Kind.INT)], Kind.INT),
                                                      step], Kind.INT)], Kind.INT)
            least = emit("int_min", [v, last], Kind.INT)
        emit("guard_false", [emit("int_lt", [least, Const(need[id(v)], Kind.INT)], Kind.BOOL)], None)
    rest = [op for op in ops[budget_at:] if id(op) not in drop]
    return replace(trace, ops=ops[:budget_at] + checks + rest, preamble=trace.preamble + len(checks))


PIPELINE = [
    ("fold_constants", fold_constants),
    ("guard_implied_constants", guard_implied_constants),
    ("common_subexpressions", common_subexpressions),
    ("remove_redundant_guards", remove_redundant_guards),
    ("remove_dead_code", remove_dead_code),
    ("hoist_loop_invariants", hoist_loop_invariants),
    ("remove_negative_index_checks", remove_negative_index_checks),
]
