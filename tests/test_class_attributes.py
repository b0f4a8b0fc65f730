"""Attributes of classes: `Cls.NAME`, `cls.helper(...)`, `Cls.static(...)`, `cls.classmethod(...)` read under the
class's version guard (tracejit.recorder.attributes.class_attribute): a constant (a function, a small int, None,
a bool) or the object at its fixed address (`class_attr`), with no lookup and no call in the machine code, and
functions so found inlined. Each program runs against plain CPython while what would make such a read stale
happens between its loops: a class attribute assigned or deleted, a base changed, a subclass hiding the name,
another class or a non-class in the variable, a `__get__` given to the value's class, `__bases__` assigned, a
classmethod or staticmethod replaced; the last reference to a class attribute's old value dropped (a weakref
callback shows when it dies). In-process tests check what the trace holds.
"""
from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import tracejit  # noqa: E402
from test_deopt import NATIVE, check  # noqa: E402



class Mode:
    NONE = 0
    STEP = 3
    LABEL = "ab"
    SCALE = 2.5


class Token:
    def __init__(self, w):
        self.w = w


class Weights:
    HEAVY = Token(7)


def modes(n, cls):
    t = 0
    s = 0.0
    for i in range(n):
        if i % 4 == cls.NONE:
            t += cls.STEP
        t += len(cls.LABEL) + Weights.HEAVY.w
        s += cls.SCALE
    return t, s


class Strength:
    def __init__(self, s):
        self.strength = s

    @classmethod
    def weaker(cls, s1, s2):
        return s1.strength > s2.strength

    @classmethod
    def weakest_of(cls, s1, s2):
        if cls.weaker(s1, s2):
            return s1
        return s2

    @staticmethod
    def combine(a, b=1, c=0):
        return a + b + c


def weakest(n, items):
    t = 0
    for i in range(n):
        w = Strength.weakest_of(items[i % len(items)], items[(i + 1) % len(items)])
        t = Strength.combine(t, w.strength, c=1)
    return t


def trace_of(fresh_engine, func, *args):
    expected = func(*args)
    with tracejit.enable(threshold=2, cost_model=0):
        got = func(*args)
    assert got == expected
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]
    assert loops, tracejit.stats()
    return loops[0].blocks[0].trace


def test_class_attributes_are_constants_and_fixed_loads(fresh_engine):
    trace = trace_of(fresh_engine, modes, 300, Mode)
    names = [op.name for op in trace.ops]
    assert "py_call" not in names and "getattr_plain" not in names, names
    # "ab", 2.5 and the Token: objects at their addresses; 0 and 3: constants
    loaded = sorted(op.args[2].value for op in trace.ops if op.name == "class_attr")
    assert loaded == ["HEAVY", "LABEL", "SCALE"], loaded
    assert {op.args[1].value for op in trace.ops if op.name == "class_attr"} == \
        {id(Mode.LABEL), id(Mode.SCALE), id(Weights.HEAVY)}


def test_the_trace_keeps_no_reference_to_a_class_attribute(fresh_engine):
    """The trace holds the address of what the class holds, not a reference: dropping the class attribute frees
    its object at once, as without the JIT."""
    class Holder:
        VALUE = Token(3)

    def read(n, cls):
        t = 0
        for i in range(n):
            t += cls.VALUE.w
        return t

    with tracejit.enable(threshold=2, cost_model=0):
        assert read(300, Holder) == 900
        assert any(lp.code is read.__code__ for lp in tracejit.engine().all_loops)
        died = []
        r = weakref.ref(Holder.VALUE, lambda _: died.append(True))
        Holder.VALUE = Token(4)
        assert died and r() is None
        assert read(300, Holder) == 1200


def test_classmethods_and_staticmethods_are_inlined(fresh_engine):
    items = [Strength(k % 5) for k in range(7)]
    trace = trace_of(fresh_engine, weakest, 400, items)
    names = [op.name for op in trace.ops]
    assert "py_call" not in names, names
    # the classmethod's functions and the staticmethod's are constants under the version guard, nothing called;
    # only the function each wrapper holds is read (its __init__ could replace it) and compared
    assert {op.args[2].value for op in trace.ops if op.name == "member_attr"} == {"__func__"}, names


@pytest.mark.parametrize("native", NATIVE)
def test_stale_class_attributes_are_never_read(prog, native):
    check(prog, native, """\
        import weakref

        class Mode:
            NONE = 0
            STEP = 3
            LABEL = "ab"
            SCALE = 2.5

        class Sub(Mode):
            pass

        class Token:
            def __init__(self, w):
                self.w = w

        class Weights:
            HEAVY = Token(7)

        def f(n, cls):
            t = 0
            s = 0.0
            for i in range(n):
                if i % 4 == cls.NONE:
                    t += cls.STEP
                t += len(cls.LABEL) + Weights.HEAVY.w
                s += cls.SCALE
            return t, s

        print(f(200, Mode))
        Mode.STEP = 5                       # a class attribute assigned: the version guard fails
        print(f(200, Mode))
        print(f(200, Sub))                  # another class (inheriting): its own version
        Mode.LABEL = "abcdef"               # a base changed: the subclass's version changes too
        print(f(200, Sub))
        Sub.SCALE = 1.0                     # the subclass's own attribute hides the base's
        print(f(200, Sub))
        class Other:                        # unrelated, the same names
            NONE = 1; STEP = 1; LABEL = "x"; SCALE = 0.5
        print(f(200, Other))
        try:
            f(200, 5)                       # not a class
        except AttributeError as e:
            print("AttributeError", e)
        del Mode.STEP                       # gone: the interpreter raises the AttributeError
        try:
            f(200, Mode)
        except AttributeError as e:
            print("AttributeError", e)
        Mode.STEP = 1
        Token.__get__ = lambda self, obj, cls: Token(-1)    # the value's class gets a __get__: now it is called
        print(f(200, Mode))
        del Token.__get__
        old = Weights.HEAVY
        r = weakref.ref(old, lambda _: print("old token freed"))
        del old
        Weights.HEAVY = Token(1)            # the old value's last reference: freed here, as in plain CPython
        print("after rebinding")
        print(f(200, Mode))
        Mode.NONE = 10**20                  # a big int (not one of the cached small ints)
        print(f(200, Mode))
        Mode.__bases__ = (object,)          # the same bases: a new version all the same
        print(f(200, Mode))
        """, compiled=("f",))


@pytest.mark.parametrize("native", NATIVE)
def test_classmethods_and_staticmethods_replaced_and_exits_between_the_method_and_its_call(prog, native):
    """An exit while the arguments of `cls.weakest_of(a, b)` are evaluated leaves the classmethod's function and
    the class where the interpreter has its bound method: its CALL calls either the same way."""
    check(prog, native, """\
        import sys

        class Strength:
            def __init__(self, s):
                self.strength = s
            @classmethod
            def weaker(cls, s1, s2):
                return s1.strength > s2.strength
            @classmethod
            def weakest_of(cls, s1, s2):
                if cls.weaker(s1, s2):
                    return s1
                return s2
            @staticmethod
            def combine(a, b=1, c=0):
                return a + b + c
            @staticmethod
            def twice(a):
                if a > 10**6:
                    return sys._getframe(1).f_code.co_name
                return a * 2

        class Special(Strength):
            @classmethod
            def weaker(cls, s1, s2):
                return s1.strength < s2.strength

        class Odd:
            def __init__(self, s):
                self.strength = s

        def f(n, cls, items):
            t = 0
            for i in range(n):
                w = cls.weakest_of(items[i % len(items)], items[(i + 1) % len(items)])
                t += w.strength
                t += Strength.combine(i, c=1)
                r = Strength.twice(t % 1000 if i != 150 else 10**7)
                t += r if type(r) is int else len(r)
            return t

        items = [Strength(k % 5) for k in range(7)]
        print(f(300, Strength, items))
        print(f(300, Special, items))
        items[3] = Odd(9)
        print(f(300, Strength, items))
        Strength.weaker = classmethod(lambda cls, a, b: True)
        print(f(300, Strength, items))
        Strength.combine = staticmethod(lambda a, b=1, c=0: -a)
        print(f(300, Strength, items))
        m = Strength.weakest_of
        print(m(items[0], items[1]).strength)
        """)


def test_a_metaclass_or_a_name_of_type_keeps_the_generic_lookup():
    """Only classes whose metaclass is exactly `type`, and names `type` itself does not have (its __name__,
    __dict__, mro...), are read this way."""
    from types import SimpleNamespace

    from tracejit.recorder.attributes import class_attribute

    class Meta(type):
        pass

    class WithMeta(metaclass=Meta):
        X = 1

    class Plain:
        X = 1
        __doc__ = "text"

    class Var:
        kind = tracejit.ir.Kind.REF

        def __init__(self, obj):
            self.obj = obj

    rec = SimpleNamespace(owned_reads=frozenset(), conc=lambda v: v.obj)
    assert class_attribute(rec, Var(WithMeta), "X", False, None, 0) is None
    assert class_attribute(rec, Var(Plain), "__doc__", False, None, 0) is None
    assert class_attribute(rec, Var(Plain), "mro", False, None, 0) is None
    assert class_attribute(rec, Var(int), "from_bytes", True, None, 0) is None     # a static type
    gc.collect()


class Gen:
    M = 2 ** 31 - 1
    DM = 1.0 / (2 ** 31 - 1)
    BASE = 7

    def __init__(self, seed):
        self.seed = seed

    def next(self):
        self.seed = (self.seed * 48271 + self.BASE) % self.M      # class constants read through self
        return self.seed * self.DM


def draws(seed, n):
    g = Gen(seed)
    s = 0.0
    for i in range(n):
        s += g.next()
    return s


def test_class_values_read_through_an_instance_are_constants(fresh_engine):
    """`self.M` where the instance has no attribute M: the class's version and guard_no_own_attr, then a constant
    or the object's address; no PyObject_GetAttr."""
    trace = trace_of(fresh_engine, draws, 11, 500)
    names = [op.name for op in trace.ops]
    assert "getattr_plain" not in names and "py_call" not in names, names
    assert "guard_no_own_attr" in names and "class_attr" in names, names


@pytest.mark.parametrize("native", NATIVE)
def test_class_values_read_through_instances_are_never_stale(prog, native):
    check(prog, native, """\
        class Gen:
            M = 2 ** 31 - 1
            DM = 1.0 / (2 ** 31 - 1)
            BASE = 7
            def __init__(self, seed):
                self.seed = seed
            def next(self):
                self.seed = (self.seed * 48271 + self.BASE) % self.M
                return self.seed * self.DM

        class Slotted:
            __slots__ = ("seed",)
            STEP = 3
            def __init__(self):
                self.seed = 1

        def f(gens, n):
            s = 0.0
            for i in range(n):
                s += gens[i % len(gens)].next()
            return round(s, 9)

        def h(gens, n):
            t = 0
            for i in range(n):
                t += gens[i % len(gens)].BASE   # no method call (whose lookup checks the same)
            return t

        def g(objs, n):
            t = 0
            for i in range(n):
                o = objs[i % len(objs)]
                o.seed = o.seed + o.STEP
                t += o.seed
            return t

        gens = [Gen(k + 1) for k in range(5)]
        print(f(gens, 3000), h(gens, 3000))
        gens[3].BASE = 100                  # an instance's own attribute now hides the class's
        print(h(gens, 3000))
        gens[2].DM = 0.5
        print(f(gens, 3000))
        Gen.BASE = 11                       # the class changed: its version
        print(f(gens, 3000))
        del gens[2].DM
        Gen.DM = 2.0
        print(f(gens, 3000))
        objs = [Slotted() for _ in range(3)]
        print(g(objs, 2000))
        Slotted.STEP = 5
        print(g(objs, 2000))
        """, compiled=("f", "g", "h"))


@pytest.mark.parametrize("native", NATIVE)
def test_a_staticmethod_or_classmethod_given_another_function_in_place(prog, native):
    """`K.__dict__['f'].__init__(g)` replaces the function a staticmethod (or classmethod) wraps without the
    class's version changing: the trace reads the wrapper's function and guards it (found by review)."""
    check(prog, native, """\
        class K:
            @staticmethod
            def f(x):
                return x + 1
            @classmethod
            def c(cls, x):
                return x + 2

        def g(x):
            return x * 100

        def h(cls, x):
            return x * 1000

        def run(n):
            s = 0
            for i in range(n):
                s += K.f(i) + K.c(i)
            return s

        print(run(300))
        K.__dict__['f'].__init__(g)
        K.__dict__['c'].__init__(h)
        print(K.f(1), K.c(1))
        print(run(300))
        """, compiled=("run",))
