"""Constructors inlined: `Point(x, y)` of a plain Python class as the instance's allocation (new_instance) and its
`__init__` recorded inline, its stores into the new instance as fresh_setattr (recorder/constructors.py). Each
program runs against plain CPython (output, tracebacks, exit status) while what the trace assumed of the class
changes mid-loop: `__init__` replaced, `__new__`, `__del__`, `__setattr__` or a property added, the name rebound
to another class, an exception raised inside `__init__`; and lifetimes that `__del__` and weakref callbacks make
visible. In-process tests check that the trace really makes the instance itself.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check  # noqa: E402
from test_instances import ops_of  # noqa: E402


class Point:
    def __init__(self, x, y=2.0):
        self.x = x
        self.y = y * 0.5
        self.tag = "pt"


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = a + b


def make_points(n):
    s = 0.0
    k = 0
    for i in range(n):
        p = Point(i * 0.25, y=3.0)
        q = Slotted(i, 1)
        s += p.x + p.y + q.b
        k += len(p.tag)
    return s, k, vars(p), q.a, q.b


def test_the_trace_makes_the_instance_and_runs_init_inline(fresh_engine):
    names = ops_of(make_points, 3000)
    assert names.count("new_instance") == 2, names
    # Point's three names are in its shared keys (slots of the values array), Slotted's two are __slots__ members
    assert names.count("instance_init") == 3 and names.count("member_init") == 2, names
    assert "fresh_setattr" not in names, names
    assert "py_call" not in names and "getattr_plain" not in names, names


@pytest.mark.parametrize("native", NATIVE)
def test_constructors_whose_class_changes_mid_loop(prog, native):
    check(prog, native, """\
        class V:
            def __init__(self, x, y=1.0):
                self.x = x
                self.y = y
                self.n = None

        class S:
            __slots__ = ("x", "y")
            def __init__(self, x, y):
                self.x = x
                self.y = x * y

        def f(n, cls=None):
            s = 0.0
            last = None
            for i in range(n):
                v = V(i * 0.5, y=2.0)
                w = S(i, 3)
                s += v.x * v.y + w.y
                last = v
            return s, vars(last), last.n

        print(f(3000))
        V.__init__ = lambda self, x, y=1.0: setattr(self, "x", -x) or setattr(self, "y", y) \\
            or setattr(self, "n", 7)
        print(f(300))
        def new(cls, *args, **kw):
            print("new", cls.__name__, args, kw)
            return object.__new__(cls)
        V.__new__ = new
        print(f(3))
        del V.__new__
        print(f(3000))
        V.__setattr__ = lambda self, name, value: object.__setattr__(self, name, str(value))
        print(f(30))
        del V.__setattr__
        V.y = property(lambda self: 5.0, lambda self, v: None)
        print(f(3000))
        del V.y
        V = S                                       # the name rebound to another class
        try:
            print(f(3000))
        except TypeError as e:
            print("TypeError", e)
        """, compiled=("f",), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_an_exception_inside_an_inlined_init_is_raised_by_the_interpreter(prog, native):
    check(prog, native, """\
        import traceback

        class Ratio:
            def __init__(self, a, b):
                self.a = a
                self.q = a / b                      # b reaches 0: ZeroDivisionError inside __init__

        def f(n):
            s = 0.0
            for i in range(n):
                r = Ratio(i, n - 500 - i)
                s += r.q
            return s

        try:
            f(1000)
        except ZeroDivisionError:
            traceback.print_exc()
        print(f(400))
        """, compiled=("f",), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_init_returning_something_else_than_none(prog, native):
    check(prog, native, """\
        class Odd:
            def __init__(self, x):
                self.x = x
                if x > 900:
                    return x                        # TypeError: __init__() should return None

        def f(n):
            s = 0
            for i in range(n):
                s += Odd(i).x
            return s

        try:
            print(f(1000))
        except TypeError as e:
            print("TypeError", e)
        print(f(900))
        """, compiled=("f",), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_lifetimes_seen_by_del_and_weakref_callbacks(prog, native):
    """Instances the trace makes die when the interpreter's would: an attribute's __del__ and a weakref callback
    report each death in the same order as plain CPython."""
    check(prog, native, """\
        import weakref

        class Noisy:
            def __init__(self, k):
                self.k = k
            def __del__(self):
                if self.k % 500 == 0:
                    print("del", self.k)

        class Holder:
            def __init__(self, item, k):
                self.item = item
                self.k = k

        class Plain:
            def __init__(self, k):
                self.k = k

        def f(n):
            s = 0
            for i in range(n):
                h = Holder(Noisy(i), i)                 # the holder is the last reference to its Noisy
                s += h.k
            return s

        def g(n):
            refs = []
            s = 0
            for i in range(n):
                p = Plain(i)
                s += p.k
                if i % 400 == 0:
                    refs.append(weakref.ref(p, lambda r, i=i: print("gone", i)))
            return s, len(refs)

        print(f(2000))
        print(g(2000))
        """, compiled=("g",) if sys.version_info < (3, 12) else ("f", "g"), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_what_an_instance_made_in_the_loop_holds_outlives_it_only_as_a_reference_of_its_own(prog, native):
    """`Box(i).item.v`: the box dies after `.item` is read, and it was the item's last holder: the trace keeps the
    box until the item's last use. `last = Box(i).item` keeps the item in a variable past the box: its read
    becomes a reference the trace owns (the owned_reads retry)."""
    check(prog, native, """\
        class Item:
            def __init__(self, v):
                self.v = v * 2

        class Box:
            def __init__(self, k):
                self.item = Item(k)
                self.k = k

        def f(n):
            s = 0
            for i in range(n):
                s += Box(i).item.v
            return s

        def g(n):
            last = None
            s = 0
            for i in range(n):
                last = Box(i).item
                s += last.v
            return s, last.v

        print(f(3000), g(3000))
        """, compiled=("f", "g"), params="cost_model=0")

