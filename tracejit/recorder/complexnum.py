"""Complex numbers in traces: a complex value is a VirtualComplex, two FLOAT values that stay in registers.

A complex number becomes an object only where it leaves the trace: an exit rebuilds it from its two doubles
(Snapshot.complex_at), and a state variable that holds one is kept as two FLOAT state variables
(`complex_parts`) that the runtime reads from and writes back as `complex(real, imag)`.

The arithmetic is CPython's Objects/complexobject.c (3.11-3.13), op for op, so results are bit-identical:
an int, bool or float operand first becomes complex(x, 0.0) (TO_COMPLEX); + and - are componentwise
(_Py_c_sum, _Py_c_diff); * is _Py_c_prod, (a*c - b*d) + (a*d + b*c)j; / is _Py_c_quot (Smith's method,
the branch guarded); unary - negates both parts; abs(z) is _Py_c_abs (libm's hypot; the guard fails for
infinite or NaN parts and on overflow, where CPython special-cases or raises). Powers, comparisons and truth
tests are not compiled: the recording aborts and the loop stays in the interpreter.

May import: tracejit.ir, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import dataclass

from tracejit.ir import Const, Kind, StateVar, const_float
from tracejit.ir.trace import Value

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF


class ComplexAbort(Exception):
    """This use of a complex number is not compiled (the recorder aborts with the message)."""


@dataclass(eq=False)
class VirtualComplex:
    """A complex number the trace has not allocated: its real and imaginary parts as FLOAT values."""
    real: Value
    imag: Value

    def __repr__(self) -> str:
        return f"complex({self.real!r}, {self.imag!r})"


def complex_parts(sv: StateVar) -> tuple[StateVar, StateVar]:
    """The two FLOAT state variables that hold a complex-valued local or global (see StateVar)."""
    name = sv.name or str(sv)
    return (StateVar("complex", (sv.where, sv.key, "real"), f"{name}.real"),
            StateVar("complex", (sv.where, sv.key, "imag"), f"{name}.imag"))


def constant(value: complex) -> VirtualComplex:
    return VirtualComplex(const_float(value.real), const_float(value.imag))


def to_complex(rec, v, snap, pc) -> VirtualComplex:
    """TO_COMPLEX: a complex stays itself; an int, bool or float x becomes complex(float(x), 0.0)."""
    if isinstance(v, VirtualComplex):
        return v
    if v.kind is F:
        return VirtualComplex(v, const_float(0.0))
    if v.kind in (I, B):
        x = rec.as_int(v, snap, pc)
        return VirtualComplex(rec.emit("int_to_float", [x], snap, pc), const_float(0.0))
    raise ComplexAbort(f"complex arithmetic with a {v.kind}")


def binary(rec, symbol: str, a, b, snap, pc) -> VirtualComplex:
    """a <symbol> b where at least one operand is a VirtualComplex (the other an unboxed number)."""
    a, b = to_complex(rec, a, snap, pc), to_complex(rec, b, snap, pc)

    def op(name, x, y):
        return rec.emit(name, [x, y], snap, pc)

    if symbol == "+":
        return VirtualComplex(op("float_add", a.real, b.real), op("float_add", a.imag, b.imag))
    if symbol == "-":
        return VirtualComplex(op("float_sub", a.real, b.real), op("float_sub", a.imag, b.imag))
    if symbol == "*":
        return VirtualComplex(op("float_sub", op("float_mul", a.real, b.real), op("float_mul", a.imag, b.imag)),
                              op("float_add", op("float_mul", a.real, b.imag), op("float_mul", a.imag, b.real)))
    if symbol == "/":
        return _quotient(rec, op, a, b, snap, pc)
    raise ComplexAbort(f"operator {symbol} on complex numbers")


def _quotient(rec, op, a: VirtualComplex, b: VirtualComplex, snap, pc) -> VirtualComplex:
    """_Py_c_quot (Smith's method): divide by the larger of |b.real| and |b.imag|, whichever branch the
    recording took, behind a guard on that comparison. A zero divisor (ZeroDivisionError) and NaN parts
    (neither comparison holds) are left to the interpreter."""
    abs_real, abs_imag = rec.emit("float_abs", [b.real], snap, pc), rec.emit("float_abs", [b.imag], snap, pc)

    def branch(cond) -> bool:
        taken = bool(rec.conc(cond))
        if not isinstance(cond, Const):
            rec.emit("guard_true" if taken else "guard_false", [cond], snap, pc)
        return taken

    if branch(rec.emit("float_ge", [abs_real, abs_imag], snap, pc)):
        if not branch(rec.emit("float_ne", [abs_real, const_float(0.0)], snap, pc)):
            raise ComplexAbort("complex division by zero")
        ratio = op("float_truediv", b.imag, b.real)
        denom = op("float_add", b.real, op("float_mul", b.imag, ratio))
        return VirtualComplex(op("float_truediv", op("float_add", a.real, op("float_mul", a.imag, ratio)), denom),
                              op("float_truediv", op("float_sub", a.imag, op("float_mul", a.real, ratio)), denom))
    if not branch(rec.emit("float_ge", [abs_imag, abs_real], snap, pc)):
        raise ComplexAbort("complex division with a NaN part")
    ratio = op("float_truediv", b.real, b.imag)
    denom = op("float_add", op("float_mul", b.real, ratio), b.imag)
    return VirtualComplex(op("float_truediv", op("float_add", op("float_mul", a.real, ratio), a.imag), denom),
                          op("float_truediv", op("float_sub", op("float_mul", a.imag, ratio), a.real), denom))


def unary(rec, opname: str, z: VirtualComplex, snap, pc) -> VirtualComplex:
    if opname == "UNARY_NEGATIVE":
        return VirtualComplex(rec.emit("float_neg", [z.real], snap, pc), rec.emit("float_neg", [z.imag], snap, pc))
    if opname == "UNARY_POSITIVE":
        return z
    raise ComplexAbort(f"{opname} on a complex number")


def absolute(rec, z: VirtualComplex, snap, pc):
    return rec.emit("complex_abs", [z.real, z.imag], snap, pc)


def attribute(z: VirtualComplex, name: str):
    if name == "real":
        return z.real
    if name == "imag":
        return z.imag
    raise ComplexAbort(f"attribute {name} of a complex number")


def construct(rec, args: list, snap, pc) -> VirtualComplex:
    """complex(x) and complex(x, y) for int, bool and float x, y: exactly complex(float(x), float(y))
    (CPython's complex_new combines the parts only when an argument is itself complex)."""
    if not 1 <= len(args) <= 2:
        raise ComplexAbort(f"complex() with {len(args)} arguments")
    parts = []
    for v in args:
        if isinstance(v, VirtualComplex):
            raise ComplexAbort("complex() of a complex number")
        v = rec.unbox(v, snap, pc)
        if v.kind is F:
            parts.append(v)
        elif v.kind in (I, B):
            parts.append(rec.emit("int_to_float", [rec.as_int(v, snap, pc)], snap, pc))
        else:
            raise ComplexAbort(f"complex() of a {v.kind}")
    if len(parts) == 1:
        parts.append(const_float(0.0))
    return VirtualComplex(*parts)


def concrete(rec, z: VirtualComplex) -> complex:
    return complex(rec.conc(z.real), rec.conc(z.imag))


def is_const(z: VirtualComplex) -> bool:
    return isinstance(z.real, Const) and isinstance(z.imag, Const)
