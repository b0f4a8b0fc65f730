"""The sign checks of list indices a loop counts with (optimizer.passes.remove_negative_index_checks): `a[i]`,
`a[i - 1]` and `a[i + 1]` of a `for i in range(...)` loop's variable, or of a `while` loop's `i += 1`, check at
every iteration that the index is not negative (a negative one counts from the end); the loop checks once per
entry that its counter's least value in the run is high enough instead. Every loop gives the same results as plain
CPython: counting up, counting down, starting below zero, reaching below zero on the way down, a step of 2."""
from __future__ import annotations

import pytest

from test_invariants import _jit, _loops
from test_regressions import run_both


def _sign_checks(loop) -> tuple[int, list[str]]:
    """(the `x < 0` comparisons left in the loop's body, the names of the preamble's ops)."""
    t = loop.blocks[0].trace
    body = t.ops[t.preamble + 1:]
    lt0 = sum(1 for op in body if op.name == "int_lt" and getattr(op.args[1], "value", None) == 0)
    return lt0, [op.name for op in t.ops[1:t.preamble + 1]]


def neighbours(a: list, lo: int, hi: int, step: int) -> int:
    total = 0
    for i in range(lo, hi, step):
        total += a[i] * 3 + a[i - 1] - a[i + 1]
    return total


def test_counting_up_checks_once_per_entry(fresh_engine):
    (loop,) = _jit(neighbours, lambda: (list(range(100)), 1, 99, 1))
    left, pre = _sign_checks(loop)
    assert left == 0 and "int_min" in pre, (left, pre)


def search_down(a: list, x: int) -> int:
    for i in range(len(a) - 1, -1, -1):
        if a[i - 1] == x:           # reaches a[-1] only on its last iteration, when nothing was found
            return i
    return -1


def test_a_search_below_the_bound_keeps_its_checks(fresh_engine):
    """A loop whose recorded run went below the bound (a search down to -1 that returns first) keeps the check at
    each iteration: checked once per entry, every run would leave at the loop's header."""
    (loop,) = _jit(search_down, lambda: (list(range(3000)), 7))
    assert _sign_checks(loop)[0] == 1, _sign_checks(loop)


def test_counting_down_to_the_bound(fresh_engine):
    (loop,) = _jit(neighbours, lambda: (list(range(100)), 98, 0, -1))
    left, pre = _sign_checks(loop)
    assert left == 0 and "int_min" in pre, (left, pre)


@pytest.mark.parametrize("lo, hi, step", [(98, 0, -1), (97, 2, -2), (1, 99, 2), (-50, 99, 1), (60, -60, -1),
                                          (5, 99, 7)])
def test_every_direction_and_start(fresh_engine, lo, hi, step):
    def make():
        return list(range(100)), lo, hi, step
    _jit(neighbours, make)


def several_runs(a: list) -> list:
    out = []
    for lo in (10, 3, -5, 1, 60, -2, 20):       # runs whose least index is in range, then not, then again
        out.append(neighbours(a, lo, 90, 1))
    for hi in (0, -4, 5):
        out.append(neighbours(a, 80, hi, -1))
    return out


def test_runs_whose_indices_go_below_zero(fresh_engine):
    _jit(several_runs, lambda: (list(range(100)),))
    for loop in _loops(neighbours):
        assert _sign_checks(loop)[0] == 0


def while_by_one(a: list, i: int) -> int:
    total = 0
    while i < len(a) - 1:
        total += a[i] - a[i - 1]
        i += 1
    return total


def while_by_three(a: list, i: int) -> int:
    total = 0
    while i < len(a) - 1:
        total += a[i + 1] - a[i - 1]
        i += 3
    return total


def while_by_step(a: list, i: int, step: int) -> int:
    total = 0
    while 0 < i < len(a) - 1:
        total += a[i] - a[i - 1]
        i += step                   # a step of either sign: the index checks stay
    return total


@pytest.mark.parametrize("func", [while_by_one, while_by_three])
@pytest.mark.parametrize("start", [1, 5, -20])
def test_while_counters(fresh_engine, func, start):
    loops = _jit(func, lambda: (list(range(200)), start))
    if start >= 1:
        assert loops and _sign_checks(loops[0])[0] == 0, [_sign_checks(lp) for lp in loops]


@pytest.mark.parametrize("start, step", [(1, 1), (190, -1), (100, -3)])
def test_while_counter_of_unknown_sign(fresh_engine, start, step):
    for loop in _jit(while_by_step, lambda: (list(range(200)), start, step)):
        assert _sign_checks(loop)[0] > 0


def slices(s, lo: int, hi: int, step: int) -> list:
    out = []
    for i in range(lo, hi, step):
        out.append(s[i:i + 3])      # a negative start counts from the end: the sign decides the arithmetic
    return out


LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.mark.parametrize("seq", [LETTERS, list(LETTERS)], ids=["str", "list"])
@pytest.mark.parametrize("lo, hi, step", [(0, 40, 1), (30, -10, -1), (3, 40, 2), (-8, 30, 1)])
def test_slices_whose_start_crosses_zero(fresh_engine, seq, lo, hi, step):
    def make():
        return seq, lo, hi, step
    # (cost_model=0, little_left=0: a short loop that makes strings compiles all the same)
    assert _jit(slices, make, cost_model=0, little_left=0)


def slices_runs(s) -> list:
    return [slices(s, lo, hi, step) for lo, hi, step in ((0, 30, 1), (20, 0, -1), (20, -6, -1), (2, 30, 1))]


def test_slice_runs_after_the_loop_compiled(fresh_engine):
    _jit(slices_runs, lambda: (list(LETTERS),), cost_model=0, little_left=0)
    assert _loops(slices)


def test_process_matches_plain_cpython(tmp_path):
    run_both(tmp_path, """\
        def smooth(a, lo, hi, step):
            out = []
            for i in range(lo, hi, step):
                out.append(a[i - 1] + a[i] + a[i + 1])
            return sum(out)

        a = [x * x % 17 for x in range(300)]
        for lo, hi, step in ((1, 299, 1), (298, 0, -1), (-100, 299, 3), (150, -150, -2), (1, 299, 1)):
            for _ in range(5):
                print(smooth(a, lo, hi, step))
    """)
