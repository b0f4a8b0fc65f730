"""Register allocation: liveness intervals, fusion, spilling, call-crossing values, text form."""
from __future__ import annotations

import random

import pytest

from test_backend import Builder, sum_squares_loop
from tracejit.backend import CompileError, Externals, assemble
from tracejit.backend.regalloc import (ALLOC_GPR, ALLOC_XMM, CALLEE_SAVED, MAX_SPILL, Spill, allocate,
                                       fused_compares, intervals)
from tracejit.backend.x86 import RAX, RCX, RDX, RSP, R14, R15, XMM0, XMM1
from tracejit.ir import Const, Kind

I, F, BO = Kind.INT, Kind.FLOAT, Kind.BOOL
EXT = Externals(0x1000, 0x2000, 0x3000, 0x4000, 0x5000)


def assert_no_conflicts(alloc) -> None:
    ivs = alloc.intervals
    for k, a in enumerate(ivs):
        for b in ivs[k + 1:]:
            if a.loc == b.loc:
                assert a.end < b.start or b.end < a.start, f"{a.var!r} {b.var!r} share {a.loc}"


def test_text_form():
    t = sum_squares_loop()
    alloc = allocate(t)
    text = alloc.format()
    lines = text.splitlines()
    assert len(lines) == len(alloc.intervals)
    i0 = t.inputs[0][1]
    assert f"{i0!r} -> {alloc.loc(i0)!r}" in text
    for line in lines:
        assert " -> " in line


def test_reserved_registers_never_allocated():
    t = sum_squares_loop()
    alloc = allocate(t)
    for iv in alloc.intervals:
        assert iv.loc not in (RAX, RCX, RDX, RSP, R14, R15, XMM0, XMM1)
    assert RAX not in ALLOC_GPR and R15 not in ALLOC_GPR and R14 not in ALLOC_GPR
    assert XMM0 not in ALLOC_XMM and XMM1 not in ALLOC_XMM


def test_sum_loop_needs_no_moves():
    """i2 = i + 1 and s2 = s + t reuse their operand's register, so the jump moves nothing."""
    t = sum_squares_loop()
    alloc = allocate(t)
    label, jump = t.ops[0], t.ops[-1]
    for lv, ja in zip(label.args, jump.args):
        assert alloc.loc(lv) == alloc.loc(ja), (lv, ja)
    assert alloc.fused == {1}            # int_lt fused into guard_true
    assert alloc.nspill == 0


def test_fusion_rules():
    b = Builder()
    x, y = b.inp("x", I), b.inp("y", I)
    b.label()
    c1 = b.op("int_lt", x, y)
    b.op("guard_true", c1)                      # fused
    c2 = b.op("int_gt", x, y)
    b.op("guard_false", c2)
    c3 = b.op("int_eq", x, y)                   # used twice: not fused
    b.op("guard_false", c3)
    n = b.op("bool_to_int", c3)
    c4 = b.op("int_ne", x, y)
    b.set("x", x)
    b.state[b.svs["y"]] = y
    b.op("guard_true", c4)
    b.op("guard_budget")
    t = b.jump(n, y)
    f = fused_compares(t)
    assert f == {1, 3, 8}
    # the comparison result appears in its own guard's snapshot -> not fused
    b = Builder()
    x, z = b.inp("x", I), b.inp("z", BO)
    b.label()
    c = b.op("int_lt", x, 5)
    b.set("z", c)
    b.op("guard_true", c)
    b.op("guard_budget")
    t = b.jump(x, c)
    assert fused_compares(t) == set()


def random_trace(rng: random.Random, nops: int):
    b = Builder()
    ints = [b.inp(f"i{k}", I) for k in range(6)]
    fls = [b.inp(f"f{k}", F) for k in range(4)]
    b.label()
    pool_i, pool_f = list(ints), list(fls)
    int_ops = ["int_add", "int_sub", "int_mul", "int_add_ovf", "int_xor", "int_and", "int_floordiv"]
    fl_ops = ["float_add", "float_mul", "float_sub", "float_mod", "float_pow"]
    for _ in range(nops):
        if rng.random() < 0.6:
            name = rng.choice(int_ops)
            v = b.op(name, rng.choice(pool_i), rng.choice(pool_i + [Const(3, I)]))
            pool_i.append(v)
            if rng.random() < 0.3:
                b.set(f"i{rng.randrange(6)}", v)
        else:
            name = rng.choice(fl_ops)
            v = b.op(name, rng.choice(pool_f), rng.choice(pool_f))
            pool_f.append(v)
            if rng.random() < 0.3:
                b.set(f"f{rng.randrange(4)}", v)
    b.op("guard_budget")
    return b.jump(*[rng.choice(pool_i) for _ in range(6)], *[rng.choice(pool_f) for _ in range(4)])


@pytest.mark.parametrize("seed", range(20))
def test_random_traces_have_no_conflicts(seed):
    rng = random.Random(seed)
    t = random_trace(rng, rng.randint(5, 120))
    alloc = allocate(t)
    assert_no_conflicts(alloc)
    for i, regs in alloc.saves.items():
        c = 2 * i + 1
        live = {iv.loc for iv in alloc.intervals if iv.start < c <= iv.end}
        for r in regs:
            assert r in live and (r.xmm or r not in CALLEE_SAVED)
        for loc in live:
            if not isinstance(loc, Spill) and (loc.xmm or loc not in CALLEE_SAVED):
                assert loc in regs
    assemble(t, EXT)


def test_spilling_when_out_of_registers():
    b = Builder()
    xs = [b.inp(f"x{k}", I) for k in range(len(ALLOC_GPR) + 3)]
    b.label()
    s = xs[0]
    for x in xs[1:]:
        s = b.op("int_add", s, x)
    b.set("x0", s)
    b.op("guard_budget")
    t = b.jump(s, *xs[1:])
    alloc = allocate(t)
    assert alloc.nspill > 0
    assert "[sp" in alloc.format()
    assert_no_conflicts(alloc)


def test_too_many_live_values():
    b = Builder()
    xs = [b.inp(f"x{k}", I) for k in range(len(ALLOC_GPR) + MAX_SPILL + 1)]
    b.label()
    b.op("guard_budget")
    t = b.jump(*xs)
    with pytest.raises(CompileError):
        assemble(t, EXT)


def test_call_crossing_values_prefer_callee_saved():
    b = Builder()
    n, x, y = b.inp("n", I), b.inp("x", F), b.inp("y", F)
    b.label()
    u = b.op("float_add", x, 1.0)
    m = b.op("float_mod", u, y)
    k = b.op("int_add", n, 1)
    b.set("n", k)
    b.set("x", m)
    b.op("guard_budget")
    t = b.jump(k, m, y)
    alloc = allocate(t)
    ivs = {id(iv.var): iv for iv in alloc.intervals}
    assert ivs[id(n)].crosses_call
    assert alloc.loc(n) in CALLEE_SAVED
    assert alloc.loc(y) in alloc.saves[2]       # y is live after the call, in an xmm register
    assert alloc.loc(x) in alloc.saves[2]       # x is in the call's snapshot
    assert alloc.loc(u) not in alloc.saves[2]   # u dies at the call


def test_snapshot_values_do_not_share_with_guard_result():
    """A value only used by a guard's snapshot must survive the guard's result being written."""
    b = Builder()
    a, c = b.inp("a", I), b.inp("c", I)
    b.label()
    r = b.op("int_mul_ovf", a, c)              # a and c die here but are in the snapshot
    b.set("a", r)
    b.set("c", r)
    b.op("guard_budget")
    t = b.jump(r, r)
    alloc = allocate(t)
    assert alloc.loc(r) not in (alloc.loc(a), alloc.loc(c))
    b = Builder()
    a, c = b.inp("a", I), b.inp("c", I)
    b.label()
    r = b.op("int_add_ovf", a, c)              # add can be undone by the exit stub: in place is fine
    b.set("a", r)
    b.op("guard_budget")
    t = b.jump(r, c)
    alloc = allocate(t)
    assert alloc.loc(r) == alloc.loc(a)


def test_interval_positions():
    t = sum_squares_loop()
    ivs = intervals(t, fused_compares(t))
    by = {iv.var.id: iv for iv in ivs}
    assert by[0].start == 1                   # inputs defined at the label
    assert by[4].start == 2 * 3 + 1           # i4 = op 3
    assert by[1].end == 2 * (len(t.ops) - 1)  # n used by the jump
