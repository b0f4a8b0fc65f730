"""Operators of Python classes inlined (recorder/operators.py): `a + b`, `n * a`, `a += b`, comparisons and
subscripts call the class's method inline under its version guard. Each program runs against plain CPython while
the methods change, answer NotImplemented (the other operand's reflected method, or the TypeError, comes from the
interpreter), the other operand changes type, or the method raises.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_instances import ops_of  # noqa: E402
from test_deopt import NATIVE, check  # noqa: E402


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __sub__(self, o):
        return self + o * -1


def vector_sum(n):
    acc = Vec(0.0, 0.0)
    d = Vec(0.5, 0.25)
    for i in range(n):
        acc = acc + d * 2.0 - Vec(0.1, 0.1)
        acc = 0.5 * acc + d
    return acc.x, acc.y


def test_operators_of_a_class_are_inlined(fresh_engine):
    names = ops_of(vector_sum, 3000)
    assert "py_call" not in names and names.count("new_instance") == 7, names


@pytest.mark.parametrize("native", NATIVE)
def test_operators_whose_methods_change_or_answer_notimplemented(prog, native):
    """a + b, n * a, a += b and a - b with the class's method inlined, while the methods are replaced, one returns
    NotImplemented (the other operand's reflected method answers, or TypeError), the right operand changes type
    (an int, a float, a subclass that overrides the reflected method, which the interpreter calls first) and an
    exception is raised inside the method."""
    check(prog, native, """\
        class V:
            def __init__(self, x):
                self.x = x
            def __add__(self, o):
                if type(o) is V:
                    return V(self.x + o.x)
                return V(self.x + o)
            def __mul__(self, k):
                return V(self.x * k)
            __rmul__ = __mul__
            def __iadd__(self, o):
                return V(self.x + 2 * o.x)
            def __sub__(self, o):
                return V(self.x - o.x) if o.x != 77 else NotImplemented

        class W(V):
            def __radd__(self, o):
                return V(-1.0)

        def f(n, other):
            a = V(1.0)
            s = 0.0
            for i in range(n):
                b = V(i * 0.5)
                c = a + b
                c += b
                d = 3 * c + other
                try:
                    e = d - V(i % 80)
                except TypeError as err:
                    e = V(0.0)
                    s += 1000
                s += d.x + e.x
            return s

        print(f(3000, 1.5))
        print(f(300, 2))
        print(f(300, V(2.0)))
        print(f(300, W(2.0)))
        V.__add__ = lambda self, o: V(7.0)
        print(f(300, 1.5))
        V.__mul__ = lambda self, k: 1 / 0
        try:
            print(f(300, 1.5))
        except ZeroDivisionError as err:
            print("ZeroDivisionError", err)
        """, compiled=("f",), params="cost_model=0")



class Grid:
    def __init__(self, n):
        self.data = [0.0] * n

    def __getitem__(self, i):
        return self.data[i]

    def __setitem__(self, i, v):
        self.data[i] = v


class Key:
    def __init__(self, k):
        self.k = k

    def __lt__(self, o):
        return self.k < (o.k if type(o) is Key else o)


def grid_and_keys(n):
    g = Grid(100)
    s = 0.0
    c = 0
    a, b = Key(3), Key(5)
    for i in range(n):
        g[i % 100] = g[(i + 1) % 100] + 1.0
        s += g[i % 7]
        if a < b:
            c += 1
        if 6 > b:
            c += 8
    return s, c


def test_comparisons_and_subscripts_of_a_class_are_inlined(fresh_engine):
    names = ops_of(grid_and_keys, 3000)
    assert "py_call" not in names and "getattr_plain" not in names, names
    assert names.count("list_getitem") >= 2, names


@pytest.mark.parametrize("native", NATIVE)
def test_comparisons_and_subscripts_whose_methods_change(prog, native):
    """a < b, n > a, a == b, c[k] and c[k] = v with the class's methods inlined, while a comparison answers
    NotImplemented (the swapped method of the other operand, or TypeError, or identity for ==), __getitem__ raises
    IndexError, the methods are replaced, and a non-bool comparison result reaches a condition."""
    check(prog, native, """\
        class K:
            def __init__(self, k):
                self.k = k
            def __lt__(self, o):
                if type(o) is K:
                    return self.k < o.k
                return self.k < o if o != 99 else NotImplemented
            def __eq__(self, o):
                return type(o) is K and self.k == o.k
            __hash__ = None

        class Box:
            def __init__(self, n):
                self.items = list(range(n))
            def __getitem__(self, i):
                return self.items[i]
            def __setitem__(self, i, v):
                self.items[i] = v * 2

        def f(n, limit):
            a = K(3)
            box = Box(50)
            c = 0
            for i in range(n):
                if a < K(i % 7):
                    c += 1
                if 4 > a:
                    c += 2
                if a == K(i % 5):
                    c += 4
                try:
                    if a < limit:
                        c += 8
                except TypeError:
                    c += 16
                box[i % 50] = box[(i * 7) % 50] % 1000 + i
                try:
                    c += box[i % (50 + i // 900)]
                except IndexError:
                    c -= 1
            return c, box.items[:5]

        print(f(3000, 5))
        print(f(300, 99))
        print(f(300, 5.5))
        K.__lt__ = lambda self, o: "yes"            # a non-bool result in a condition
        print(f(300, 5))
        Box.__getitem__ = lambda self, i: -i
        print(f(300, 5))
        """, compiled=("f",), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_properties_getters_are_inlined_and_stay_exact(prog, native):
    """obj.prop with the property's getter inlined under the class's version guard: the getter raises at a chosen
    value (the interpreter raises it at the instruction), the property is replaced on the class, an instance
    attribute of the same name does not hide it, and a subclass's __getattr__ sees the getter's AttributeError."""
    check(prog, native, """\
        class C:
            def __init__(self, r):
                self.r = r
            @property
            def area(self):
                return 3.0 * self.r * self.r
            @property
            def checked(self):
                if self.r > 900:
                    raise ValueError(f"too big {self.r}")
                return self.r

        class D(C):
            def __getattr__(self, name):
                return -7.0

        def f(n, cls=C):
            s = 0.0
            for i in range(n):
                c = cls(i * 0.5)
                s += c.area + c.checked
            return s

        print(f(1000))
        try:
            print(f(3000))
        except ValueError as e:
            print("ValueError", e)
        c = C(1.0)
        c.__dict__["area"] = 99.0                   # a property comes first
        print(c.area)
        D.checked = property(lambda self: self.missing)
        print(f(1000, D))
        C.area = property(lambda self: -1.0)
        print(f(1000))
        """, compiled=("f",), params="cost_model=0")


def test_a_property_read_is_its_getter_inlined(fresh_engine):
    names = ops_of(property_sum, 3000)
    assert "py_call" not in names and "getattr_plain" not in names and "float_mul" in names, names


class Circle:
    def __init__(self, r):
        self.r = r

    @property
    def area(self):
        return 3.0 * self.r * self.r


def property_sum(n):
    c = Circle(2.0)
    s = 0.0
    for i in range(n):
        s += c.area
    return s


@pytest.mark.parametrize("native", NATIVE)
def test_a_number_on_the_left_of_an_int_subclass_is_computed_by_the_number(prog, native):
    """1.5 + c, True + c, 1.5 < c and 5.0 == c for c of a subclass of int: float's and bool's own slots compute
    them (they take ints), and the subclass's reflected methods are never called; 3 + c calls its __radd__ first
    (a subclass of the left operand's type)."""
    check(prog, native, """\
        class Cents(int):
            def __radd__(self, other):
                return other + self.shown
            def __gt__(self, other):
                return self.shown > 100
            def __eq__(self, other):
                return self.shown == other
            __hash__ = int.__hash__

        def f(n):
            c = Cents(5)
            c.shown = 5
            total = 0.0
            hits = 0
            for k in range(n):
                if k == n // 2:
                    c.shown = 1000
                total = total * 0.5 + (1.5 + c) + (True + c) + (3 + c)
                hits += (1.5 < c) + (5.0 == c)
            return total, hits

        print(f(3000))
        """, compiled=("f",) if sys.version_info >= (3, 12) else (), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_a_property_whose_getter_is_replaced_in_place(prog, native):
    """property.__init__ gives an existing property another getter without changing its class: the trace checks
    the getter it inlined."""
    check(prog, native, """\
        class H:
            def __init__(self, v):
                self._v = v
            @property
            def v(self):
                return self._v * 2

        def other_get(self):
            return -1

        def f(n):
            hs = [H(i) for i in range(n)]
            out = []
            for k in range(n):
                if k == n - 10:
                    H.v.__init__(other_get)
                out.append(hs[k].v)
            return out[-15:]

        print(f(300))
        """, compiled=("f",), params="cost_model=0")


class Node:
    def __init__(self, v):
        self.v = v
        self.next = None


def identities(nodes, probe):
    hits = misses = nones = 0
    for n in nodes:
        if n == probe:
            hits += 1
        if n != probe:
            misses += 1
        if n.next == None:      # noqa: E711 - what the program wrote
            nones += 1
    return hits, misses, nones


def test_equality_of_instances_without_eq_is_identity(fresh_engine):
    """`a == b`, `a != b` and `a == None` of instances whose classes have no __eq__ / __ne__ are `a is b` in the
    trace (guarded class version tags), not a call of PyObject_RichCompare."""
    nodes = [Node(i) for i in range(300)]
    for a, b in zip(nodes, nodes[1::2]):
        a.next = b
    names = ops_of(identities, nodes, nodes[7])
    assert "py_call" not in names and "ref_eq" in names, names


@pytest.mark.parametrize("native", NATIVE)
def test_equality_by_identity_until_a_class_gets_an_eq(prog, native):
    """Identity while the classes have no __eq__; a subclass with its own __eq__ (which the interpreter asks
    first, being a subclass), then an __eq__ given to the class halfway: each answers as under plain CPython."""
    check(prog, native, """\
        class N:
            def __init__(self, v):
                self.v = v

        class M(N):
            def __eq__(self, other):
                return isinstance(other, N) and self.v % 5 == other.v % 5

        def f(xs, probe):
            hits = 0
            for x in xs:
                if x == probe:
                    hits += 1
                if x != None:
                    hits += 2
            return hits

        xs = [N(i) for i in range(400)]
        print(f(xs, xs[3]))
        print(f(xs, M(8)))
        print(f(xs[:200] + [M(1), M(3)] + xs[200:], xs[13]))
        N.__eq__ = lambda self, other: self.v == getattr(other, "v", None)
        print(f(xs, N(17)))
        del N.__eq__
        print(f(xs, N(17)))
        """)
