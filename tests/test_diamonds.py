"""Branches over numbers recorded as selects (tracejit/recorder/diamonds.py): which branches qualify (read off
the bytecode of every supported version), and loops with them giving the same results as plain CPython, on both
ways of each branch, with one trace and no bridge, in the loop's frame and in inlined calls; arms that would
overflow, run a property or change a local's type are left to a guard."""
from __future__ import annotations

import pytest

import tracejit
from tracejit.cpython.bytecode import back_edges
from tracejit.recorder import diamonds
from tracejit.recorder.frame import AbstractFrame

from test_regressions import aborts, compiled, run_both


def _branches(func, header: int | None = None) -> list:
    """Each conditional jump of func's code with the diamond it opens (or None), in code order."""
    frame = AbstractFrame(func.__code__)
    out = []
    for pc in frame.order:
        for ins in frame.instrs[pc]:
            if ins.op in diamonds.CONDITIONAL:
                out.append(diamonds.find(frame, ins, header))
    return out


def _header(func) -> int:
    """The offset of the header of func's only loop."""
    return {header for _, header in back_edges(func.__code__)}.pop()


def one_armed(c, x):
    if c:
        x += 1
    return x


def two_armed(c, x):
    if c < 0:
        x = 16
    else:
        x -= 1
    y = x * 2 + c       # (a bare `return x` here would be copied into both arms: no join)
    return y


def not_diamonds(c, x, f, obj):
    if c:
        f(x)                    # a call
    if c:
        x = x / 2               # a division may raise
    if c:
        obj.y = x               # a store to memory
    if c == 1:                  # a branch inside an arm (the inner one is a diamond of its own)
        x = 1
    elif c == 2:
        x = 2
    if c:
        return x                # the arm leaves the function
    if c:
        x = x + 1; x = x + 1; x = x + 1; x = x + 1; x = x + 1; x = x + 1; x = x + 1  # noqa: E702
    return x


def loop_end(xs):
    best = 0
    for x in xs:
        if x > best:
            best = x
        else:
            best -= 1
    return best


def test_shapes_found():
    (d,) = _branches(one_armed)
    assert d is not None and d.fall and d.target == ()
    (d,) = _branches(two_armed)
    assert d is not None and d.fall and d.target and d.join > max(d.target)
    found = [d is not None for d in _branches(not_diamonds)]
    assert found == [False, False, False, False, True, False, False]


def test_both_arms_may_jump_back_to_the_loop_header():
    """CPython copies the back-edge into each arm of an if/else that ends a loop's body: the join is the loop's
    header, a diamond only where the recorder knows it is (the loop's own frame)."""
    header = _header(loop_end)
    (d,) = _branches(loop_end, header)
    assert d is not None and d.join == header and d.fall and d.target
    assert _branches(loop_end) == [None]


class Random:
    """SciMark's generator: two if/else over ints per number drawn, one `if k < 0: k += self.m1`."""

    def __init__(self, seed):
        self.m = [0] * 17
        for i in range(17):
            seed = (seed * 69069 + 1) & 0x7fffffff
            self.m[i] = seed
        self.i, self.j = 4, 16
        self.m1 = 2 ** 31 - 1
        self.dm1 = 1.0 / self.m1

    def next_double(self):
        I, J, m = self.i, self.j, self.m
        k = m[I] - m[J]
        if (k < 0):
            k += self.m1
        self.m[J] = k
        if (I == 0):
            I = 16
        else:
            I -= 1
        self.i = I
        if (J == 0):
            J = 16
        else:
            J -= 1
        self.j = J
        return self.dm1 * float(k)


def monte_carlo(n):
    rnd = Random(113)
    under = 0
    for _ in range(n):
        x = rnd.next_double()
        y = rnd.next_double()
        if x * x + y * y <= 1.0:
            under += 1
    return under, rnd.i, rnd.j, list(rnd.m)


def signs(xs):
    neg = pos = 0
    total = 0.0
    lo, hi = 0.0, 0.0
    big = False
    for x in xs:
        if x < 0:
            neg += 1
            total -= x
        else:
            pos += 1
            total += x * 2
        if x < lo:
            lo = x
        if x > hi:
            hi = x
        if x > 40.0:
            big = True
        else:
            big = False
    return neg, pos, total, lo, hi, big


def _loops(func):
    return [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]


def _branch_guards(loops) -> set[int]:
    """The offsets of the branches the loops' traces guard."""
    return {op.pc for lp in loops for b in lp.blocks for op in b.trace.ops if op.name in ("guard_true", "guard_false")}


def _for_iter(func) -> int:
    frame = AbstractFrame(func.__code__)
    (pc,) = [pc for pc in frame.order if frame.instrs[pc][0].op == "FOR_ITER"]
    return pc


def _ops(loops) -> list[str]:
    return [op.name for lp in loops for b in lp.blocks for op in b.trace.ops]


@pytest.mark.parametrize("native", [1, 0])
def test_branches_in_an_inlined_method_become_selects(fresh_engine, native):
    """Monte Carlo's loop (the method inlined) is one trace: every branch of it is a select, none grows a bridge,
    on both ways of each (k < 0 half the time, I and J wrap every 17 draws)."""
    expected = monte_carlo(3000)
    with tracejit.enable(threshold=2, native=native):
        got = monte_carlo(3000)
    assert got == expected
    loops = _loops(monte_carlo)
    assert len(loops) == 1 and len(loops[0].blocks) == 1           # no bridge
    ops = _ops(loops)
    assert ops.count("int_select") >= 7             # three branches in each of two calls, and the loop's


@pytest.mark.parametrize("native", [1, 0])
def test_branches_in_the_loops_frame_become_selects(fresh_engine, native):
    xs = [((i * 7919) % 101 - 50) * 0.75 for i in range(2000)]
    expected = signs(xs)
    with tracejit.enable(threshold=2, native=native):
        got = signs(xs)
    assert got == expected
    loops = _loops(signs)
    assert len(loops) == 1 and len(loops[0].blocks) == 1
    ops = _ops(loops)
    assert {"int_select", "float_select", "bool_select"} <= set(ops)
    assert _branch_guards(loops) <= {_for_iter(signs)}


def growing(n):
    x = 1
    for i in range(n):
        if i % 3:
            x = x * 3
        else:
            x = x + 1
    return x


@pytest.mark.parametrize("native", [1, 0])
def test_an_arm_that_overflows_exits_at_its_branch(fresh_engine, native):
    """The arm not taken overflows int64 first (x * 3 on a pass that adds 1): the exit is the branch itself, the
    interpreter takes it again and the program's ints go on growing past 64 bits exactly."""
    expected = growing(200)
    with tracejit.enable(threshold=2, native=native):
        got = growing(200)
    assert got == expected and got > 2 ** 64


class Sensor:
    def __init__(self):
        self.reads = 0

    @property
    def level(self):
        self.reads += 1
        return 3


def with_property(s, n):
    t = 0
    for i in range(n):
        if i % 4 == 0:
            t += s.level
    return t


def mixed(n):
    x = 0
    for i in range(n):
        if i % 2:
            x = 1
        else:
            x = 2.5
    return x


@pytest.mark.parametrize("native", [1, 0])
def test_arms_that_cannot_be_computed_both_keep_their_guard(fresh_engine, native):
    """A property's getter (it counts its calls) runs only on the way the program goes; a local that would be an
    int on one way and a float on the other keeps its branch too."""
    s = Sensor()
    expected = with_property(s, 400), s.reads
    s2 = Sensor()
    with tracejit.enable(threshold=2, native=native):
        got = with_property(s2, 400), s2.reads
        got_mixed = mixed(401)
    assert got == expected and got_mixed == mixed(401)
    for func in (with_property, mixed):
        assert not {"int_select", "float_select"} & set(_ops(_loops(func)))


def test_a_whole_program_against_plain_cpython(tmp_path):
    """The same loops as a program, plain against the JIT (output, exit status, stderr), the branches' loops
    compiled and none of their recordings aborted."""
    _, evs = run_both(tmp_path, """\
        def clamp(xs, lo, hi):
            out = 0
            for x in xs:
                if x < lo:
                    x = lo
                elif x > hi:
                    x = hi
                if x & 1:
                    out += x
                else:
                    out -= x // 2
            return out

        def flips(n):
            best, cur, f = 0, 0, 0
            for i in range(n):
                cur = (cur * 31 + i) % 1000
                if cur > 500:
                    f = cur - 500
                if f > best:
                    best = f
            return best

        print(clamp([(i * 37) % 211 - 100 for i in range(3000)], -40, 60))
        print(flips(3000))
        """, "threshold=2,little_left=0")
    for name in ("clamp", "flips"):
        assert compiled(evs, name)
        assert not aborts(evs, name)


class Point(complex):
    pass


def real_parts(p, n):
    s = 0.0
    for i in range(n):
        if i % 3 == 0:
            s += p.real         # complex's getset descriptor: read by a call
    return s


@pytest.mark.parametrize("native", [1, 0])
def test_an_arm_found_to_do_more_leaves_its_branch_guarded(fresh_engine, monkeypatch, native):
    """Where an arm turns out, once recorded, to do more than compute numbers (here: its attribute read is a call,
    which the dry run is made to miss), the recording aborts with the branch's hint and the next recording guards
    that branch: the loop compiles, with the same result as plain CPython."""
    def accept_any_number(obj, arg):
        value = getattr(obj, arg[0])
        return value if type(value) in diamonds.NUMBERS else diamonds._UNBOUND
    monkeypatch.setattr(diamonds, "_plain_attribute", accept_any_number)
    p = Point(2.5, 1.0)
    expected = real_parts(p, 3000)
    with tracejit.enable(threshold=2, native=native, cost_model=0):
        got = real_parts(p, 3000)
    assert got == expected
    eng = tracejit.engine()
    reasons = [r for r in eng.stats.aborts if "both arms of the branch" in r]
    assert reasons and "getattr_plain" in reasons[0]
    loops = _loops(real_parts)
    assert loops and not {"float_select", "int_select"} & set(_ops(loops))


def test_globals_of_module_level_code_and_of_a_global_statement(tmp_path):
    """Module-level code's variables are globals (LOAD_NAME / STORE_NAME), and so is a `global` of a function:
    their branches become selects too (both loops: one trace, no bridge), with the same output as plain CPython;
    a global stored in an inlined call's arm is left to a guard."""
    _, evs = run_both(tmp_path, """\
        lo = hi = below = 0
        for i in range(3000):
            v = (i * 7919) % 211 - 100
            if v < lo:
                lo = v
            if v > hi:
                hi = v
            else:
                below += 1
        print(lo, hi, below)

        G = 0
        def f(n):
            global G
            t = 0
            for i in range(n):
                if i % 3 == 0:
                    G += i
                else:
                    t += G & 7
            return t
        print(f(3000), G)

        H = 0
        def bump(i):
            global H
            if i % 3 == 0:
                H += i
            return H & 7
        def g(n):
            t = 0
            for i in range(n):
                t += bump(i)
            return t
        print(g(3000), H)
        """, "threshold=2,little_left=0")
    assert compiled(evs, "<module>") and compiled(evs, "f") and compiled(evs, "g")
    bridges = [e for e in evs if e["event"] == "bridge_compiled" and e["loop"].split(":")[0] in ("<module>", "f")]
    assert not bridges
    assert not aborts(evs, "<module>") and not aborts(evs, "f")
