"""Loop-invariant code motion (optimizer.passes.hoist_loop_invariants) through the whole JIT: what a loop reads
of objects it does not change (an attribute, a class's value, a list's length) is read once per entry, in the
loop's preamble, and every loop gives the same results as plain CPython when the program changes what was read:
on a rare branch of the loop, by a store of the same attribute through another variable, by a call that may run
Python code, by a bridge that appends, and through an exit in the middle of the loop."""
from __future__ import annotations

import sys

import pytest

import tracejit

from test_regressions import run_both


def _loops(func):
    return [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]


def _preamble(loop) -> list[str]:
    """The ops of the loop's first compiled trace that run once per entry (with a name: `instance_attr:m`)."""
    t = loop.blocks[0].trace
    out = []
    for op in t.ops[1:t.preamble + 1]:
        named = [a.value for a in op.args if type(getattr(a, "value", None)) is str]
        out.append(f"{op.name}:{named[-1]}" if named else op.name)
    return out


def _jit(func, make_args, **params):
    """func(*make_args()) plainly, then under the JIT (each with new arguments: the loops change them): the same
    result (of the same type), and the loops compiled."""
    expected = func(*make_args())
    with tracejit.enable(**{"threshold": 2, **params}):
        got = func(*make_args())
    assert got == expected and type(got) is type(expected), (got, expected)
    return _loops(func)


class Scaler:
    factor = 3

    def __init__(self, k):
        self.k = k
        self.other = 0


def scaled(s: Scaler, n: int) -> int:
    total = 0
    for i in range(n):
        total += s.k * i + s.factor
    return total


def test_attribute_of_an_invariant_object_is_read_once_per_entry(fresh_engine):
    (loop,) = _jit(scaled, lambda: (Scaler(7), 2000))
    pre = _preamble(loop)
    assert "guard_version" in pre and "instance_attr:k" in pre, pre
    body = [op.name for op in loop.blocks[0].trace.ops[loop.blocks[0].trace.preamble + 1:]]
    assert "instance_attr" not in body and "class_attr" not in body, body


def rare_store(s: Scaler, n: int) -> int:
    total = 0
    for i in range(n):
        total += s.k
        if i == n // 2:
            s.k = -1                # on the loop's rare way: an exit, then a bridge or the interpreter
    return total


def rare_class_store(s: Scaler, n: int) -> int:
    total = 0
    for i in range(n):
        total += s.factor
        if i == n // 2:
            Scaler.factor = 5       # the class's version changes: the preamble's guard fails at the next entry
    return total


def test_a_store_on_a_rare_way_is_seen_after_it(fresh_engine):
    _jit(rare_store, lambda: (Scaler(7), 3000))
    def make():
        Scaler.factor = 3
        return Scaler(7), 3000
    try:
        _jit(rare_class_store, make)
    finally:
        Scaler.factor = 3


def aliased(a: Scaler, b: Scaler, n: int) -> int:
    total = 0
    for i in range(n):
        total += a.k
        b.k = b.k + 1               # the same object, through another variable
    return total


def test_a_store_through_another_variable_keeps_the_read_in_the_loop(fresh_engine):
    def same():
        s = Scaler(1)
        return s, s, 2000
    loops = _jit(aliased, same)
    for loop in loops:
        assert "instance_attr:k" not in _preamble(loop), _preamble(loop)
    loops = _jit(aliased, lambda: (Scaler(1), Scaler(1), 2000))     # two objects: read per iteration all the same
    assert all("instance_attr:k" not in _preamble(loop) for loop in loops)


def bump(s: Scaler) -> None:
    s.k += 1


def called(s: Scaler, n: int, f) -> int:
    total = 0
    for i in range(n):
        total += s.k
        f(s)                        # inlined: a store of s.k; or called (3.12+ generic path): any Python code
    return total


@pytest.mark.parametrize("f", [bump, lambda s: setattr(s, "k", s.k + 2)], ids=["inlined", "setattr"])
def test_a_call_that_changes_the_attribute(fresh_engine, f):
    # (cost_model=0: a loop whose call is on the generic path compiles however little it saves)
    loops = _jit(called, lambda: (Scaler(1), 2000, f), cost_model=0)
    assert loops or sys.version_info < (3, 12), tracejit.stats()["aborts"]
    for loop in loops:
        assert "instance_attr:k" not in _preamble(loop)


def called_class(s: Scaler, n: int, f) -> int:
    total = 0
    for i in range(n):
        total += s.factor           # a class attribute: read once per entry unless the loop may run Python code
        f(s)
    return total


def grow_factor(s: Scaler) -> None:
    setattr(Scaler, "factor", Scaler.factor + 1)


def test_a_call_that_changes_a_class_attribute(fresh_engine):
    def make():
        Scaler.factor = 3
        return Scaler(1), 2000, grow_factor
    try:
        loops = _jit(called_class, make, cost_model=0)
    finally:
        Scaler.factor = 3
    assert loops or sys.version_info < (3, 12), tracejit.stats()["aborts"]
    for loop in loops:
        assert "guard_version" not in _preamble(loop), _preamble(loop)


def lengths(items: list, n: int) -> int:
    total = 0
    for i in range(n):
        total += len(items) + items[i % 4]
        if i % 700 == 699:
            items.append(i)         # on a rare way: the length read again after it
    return total


def replaced(items: list, n: int) -> int:
    total = 0
    for i in range(n):
        total += len(items)
        items[i % 4] = i            # in place: the length stays what it was
    return total


def test_list_lengths(fresh_engine):
    _jit(lengths, lambda: ([1, 2, 3, 4], 3000))
    (loop,) = _jit(replaced, lambda: ([1, 2, 3, 4], 2000))
    assert "list_len" in _preamble(loop), _preamble(loop)


def exits_midway(s: Scaler, values: list) -> float:
    total = 0.0
    for v in values:
        total += s.k * v            # v turns from int to float: an exit after the preamble's read
    return total


def test_an_exit_after_the_preamble(fresh_engine):
    _jit(exits_midway, lambda: (Scaler(3), [1] * 500 + [0.5] * 500 + [2] * 500))


def test_processes_match_plain_cpython(tmp_path):
    """The same programs as whole processes: output, and no JIT internal error."""
    _, evs = run_both(tmp_path, """\
        class P:
            scale = 2.0
            def __init__(self):
                self.x, self.vx = 0.0, 1.5

        def step(ps, w, n):
            for _ in range(n):
                for p in ps:
                    p.x += p.vx * w.scale
                    if p.x > 1000.0:
                        p.vx = -p.vx
                        P.scale = P.scale * 0.5
            return [round(p.x, 6) for p in ps]

        class W:
            scale = 0.25

        print(step([P() for _ in range(50)], W(), 200))
        w = W()
        w.scale = 4.0
        print(step([P() for _ in range(50)], w, 200))
    """)
    assert [e for e in evs if e["event"] == "compiled"], evs
