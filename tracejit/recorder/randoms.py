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

The rules read the program's own `random` module (sys.modules), once it has imported it: the recorder does
not import it (Rules, rules()).

May import: tracejit.ir, tracejit.cpython (layout, instances, methods), the recorder's attributes module and
the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import os
import sys
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


class Rules:
    """What the rules rely on, read from the program's own `random` module the first time they are asked about
    after the program imported it (the recorder does not import it: a program that never does has no generator
    these rules serve, and does not pay for the import): random.Random (RANDOM), the C methods of _random.Random
    it builds on, each name's function as the random module's own code defines it (EXPECTED; None: not the
    stdlib's there, and no rule uses it) and the names of the instance each method's code reads (READS)."""

    def __init__(self, module) -> None:
        import _random          # (loaded already: the random module imports it)
        self.RANDOM = module.Random
        self.GETRANDBITS = _random.Random.getrandbits      # (methods of an immutable C type: never replaced)
        self.C_RANDOM = _random.Random.random
        stdlib = self.stdlib_function
        self.EXPECTED = {"randrange": stdlib(module, "randrange", "Random.randrange"),
                         "randint": stdlib(module, "randint", "Random.randint"),
                         "choice": stdlib(module, "choice", "Random.choice"),
                         "uniform": stdlib(module, "uniform", "Random.uniform"),
                         "_randbelow": stdlib(module, "_randbelow", "Random._randbelow_with_getrandbits"),
                         "getrandbits": self.GETRANDBITS, "random": self.C_RANDOM}
        expected = self.EXPECTED
        self.READS: dict = {expected[m]: names for m, names in (
            ("randrange", ("randrange", "_randbelow", "getrandbits")),
            ("randint", ("randint", "randrange", "_randbelow", "getrandbits")),
            ("choice", ("choice", "_randbelow", "getrandbits")),
            ("uniform", ("uniform", "random")),
            ("random", ("random",)),
            ("getrandbits", ("getrandbits",))) if all(expected[n] is not None for n in names)}
        # looked up by identity: what is asked about may be any object of the program's (no __hash__ or __eq__
        # of its runs)
        self.reads_by_id = {id(f): (f, names) for f, names in self.READS.items()}

    @staticmethod
    def stdlib_function(module, name: str, qualname: str):
        """random.Random's `name` as the random module's own code defines it, or None (a function the program put
        there before the rules were first asked about is not it: a rule made from it would compute the
        program's function)."""
        f = module.Random.__dict__.get(name)
        if type(f) is not types.FunctionType or f.__qualname__ != qualname or f.__module__ != "random" or \
                f.__code__.co_filename != getattr(module, "__file__", None):
            return None
        return f


_RULES: list = []       # [Rules], once made (the rules' constants, as a module's tables are: made once)
# where the standard library's random module is: beside its types module (one of a program's own called
# `random.py` is not it)
_STDLIB_RANDOM_FILE = os.path.join(os.path.dirname(getattr(types, "__file__", "") or ""), "random.py")


def rules() -> Rules | None:
    """The rules, or None while the program has not imported the standard library's `random` (or has a module
    of its own by that name)."""
    if _RULES:
        return _RULES[0]
    # (read from the module's own __dict__: an attribute lookup on whatever the program put there could run its
    # code, a module-level __getattr__ or a lazily loaded module's import)
    module = sys.modules.get("random")
    namespace = module.__dict__ if type(module) is types.ModuleType else {}
    if namespace.get("__file__") != _STDLIB_RANDOM_FILE or type(namespace.get("Random")) is not type:
        return None
    _RULES.append(Rules(module))
    return _RULES[0]


def _reads(obj) -> tuple | None:
    """READS[obj], or None where obj is none of its methods."""
    r = rules()
    entry = r.reads_by_id.get(id(obj)) if r is not None else None
    return entry[1] if entry is not None and entry[0] is obj else None


def _class_ok(t: type, names: tuple) -> bool:
    """t is random.Random or a subclass (no metaclass: looking at it runs no Python code) whose lookups of
    `names` find the stdlib's objects and run no Python code, and it has a version tag."""
    r = rules()
    return (r is not None and type(t) is type and r.RANDOM in t.__mro__ and bool(type_version(t))
            and all(attributes.plain_lookup(t, n) and attributes.class_dict_lookup(t, n) is r.EXPECTED[n]
                    for n in names))


def _generator_ok(obj, names: tuple) -> bool:
    return _class_ok(type(obj), names) and not own_attribute_among(obj, names)


def _guard(rec: TraceRecorder, gen, names: tuple, snap: Snapshot, pc: int) -> None:
    """The generator's class unchanged, and no attribute of its own by these names."""
    attributes.guard_type_version(rec, gen, type_version(type(rec.conc(gen))), snap, pc)
    rec.emit("guard_no_own_attrs", [gen, Const(names, R)], snap, pc)


def method(rec: TraceRecorder, owner, name: str, snap: Snapshot, pc: int):
    """`rnd.name` for a call, where rnd is a generator these rules serve and name one of their methods: the
    method (a function or a C method descriptor, pushed below rnd as CPython pushes a method found on the type),
    after the guards that it is the one found; else None. (`call` checks and guards again: the arguments'
    code runs in between.)"""
    if owner.kind is not R or isinstance(owner, Const) or len(rec.frames) > 1:
        return None         # (inside an inlined call: not handled, see the module's docstring)
    obj = rec.conc(owner)
    t = type(obj)
    r = rules()
    if r is None or type(t) is not type or r.RANDOM not in t.__mro__:
        return None
    found = attributes.class_dict_lookup(t, name)
    names = _reads(found)
    if names is None or not _generator_ok(obj, names):
        return None
    _guard(rec, owner, names, snap, pc)
    return found


def bound(obj) -> tuple | None:
    """(method, generator) of a bound method these rules serve (`random.randrange`: the module's hidden
    instance's), or None."""
    r = rules()
    if r is None:
        return None
    if type(obj) is types.MethodType:
        func, gen = obj.__func__, obj.__self__
    elif type(obj) is types.BuiltinMethodType:
        gen = obj.__self__
        t = type(gen)
        if type(t) is not type or r.RANDOM not in t.__mro__:
            return None
        func = next((c for c in (r.C_RANDOM, r.GETRANDBITS) if obj == c.__get__(gen)), None)
    else:
        return None
    if func is None or _reads(func) is None or not _class_ok(type(gen), _reads(func)):
        return None
    return func, gen


def is_method(obj) -> bool:
    return _reads(obj) is not None


def call(rec: TraceRecorder, func, gen, args: list, kw_names: tuple, snap: Snapshot, pc: int):
    """The value of `func(gen, *args)` (func a method of READS) as the op that computes it, after the guards
    that gen is a generator these rules serve, unchanged, with no attribute of its own by the names the method
    reads (checked here, after the arguments' code ran, whatever pushed [func, gen]); or None where the rules do
    not apply (the caller takes its usual path). Arguments whose op would leave at once (an empty range, a k
    outside 0..63, an empty sequence) take that path too: the interpreter raises or computes there."""
    r = rules()
    if r is None or kw_names or len(rec.frames) > 1 or any(not isinstance(a, (Var, Const)) for a in args) or \
            func not in r.READS or not _generator_ok(rec.conc(gen), r.READS[func]) or not _would_draw(r, rec, func, args):
        return None
    EXPECTED, GETRANDBITS, C_RANDOM = r.EXPECTED, r.GETRANDBITS, r.C_RANDOM
    if func is C_RANDOM or func is EXPECTED["uniform"]:
        address = c_method(C_RANDOM, METH_NOARGS)
    elif func is GETRANDBITS:
        address = c_method(func, METH_O)
    else:
        address = c_method(GETRANDBITS, METH_O)
    if address is None:
        return None
    fn = const_int(address)
    _guard(rec, gen, r.READS[func], snap, pc)
    ints = [a for a in args if a.kind is I]
    if func is C_RANDOM and not args:
        value = rec.emit("random_float", [gen, fn], snap, pc)
    elif func is GETRANDBITS and len(args) == 1 and len(ints) == 1:
        value = rec.emit("random_bits", [gen, args[0], fn], snap, pc)
    elif func is EXPECTED["randrange"] and 1 <= len(args) <= 2 and len(ints) == len(args):
        start, width = (const_int(0), args[0]) if len(args) == 1 else \
            (args[0], rec.emit("int_sub_ovf", [args[1], args[0]], snap, pc))
        value = rec.emit("random_range", [gen, start, width, fn], snap, pc)
    elif func is EXPECTED["randint"] and len(args) == 2 and len(ints) == 2:
        stop = rec.emit("int_add_ovf", [args[1], const_int(1)], snap, pc)
        width = rec.emit("int_sub_ovf", [stop, args[0]], snap, pc)
        value = rec.emit("random_range", [gen, args[0], width, fn], snap, pc)
    elif func is EXPECTED["choice"] and len(args) == 1 and args[0].kind is R and \
            type(rec.conc(args[0])) in (list, tuple):
        seq = args[0]
        t = type(rec.conc(seq))
        rec.emit("guard_class", [seq, const_ref(t)], snap, pc)
        value = rec.emit("random_choice", [gen, seq, fn, const_int(int(t is tuple))], snap, pc)
    elif func is EXPECTED["uniform"] and len(args) == 2 and all(a.kind in (I, F) for a in args):
        value = _uniform(rec, gen, args[0], args[1], fn, snap, pc)
    else:
        return None
    rec.pending_values.append(value)        # what the interpreter's call returns, read at the next instruction
    return value


def _would_draw(r: Rules, rec: TraceRecorder, func, args: list) -> bool:
    """The recorded arguments are of the forms the rules take, and make the op draw (not leave before it)."""
    EXPECTED, GETRANDBITS, C_RANDOM = r.EXPECTED, r.GETRANDBITS, r.C_RANDOM
    if any(a.kind is not I for a in args) and not (func is EXPECTED["choice"] or func is EXPECTED["uniform"]):
        return False
    values = [rec.conc(a) for a in args]
    if func is EXPECTED["randrange"]:
        return (len(values) == 1 and values[0] > 0) or (len(values) == 2 and values[1] - values[0] > 0)
    if func is EXPECTED["randint"]:
        return len(values) == 2 and values[1] + 1 - values[0] > 0
    if func is GETRANDBITS:
        return len(values) == 1 and 0 <= values[0] <= 63
    if func is EXPECTED["choice"]:
        return len(args) == 1 and args[0].kind is R and type(values[0]) in (list, tuple) and len(values[0]) > 0
    if func is EXPECTED["uniform"]:
        return len(args) == 2 and all(a.kind in (I, F) for a in args)
    return func is C_RANDOM and not args


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
    if found is None:
        return None
    func, gen = found
    return call(rec, func, const_ref(gen), args, kw_names, snap, pc)

