"""Calls the recorder turns into IR ops: builtins and math functions reached through pinned names.

`CALLS` maps a callable object (the builtin `len`, `math.sqrt`, ...) to a rule that takes the recorder, the
call's argument values (IR values, REF arguments already unboxed where numbers are wanted), the snapshot
before the CALL and its pc, and returns the result value. A rule raises RecordAbort for forms it does not
handle (more arguments, other types); the loop then runs in the interpreter. Every rule computes exactly
what CPython's function returns, through ops whose semantics are in the op table.

May import: tracejit.ir and the standard library (the recorder is passed in).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import builtins
import math
import types
from typing import Callable

from tracejit.ir import Const, Kind, const_bool, const_float, const_int, const_ref

from . import complexnum
from .virtuals import VirtualRange, VirtualTuple

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF


class CallAbort(Exception):
    """This call form is not compiled (the recorder aborts with the message)."""


def _one(args: list, name: str):
    if len(args) != 1:
        raise CallAbort(f"{name}() with {len(args)} arguments")
    return args[0]


def _len(rec, args, snap, pc):
    x = _one(args, "len")
    obj = rec.conc(x)
    if x.kind is not R or type(obj) is not list:
        raise CallAbort(f"len() of {type(obj).__name__}")
    rec.emit("guard_class", [x, const_ref(list)], snap, pc)
    return rec.emit("list_len", [x], snap, pc)


def _abs(rec, args, snap, pc):
    x = rec.unbox(_one(args, "abs"), snap, pc, allow_complex=True)
    if isinstance(x, complexnum.VirtualComplex):
        return complexnum.absolute(rec, x, snap, pc)
    if x.kind is F:
        return rec.emit("float_abs", [x], snap, pc)
    return rec.emit("int_abs_ovf", [rec.as_int(x, snap, pc)], snap, pc)


def _type(rec, args, snap, pc):
    """type(x): the kind of an unboxed value fixes it; an object's exact type is guarded (a constant then)."""
    x = _one(args, "type")
    if isinstance(x, complexnum.VirtualComplex):
        return const_ref(complex)
    if x.kind is R:
        t = type(rec.conc(x))
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
    x = rec.unbox(_one(args, "round"), snap, pc)
    if x.kind is F:
        return rec.emit("float_round_int", [x], snap, pc)
    return rec.as_int(x, snap, pc)


def _divmod(rec, args, snap, pc):
    """divmod(a, b) of two ints or two floats (ints become floats beside a float): the pair (a // b, a % b),
    which is what CPython computes (its // and % of floats come from the same divmod), as a tuple the
    trace never allocates (UNPACK_SEQUENCE takes it apart)."""
    if len(args) != 2:
        raise CallAbort(f"divmod() with {len(args)} arguments")
    a, b = (rec.unbox(v, snap, pc) for v in args)
    if F in (a.kind, b.kind):
        a, b = (v if v.kind is F else rec.emit("int_to_float", [rec.as_int(v, snap, pc)], snap, pc)
                for v in (a, b))
        return VirtualTuple([rec.emit("float_floordiv", [a, b], snap, pc), rec.emit("float_mod", [a, b], snap, pc)])
    a, b = rec.as_int(a, snap, pc), rec.as_int(b, snap, pc)
    return VirtualTuple([rec.emit("int_floordiv", [a, b], snap, pc), rec.emit("int_mod", [a, b], snap, pc)])


def _range(rec, args, snap, pc):
    """range(stop), range(start, stop), range(start, stop, step) of int64 values with a constant step: a
    VirtualRange (only a bridge's GET_ITER takes it). Its length is CPython's: for step > 0,
    (stop - start + step - 1) // step when start < stop, else 0; mirrored for step < 0."""
    if not 1 <= len(args) <= 3:
        raise CallAbort(f"range() with {len(args)} arguments")
    vals = [rec.as_int(rec.unbox(v, snap, pc), snap, pc) for v in args]
    if any(v.kind is not I for v in vals):
        raise CallAbort("range() of a non-int")
    start, stop, step = (const_int(0), vals[0], const_int(1)) if len(vals) == 1 else \
        (vals[0], vals[1], vals[2] if len(vals) == 3 else const_int(1))
    if not isinstance(step, Const) or step.value == 0:
        raise CallAbort("range() with a step that is not a constant")
    k = step.value
    span = rec.emit("int_sub_ovf", [stop, start] if k > 0 else [start, stop], snap, pc)
    if abs(k) != 1:
        span = rec.emit("int_floordiv", [rec.emit("int_add_ovf", [span, const_int(abs(k) - 1)], snap, pc),
                                         const_int(abs(k))], snap, pc)
    length = rec.emit("int_max", [span, const_int(0)], snap, pc)
    return VirtualRange(start, stop, step, length)


def _complex(rec, args, snap, pc):
    return complexnum.construct(rec, args, snap, pc)


def _min_max(which: str) -> Callable:
    def rule(rec, args, snap, pc):
        if len(args) != 2:
            raise CallAbort(f"{which}() with {len(args)} arguments")
        a, b = (rec.unbox(v, snap, pc) for v in args)
        if a.kind is F and b.kind is F:
            return rec.emit(f"float_{which}", [a, b], snap, pc)
        if a.kind is I and b.kind is I:
            return rec.emit(f"int_{which}", [a, b], snap, pc)
        raise CallAbort(f"{which}() of {a.kind} and {b.kind}")   # returns either type
    return rule


def _float(rec, args, snap, pc):
    x = _one(args, "float")
    if x.kind is R and type(rec.conc(x)) is float:     # float(x) of a float is x itself (its identity)
        rec.emit("guard_class", [x, const_ref(float)], snap, pc)
        return x
    x = rec.unbox(x, snap, pc)
    return x if x.kind is F else rec.emit("int_to_float", [rec.as_int(x, snap, pc)], snap, pc)


def _int(rec, args, snap, pc):
    x = _one(args, "int")
    if x.kind is R and type(rec.conc(x)) is int:         # int(x) of an int is x itself
        rec.emit("guard_class", [x, const_ref(int)], snap, pc)
        return x
    x = rec.unbox(x, snap, pc)
    if x.kind is F:
        return rec.emit("float_trunc_int", [x], snap, pc)
    return rec.as_int(x, snap, pc)


def _isinstance(rec, args, snap, pc):
    if len(args) != 2:
        raise CallAbort("isinstance() form")
    x, cls = args
    if not (isinstance(cls, Const) and cls.kind is R and isinstance(cls.value, type)):
        raise CallAbort("isinstance() with a class that is not a constant type")
    obj = rec.conc(x)
    if x.kind is R:         # the exact type is guarded, so the answer is fixed for this trace
        rec.emit("guard_class", [x, const_ref(type(obj))], snap, pc)
    return const_bool(isinstance(obj, cls.value))


def _math_float(opname: str, name: str) -> Callable:
    def rule(rec, args, snap, pc):
        x = rec.unbox(_one(args, name), snap, pc)
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
    builtins.complex: _complex,
    builtins.type: _type,
    builtins.range: _range,
    builtins.round: _round,
    builtins.sum: _sum,
    builtins.divmod: _divmod,
    math.sqrt: _math_float("float_sqrt", "sqrt"),
    math.fabs: _math_float("float_abs", "fabs"),
    math.floor: _math_float("float_floor_int", "floor"),
    math.ceil: _math_float("float_ceil_int", "ceil"),
    math.sin: _math_float("float_sin", "sin"),
    math.cos: _math_float("float_cos", "cos"),
    math.tan: _math_float("float_tan", "tan"),
    math.exp: _math_float("float_exp", "exp"),
    math.log: _math_float("float_log", "log"),
}


def is_constant_callee(obj) -> bool:
    """Objects a trace may treat as constants when a pinned name resolves to them."""
    return obj in CALLS if _hashable(obj) else False


def _hashable(obj) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def constant_value(obj):
    """The IR constant a pinned name or module attribute stands for (a module, a type, a function in CALLS,
    a float such as math.pi), or None when the name must be read as a variable."""
    if type(obj) is float:
        return const_float(obj)
    if isinstance(obj, (type, types.ModuleType)) or is_constant_callee(obj):
        return const_ref(obj)
    return None
