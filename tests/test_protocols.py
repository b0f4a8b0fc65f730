"""Protocol methods of Python classes inlined (recorder/operators.py): `len(obj)` (`__len__`), `obj(...)`
(`__call__`), `x in obj` (`__contains__`), `if obj:` (`__bool__`, or `__len__`), `-obj`, `+obj`, `~obj`
(`__neg__`, `__pos__`, `__invert__`). Each is compiled with the class's method inlined (no generic call), and
each program runs against plain CPython while the methods change, return what the interpreter rejects (a
negative length, a float, a truth that is not a bool), raise, or write before their result is checked.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tracejit

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for  # noqa: E402


class Bag:
    def __init__(self, items):
        self.items = items
        self.index = dict.fromkeys(items)

    def __len__(self):
        return len(self.items)

    def __contains__(self, x):
        return x in self.index

    def __call__(self, x):
        return x * len(self.items)


class Sign:
    def __init__(self, v):
        self.v = v

    def __bool__(self):
        return self.v > 0

    def __neg__(self):
        return Sign(-self.v)

    def __pos__(self):
        return self

    def __invert__(self):
        return Sign(~self.v)


class Sized:                    # truth from __len__ alone
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def protocols(n):
    bag, s, empty = Bag(["a", "b", "c"]), Sign(2), Sized(0)
    keys = ("a", "z")
    total = 0
    for i in range(n):
        total += len(bag) + bag(i & 7)
        if keys[i & 1] in bag:
            total += 1
        if keys[i & 1] not in bag:
            total += 100
        t = -s
        if t:
            total += 1000
        if s and not empty:
            total += (~s).v + (+s).v
    return total


def _ops(func, *args, native=1):
    expected = func(*args)
    with tracejit.enable(threshold=2, little_left=0, native=native):
        got = func(*args)
    assert got == expected
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]
    assert loops, tracejit.stats()
    return [op.name for op in loops[0].blocks[0].trace.ops]


@pytest.mark.parametrize("native", [1, 0])
def test_protocol_methods_are_inlined(fresh_engine, native):
    names = _ops(protocols, 3000, native=native)
    assert "py_call" not in names, names
    # the class of each object guarded by its version tag (a method the class gets or loses changes it)
    assert names.count("guard_version") >= 3, names
    assert tracejit.stats()["internal_errors"] == 0


def bag_lengths(n):
    bag, sized = Bag([1, 2, 3]), Sized(4)
    t = 0
    for i in range(n):
        t += len(bag) * len(sized)
    return t


def test_a_length_is_checked_only_where_the_trace_does_not_know_one(fresh_engine):
    """`return len(self.items)` is a length already; `return self.n` gets the slot's check that it is not
    negative (one int_ge, its exit restarting the call)."""
    names = _ops(bag_lengths, 3000)
    assert names.count("int_ge") == 1 and "py_call" not in names, names


@pytest.mark.parametrize("native", NATIVE)
def test_protocol_methods_replaced_removed_or_raising(prog, native):
    """Each method is replaced on the class midway (the version guard leaves; the new one is called), removed
    (len() and `-` raise the TypeError, `in` iterates, truth falls back to __len__ or to true), or raises
    (the traceback's lines are the method's)."""
    check(prog, native, """\
        class C:
            def __init__(self, k):
                self.k = k
            def __len__(self):
                if self.k == 999:
                    raise KeyError("len")
                return self.k
            def __contains__(self, x):
                return x == self.k
            def __call__(self, a, b=2):
                return a * b + self.k
            def __neg__(self):
                return -self.k
            def __bool__(self):
                return self.k != 3
            def __iter__(self):
                return iter((self.k, 5))

        def f(n, c):
            t = 0
            for i in range(n):
                t += len(c) + c(i) + c(i, 3) + (-c)
                if 5 in c:
                    t += 7
                if c:
                    t += 1
                if i == n // 3:
                    C.__len__ = lambda self: 4
                    C.__call__ = lambda self, a, b=0: a - b
                elif i == n // 2:
                    del C.__contains__          # `in` iterates: __iter__
                    del C.__bool__              # truth from __len__
            return t

        for k in (1, 3, 5):
            print(f(500, C(k)))
        try:
            print(f(500, C(999)))
        except KeyError as e:
            print("KeyError", e)
        del C.__neg__
        try:
            f(50, C(2))
        except TypeError as e:
            print("TypeError", e)
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_results_the_interpreter_rejects_raise_there(prog, native):
    """A length that is negative, a float or too big, and a truth that is not a bool: the interpreter raises
    (ValueError, TypeError, OverflowError) exactly as without the JIT."""
    check(prog, native, """\
        class L:
            def __init__(self, n):
                self.n = n
            def __len__(self):
                return self.n
            def __bool__(self):
                return self.n if self.n > 100 else self.n > 1

        def f(n, obj, bad, at):
            t = 0
            for i in range(n):
                if i == at:
                    obj.n = bad
                t += len(obj)
                if obj:
                    t += 1
            return t

        for bad in (-1, 2.5, 2 ** 70, 200, True):
            try:
                print(f(400, L(2), bad, 300))
            except (ValueError, TypeError, OverflowError) as e:
                print(type(e).__name__, e)
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_a_method_that_writes_is_not_run_twice(prog, native):
    """`__len__` and `__bool__` that count their calls in an attribute (a write the program sees) and return a
    value read from an attribute: the check of their result would restart the instruction after the write, so
    such a recording aborts; the counts are plain CPython's."""
    evs = check(prog, native, """\
        class Counter:
            def __init__(self):
                self.calls = 0
                self.size = 3
            def __len__(self):
                size = self.size
                self.calls += 1
                return size
            def __bool__(self):
                more = self.size > self.calls
                self.calls += 1
                return more

        def f(n, c):
            t = 0
            for i in range(n):
                t += len(c)
                if i == n - 5:
                    c.size = -1
            return t

        def g(n, c):
            t = 0
            for i in range(n):
                if c:
                    t += 1
            return t

        c = Counter()
        try:
            print(f(300, c))
        except ValueError as e:
            print("ValueError", e)
        print(c.calls)
        c = Counter()
        c.size = 10 ** 6
        print(g(300, c), c.calls)
        """, compiled=())
    reasons = [e["reason"] for e in events_for(evs, "abort", "f") + events_for(evs, "abort", "g")]
    assert any("writes before its result is checked" in r for r in reasons), reasons


@pytest.mark.parametrize("native", NATIVE)
def test_a_special_method_on_the_instance_is_not_the_one_called(prog, native):
    """Special methods are looked up on the class: `obj.__len__ = ...` and `obj.__call__ = ...` on the instance
    change nothing (the trace's guard is on the class, which did not change)."""
    check(prog, native, """\
        class C:
            def __len__(self):
                return 2
            def __call__(self, x):
                return x + 1

        def f(n):
            c = C()
            t = 0
            for i in range(n):
                t += len(c) + c(i)
                if i == n // 2:
                    c.__len__ = lambda: 100
                    c.__call__ = lambda x: -x
            return t, len(c), c(1)

        print(f(1000))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_callable_instances_with_arguments_of_changing_types(prog, native):
    """obj(x) of an instance whose __call__ computes with its arguments: ints, then floats, then a str (the
    guards inside the inlined method leave; the interpreter raises the TypeError)."""
    check(prog, native, """\
        class Scale:
            def __init__(self, k):
                self.k = k
            def __call__(self, x, y=1):
                return self.k * x + y

        def f(n, xs):
            s = Scale(3)
            t = 0
            for i in range(n):
                t = t + s(xs[i % len(xs)], i & 3)
            return t

        print(f(1000, [1, 2, 3]))
        print(f(1000, [1.5, 2, 3]))
        try:
            print(f(1000, [1, 2, "x"]))
        except TypeError as e:
            print("TypeError", e)
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_a_truth_method_that_writes_is_called_once_per_test(prog, native):
    """On 3.11 and 3.12 the truth of `obj` is computed inside the branch instruction, whose guard's exit runs
    that instruction again: a `__bool__` (or a `__len__` giving a list's length) that writes would be called
    twice, and its second answer taken. Such a method is called, not inlined (found by review: `if b:` ran its
    body once instead of 1,000 times)."""
    check(prog, native, """\
        class B:
            def __init__(self):
                self.k = 0
            def __bool__(self):
                r = self.k % 3 == 0
                self.k += 1
                return r

        class L:
            def __init__(self):
                self.lists = [[1], [], []]
                self.k = 0
            def __len__(self):
                n = len(self.lists[self.k % 3])
                self.k += 1
                return n

        def f_if(b):
            t = 0
            for i in range(3000):
                if b:
                    t += 1
            return t, b.k

        def f_not(b):
            t = 0
            for i in range(3000):
                if not b:
                    t += 1
            return t, b.k

        def f_and(b):
            t = 0
            for i in range(3000):
                x = b and 5
                t += x == 5
            return t, b.k

        def f_while(b):
            t = 0
            for i in range(3000):
                while b:
                    t += 1
                    break
            return t, b.k

        for f in (f_if, f_not, f_and, f_while):
            print(f.__name__, f(B()), f(L()))
        """, compiled=(), params="threshold=1,bridge_threshold=1,cost_model=0,spend_ms=0,little_left=0")


@pytest.mark.parametrize("native", NATIVE)
def test_the_recorder_runs_no_method_of_the_programs_objects(prog, native):
    """A global holding an instance whose class defines `__hash__` (printing, or raising something other than
    TypeError) and `__getattribute__` (logging each name): the recorder looked such a global up among the
    functions it has rules for (hashing it) and asked isinstance() of it (reading `__class__`); it now goes by
    identity and by type, and the program sees no extra call (found by review: "hash called" printed, or the
    RuntimeError raised through the JIT)."""
    check(prog, native, """\
        log = []

        class C:
            def __init__(self):
                self.n = 1
            def __hash__(self):
                log.append("hash")
                raise RuntimeError("no hash")
            def __eq__(self, o):
                log.append("eq")
                return self is o

        class GA:
            def __getattribute__(self, name):
                log.append(name)
                return object.__getattribute__(self, name)
            def __len__(self):
                return 4

        c = C()
        ga = GA()

        def f():
            t = 0
            for i in range(3000):
                t += c.n + len(ga)
            return t

        print(f(), log)
        """, params="bridge_threshold=1,cost_model=0,spend_ms=0,little_left=0")
