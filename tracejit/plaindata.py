"""Plain data classes for the JIT's own records (IR values, snapshots, exits, machine code), at a fraction of the
start-up cost of the standard library's `dataclasses`.

The JIT loads its recorder and backend when a program's first loop gets hot, inside the program's run: every
millisecond there is a millisecond the program loses. `dataclasses` costs about 7 ms to import (it imports
`inspect`, and with it `ast`, `dis` and `tokenize`) and 0.3-0.5 ms per class (it compiles each generated method
separately); over the 36 record classes of the recorder and backend that was 18 ms of a first compile's 46 ms
(measured on CPython 3.12, 2026-12-04). This module builds the same classes with one compiled `__init__` per class
and `operator.attrgetter` for equality and hashing. The `__init__`s themselves are compiled ahead of time: their
sources are a function of the fields alone, and tracejit/_record_inits.py (written by tools/record_inits.py, loaded
from its bytecode cache like any module) holds each record class's compiled; a class whose source is not there
(a record class changed since the table was written, or a class of the program's) is compiled at load (5-6 ms
for the JIT's 38 classes on 3.12, 2026-12-06).

It implements the part of `dataclasses` tracejit uses, with its semantics: fields from the class's annotations in
order (`ClassVar` annotations excepted, base classes' fields first), `field(default=, default_factory=, compare=,
repr=)`, `dataclass(frozen=, eq=)` (eq: `__eq__` over the compared fields of the same class; frozen and eq:
`__hash__` over them; eq alone: unhashable; frozen: assignments raise `FrozenInstanceError`), `__post_init__`,
mutable defaults refused, `replace()` and `fields()`. A method the class body defines is kept. Not kept from
`dataclasses`: `__match_args__`, ordering, `InitVar`, `__slots__`, `kw_only`, recursion-safe repr. The
visualizer's report model keeps `dataclasses` (it needs `asdict`, and loads only when a report is written).

Two caches stand in for `functools`' for the same reason (functools is about 0.6 ms to import, and nothing else
the recorder and the backend load needs it): `memoized(f)`, f's results by its one hashable argument (for
`lru_cache(maxsize=None)` on such a function: a dict's own lookup, no wrapper), and `cached_property`, the
value computed at the first read and kept in the instance's __dict__ (as functools' does, without its lock).

May import: tracejit.pristine, tracejit._record_inits and the standard library (`operator` only).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from _operator import attrgetter         # operator.attrgetter itself, without importing operator at start-up

__all__ = ["FrozenInstanceError", "cached_property", "dataclass", "field", "fields", "memoized", "replace"]

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen record."""


class Field:
    __slots__ = ("name", "type", "default", "default_factory", "compare", "repr")

    def __init__(self, default=_MISSING, default_factory=_MISSING, compare: bool = True, repr: bool = True):
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name: str = ""
        self.type: object = None
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, type={self.type!r})"


def field(*, default=_MISSING, default_factory=_MISSING, compare: bool = True, repr: bool = True) -> Field:
    return Field(default, default_factory, compare, repr)


def fields(cls_or_obj) -> tuple[Field, ...]:
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    try:
        return tuple(cls.__plain_fields__.values())
    except AttributeError:
        raise TypeError("must be called with a plain data class or instance") from None


def replace(obj, **changes):
    """A copy of `obj` with some fields changed (through its `__init__`, like dataclasses.replace)."""
    for name in obj.__plain_fields__:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return obj.__class__(**changes)


def _is_classvar(annotation) -> bool:
    """A `ClassVar` annotation, written as text (`from __future__ import annotations`) or as typing's object."""
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.replace("typing.", "", 1).startswith("ClassVar")


def _collect_fields(cls) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(getattr(base, "__plain_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name, f.type = name, annotation
        if f.default is not _MISSING and f.default.__class__.__hash__ is None:
            raise ValueError(f"{cls.__qualname__}.{name}: mutable default {type(f.default).__name__} is not "
                             f"allowed: use default_factory")
        found[name] = f
        if f.default is _MISSING:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, f.default)
    return found


def _make_init(cls, all_fields: list[Field], frozen: bool):
    """The class's `__init__`, made by calling its maker (see `init_maker_source`) with the defaults and factories:
    the maker precompiled in tracejit/_record_inits.py when its source is there, else compiled now."""
    params, body = [], []
    env = {"_MISSING": _MISSING, "_set": object.__setattr__}
    seen_default = False
    for f in all_fields:
        n = f.name
        if f.default_factory is not _MISSING:
            env[f"_factory_{n}"] = f.default_factory
            params.append(f"{n}=_MISSING")
            value = f"_factory_{n}() if {n} is _MISSING else {n}"
            seen_default = True
        elif f.default is not _MISSING:
            env[f"_default_{n}"] = f.default
            params.append(f"{n}=_default_{n}")
            value = n
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"{cls.__qualname__}: non-default argument {n!r} follows default argument")
            params.append(n)
            value = n
        body.append(f"        _set(self, {n!r}, {value})" if frozen else f"        self.{n} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("        self.__post_init__()")
    source = init_maker_source(list(env), params, body)
    maker = _precompiled().get(source)
    if maker is None:
        namespace: dict = {}
        exec(source, {}, namespace)
        maker = namespace["__make__"]
        compiled_at_load.append(cls.__qualname__)
    made_sources.append(source)
    init = maker(*env.values())
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def init_maker_source(names: list[str], params: list[str], body: list[str]) -> str:
    """The source of a function that, given the values of `names` (the defaults and factories the `__init__`
    uses), returns the `__init__`: `def __make__(_MISSING, _set, ...)` around `def __init__(self, ...)`. The
    same text for the same fields, so the function can be compiled ahead (tools/record_inits.py)."""
    return (f"def __make__({', '.join(names)}):\n    def __init__(self, {', '.join(params)}):\n" +
            ("\n".join(body) or "        pass") + "\n    return __init__\n")


def _precompiled() -> dict:
    """{maker source: maker} of tracejit/_record_inits.py ({} if it cannot be loaded)."""
    try:
        from tracejit._record_inits import MAKERS
    except ImportError:
        return {}
    return MAKERS


made_sources: list[str] = []            # every maker source this process made (tools/record_inits.py reads them)
compiled_at_load: list[str] = []        # classes whose maker was not in the table: compiled (tests check none is)


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _process(cls, frozen: bool, eq: bool):
    found = _collect_fields(cls)
    all_fields = list(found.values())
    cls.__plain_fields__ = found
    own = cls.__dict__
    if "__init__" not in own:
        cls.__init__ = _make_init(cls, all_fields, frozen)
    shown = [f.name for f in all_fields if f.repr]

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"
    if "__repr__" not in own:
        __repr__.__qualname__ = f"{cls.__qualname__}.__repr__"
        cls.__repr__ = __repr__
    if eq:
        compared = [f.name for f in all_fields if f.compare]
        key = attrgetter(*compared) if compared else (lambda self: ())

        def __eq__(self, other):
            if other.__class__ is not self.__class__:
                return NotImplemented
            return key(self) == key(other)
        if "__eq__" not in own:
            cls.__eq__ = __eq__
        # a class body that defines __eq__ gets __hash__ = None from Python: that is not a hash of its own
        explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
        if not explicit_hash:
            if frozen:
                cls.__hash__ = lambda self: hash(key(self))
            else:
                cls.__hash__ = None         # mutable and compared by value: unhashable, as with dataclasses
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    return cls


def dataclass(cls=None, /, *, frozen: bool = False, eq: bool = True):
    """`@dataclass`, `@dataclass(frozen=True)`, `@dataclass(eq=False)`: see the module's docstring."""
    def wrap(c):
        return _process(c, frozen, eq)
    return wrap if cls is None else wrap(cls)


def memoized(fn):
    """fn(key) for one hashable argument, computed once per key and kept: the returned callable is a dict's own
    `__getitem__` (a missing key calls fn). The cache lives as long as the callable."""
    class Memo(dict):
        __slots__ = ()

        def __missing__(self, key):
            value = self[key] = fn(key)
            return value
    # (not renamed after fn: setting a class's __name__ raises an audit event the program's hooks would see)
    return Memo().__getitem__


class cached_property:
    """A method read as an attribute, computed at the first read and kept in the instance's __dict__ (which later
    reads find first: this is a non-data descriptor)."""

    def __init__(self, fn) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value
