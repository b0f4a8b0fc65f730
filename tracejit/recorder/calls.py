"""Calls the recorder turns into IR ops: builtins and math functions reached through pinned names.

`CALLS` maps a callable object (the builtin `len`, `math.sqrt`, ...) to a rule that takes the recorder, the
call's argument values (IR values, REF arguments already unboxed where numbers are wanted), the snapshot
before the CALL and its pc, and returns the result value. A rule raises RecordAbort for forms it does not
handle (more arguments, other types); the loop then runs in the interpreter. Every rule computes exactly
what CPython's function returns, through ops whose semantics are in the op table.

May import: tracejit.ir, tracejit.cpython.layout (type version tags), the recorder's protocol modules
(complexnum, inline, virtuals, strings, dicts, arrays, lists, randoms) and the standard library (the recorder is passed
in).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import builtins
import math
import types

from tracejit.cpython.layout import generic_getattr, type_version
from tracejit.ir import Const, Kind, Var, const_bool, const_float, const_int, const_ref
from tracejit.ir.ops import HEAPTYPE, SMALL_INT_BOUND

from . import arrays, attributes, complexnum, dicts, lists, operators, randoms, strings
from .inline import inlinable_function
from .virtuals import VirtualRange, VirtualTuple

TYPE_CHECKING = False           # typing is not imported at run time (annotations are strings)
if TYPE_CHECKING:
    from typing import Callable

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF


class CallAbort(Exception):
    """This call form is not compiled (the recorder aborts with the message)."""


def _number(rec, v, snap, pc, name: str, allow_complex: bool = False):
    """An argument the rule computes with as a number, unboxed (its type guarded). Any other object (a str, an int
    beyond int64, an instance with `__float__` or `__index__`...) is a form the rule does not compile: the
    generic path then calls the function as it is (3.12+), which converts it or raises as the interpreter's call
    does."""
    if getattr(v, "kind", None) is R and not isinstance(v, complexnum.VirtualComplex):
        t = type(rec.conc(v))
        if not rec.unboxable(v) or (t is complex and not allow_complex):
            raise CallAbort(f"{name}() of {t.__name__}" if t is not int else f"{name}() of an int beyond 64 bits")
    return rec.unbox(v, snap, pc, allow_complex)


def _parsed(convert, text: str, name: str):
    """float(text) / int(text) of a constant str, computed once while recording (a constant of the trace); text
    that does not convert is left to the generic path, whose call raises the interpreter's ValueError."""
    try:
        return convert(text)
    except ValueError:
        raise CallAbort(f"{name}() of a str that does not convert") from None


def _one(args: list, name: str):
    if len(args) != 1:
        raise CallAbort(f"{name}() with {len(args)} arguments")
    return args[0]


def _len(rec, args, snap, pc):
    x = _one(args, "len")
    obj = rec.conc(x)
    if x.kind is R and type(obj) is dict:
        return dicts.length(rec, x, snap, pc)
    if x.kind is R and type(obj) is not list and issubclass(type(obj), list) and type(obj).__len__ is list.__len__:
        return _list_subclass_length(rec, x, snap, pc)
    if x.kind is R and rec.view is not None and type(obj) not in (list, tuple, str, arrays.ARRAY):
        n = operators.length(rec, x, snap, pc, rec.view)
        if n is not None:               # len(obj) of a class with __len__: the method inlined
            return n
    if x.kind is not R or type(obj) not in (list, tuple, str, arrays.ARRAY):
        raise CallAbort(f"len() of {type(obj).__name__}")
    return lists.length(rec, x, snap, pc)


def _list_subclass_length(rec, x, snap, pc):
    """len() of an instance of a subclass of list that does not define __len__ (deltablue's OrderedCollection):
    its class's version tag guarded (which fixes the class, and that __len__ is still list's), its size read as
    a list's."""
    tag = type_version(type(rec.conc(x)))
    if not tag:
        raise CallAbort(f"len() of {type(rec.conc(x)).__name__} (no version tag)")
    attributes.guard_type_version(rec, x, tag, snap, pc)
    return rec.emit(lists.LENGTH_OPS[list], [x], snap, pc)


def _abs(rec, args, snap, pc):
    x = _number(rec, _one(args, "abs"), snap, pc, "abs", allow_complex=True)
    if isinstance(x, complexnum.VirtualComplex):
        return complexnum.absolute(rec, x, snap, pc)
    if x.kind is F:
        return rec.emit("float_abs", [x], snap, pc)
    return rec.emit("int_abs_ovf", [rec.as_int(x, snap, pc)], snap, pc)


def _type(rec, args, snap, pc):
    """type(x): the kind of an unboxed value fixes it; a static type is guarded (a constant then); a class
    is read from the object (type_of: the trace keeps no reference to it)."""
    x = _one(args, "type")
    if isinstance(x, complexnum.VirtualComplex):
        return const_ref(complex)
    if x.kind is R:
        t = type(rec.conc(x))
        if not _static(t):
            return rec.emit("type_of", [x], snap, pc)
        rec.emit("guard_class", [x, const_ref(t)], snap, pc)
        return const_ref(t)
    return const_ref({I: int, F: float, B: bool}[x.kind])


def _sum(rec, args, snap, pc):
    """sum(a_list) of ints (an int64 result) or of ints and floats (a float result): CPython's own sum,
    called from machine code once the items' types are checked (list_sum_int / list_sum_float)."""
    if len(args) != 1:
        raise CallAbort(f"sum() with {len(args)} arguments")
    x = args[0]
    obj = rec.conc(x)
    if x.kind is not R or type(obj) is not list:
        raise CallAbort(f"sum() of {type(obj).__name__}")
    if all(type(v) is int for v in obj):
        name = "list_sum_int"
    elif all(type(v) is int or type(v) is float for v in obj):
        name = "list_sum_float"
    else:
        raise CallAbort("sum() of a list that holds other than ints and floats")
    rec.emit("guard_class", [x, const_ref(list)], snap, pc)
    return rec.emit(name, [x], snap, pc)


def _round(rec, args, snap, pc):
    """round(x): an int stays itself, a float rounds to nearest with ties to even (round(x, n): not here)."""
    x = _number(rec, _one(args, "round"), snap, pc, "round")
    if x.kind is F:
        return rec.emit("float_round_int", [x], snap, pc)
    return rec.as_int(x, snap, pc)


def _divmod(rec, args, snap, pc):
    """divmod(a, b) of two ints or two floats (ints become floats beside a float): the pair (a // b, a % b),
    which is what CPython computes (its // and % of floats come from the same divmod), as a tuple the
    trace never allocates (UNPACK_SEQUENCE takes it apart)."""
    if len(args) != 2:
        raise CallAbort(f"divmod() with {len(args)} arguments")
    a, b = (_number(rec, v, snap, pc, "divmod") for v in args)
    if F in (a.kind, b.kind):
        a, b = (v if v.kind is F else rec.emit("int_to_float", [rec.as_int(v, snap, pc)], snap, pc)
                for v in (a, b))
        return VirtualTuple([rec.emit("float_floordiv", [a, b], snap, pc), rec.emit("float_mod", [a, b], snap, pc)])
    a, b = rec.as_int(a, snap, pc), rec.as_int(b, snap, pc)
    return VirtualTuple([rec.emit("int_floordiv", [a, b], snap, pc), rec.emit("int_mod", [a, b], snap, pc)])


def _range(rec, args, snap, pc):
    """range(stop), range(start, stop), range(start, stop, step) of int64 values: a VirtualRange (only GET_ITER
    takes it). Its length is CPython's: for step > 0, (stop - start + step - 1) // step when
    start < stop, else 0; mirrored for step < 0. A step that is not a constant has its sign guarded (as
    recorded; a zero step leaves the trace and the interpreter raises the ValueError)."""
    if not 1 <= len(args) <= 3:
        raise CallAbort(f"range() with {len(args)} arguments")
    if not _walked_at_once(rec, pc):
        raise CallAbort("range() the program uses as an object")    # reversed(range(n)), a generator's iterable
    vals = [rec.as_int(_number(rec, v, snap, pc, "range"), snap, pc) for v in args]
    if any(v.kind is not I for v in vals):
        raise CallAbort("range() of a non-int")
    start, stop, step = (const_int(0), vals[0], const_int(1)) if len(vals) == 1 else \
        (vals[0], vals[1], vals[2] if len(vals) == 3 else const_int(1))
    k = step.value if isinstance(step, Const) else rec.conc(step)
    if k == 0:
        raise CallAbort("range() with a step of 0")
    span = rec.emit("int_sub_ovf", [stop, start] if k > 0 else [start, stop], snap, pc)
    if isinstance(step, Const):
        if abs(k) != 1:
            span = rec.emit("int_floordiv", [rec.emit("int_add_ovf", [span, const_int(abs(k) - 1)], snap, pc),
                                             const_int(abs(k))], snap, pc)
    else:
        rec.emit("guard_true", [rec.emit("int_gt" if k > 0 else "int_lt", [step, const_int(0)], snap, pc)], snap, pc)
        size = step if k > 0 else rec.emit("int_neg_ovf", [step], snap, pc)
        span = rec.emit("int_floordiv", [rec.emit("int_add_ovf", [span, rec.emit("int_sub", [size, const_int(1)],
                                                                                   snap, pc)], snap, pc), size],
                        snap, pc)
    length = rec.emit("int_max", [span, const_int(0)], snap, pc)
    return VirtualRange(start, stop, step, length, snap)


def _walked_at_once(rec, pc: int) -> bool:
    """The call at pc is followed by GET_ITER and FOR_ITER: a `for` loop walks what it returns, as the only use."""
    after = rec.next_instr(pc)
    if after is not None and after.op == "CALL" and rec.instrs.get(pc, [after])[0].op == "PRECALL":    # 3.11
        after = rec.next_instr(after.offset)
    if after is None or after.op != "GET_ITER":
        return False
    after = rec.next_instr(after.offset)
    return after is not None and after.op == "FOR_ITER"


def _ord(rec, args, snap, pc):
    return strings.ord_of(rec, _one(args, "ord"), snap, pc)


def _chr(rec, args, snap, pc):
    code = rec.as_int(_number(rec, _one(args, "chr"), snap, pc, "chr"), snap, pc)
    if code.kind is not I:
        raise CallAbort("chr() of a non-int")
    return strings.chr_of(rec, code, snap, pc)


def _str(rec, args, snap, pc):
    return strings.to_str(rec, _one(args, "str"), snap)


def _complex(rec, args, snap, pc):
    return complexnum.construct(rec, args, snap, pc)


def _min_max(which: str) -> Callable:
    """min()/max() of two or more ints or of two or more floats: a left fold of the two-argument op, which is
    CPython's loop (an item replaces the one kept only if it is strictly smaller / larger)."""
    def rule(rec, args, snap, pc):
        if len(args) < 2:
            raise CallAbort(f"{which}() with {len(args)} argument{'s' if len(args) != 1 else ''}")
        vals = [_number(rec, v, snap, pc, which) for v in args]
        kinds = {v.kind for v in vals}
        if kinds != {F} and kinds != {I}:
            raise CallAbort(f"{which}() of {' and '.join(sorted(map(str, kinds)))}")   # returns either type
        r = vals[0]
        for v in vals[1:]:
            r = rec.emit(f"{'float' if F in kinds else 'int'}_{which}", [r, v], snap, pc)
        return r
    return rule


def _float(rec, args, snap, pc):
    x = _one(args, "float")
    if isinstance(x, Const) and type(x.value) is str:  # float("inf")
        return const_float(_parsed(float, x.value, "float"))
    if x.kind is R and type(rec.conc(x)) is float:     # float(x) of a float is x itself (its identity)
        rec.emit("guard_class", [x, const_ref(float)], snap, pc)
        return x
    x = _number(rec, x, snap, pc, "float")
    return x if x.kind is F else rec.emit("int_to_float", [rec.as_int(x, snap, pc)], snap, pc)


def _int(rec, args, snap, pc):
    x = _one(args, "int")
    if isinstance(x, Const) and type(x.value) is str:  # int("12")
        value = _parsed(int, x.value, "int")
        if not -SMALL_INT_BOUND < value < SMALL_INT_BOUND:
            raise CallAbort("int() of a str beyond 64 bits")
        return const_int(value)
    if x.kind is R and type(rec.conc(x)) is int:         # int(x) of an int is x itself
        rec.emit("guard_class", [x, const_ref(int)], snap, pc)
        return x
    x = _number(rec, x, snap, pc, "int")
    if x.kind is F:
        return rec.emit("float_trunc_int", [x], snap, pc)
    return rec.as_int(x, snap, pc)


_OBJECT_CLASS = object.__dict__["__class__"]


def _static(t: type) -> bool:
    """A static type (int, float, list, ...): immutable and never freed, so a trace may hold it and rely
    on its MRO."""
    return not t.__flags__ & HEAPTYPE


def _version(t: type, name: str) -> int:
    tag = type_version(t)
    if not tag:
        raise CallAbort(f"{name}() of a class without a type version tag")
    return tag


def _type_of(rec, x, snap, pc) -> type:
    """type(x), with what makes isinstance's answer for it stable in the trace: a number's kind fixes it,
    a static type is guarded by identity, a class by its version tag (which also changes with its MRO;
    the trace keeps no reference to the class)."""
    if isinstance(x, complexnum.VirtualComplex):
        return complex
    if isinstance(x, VirtualTuple):
        return tuple                    # (one BUILD_TUPLE made: not needed as an object here)
    if x.kind is not R:
        return {I: int, F: float, B: bool}[x.kind]
    t = type(rec.conc(x))
    if _static(t):
        rec.emit("guard_class", [x, const_ref(t)], snap, pc)
    else:
        attributes.guard_type_version(rec, x, _version(t, "isinstance"), snap, pc)
    return t


def _plain_class(rec, c, name: str, snap, pc) -> type:
    """The class `c` stands for, when CPython's answer for it comes from MROs alone: its metaclass is
    exactly `type` (no __instancecheck__ / __subclasscheck__: an ABC or any other metaclass is not
    folded). A class read from a variable is guarded by its version tag (it names one class: tags are never
    reused), so the trace keeps no reference to it."""
    cls = rec.conc(c)
    if not isinstance(cls, type):
        raise CallAbort(f"{name}() with a {type(cls).__name__} as the class")
    if type(cls) is not type:
        raise CallAbort(f"{name}() with a class whose metaclass is {type(cls).__name__}")
    if isinstance(c, Var):
        rec.emit("guard_class", [c, const_ref(type)], snap, pc)
        tag = _version(cls, name)
        attributes.note_class(rec, tag, cls)
        rec.emit("guard_version", [c, const_int(tag)], snap, pc)
    elif not _static(cls):
        raise CallAbort(f"{name}() with a class the trace would keep alive")
    return cls


def _classes(rec, classinfo, name: str, snap, pc) -> list[type]:
    """The class `classinfo` stands for, made stable, as a list. A tuple of classes is not folded (a tuple
    built in the loop already stops the recording at the call: its exits would need the tuple)."""
    if not isinstance(classinfo, (Var, Const)) or type(rec.conc(classinfo)) is tuple:
        raise CallAbort(f"{name}() with a tuple of classes")
    if classinfo.kind is not R:
        raise CallAbort(f"{name}() with a {classinfo.kind} as the class")
    return [_plain_class(rec, classinfo, name, snap, pc)]


def _normal_class_attribute(t: type) -> bool:
    """obj.__class__ is type(obj) for every instance of t: t gets attributes the usual way and its MRO finds
    object's __class__ (else isinstance also consults obj.__class__)."""
    if not generic_getattr(t):
        return False
    for k in t.__mro__:
        if "__class__" in k.__dict__:
            return k.__dict__["__class__"] is _OBJECT_CLASS
    return False


def _isinstance(rec, args, snap, pc):
    """isinstance(x, C) (C a class or a tuple of classes) folded to a constant where the answer depends on
    type(x)'s MRO only, made stable by guards; other forms (a metaclass with __instancecheck__, an ABC)
    abort: their answer can change without any guard noticing."""
    if len(args) != 2:
        raise CallAbort("isinstance() form")
    x, classinfo = args
    classes = _classes(rec, classinfo, "isinstance", snap, pc)
    t = _type_of(rec, x, snap, pc)
    if any(c is t or c in t.__mro__ for c in classes):
        return const_bool(True)
    if not _normal_class_attribute(t):
        raise CallAbort(f"isinstance() of a {t.__name__} object, whose __class__ is its own")
    return const_bool(False)


def _issubclass(rec, args, snap, pc):
    """issubclass(A, C) (C a class or a tuple of classes): C in A.__mro__, with A and C made stable by
    guards (A a class whose metaclass is `type`); other forms abort."""
    if len(args) != 2:
        raise CallAbort("issubclass() form")
    a, classinfo = args
    classes = _classes(rec, classinfo, "issubclass", snap, pc)
    if isinstance(a, complexnum.VirtualComplex) or a.kind is not R:
        raise CallAbort("issubclass() of a number")
    derived = _plain_class(rec, a, "issubclass", snap, pc)
    if isinstance(a, Const) and not _static(derived):
        raise CallAbort("issubclass() of a class the trace would keep alive")
    return const_bool(any(c is derived or c in derived.__mro__ for c in classes))


def _math_float(opname: str, name: str, of_int: bool = False) -> Callable:
    """math.name(x) as the op `opname` of a float; `of_int`: of an int too, converted as the function converts it
    (PyFloat_AsDouble: the nearest double, as int_to_float's conversion of an int64 rounds; math.log's own path
    for ints, loghelper, converts an int64 the same way and raises for one not positive, where float_log's guard
    fails). math.floor/ceil give an int back for an int: not of_int."""
    def rule(rec, args, snap, pc):
        x = _number(rec, _one(args, name), snap, pc, f"math.{name}")
        if x.kind is I and of_int:
            x = rec.emit("int_to_float", [x], snap, pc)
        if x.kind is not F:
            raise CallAbort(f"math.{name}() of {x.kind}")   # int arguments: exact conversion rules
        return rec.emit(opname, [x], snap, pc)
    return rule


CALLS: dict[object, Callable] = {
    builtins.len: _len,
    builtins.abs: _abs,
    builtins.min: _min_max("min"),
    builtins.max: _min_max("max"),
    builtins.float: _float,
    builtins.int: _int,
    builtins.isinstance: _isinstance,
    builtins.issubclass: _issubclass,
    builtins.complex: _complex,
    builtins.type: _type,
    builtins.range: _range,
    builtins.round: _round,
    builtins.sum: _sum,
    builtins.divmod: _divmod,
    builtins.ord: _ord,
    builtins.chr: _chr,
    builtins.str: _str,
    math.sqrt: _math_float("float_sqrt", "sqrt", of_int=True),
    math.fabs: _math_float("float_abs", "fabs", of_int=True),
    math.floor: _math_float("float_floor_int", "floor"),
    math.ceil: _math_float("float_ceil_int", "ceil"),
    math.sin: _math_float("float_sin", "sin", of_int=True),
    math.cos: _math_float("float_cos", "cos", of_int=True),
    math.tan: _math_float("float_tan", "tan", of_int=True),
    math.exp: _math_float("float_exp", "exp", of_int=True),
    math.log: _math_float("float_log", "log", of_int=True),
}


# CALLS by the identity of each function (module-level objects, alive as long as the process): looking an
# object of the program up in CALLS itself would hash it, and an instance's __hash__ and __eq__ are Python code
_CALLS_BY_ID = {id(f): (f, rule) for f, rule in CALLS.items()}


def rule_of(obj) -> Callable | None:
    """The rule of a function in CALLS, found by identity (no method of `obj` runs), or None."""
    f, rule = _CALLS_BY_ID.get(id(obj), (None, None))
    return rule if f is obj else None


def is_constant_callee(obj) -> bool:
    """Objects a trace may treat as constants when a pinned name resolves to them."""
    return rule_of(obj) is not None


def constant_value(obj):
    """The IR constant a pinned name or module attribute stands for (a module, a type, a function in CALLS, a
    module's C function such as `sorted`, a float such as math.pi), or None when the name must be read as a
    variable (a class made at run time is read as a variable: a constant would keep it alive as long as the
    trace)."""
    if type(obj) is float:
        return const_float(obj)
    # (by obj's type: isinstance() would read an instance's __class__, through its class's __getattribute__)
    t = type(obj)
    if (issubclass(t, type) and _static(obj)) or issubclass(t, types.ModuleType) or is_constant_callee(obj) \
            or inlinable_function(obj) or (type(obj) is types.BuiltinFunctionType
                                           and type(obj.__self__) is types.ModuleType) or randoms.bound(obj):
        return const_ref(obj)       # (randoms.bound: `random.randrange`, its hidden instance's method)
    return None
