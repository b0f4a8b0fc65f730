"""tracejit.plaindata builds the same classes as the standard library's dataclasses for the features the JIT
uses: each check runs the same class body through both and compares what the program can observe."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import ClassVar

import pytest

from tracejit import plaindata


def _both(body):
    """The class `body(dataclass, field)` makes, once per implementation."""
    return body(dataclasses.dataclass, dataclasses.field), body(plaindata.dataclass, plaindata.field)


def _point(dataclass, field):
    @dataclass
    class Point:
        x: int
        y: int = 0
        tags: list = field(default_factory=list)
        note: str = field(default="", compare=False, repr=False)
        LIMIT: ClassVar[int] = 3
    return Point


def _var(dataclass, field):
    @dataclass(frozen=True)
    class Var:
        kind: str
        index: int
        name: str = field(default="", compare=False)
    return Var


def _ident(dataclass, field):
    @dataclass(frozen=True, eq=False)
    class Ident:
        value: object
    return Ident


def _outcome(f):
    try:
        return ("ok", f())
    except Exception as e:
        return ("raised", type(e).__mro__[1] if type(e).__name__ == "FrozenInstanceError" else type(e))


@pytest.mark.parametrize("make", [_point, _var, _ident])
def test_constructor_defaults_repr_and_equality_match_dataclasses(make):
    std, ours = _both(make)
    args = {_point: [(1,), (1, 2), (1, 2, [3])], _var: [("int", 1), ("int", 1, "i")], _ident: [(5,), ("s",)]}[make]
    for a in args:
        s1, s2, o1, o2 = std(*a), std(*a), ours(*a), ours(*a)
        assert repr(o1).replace(ours.__qualname__, "") == repr(s1).replace(std.__qualname__, "")
        assert (o1 == o2) == (s1 == s2)
        assert (o1 != o2) == (s1 != s2)
        assert (o1 == 1) == (s1 == 1)
        assert [getattr(o1, n) for n in ours.__plain_fields__] == [getattr(s1, f.name) for f in dataclasses.fields(std)]
        assert [f.name for f in plaindata.fields(ours)] == [f.name for f in dataclasses.fields(std)]
        assert _outcome(lambda: hash(o1) == hash(o2))[0] == _outcome(lambda: hash(s1) == hash(s2))[0]
        if make is not _ident:      # eq=False compares by identity in both
            assert (hash(o1) == hash(o2)) if _outcome(lambda: hash(o1))[0] == "ok" else True


def test_default_factory_gives_each_instance_its_own_value_and_class_attributes_match():
    std, ours = _both(_point)
    a, b = ours(1), ours(2)
    a.tags.append(1)
    assert b.tags == []
    assert ours.y == std.y == 0 and ours.LIMIT == std.LIMIT == 3
    assert hasattr(ours, "x") == hasattr(std, "x") and hasattr(ours, "tags") == hasattr(std, "tags")
    assert "LIMIT" not in ours.__plain_fields__


def test_compare_false_fields_take_no_part_in_equality_or_hash():
    std, ours = _both(_var)
    assert (ours("int", 1, "a") == ours("int", 1, "b")) == (std("int", 1, "a") == std("int", 1, "b")) is True
    assert hash(ours("int", 1, "a")) == hash(ours("int", 1, "b"))
    assert {ours("int", 1, "a"): 1}[ours("int", 1, "b")] == 1


def test_frozen_records_refuse_assignment_and_deletion_like_dataclasses():
    std, ours = _both(_var)
    for cls in (std, ours):
        v = cls("int", 1)
        with pytest.raises(AttributeError):
            v.kind = "float"
        with pytest.raises(AttributeError):
            del v.index
        with pytest.raises(AttributeError):
            v.other = 1
    assert issubclass(plaindata.FrozenInstanceError, AttributeError)


def test_mutable_value_compared_records_are_unhashable_and_identity_records_hash_by_identity():
    std, ours = _both(_point)
    for cls in (std, ours):
        with pytest.raises(TypeError):
            hash(cls(1))
    std_i, ours_i = _both(_ident)
    a, b = ours_i(5), ours_i(5)
    assert a != b and a == a and hash(a) == object.__hash__(a)
    assert (std_i(5) != std_i(5))


def test_replace_copies_with_changes_through_init():
    std, ours = _both(_point)
    o = ours(1, 2, [3], note="n")
    r = plaindata.replace(o, y=5)
    s = dataclasses.replace(std(1, 2, [3], note="n"), y=5)
    assert (r.x, r.y, r.tags, r.note) == (s.x, s.y, s.tags, s.note) == (1, 5, [3], "n")
    assert r is not o and o.y == 2
    frozen = plaindata.replace(_var(plaindata.dataclass, plaindata.field)("int", 1), index=2)
    assert frozen.index == 2


def test_wrong_arguments_raise_type_error_like_dataclasses():
    std, ours = _both(_point)
    for call in (lambda c: c(), lambda c: c(1, 2, [], "n", 5), lambda c: c(1, z=2)):
        assert _outcome(lambda: call(ours))[0] == _outcome(lambda: call(std))[0] == "raised"
    with pytest.raises(TypeError):
        @plaindata.dataclass
        class Bad:
            a: int = 0
            b: int


def test_methods_the_class_defines_are_kept_and_fields_of_bases_come_first():
    @plaindata.dataclass
    class Base:
        a: int

        def __repr__(self):
            return "base"

    @plaindata.dataclass
    class Derived(Base):
        b: int = 2

    d = Derived(1)
    assert (d.a, d.b, repr(Base(0))) == (1, 2, "base")
    assert [f.name for f in plaindata.fields(d)] == ["a", "b"]


def test_eq_hash_post_init_mutable_defaults_and_classvar_objects_follow_dataclasses():
    """The rules dataclasses applies at class creation, each checked against it."""
    import typing

    def frozen_with_eq(dataclass, field):
        @dataclass(frozen=True)
        class Key:
            a: int

            def __eq__(self, other):
                return isinstance(other, Key) and self.a == other.a
        return Key

    def post_init(dataclass, field):
        @dataclass
        class Counted:
            a: int
            b: int = 0

            def __post_init__(self):
                self.b = self.a * 2
        return Counted

    def classvar_object(dataclass, field):      # annotations as objects (a module without the __future__ import)
        return dataclass(type("Plain", (), {"__annotations__": {"a": int, "limit": typing.ClassVar[int]},
                                            "limit": 3}))

    std, ours = _both(frozen_with_eq)
    assert hash(ours(1)) == hash(ours(1)) and _outcome(lambda: hash(std(1)))[0] == "ok"
    std, ours = _both(post_init)
    assert ours(3).b == std(3).b == 6
    std, ours = _both(classvar_object)
    assert [f.name for f in plaindata.fields(ours)] == [f.name for f in dataclasses.fields(std)] == ["a"]
    for decorate in (dataclasses.dataclass, plaindata.dataclass):
        with pytest.raises(ValueError):
            class Shared:
                items: list = []
            decorate(Shared)
    with pytest.raises(TypeError):
        plaindata.fields(object())


def test_loading_the_recorder_and_backend_imports_no_dataclasses_or_inspect():
    """The point of the module: a first compile does not pay for dataclasses' import of inspect (start-up cost
    inside the program's run)."""
    show = "print(sorted(m for m in ('dataclasses', 'inspect', 'ast', 'tokenize') if m in sys.modules))\n"
    lazy = "import tracejit.recorder, tracejit.optimizer, tracejit.backend, tracejit.runtime.compiling\n"
    before, after = (subprocess.run([sys.executable, "-c", "import sys\n" + extra + show], capture_output=True,
                                    text=True, cwd="/") for extra in ("", lazy))
    assert before.returncode == after.returncode == 0, after.stderr
    assert after.stdout == before.stdout


def test_the_jits_record_classes_load_their_init_compiled_ahead():
    """Every record class of the JIT's modules takes its `__init__` from tracejit/_record_inits.py instead of
    compiling it while the program runs (else: run tools/record_inits.py after changing a record's fields)."""
    code = ("import importlib, pkgutil, tracejit\n"
            "from tracejit import plaindata\n"
            "for m in pkgutil.walk_packages(tracejit.__path__, 'tracejit.'):\n"
            "    if m.name != 'tracejit.__main__' and '.tools' not in m.name:\n"
            "        importlib.import_module(m.name)\n"
            "print(len(plaindata.made_sources), plaindata.compiled_at_load)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert int(out[0]) >= 30 and out[1].strip() == "[]", out


def test_a_precompiled_init_behaves_as_one_compiled_at_load():
    """The same fields give the same source, so a class of the program's with a record's fields gets the
    precompiled maker; its defaults and factories are this class's own, and it matches one compiled at load."""
    def body(dataclass, field):
        @dataclass
        class Exit:
            code: object
            label: object
        return Exit
    before = list(plaindata.compiled_at_load)
    precompiled = body(plaindata.dataclass, plaindata.field)
    assert plaindata.compiled_at_load == before
    std = body(dataclasses.dataclass, dataclasses.field)
    for cls in (precompiled, std):
        e = cls(1, label="x")
        assert (e.code, e.label) == (1, "x")
        with pytest.raises(TypeError):
            cls(1)
    assert precompiled.__init__.__qualname__.endswith("Exit.__init__")

    def fresh(dataclass, field):
        @dataclass
        class Odd:
            a_field_no_record_has: int = 7
            other: list = field(default_factory=lambda: [1])
        return Odd
    odd = fresh(plaindata.dataclass, plaindata.field)
    assert plaindata.compiled_at_load[-1].endswith("Odd")
    o, p = odd(), odd()
    assert o.a_field_no_record_has == 7 and o.other == [1] and o.other is not p.other


# ------------------------------------------------------------------------------------------------------------
# the two caches that stand in for functools' (lru_cache(maxsize=None) on a one-argument function,
# cached_property), compared with functools' own


def test_memoized_computes_each_key_once_as_lru_cache_does():
    import functools
    calls: list = []

    def square(x):
        calls.append(x)
        return [x * x]          # (a new object per call: the cache must hand back the same one)
    mine, theirs = plaindata.memoized(square), functools.lru_cache(maxsize=None)(square)
    for f in (mine, theirs):
        calls.clear()
        firsts = [f(k) for k in (3, 4, 3, -1, 4)]
        assert [v[0] for v in firsts] == [9, 16, 9, 1, 16] and calls == [3, 4, -1]
        assert firsts[0] is firsts[2] and firsts[1] is firsts[4]
        with pytest.raises(TypeError):
            f([1])              # an unhashable key, as lru_cache refuses it
    # an exception in the function caches nothing
    def odd(x):
        if x % 2:
            raise ValueError(x)
        return x
    m = plaindata.memoized(odd)
    for _ in range(2):
        with pytest.raises(ValueError):
            m(3)
    assert m(2) == 2


def test_cached_property_computes_once_per_instance_as_functools_does():
    import functools

    def make(decorator):
        class Box:
            made = 0

            def __init__(self, v):
                self.v = v

            @decorator
            def double(self):
                """Twice v."""
                Box.made += 1
                return [self.v * 2]
        return Box
    for box in (make(plaindata.cached_property), make(functools.cached_property)):
        a, b = box(1), box(5)
        assert a.double == [2] and a.double is a.double and b.double == [10] and box.made == 2
        a.double = "set"                # a plain attribute now, as with functools'
        assert a.double == "set" and box.made == 2
        del a.double                    # computed again at the next read
        assert a.double == [2] and box.made == 3
        assert box.__dict__["double"].__doc__ == "Twice v."
        assert isinstance(box.double, (plaindata.cached_property, functools.cached_property))
