"""Optimizer passes on hand-built IR traces, plus a seeded property test: for random small loop traces the
reference interpreter (tracejit.ir.interp.run_trace) must give the same exit, values and iteration count
before and after `optimize`."""
from __future__ import annotations

import math
import random
import struct
import sys
from pathlib import Path

import pytest

from tracejit.ir import (OPS, Const, IRError, Kind, Op, Snapshot, StateLayout, StateVar, Trace, VarFactory,
                         const_bool, const_float, const_int, format_trace, verify)
from tracejit.ir.interp import run_trace
from tracejit.ir.ops import INT64_MAX, INT64_MIN
from tracejit.optimizer import (RefcountError, common_subexpressions, fold_constants, guard_implied_constants,
                                optimize, owned_loop_variables, place_releases,
                                remove_dead_code, remove_redundant_guards)

I, F, B = Kind.INT, Kind.FLOAT, Kind.BOOL


class Builder:
    """Builds a loop trace: label(inputs) guard_budget ... jump(args). Guards snapshot the current values of
    the state variables (set with `assign`) plus an optional value stack."""

    def __init__(self, *inputs: tuple[str, Kind]):
        self.vars = VarFactory()
        self.layout = StateLayout()
        self.inputs = []
        self.current = {}
        for n, (name, kind) in enumerate(inputs):
            sv = StateVar("fast", n, name)
            v = self.vars.new(kind)
            self.inputs.append((sv, v))
            self.layout.add(sv, kind)
            self.current[sv] = v
        self.body: list[Op] = []
        self.next_pc = 10

    def __getitem__(self, name: str):
        return next(v for sv, v in self.inputs if sv.name == name)

    def sv(self, name: str) -> StateVar:
        return next(sv for sv, _ in self.inputs if sv.name == name)

    def assign(self, name: str, value) -> None:
        self.current[self.sv(name)] = value

    def op(self, name: str, *args, stack=()):
        d = OPS[name]
        result = None if d.result is Kind.VOID else self.vars.new(d.result)
        snap = None
        if d.guard:
            snap = Snapshot(self.next_pc, dict(self.current), list(stack))
            self.next_pc += 2
        self.body.append(Op(name, list(args), result, snap, self.next_pc))
        return result

    def trace(self, jump_args=None) -> Trace:
        label = Op("label", [v for _, v in self.inputs])
        budget = Op("guard_budget", [], None, Snapshot(0, {sv: v for sv, v in self.inputs}, []), 0)
        args = [self.current[sv] for sv, _ in self.inputs] if jump_args is None else list(jump_args)
        t = Trace("loop", "t", "<test>", 0, 0, list(self.inputs), [label, budget] + self.body + [Op("jump", args)],
                  self.layout)
        verify(t)
        return t


def names(trace: Trace) -> list[str]:
    return [op.name for op in trace.ops]


def find(trace: Trace, name: str) -> list[Op]:
    return [op for op in trace.ops if op.name == name]


def test_verify_finds_a_snapshot_value_used_before_its_definition():
    b = Builder(("x", I), ("y", I))
    later = b.vars.new(I)
    b.assign("y", later)
    b.op("guard_true", b.op("int_lt", b["x"], const_int(3)))     # its exit would store y = `later`
    b.body.append(Op("int_add", [b["x"], const_int(1)], later))
    with pytest.raises(IRError, match=r"snapshot y: i\d+ used before definition"):
        b.trace()
    b = Builder(("x", I))                                       # the same value in an inlined frame's stack
    later = b.vars.new(I)
    b.op("guard_true", b.op("int_lt", b["x"], const_int(3)))
    b.body.append(Op("int_add", [b["x"], const_int(1)], later))
    guard = b.body[1]
    guard.snapshot = Snapshot(4, {}, [later], parent=guard.snapshot)
    with pytest.raises(IRError, match=r"snapshot stack\[0\]: i\d+ used before definition"):
        b.trace()


# ------------------------------------------------------------------------------------------ fold_constants


def test_fold_all_constant_pure_ops():
    b = Builder(("x", I), ("y", F))
    five = b.op("int_add", const_int(2), const_int(3))
    prod = b.op("int_mul", b["x"], five)
    half = b.op("float_mul", const_float(0.25), const_float(2.0))
    y2 = b.op("float_add", b["y"], half)
    b.assign("x", prod)
    b.assign("y", y2)
    out = fold_constants(b.trace())
    verify(out)
    assert "float_mul" not in names(out)
    assert names(out).count("int_add") == 0
    (mul,) = find(out, "int_mul")
    assert mul.args[1] == const_int(5) and mul.args[0] is b["x"]
    (fadd,) = find(out, "float_add")
    assert fadd.args[1] == const_float(0.5)
    # unchanged meaning
    for x, y in ((3, 1.5), (-7, -2.0)):
        before = run_trace(b.trace(), {b.sv("x"): x, b.sv("y"): y}, budget=4)
        after = run_trace(out, {b.sv("x"): x, b.sv("y"): y}, budget=4)
        assert before.values == after.values and before.iterations == after.iterations


def test_fold_removes_always_passing_guards():
    b = Builder(("x", I))
    c = b.op("int_lt", const_int(1), const_int(2))
    b.op("guard_true", c)
    b.op("guard_false", const_bool(False))
    s = b.op("int_add_ovf", const_int(INT64_MAX - 1), const_int(1))     # cannot overflow
    d = b.op("int_floordiv", const_int(7), const_int(2))                 # cannot divide by zero
    x2 = b.op("int_add_ovf", b["x"], s)
    x3 = b.op("int_sub", x2, d)
    b.assign("x", x3)
    out = fold_constants(b.trace())
    verify(out)
    assert find(out, "guard_true") == [] and find(out, "guard_false") == []
    assert find(out, "int_floordiv") == []
    (add,) = find(out, "int_add_ovf")
    assert add.args[1] == const_int(INT64_MAX)
    assert find(out, "int_sub")[0].args[1] == const_int(3)


def test_fold_keeps_always_failing_guards():
    b = Builder(("x", I))
    c = b.op("int_gt", const_int(1), const_int(2))
    b.op("guard_true", c)                                    # always fails: the trace always exits here
    o = b.op("int_add_ovf", const_int(INT64_MAX), const_int(1))
    z = b.op("int_mod", const_int(5), const_int(0))
    b.op("guard_false", const_bool(True))
    x2 = b.op("int_add", b["x"], o)
    x3 = b.op("int_add", x2, z)
    b.assign("x", x3)
    t = b.trace()
    out = fold_constants(t)
    verify(out)
    (g,) = find(out, "guard_true")
    assert g.args == [const_bool(False)]
    assert len(find(out, "int_add_ovf")) == 1 and len(find(out, "int_mod")) == 1
    assert len(find(out, "guard_false")) == 1
    ex = run_trace(out, {b.sv("x"): 1}, budget=10)
    assert ex.op.name == "guard_true" and ex.pc == g.snapshot.pc and ex.iterations == 0


def test_fold_identities():
    b = Builder(("x", I), ("y", I))
    a = b.op("int_add_ovf", b["x"], const_int(0))
    m = b.op("int_mul_ovf", const_int(1), a)
    s = b.op("int_sub", m, const_int(0))
    o = b.op("int_or", const_int(0), s)
    keep = b.op("int_sub", const_int(0), b["y"])             # 0 - y is not y
    b.assign("x", o)
    b.assign("y", keep)
    out = fold_constants(b.trace())
    assert names(out) == ["label", "guard_budget", "int_sub", "jump"]
    assert out.ops[-1].args[0] is b["x"]


# --------------------------------------------------------------------------------- guard_implied_constants


def test_guard_implied_constants_in_snapshot():
    b = Builder(("x", I), ("flag", B))
    c = b.op("int_lt", b["x"], const_int(10))
    b.assign("flag", c)
    b.op("guard_true", c, stack=[c, b["x"]])
    d = b.op("int_gt", b["x"], const_int(-10))
    b.assign("flag", d)
    b.op("guard_false", d, stack=[d])
    other = b.op("int_eq", b["x"], const_int(3))
    b.op("int_add_ovf", b["x"], const_int(1), stack=[c, other])    # not a guard on c: left alone
    out = guard_implied_constants(b.trace())
    verify(out)
    gt, gf = find(out, "guard_true")[0], find(out, "guard_false")[0]
    assert gt.snapshot.state[b.sv("flag")] == const_bool(False)
    assert gt.snapshot.stack == [const_bool(False), b["x"]]
    assert gt.snapshot.state[b.sv("x")] is b["x"]
    assert gt.args[0] is c                                   # the guard itself still tests c
    assert gf.snapshot.state[b.sv("flag")] == const_bool(True)
    assert gf.snapshot.stack == [const_bool(True)]
    ovf = find(out, "int_add_ovf")[0]
    assert ovf.snapshot.stack[0] is c and ovf.snapshot.stack[1] is other
    # c is no longer needed by its guard's exit; d likewise
    for x in (20, -20, 5):
        inputs = {b.sv("x"): x, b.sv("flag"): True}
        e1, e2 = run_trace(b.trace(), inputs, 5), run_trace(out, inputs, 5)
        assert (e1.pc, e1.values, e1.iterations) == (e2.pc, e2.values, e2.iterations)


def test_guard_implied_constants_reaches_a_parent_frame_and_keeps_snapshots_without_the_condition():
    # an exit inside an inlined call: the condition is a value only of the caller's frame (the parent snapshot)
    b = Builder(("x", I), ("flag", B))
    c = b.op("int_lt", b["x"], const_int(10))
    b.assign("flag", c)
    b.op("guard_true", c)
    t = b.trace()
    guard = find(t, "guard_true")[0]
    callee = Snapshot(4, {StateVar("fast", 0, "n"): b["x"]}, [b["x"]], code=None, parent=guard.snapshot)
    guard.snapshot = callee
    assert callee.holds(c) and guard.snapshot.parent.holds(c) and not Snapshot(4, {}, [b["x"]]).holds(c)
    out = guard_implied_constants(t)
    verify(out)
    g = find(out, "guard_true")[0]
    assert g.snapshot.parent.state[b.sv("flag")] == const_bool(False)
    assert g.snapshot.stack == [b["x"]] and g.snapshot.state[StateVar("fast", 0, "n")] is b["x"]
    # a guard whose exit does not hold its condition keeps its snapshot (no copy)
    b = Builder(("x", I))
    c = b.op("int_lt", b["x"], const_int(10))
    b.op("guard_true", c)
    t = b.trace()
    out = guard_implied_constants(t)
    assert find(out, "guard_true")[0].snapshot is find(t, "guard_true")[0].snapshot


# ------------------------------------------------------------------------------------ common_subexpressions


def test_cse_merges_duplicates_and_commuted():
    b = Builder(("x", I), ("y", I), ("f", F))
    s1 = b.op("int_add", b["x"], b["y"])
    s2 = b.op("int_add", b["x"], b["y"])
    s3 = b.op("int_add", b["y"], b["x"])                    # commutative: same value
    d1 = b.op("int_sub", b["x"], b["y"])
    d2 = b.op("int_sub", b["y"], b["x"])                    # not commutative: different
    k1 = b.op("int_mul", b["x"], const_int(3))
    k2 = b.op("int_mul", const_int(3), b["x"])
    k3 = b.op("int_mul", b["x"], const_int(4))
    f1 = b.op("float_mul", b["f"], const_float(2.0))
    f2 = b.op("float_mul", b["f"], const_float(2.0))
    total = s1
    for v in (s2, s3, d1, d2, k1, k2, k3):
        total = b.op("int_xor", total, v)
    b.assign("x", total)
    b.assign("f", b.op("float_add", f1, f2))
    t = b.trace()
    out = common_subexpressions(t)
    verify(out)
    assert len(find(out, "int_add")) == 1
    assert len(find(out, "int_sub")) == 2
    assert len(find(out, "int_mul")) == 2
    assert len(find(out, "float_mul")) == 1
    (fadd,) = find(out, "float_add")
    assert fadd.args[0] is fadd.args[1]
    for x, y in ((3, 4), (-9, 100)):
        inputs = {b.sv("x"): x, b.sv("y"): y, b.sv("f"): 1.25}
        e1, e2 = run_trace(t, inputs, 6), run_trace(out, inputs, 6)
        assert e1.values == e2.values


def test_cse_merges_a_repeated_guard_that_computes_from_its_arguments_alone():
    """An overflow-checked add, a floor division and an int object's value, the same again with the same
    arguments: the second cannot fail where the first passed and gives the same value (one of each is left); a
    guard with no value (guard_true) is remove_redundant_guards' to drop."""
    R = Kind.REF
    b = Builder(("x", I), ("y", I), ("o", R))
    a1 = b.op("int_add_ovf", b["x"], b["y"])
    a2 = b.op("int_add_ovf", b["y"], b["x"])
    c = b.op("int_lt", b["x"], b["y"])
    b.op("guard_true", c)
    b.op("guard_true", c)
    q1 = b.op("int_floordiv", b["x"], b["y"])
    q2 = b.op("int_floordiv", b["x"], b["y"])
    v1 = b.op("int_value", b["o"])
    v2 = b.op("int_value", b["o"])
    b.assign("x", b.op("int_add", b.op("int_add", a1, a2), b.op("int_add", q1, q2)))
    b.assign("y", b.op("int_add", v1, v2))
    out = common_subexpressions(b.trace())
    verify(out)
    assert len(find(out, "int_add_ovf")) == 1
    assert len(find(out, "int_floordiv")) == 1
    assert len(find(out, "int_value")) == 1
    assert len(find(out, "guard_true")) == 2


def test_a_repeated_guard_reading_object_memory_stays_after_a_store():
    """guard_no_own_attr checks an instance's own attributes: a dict store between two identical ones (into the
    instance's own dict, `o.__dict__[name] = v`) may make the second fail, so it is kept; with no store between,
    it is redundant."""
    R = Kind.REF
    b = Builder(("o", R), ("d", R), ("k", R), ("v", R))
    b.op("guard_no_own_attr", b["o"], Const(1, I), Const(16, I))
    b.op("guard_no_own_attr", b["o"], Const(1, I), Const(16, I))
    b.op("dict_setitem_str", b["d"], b["k"], b["v"], b["v"])
    b.op("guard_no_own_attr", b["o"], Const(1, I), Const(16, I))
    out = remove_redundant_guards(b.trace())
    verify(out)
    assert len(find(out, "guard_no_own_attr")) == 2


def test_an_item_store_keeps_what_was_read_of_attributes_and_types():
    """A store into a list's or an array's items (OpDef.writes_items) changes no attribute, class value or type:
    an attribute read, a type_of and a guard_no_own_attr after it are those before it; after a dict store (which
    may be an instance's own dict) they are done again."""
    R = Kind.REF
    b = Builder(("o", R), ("lst", R), ("d", R), ("k", R), ("v", R), ("x", I), ("same", Kind.BOOL))
    name = Const("m", R)

    def reads():
        b.op("guard_no_own_attr", b["o"], Const(1, I), Const(16, I))
        t = b.op("type_of", b["o"])
        b.op("guard_version", t, Const(7, I))
        return b.op("instance_attr", b["o"], Const(0, I), Const(16, I), name)
    first = reads()
    b.op("list_setitem_int", b["lst"], Const(0, I), b["x"], Const(False, Kind.BOOL))
    second = reads()
    b.op("dict_setitem_str", b["d"], b["k"], b["v"], b["v"])
    third = reads()
    b.assign("same", b.op("bool_or", b.op("ref_eq", first, second), b.op("ref_eq", second, third)))
    out = remove_redundant_guards(common_subexpressions(b.trace()))
    verify(out)
    for op_name in ("instance_attr", "type_of", "guard_no_own_attr"):
        assert len(find(out, op_name)) == 2, (op_name, format_trace(out))


# regression: CSE once keyed constants by value, so Const(0.0) == Const(-0.0) merged x*0.0 with x*-0.0
def test_cse_distinguishes_signed_zero_constants():
    b = Builder(("x", F), ("y", F), ("z", F))
    p = b.op("float_mul", b["x"], const_float(0.0))
    n = b.op("float_mul", b["x"], const_float(-0.0))
    b.assign("y", p)
    b.assign("z", n)
    t = b.trace()
    out = common_subexpressions(t)
    assert len(find(out, "float_mul")) == 2, format_trace(out)
    ex = run_trace(out, {b.sv("x"): 3.0, b.sv("y"): 1.0, b.sv("z"): 1.0}, budget=2)
    assert math.copysign(1.0, ex.values[b.sv("z")]) == -1.0


NEG_ZERO_PROG = """\
def f(n, x):
    a = 0.0
    b = 0.0
    for i in range(n):
        a = x * 0.0
        b = x * -0.0
    return a, b

print(f(100, 3.0))
"""


# regression, end to end: the JIT once printed (0.0, 0.0) instead of (0.0, -0.0)
def test_signed_zero_constants_end_to_end(tmp_path):
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import difftest
    prog = tmp_path / "negzero.py"
    prog.write_text(NEG_ZERO_PROG)
    plain = difftest.run_plain(prog, sys.executable, cwd=tmp_path)
    assert plain.stdout == "(0.0, -0.0)\n"
    jit = difftest.run_jit(prog, sys.executable, params="threshold=2", cwd=tmp_path)
    difftest.assert_same(plain, jit, "negzero.py")


# ----------------------------------------------------------------------------------------- remove_dead_code


def test_dce_removes_unused_pure_ops_keeps_guards_and_snapshot_values():
    b = Builder(("x", I), ("y", I))
    dead1 = b.op("int_mul", b["x"], const_int(7))
    b.op("int_add", dead1, const_int(1))                     # dead, and makes dead1 dead too
    b.op("float_add", const_float(1.0), const_float(2.0))   # dead
    b.op("int_add_ovf", b["x"], b["x"])                      # unused result, but a guard: kept
    b.op("int_floordiv", b["y"], b["x"])                     # unused result, but a guard: kept
    snap_only = b.op("int_sub", b["x"], b["y"])              # used only by the next guard's snapshot
    c = b.op("int_ne", b["y"], const_int(0))
    b.op("guard_true", c, stack=[snap_only])
    y2 = b.op("int_add", b["y"], const_int(1))               # used by the jump
    b.assign("y", y2)
    t = b.trace()
    out = remove_dead_code(t)
    verify(out)
    assert names(out) == ["label", "guard_budget", "int_add_ovf", "int_floordiv", "int_sub", "int_ne",
                          "guard_true", "int_add", "jump"]
    assert find(out, "int_add")[0].result is y2
    assert find(out, "int_sub")[0].result is snap_only


def test_dce_keeps_values_used_only_in_state_snapshot():
    b = Builder(("x", I), ("t", I))
    tmp = b.op("int_mul", b["x"], const_int(3))
    b.assign("t", tmp)
    b.op("guard_true", b.op("int_lt", b["x"], const_int(100)))
    b.assign("t", b["t"])                                    # the jump does not use tmp
    out = remove_dead_code(b.trace())
    assert "int_mul" in names(out)
    ex = run_trace(out, {b.sv("x"): 200, b.sv("t"): 0}, budget=3)
    assert ex.values[b.sv("t")] == 600


def test_optimize_stages():
    b = Builder(("x", I))
    b.assign("x", b.op("int_add_ovf", b["x"], b.op("int_add", const_int(1), const_int(1))))
    opt, stages = optimize(b.trace())
    assert [n for n, _ in stages] == ["recorded", "fold_constants", "guard_implied_constants",
                                      "common_subexpressions", "remove_redundant_guards", "remove_dead_code",
                                      "hoist_loop_invariants",
                                      "remove_negative_index_checks"]
    assert stages[-1][1] == format_trace(opt)
    assert "int_add(1, 1)" in stages[0][1] and "int_add(1, 1)" not in stages[1][1]


# ------------------------------------------------------------------------------------------- property test

INT_CONSTS = [0, 1, -1, 2, 3, 5, -7, 63, 64, 100, -100, 2 ** 31, 2 ** 53 + 1, INT64_MAX, INT64_MIN]
# both signed zeros: see test_cse_distinguishes_signed_zero_constants
FLOAT_CONSTS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.75, 1e300, -1e-300, math.inf, math.nan]
# ops on objects have preconditions (an index in range, an exact float...) that random operands would
# break: they have their own tests (test_object_ops_*)
BODY_OPS = [name for name, d in OPS.items()
            if name not in ("label", "jump", "guard_budget") and Kind.REF not in d.args and d.result is not Kind.REF]


def _const(rng: random.Random, kind: Kind) -> Const:
    if kind is I:
        return const_int(rng.choice(INT_CONSTS))
    if kind is F:
        return const_float(rng.choice(FLOAT_CONSTS))
    return const_bool(rng.random() < 0.5)


def _value(rng: random.Random, pool: dict, kind: Kind, p_const: float = 0.25):
    if pool[kind] and rng.random() >= p_const:
        if rng.random() < 0.5:
            return rng.choice(pool[kind][-2:])               # favour fresh results: longer dataflow chains
        return rng.choice(pool[kind])
    return _const(rng, kind)


def random_trace(rng: random.Random) -> Trace:
    kinds = [I, I, F, B] + [rng.choice([I, F, B]) for _ in range(rng.randint(0, 2))]
    b = Builder(*[(f"v{n}", k) for n, k in enumerate(kinds)])
    pool = {I: [], F: [], B: []}
    for _, v in b.inputs:
        pool[v.kind].append(v)
    done: list[Op] = []
    for _ in range(rng.randint(3, 24)):
        if done and rng.random() < 0.3:                      # a duplicate (maybe commuted) for CSE
            old = rng.choice(done)
            args = list(old.args)
            if len(args) == 2 and args[0].kind is args[1].kind and rng.random() < 0.5:
                args.reverse()                               # commuted (for any op, not only commutative)
            name = old.name
        else:
            name = rng.choice(BODY_OPS)
            p_const = 1.0 if rng.random() < 0.1 else 0.25   # sometimes all-constant, for folding
            args = [_value(rng, pool, k, p_const) for k in OPS[name].args]
        stack = [_value(rng, pool, rng.choice([I, F, B])) for _ in range(rng.randint(0, 3))]
        for sv, _ in b.inputs:                               # a state variable may change before the guard
            if rng.random() < 0.4:
                b.current[sv] = _value(rng, pool, b.layout.kinds[sv])
        res = b.op(name, *args, stack=stack)
        done.append(b.body[-1])
        if res is not None:
            pool[res.kind].append(res)
    jump = [_value(rng, pool, v.kind, 0.1) for _, v in b.inputs]
    return b.trace(jump)


def _input_value(rng: random.Random, kind: Kind):
    if kind is I:
        return rng.choice(INT_CONSTS + [rng.randint(-1000, 1000) for _ in range(4)])
    if kind is F:
        return rng.choice(FLOAT_CONSTS + [rng.uniform(-100, 100) for _ in range(4)])
    return rng.random() < 0.5


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    return a == b


def _outcome(ex):
    return ex.op.name, ex.pc, ex.iterations, ex.values


def _expected(opt: Trace, ex, ref, inputs: dict) -> tuple:
    """The outcome `ex` of the optimized trace `opt` should have, `ref` the original's: the same, except where a
    guard of invariant values, hoisted into the preamble, fails before the first iteration in which the original
    failed (that guard or one before it): an exit at the loop header with the inputs as they were there, which
    is as exact (the interpreter does that iteration's work itself)."""
    if any(ex.op is op for op in opt.ops[1:opt.preamble + 1]):
        assert ref.iterations == 0, (_outcome(ref), _outcome(ex))
        return ex.op.name, opt.header_pc, 0, inputs
    return _outcome(ref)


def test_random_traces_keep_their_meaning():
    rng = random.Random(20240611)
    exits = {}
    shrunk = 0
    for case in range(200):
        t = random_trace(rng)
        opt, _ = optimize(t)                                 # verifies after every pass
        verify(opt)
        shrunk += len(opt.ops) < len(t.ops)
        for run in range(3):
            inputs = {sv: _input_value(rng, v.kind) for sv, v in t.inputs}
            budget = rng.choice([1, 2, 7, 25])
            e1, e2 = run_trace(t, inputs, budget), run_trace(opt, inputs, budget)
            o1, o2 = _expected(opt, e2, e1, inputs), _outcome(e2)
            ok = o1[:3] == o2[:3] and o1[3].keys() == o2[3].keys() and \
                all(_same(o1[3][k], o2[3][k]) for k in o1[3])
            assert ok, (f"case {case} run {run}: inputs {inputs} budget {budget}\n"
                        f"original  -> {o1}\noptimized -> {o2}\n\n{format_trace(t)}\n\n{format_trace(opt)}")
            exits[e1.op.name] = exits.get(e1.op.name, 0) + 1
    # the generator exercises the interesting paths: guards failing, budgets running out, ops removed
    assert exits.get("guard_budget", 0) > 20
    assert sum(n for name, n in exits.items() if name != "guard_budget") > 100
    assert shrunk > 50


# ------------------------------------------------------------------------------------------- objects

def test_object_ops_reading_lists_are_not_folded():
    """list_len / list_getitem of a constant list read memory that may change between entries."""
    from tracejit.ir import const_ref
    data = [1.5, 2.5]
    b = Builder(("x", F))
    n = b.op("list_len", const_ref(data))
    item = b.op("list_getitem", const_ref(data), const_int(1))
    v = b.op("float_value", item)
    b.assign("x", b.op("float_add", b.op("float_add", b["x"], b.op("int_to_float", n)), v))
    out = fold_constants(b.trace())
    assert "list_len" in names(out) and "list_getitem" in names(out)
    data.append(0.0)                 # the next entry sees the new length
    ex = run_trace(optimize(b.trace())[0], {b.sv("x"): 0.0}, budget=2)
    assert ex.values[b.sv("x")] == 3.0 + 2.5


def test_object_ops_cse_and_dce():
    from tracejit.ir import const_ref
    data = [1.5, 2.5, 4.0]
    b = Builder(("x", F), ("i", I))
    lst = const_ref(data)
    a1 = b.op("float_value", b.op("list_getitem", lst, b["i"]))
    a2 = b.op("float_value", b.op("list_getitem", lst, b["i"]))
    b.op("list_len", lst)                                       # unused: removed
    b.assign("x", b.op("float_add", a1, a2))
    out, _ = optimize(b.trace())
    assert names(out).count("list_getitem") == 1 and names(out).count("float_value") == 1
    assert "list_len" not in names(out)
    ex = run_trace(out, {b.sv("x"): 0.0, b.sv("i"): 2}, budget=2)
    assert ex.values[b.sv("x")] == 8.0


def test_repeated_guards_are_removed():
    """a[i] + b[i] + a[i]: the second `i < 0` guard and the repeated type guard of a cannot fail where the
    first ones passed."""
    from tracejit.ir import const_ref
    xs, ys = [1.0, 2.0, 3.0], [10.0, 20.0, 30.0]
    b = Builder(("x", F), ("i", I), ("a", Kind.REF), ("b", Kind.REF))
    total = b["x"]
    for name in ("a", "b", "a"):
        lst = b[name]
        b.op("guard_class", lst, const_ref(list))
        neg = b.op("int_lt", b["i"], const_int(0))
        b.op("guard_false", neg)
        b.op("guard_index", b["i"], b.op("list_len", lst))
        total = b.op("float_add", total, b.op("float_value", b.op("list_getitem", lst, b["i"])))
    b.assign("x", total)
    out, _ = optimize(b.trace())
    assert names(out).count("guard_false") == 1
    assert names(out).count("guard_class") == 2          # one per list
    assert names(out).count("guard_index") == 2
    for i, want in ((1, 24.0), (5, None), (-1, None)):
        inputs = {b.sv("x"): 0.0, b.sv("i"): i, b.sv("a"): xs, b.sv("b"): ys}
        ex, ref = run_trace(out, inputs, budget=2), run_trace(b.trace(), inputs, budget=2)
        assert _outcome(ex) == _expected(out, ex, ref, inputs)
        if want is not None:
            assert ex.values[b.sv("x")] == want


def test_reads_are_not_reused_across_a_store():
    """x = a[i]; a[i] = x * 2; y = a[i]: the second read sees the stored object (CSE must not merge them)."""
    b = Builder(("x", F), ("i", I), ("a", Kind.REF))
    first = b.op("float_value", b.op("list_getitem", b["a"], b["i"]))
    b.op("list_setitem_float", b["a"], b["i"], b.op("float_mul", first, const_float(2.0)), const_bool(False))
    second = b.op("float_value", b.op("list_getitem", b["a"], b["i"]))
    b.assign("x", b.op("float_add", first, second))
    out, _ = optimize(b.trace())
    assert names(out).count("list_getitem") == 2
    data = [1.5, 2.5]
    ex = run_trace(out, {b.sv("x"): 0.0, b.sv("i"): 1, b.sv("a"): data}, budget=2)
    assert ex.values[b.sv("x")] == 2.5 + 5.0 and data == [1.5, 5.0]


def test_hoist_loop_invariants():
    """A type guard on a loop input the jump passes back unchanged, and the length it then reads, move before
    guard_budget (the back-edge jumps past them, so they run once per entry), the guard with the header's
    snapshot; a guard on an input the loop changes stays in the body."""
    from tracejit.ir import const_ref
    R = Kind.REF
    b = Builder(("a", R), ("i", I), ("t", R))
    b.op("guard_class", b["a"], const_ref(list))
    b.op("guard_class", b["t"], const_ref(list))
    n = b.op("list_len", b["a"])
    b.assign("i", b.op("int_add", b["i"], n))
    b.assign("t", b["a"])                          # t changes: its guard stays
    tr = b.trace()
    opt, _ = optimize(tr)
    assert opt.preamble == 2 and names(opt)[:4] == ["label", "guard_class", "list_len", "guard_budget"], names(opt)
    assert opt.ops[1].args[0] is tr.ops[0].args[0] and opt.ops[1].snapshot.pc == opt.ops[3].snapshot.pc
    assert names(opt).count("guard_class") == 2
    verify(opt)
    for a in ([1, 2, 3], (1, 2)):                  # (a tuple fails the hoisted guard: an exit at the header)
        inputs = {b.sv("a"): a, b.sv("i"): 0, b.sv("t"): [5]}
        ex, ref = run_trace(opt, inputs, budget=5), run_trace(tr, inputs, budget=5)
        assert _outcome(ex) == _expected(opt, ex, ref, inputs)
    assert run_trace(opt, {b.sv("a"): [1, 2, 3], b.sv("i"): 0, b.sv("t"): [5]}, budget=5).values[b.sv("i")] == 12


def _attribute_loop(store: str | None = None, call: bool = False):
    """A loop reading obj.m (an instance attribute, after its class's version guard) and adding it to s; `store`:
    the loop also stores obj.<store>; `call`: it also makes a call that may run Python code."""
    from tracejit.ir import const_ref
    R = Kind.REF
    b = Builder(("obj", R), ("s", R))
    t = b.op("type_of", b["obj"])
    b.op("guard_version", t, const_int(7))
    m = b.op("instance_attr", b["obj"], const_int(1), const_int(0), const_ref("m"))
    if store is not None:
        b.op("instance_set", b["obj"], b["s"], m, const_int(2), const_int(0), const_ref(store), const_int(0))
    if call:
        b.op("py_call", const_ref("PyObject_Vectorcall"), b["s"])
    b.assign("s", m)
    return b.trace()


def test_hoisted_reads_follow_what_the_loop_writes():
    """An attribute read of an object the loop does not change moves into the preamble after its class's version
    guard, unless the loop stores that attribute (of any object: two variables may hold one) or makes a call that
    may run Python code; a store of another attribute in place keeps it hoisted."""
    hoisted = lambda t: names(t)[1:t.preamble + 1]      # noqa: E731
    opt, _ = optimize(_attribute_loop())
    assert hoisted(opt) == ["type_of", "guard_version", "instance_attr"]
    opt, _ = optimize(_attribute_loop(store="other"))
    assert hoisted(opt) == ["type_of", "guard_version", "instance_attr"] and "instance_set" in names(opt)[5:]
    opt, _ = optimize(_attribute_loop(store="m"))
    assert hoisted(opt) == ["type_of", "guard_version"]
    opt, _ = optimize(_attribute_loop(call=True))
    assert opt.preamble == 0


def test_hoisted_duplicates_merge():
    """A length read again after a store in place (which common_subexpressions does not see through) is one read
    in the preamble, its uses given the first's result; the result is the same as the original's."""
    from tracejit.ir import const_ref
    R = Kind.REF
    b = Builder(("a", R), ("i", I))
    b.op("guard_class", b["a"], const_ref(list))
    n1 = b.op("list_len", b["a"])
    b.op("list_setitem_int", b["a"], const_int(0), b["i"], const_bool(False))
    b.op("guard_class", b["a"], const_ref(list))
    n2 = b.op("list_len", b["a"])
    b.assign("i", b.op("int_add", b["i"], b.op("int_add", n1, n2)))
    tr = b.trace()
    opt, _ = optimize(tr)
    assert names(opt)[1:opt.preamble + 1] == ["guard_class", "list_len", "int_add"], format_trace(opt)   # n1 + n2 too
    ex = run_trace(opt, {b.sv("a"): [1, 2, 3], b.sv("i"): 1}, budget=4)
    ref = run_trace(tr, {b.sv("a"): [1, 2, 3], b.sv("i"): 1}, budget=4)
    assert _outcome(ex)[:3] == _outcome(ref)[:3] and ex.values[b.sv("i")] == ref.values[b.sv("i")] == 1 + 3 * 6


def test_type_guards_in_a_loop_that_calls():
    """In a loop that makes a call that may run Python code, a guard that an input is a list still runs once per
    entry (no object becomes or stops being a list); one that it is a module does not (a module's __class__ may be
    assigned a subclass of ModuleType), nor one of a class of the program."""
    import types
    from tracejit.ir import const_ref
    R = Kind.REF
    Point = type("Point", (), {})
    for cls, hoisted in ((list, True), (types.ModuleType, False), (Point, False)):
        b = Builder(("x", R), ("s", R))
        b.op("guard_class", b["x"], const_ref(cls))
        b.op("py_call", const_ref("PyObject_Vectorcall"), b["s"])
        opt, _ = optimize(b.trace())
        assert (opt.preamble == 1) is hoisted, (cls, format_trace(opt))


def test_lengths_stay_in_a_loop_that_resizes():
    """The length of a list the loop appends to is read at every iteration; one whose items it only replaces is
    read once per entry."""
    from tracejit.ir import const_ref
    R = Kind.REF
    for store, stays in (("list_append_int", True), ("list_setitem_int", False)):
        b = Builder(("a", R), ("i", I))
        b.op("guard_class", b["a"], const_ref(list))
        n = b.op("list_len", b["a"])
        if store == "list_append_int":
            b.op(store, b["a"], b["i"])
        else:
            b.op(store, b["a"], const_int(0), b["i"], const_bool(False))
        b.assign("i", b.op("int_add", b["i"], n))
        opt, _ = optimize(b.trace())
        assert ("list_len" in names(opt)[opt.preamble + 2:]) is stays, format_trace(opt)


def test_a_read_stays_after_a_guard_left_in_the_loop():
    """s[k] of an invariant str s and index k reads s's memory at k, which the bounds guard before it allowed:
    where that guard stays in the loop (its bound changes), so does the read, though its arguments are
    invariant; a guard that computes a result (an overflow check) protects nothing after it."""
    from tracejit.ir import const_ref
    R = Kind.REF
    b = Builder(("s", R), ("k", I), ("n", I), ("c", I))
    b.op("guard_class", b["s"], const_ref(str))
    b.op("guard_index", b["k"], b["n"])
    b.assign("c", b.op("str_code_at", b["s"], b["k"]))
    b.assign("n", b.op("int_add_ovf", b["n"], const_int(1)))
    opt, _ = optimize(b.trace())
    assert names(opt)[1:opt.preamble + 1] == ["guard_class"]
    assert names(opt).index("guard_index") < names(opt).index("str_code_at")


def test_state_guards_are_never_hoisted():
    """A guard whose outcome changes as the loop runs though it has no changing argument (the graveyard's room, the
    run budget) stays in the loop; so does an allocation."""
    b = Builder(("x", I))
    b.op("guard_graveyard")
    boxed = b.op("box_int", const_int(5))
    b.op("guard_not_last", boxed)
    opt, _ = optimize(b.trace())
    assert opt.preamble == 0


# ------------------------------------------------------------------------------------------ place_releases

R = Kind.REF


def _releases(trace: Trace) -> list[tuple[str, object]]:
    return [(op.name, op.args[0]) for op in trace.ops if op.name in ("incref", "decref")]


def test_owned_loop_variables_follow_new_objects_around_the_loop():
    """s = s + "x" makes s owned; t = s (the label input of an owned variable) makes t owned too; u, which the
    loop never changes, stays borrowed."""
    b = Builder(("s", R), ("t", R), ("u", R))
    s1 = b.op("str_concat", b["s"], Const("x", R))
    b.assign("s", s1)
    b.assign("t", b["s"])
    t = b.trace()
    assert owned_loop_variables(t) == {b.sv("s"), b.sv("t")}


def test_place_releases_releases_each_owned_value_once_and_exits_own_what_is_alive():
    b = Builder(("s", R), ("n", I))
    s1 = b.op("str_concat", b["s"], Const("x", R))     # s's old value dies here
    b.assign("s", s1)
    tmp = b.op("str_slice", s1, Const(0, I), Const(1, I))   # used once, then released
    n1 = b.op("str_len", tmp)
    b.assign("n", n1)
    b.op("guard_true", b.op("int_lt", n1, Const(5, I)))
    t = b.trace()
    t.layout.owned = owned_loop_variables(t)
    assert t.layout.owned == {b.sv("s")}
    out = place_releases(t, t.layout.owned)
    verify(out)
    assert _releases(out) == [("decref", b["s"]), ("decref", tmp)]
    ops = out.ops
    concat = next(op for op in ops if op.name == "str_concat")
    assert concat.owned == (b["s"],)            # its own result does not exist when it fails
    sl = next(op for op in ops if op.name == "str_slice")
    assert sl.owned == (s1,)                    # the old s was released right after the concatenation
    last_guard = [op for op in ops if op.name == "guard_true"][-1]
    assert last_guard.owned == (s1,)            # s1 goes on to the next iteration: not released
    assert ops[-1].name == "jump"


def test_place_releases_increfs_a_value_handed_to_two_owned_variables():
    b = Builder(("a", R), ("b", R))
    s1 = b.op("str_concat", b["a"], b["b"])
    b.assign("a", s1)
    b.assign("b", s1)
    t = b.trace()
    t.layout.owned = owned_loop_variables(t)
    out = place_releases(t, t.layout.owned)
    assert ("incref", s1) in _releases(out)
    assert [r for r in _releases(out) if r[0] == "decref"] == [("decref", b["a"]), ("decref", b["b"])]


def test_place_releases_hands_a_bridges_new_object_in_a_borrowed_variable_to_the_graveyard():
    """A bridge leaving a new object in a variable the loop borrows (`acc = s + "-"`) gives its reference to
    the graveyard (room checked first); one it also hands to a variable the loop owns gets a second reference
    for the graveyard; into the variable the loop owns alone, the new object is handed on and the old one
    released. A borrowed object of unknown type cannot go into a variable the loop owns."""
    b = Builder(("s", R), ("acc", R), ("x", R))
    t = b.trace()
    t.layout.owned = {b.sv("s")}
    vars_ = VarFactory(100)
    s_in, x_in, made = vars_.new(R), vars_.new(R), vars_.new(R)

    def bridge(jump_vars, args):
        ops = [Op("str_concat", [s_in, Const("-", R)], made, Snapshot(4, {b.sv("s"): s_in}, []), 4),
               Op("jump", list(args))]
        return Trace("bridge", "t/exit1", "<test>", 0, 0, [(b.sv("s"), s_in), (b.sv("x"), x_in)], ops, t.layout,
                     jump_vars=list(jump_vars))

    out = place_releases(bridge([b.sv("acc")], [made]), {b.sv("s")})
    verify(out)
    assert [op.name for op in out.ops[1:]] == ["guard_graveyard", "graveyard_push", "jump"]
    assert out.ops[1].owned == (s_in, made)        # s_in: handed on unchanged; made: not yet in the graveyard
    out = place_releases(bridge([b.sv("acc"), b.sv("s")], [made, made]), {b.sv("s")})
    assert [op.name for op in out.ops[1:]] == ["decref", "guard_graveyard", "incref", "graveyard_push", "jump"]
    out = place_releases(bridge([b.sv("s")], [made]), {b.sv("s")})
    assert _releases(out) == [("decref", s_in)]
    with pytest.raises(RefcountError):
        place_releases(bridge([b.sv("s")], [x_in]), {b.sv("s")})
