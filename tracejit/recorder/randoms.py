"""random.Random's methods as ops: `rnd.randrange(n)`, `rnd.randrange(a, b)`, `rnd.randint(a, b)`,
`rnd.choice(seq)`, `rnd.random()`, `rnd.uniform(a, b)`, `rnd.getrandbits(k)`, and the module's functions of the
same names (the methods of its hidden instance, `random.randrange` ...).

The interpreter runs such a call as Python code of another module (randrange -> _randbelow ->
getrandbits, a C method, in a loop), which a trace does not inline; on the generic path the call costs more
than the interpreter's. The ops compute the same thing from the same C functions: random_range is
`start + _randbelow(width)` (k = width.bit_length(), getrandbits(k) until below width), random_bits and
random_float call _random.Random's getrandbits and random, random_choice indexes a list or tuple with
_randbelow(len(seq)); uniform is float arithmetic around random_float, as its Python code computes it. The
generator gives the same numbers in the same order as under the interpreter.

What the rules rely on, checked when recording and guarded: the instance's class is random.Random or a
subclass whose methods these are (its `_randbelow` is `_randbelow_with_getrandbits`, its getrandbits and
random the C ones: not SystemRandom, not a class that overrides random()), attribute lookups on it run no
Python code, its version tag (any change to the class or a base changes it), and the instance has no
attribute of its own by any name the method reads (`guard_no_own_attrs`: `rnd.getrandbits = f` would be
used by the stdlib's code). Arguments: ints within int64 (an empty range, a negative k or an empty sequence
leave the trace before any number is drawn: the interpreter raises there). Keyword arguments, a step, other
types: the call takes the path it took before (the generic path; 3.11: the recording aborts).

A recording runs ahead of nothing here: in the loop's own frame the interpreter makes the call right after the
recorder emitted the op, and the value it returns is the op's (TraceRecorder.pending_values). Inside an
inlined call the recorder would have to know the number before the interpreter draws it: not handled (the
outer call is then called, not inlined, as for any call that may run Python code there).

May import: tracejit.ir, tracejit.cpython (layout, instances, methods), the recorder's attributes module and
the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import _random
import random as _stdlib_random
import types

from tracejit.cpython.instances import own_attribute_among
from tracejit.cpython.layout import type_version
from tracejit.cpython.methods import METH_NOARGS, METH_O, c_method
from tracejit.ir import Const, Kind, Var, const_int, const_ref

from . import attributes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import Snapshot, TraceRecorder

I, F, R = Kind.INT, Kind.FLOAT, Kind.REF
RANDOM = _stdlib_random.Random
GETRANDBITS = _random.Random.getrandbits
C_RANDOM = _random.Random.random
RANDBELOW = getattr(RANDOM, "_randbelow_with_getrandbits", None)

# each method: the attribute names of the instance its code reads (none may be an attribute of its own)
READS: dict = {
    RANDOM.randrange: ("randrange", "_randbelow", "getrandbits"),
    RANDOM.randint: ("randint", "randrange", "_randbelow", "getrandbits"),
    RANDOM.choice: ("choice", "_randbelow", "getrandbits"),
    RANDOM.uniform: ("uniform", "random"),
    C_RANDOM: ("random",),
    GETRANDBITS: ("getrandbits",),
}
# what the class must have for the rules to compute what its methods compute
_STDLIB = {"randrange": RANDOM.randrange, "randint": RANDOM.randint, "choice": RANDOM.choice,
           "uniform": RANDOM.uniform, "_randbelow": RANDBELOW, "getrandbits": GETRANDBITS, "random": C_RANDOM}


def _class_ok(t: type) -> bool:
    return (RANDBELOW is not None and isinstance(t, type) and issubclass(t, RANDOM) and type(t) is type
            and bool(type_version(t)) and all(attributes.plain_lookup(t, n) for n in _STDLIB)
            and all(getattr(t, n, None) is f for n, f in _STDLIB.items()))


def _generator_ok(obj, names: tuple) -> bool:
    return _class_ok(type(obj)) and not own_attribute_among(obj, names)


def _guard(rec: TraceRecorder, gen, names: tuple, snap: Snapshot, pc: int) -> None:
    """The generator's class unchanged, and no attribute of its own by these names."""
    attributes.guard_type_version(rec, gen, type_version(type(rec.conc(gen))), snap, pc)
    rec.emit("guard_no_own_attrs", [gen, Const(names, R)], snap, pc)


def method(rec: TraceRecorder, owner, name: str, snap: Snapshot, pc: int):
    """`rnd.name` for a call, where rnd is a generator these rules serve and name one of their methods: the
    method (a function or a C method descriptor, pushed below rnd as CPython pushes a method found on the type),
    after the guards; else None."""
    if owner.kind is not R or isinstance(owner, Const) or len(rec.frames) > 1:
        return None         # (inside an inlined call: not handled, see the module's docstring)
    obj = rec.conc(owner)
    found = getattr(type(obj), name, None) if isinstance(obj, RANDOM) else None
    names = READS.get(found) if found is not None and _hashable(found) else None
    if names is None or not _generator_ok(obj, names):
        return None
    _guard(rec, owner, names, snap, pc)
    return found


def bound(obj) -> tuple | None:
    """(method, generator) of a bound method these rules serve (`random.randrange`: the module's hidden
    instance's), or None."""
    if type(obj) is types.MethodType:
        func, gen = obj.__func__, obj.__self__
    elif type(obj) is types.BuiltinMethodType and isinstance(obj.__self__, RANDOM):
        gen = obj.__self__
        func = next((c for c in (C_RANDOM, GETRANDBITS) if obj == c.__get__(gen)), None)
    else:
        return None
    if func is None or not _hashable(func) or func not in READS or not _class_ok(type(gen)):
        return None
    return func, gen


def is_method(obj) -> bool:
    return _hashable(obj) and obj in READS


def call(rec: TraceRecorder, func, gen, args: list, kw_names: tuple, snap: Snapshot, pc: int):
    """The value of `func(gen, *args)` (func a method of READS, gen guarded by `method` or `bound_call`) as the
    op that computes it, or None where the rules do not apply (the caller takes its usual path)."""
    if kw_names or len(rec.frames) > 1 or any(isinstance(a, (Var, Const)) is False for a in args):
        return None
    if func is C_RANDOM or func is RANDOM.uniform:
        address = c_method(C_RANDOM, METH_NOARGS)
    elif func is GETRANDBITS:
        address = c_method(func, METH_O)
    else:
        address = c_method(GETRANDBITS, METH_O)
    if address is None:
        return None
    fn = const_int(address)
    ints = [a for a in args if a.kind is I]
    if func is C_RANDOM and not args:
        value = rec.emit("random_float", [gen, fn], snap, pc)
    elif func is GETRANDBITS and len(args) == 1 and len(ints) == 1:
        value = rec.emit("random_bits", [gen, args[0], fn], snap, pc)
    elif func is RANDOM.randrange and 1 <= len(args) <= 2 and len(ints) == len(args):
        start, width = (const_int(0), args[0]) if len(args) == 1 else \
            (args[0], rec.emit("int_sub_ovf", [args[1], args[0]], snap, pc))
        value = rec.emit("random_range", [gen, start, width, fn], snap, pc)
    elif func is RANDOM.randint and len(args) == 2 and len(ints) == 2:
        stop = rec.emit("int_add_ovf", [args[1], const_int(1)], snap, pc)
        width = rec.emit("int_sub_ovf", [stop, args[0]], snap, pc)
        value = rec.emit("random_range", [gen, args[0], width, fn], snap, pc)
    elif func is RANDOM.choice and len(args) == 1 and args[0].kind is R and \
            type(rec.conc(args[0])) in (list, tuple):
        seq = args[0]
        t = type(rec.conc(seq))
        rec.emit("guard_class", [seq, const_ref(t)], snap, pc)
        value = rec.emit("random_choice", [gen, seq, fn, const_int(int(t is tuple))], snap, pc)
    elif func is RANDOM.uniform and len(args) == 2 and all(a.kind in (I, F) for a in args):
        value = _uniform(rec, gen, args[0], args[1], fn, snap, pc)
    else:
        return None
    rec.pending_values.append(value)        # what the interpreter's call returns, read at the next instruction
    return value


def _uniform(rec: TraceRecorder, gen, a, b, fn, snap: Snapshot, pc: int):
    """`a + (b - a) * self.random()` as Python computes it for ints and floats: `b - a` of two ints is an int
    (then converted, correctly rounded, as float * int converts it), else a float difference of the two
    converted; the ops after the draw are recorded without their values (the interpreter computes the result)."""
    def as_float(x, unknown=False):
        return x if x.kind is F else rec.emit("int_to_float", [x], snap, pc, unknown=unknown)
    if a.kind is I and b.kind is I:
        diff = as_float(rec.emit("int_sub_ovf", [b, a], snap, pc))
    else:
        diff = rec.emit("float_sub", [as_float(b), as_float(a)], snap, pc)
    r = rec.emit("random_float", [gen, fn], snap, pc)
    scaled = rec.emit("float_mul", [diff, r], snap, pc, unknown=True)
    return rec.emit("float_add", [as_float(a), scaled], snap, pc, unknown=True)


def bound_call(rec: TraceRecorder, obj, args: list, kw_names: tuple, snap: Snapshot, pc: int):
    """`random.randrange(...)` and the like: a bound method these rules serve, held as a constant (a pinned
    module attribute): its generator guarded, then `call`. None where the rules do not apply."""
    found = bound(obj)
    if found is None or kw_names or len(rec.frames) > 1:
        return None
    func, gen = found
    if own_attribute_among(gen, READS[func]):
        return None
    g = const_ref(gen)
    _guard(rec, g, READS[func], snap, pc)
    return call(rec, func, g, args, kw_names, snap, pc)


def _hashable(obj) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True
