"""The native round trip (backend/roundtrip.py, runtime/native_entry.py): entry checks, unboxing, the trace and
the exit's write-back in one piece of machine code.

Each test runs functions under the JIT in this process, many times (each call is one entry), compares every
result with the same function run with the JIT off, and checks that the loop was served by the round trip
(`roundtrip` set, entries made), or, where the round trip must step aside, that the Python entry took over.
Whole-program behaviour under it (tracebacks, exits mid-expression, bridges) is covered by the differential
tests, which run with it on; `native=0` never uses it.
"""
from __future__ import annotations

import sys

import pytest

import tracejit

PARAMS = dict(threshold=3, short_run=0)


def loops_of(name: str):
    eng = tracejit.engine()
    return [lp for lp in eng.all_loops if lp.name.startswith(name + ":")] if eng is not None else []


def run_both(fn, calls: list[tuple], **params):
    """fn(*args) for each args, with the JIT off and then on; the results must agree."""
    expected = [fn(*args) for args in calls]
    with tracejit.enable(**{**PARAMS, **params}):
        got = [fn(*args) for args in calls]
    assert got == expected
    return got


def served(name: str) -> int:
    """Entries into loops of `name` that the round trip can serve (all of its loops must have one)."""
    loops = loops_of(name)
    assert loops, f"no loop of {name} compiled"
    assert all(lp.roundtrip is not None for lp in loops if not lp.retired), [lp.roundtrip_key for lp in loops]
    return sum(lp.entries for lp in loops)


def counter(n, step):
    i = 0
    total = 0
    flag = False
    x = 0.5
    while i < n:
        total += i * step
        x = x * 0.5 + 1.0
        flag = not flag
        i += 1
    return total, x, flag, i


def walk(node):
    depth = 0
    while node is not None:
        node = node[1]
        depth += 1
    return depth


def over_range(n):
    s = 0
    for k in range(3, n, 2):
        s += k
    return s


def over_list(items):
    s = 0.0
    for v in items:
        s += v * 2.0
    return s


def over_enumerate(items):
    s = 0
    for k, v in enumerate(items):
        s += k * v
    return s


def over_zip(xs, ys):
    s = 0.0
    for x, y in zip(xs, ys):
        s += x * y
    return s


def nested(rows):
    total = 0
    for row in rows:
        for v in row:
            total += v
    return total


def mid_expression(n, limit):
    out = 0
    for i in range(n):
        out += (i if i < limit else -i) * 3
    return out


def test_round_trip_serves_int_float_bool_and_object_locals(fresh_engine):
    run_both(counter, [(k % 7 + 5, 3) for k in range(300)])
    assert served("counter") >= 200


def test_round_trip_walks_objects(fresh_engine):
    chains = []
    node = None
    for k in range(40):
        node = (k, node)
        chains.append(node)
    run_both(walk, [(chains[k % 40],) for k in range(400)])
    assert served("walk") >= 200


def test_round_trip_serves_range_and_list_iterators(fresh_engine):
    run_both(over_range, [(k % 30 + 9,) for k in range(300)])
    run_both(over_list, [([float(j) for j in range(k % 20 + 3)],) for k in range(300)])
    assert served("over_range") >= 200 and served("over_list") >= 200


def test_round_trip_serves_enumerate_and_zip_of_lists(fresh_engine):
    run_both(over_enumerate, [([j * 3 for j in range(k % 25 + 4)],) for k in range(300)])
    run_both(over_zip, [([float(j) for j in range(k % 25 + 4)], [0.5 * j for j in range(k % 20 + 6)])
                        for k in range(300)])
    assert served("over_enumerate") >= 200 and served("over_zip") >= 200


def test_nested_loops_pop_and_push_through_the_round_trip(fresh_engine):
    rows = [[(i * j) % 17 for j in range(i % 9 + 1)] for i in range(30)]
    run_both(nested, [(rows[: k % 30 + 1],) for k in range(200)])
    assert served("nested") >= 100


def test_exits_mid_expression_keep_their_stack(fresh_engine):
    run_both(mid_expression, [(k % 50 + 10, k % 40) for k in range(300)])
    assert served("mid_expression") >= 100


def scale(v, n):
    i = 0
    out = v
    while i < n:
        out = v if out < 0 else out
        i += 1
    return out, i, v


def test_every_int64_enters(fresh_engine):
    """Ints of one, two and three digits enter through the round trip; -2**63 alone is left to the Python entry
    (which takes it: no entry is rejected)."""
    edges = [2 ** 30 - 1, 2 ** 30, 2 ** 60 - 1, 2 ** 60, 2 ** 61 + 12345, 2 ** 62, sys.maxsize]
    values = [v for e in edges for v in (e, -e)]
    calls = [(v, 4 + k % 3) for v in values for k in range(30)]
    expected = [scale(*args) for args in calls] + [scale(-sys.maxsize - 1, 5)] * 30
    with tracejit.enable(**PARAMS):
        got = [scale(5, 3 + k % 4) for k in range(100)]
        got = [scale(*args) for args in calls]
        rejects = sum(lp.roundtrip_rejects for lp in loops_of("scale"))
        got += [scale(-sys.maxsize - 1, 5) for _ in range(30)]
    assert got == expected
    loops = loops_of("scale")
    assert sum(lp.entries for lp in loops) >= 300
    assert rejects == 0 and sum(lp.roundtrip_rejects for lp in loops) >= 30
    assert fresh_engine.engine.stats.entry_rejections == 0


def test_entry_types_that_differ_are_rejected_and_recorded_again(fresh_engine):
    calls = [(k % 9 + 4, 2) for k in range(200)] + [(k % 9 + 4, 2.5) for k in range(200)]
    run_both(counter, calls)
    assert fresh_engine.engine.stats.entry_rejections > 0
    assert len(loops_of("counter")) >= 2


def test_reference_counts_are_those_of_plain_cpython(fresh_engine):
    marker = object()

    def keep(objs, n):
        last = None
        i = 0
        while i < n:
            last = objs[i % len(objs)]
            i += 1
        return last is marker

    objs = [marker, object(), marker]
    before = sys.getrefcount(marker)
    run_both(keep, [(objs, k % 11 + 3) for k in range(300)])
    assert sys.getrefcount(marker) == before
    assert served("keep") >= 100


def test_native_0_has_no_round_trip(fresh_engine):
    run_both(counter, [(k % 7 + 5, 3) for k in range(100)], native=0)
    loops = loops_of("counter")
    assert loops and all(lp.roundtrip is None for lp in loops)


def test_near_the_recursion_limit_the_python_entry_decides(fresh_engine):
    """Entries at depths near the recursion limit (the round trip rejects those without room for the write-back;
    on 3.12+ the back-edge stub leaves them to the Python callbacks): the same results and RecursionErrors as
    plain CPython."""
    def deep(k):
        if k:
            return deep(k - 1)
        return counter(40, 1)

    def outcomes() -> list:
        out = []
        for depth in range(limit - 70, limit - 20, 5):
            try:
                out.append(deep(depth))
            except RecursionError:
                out.append("recursion")
        return out

    limit = sys.getrecursionlimit()
    plain = outcomes()
    with tracejit.enable(**PARAMS):
        for _ in range(50):
            counter(30, 1)
        jit = outcomes()
    assert jit == plain
    assert served("counter") >= 40


def test_the_rejected_code_is_the_backends():
    from tracejit.backend.roundtrip import REJECTED
    from tracejit.runtime.compiled import REJECTED as RUNTIME_REJECTED
    assert REJECTED == RUNTIME_REJECTED
