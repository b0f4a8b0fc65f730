"""Operators of Python classes inlined: `a + b` where a's class defines `__add__` in Python becomes that function
recorded inline with (a, b) as its arguments, as the interpreter's slot would call it, with no frame made.

Which method the interpreter calls (CPython's binary_op1 and the slot functions of heap types, SLOT1BINFULL):
for `a OP b` with b of a's own class, or an exact int, float or bool (types that are not subclasses of a's
class, whose own slot answers NotImplemented for an instance), `type(a).__op__(a, b)` is called first; for
`n OP b` with n an exact int, float or bool, n's own slot answers NotImplemented (no effect) and
`type(b).__rop__(b, n)` is called. For `a OP= b`, a's `__iop__` if its class has one, else as `a OP b`. When the
method returns NotImplemented, the interpreter goes on to the other operand's method: the trace inlines only a
method whose result it knows is something else (an instance it made, a number, a constant); otherwise the
recording aborts. What the trace assumes is guarded before the call: the left class's version tag (which
changes with its methods), the other operand's exact type (or its class's version tag). Exits inside the
inlined method restart the instruction (no frame chain is rebuilt: the method runs under the operator's C slot
in the interpreter), and a guard after a write the program can see aborts the recording (inline.py).

May import: tracejit.ir, tracejit.cpython.layout, tracejit.recorder.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import types

from tracejit.cpython.instances import HEAPTYPE
from tracejit.cpython.layout import type_version
from tracejit.ir import Const, Kind, const_ref

from . import inline
from .attributes import _MISSING, _class_dict_lookup, guard_type_version
from .complexnum import VirtualComplex
from .frame import RecordAbort

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracejit.ir import Snapshot

    from .recorder import FrameView, TraceRecorder

R = Kind.REF
# BINARY_OP's operator -> the name its methods share (__add__, __radd__, __iadd__); ** takes a third argument
NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "<<": "lshift",
         ">>": "rshift", "&": "and", "|": "or", "^": "xor", "@": "matmul"}
NUMBERS = {Kind.INT: int, Kind.FLOAT: float, Kind.BOOL: bool}      # an unboxed operand's type
NUMBER_TYPES = frozenset(NUMBERS.values())


def _type_of(rec: TraceRecorder, v) -> type | None:
    if isinstance(v, VirtualComplex):
        return None
    return NUMBERS.get(v.kind) or type(rec.conc(v))


def _plain_class(t: type) -> bool:
    return type(t) is type and bool(t.__flags__ & HEAPTYPE)


def binary(rec: TraceRecorder, a, b, symbol: str, inplace: bool, snap: Snapshot, pc: int, view: FrameView):
    """`a symbol b` (in place: `a symbol= b`) with the method of a Python class inlined; the result, or None
    where this does not apply (the caller takes the generic path)."""
    name = NAMES.get(symbol)
    ta, tb = _type_of(rec, a), _type_of(rec, b)
    if name is None or ta is None or tb is None:
        return None
    if _plain_class(ta) and (tb is ta or tb in NUMBER_TYPES):
        owner, other, cls, names = a, b, ta, ([f"__i{name}__"] if inplace else []) + [f"__{name}__"]
    elif ta in NUMBER_TYPES and _plain_class(tb):
        owner, other, cls, names = b, a, tb, [f"__r{name}__"]
    else:
        return None
    func = _MISSING
    for method in names:
        func = _class_dict_lookup(cls, method)
        if func is not _MISSING:
            break
    if type(func) is not types.FunctionType or func.__code__.co_freevars or \
            inline.refusal(rec, func, view) is not None:
        return None
    tag = type_version(cls)
    if not tag:
        return None
    guard_type_version(rec, owner, tag, snap, pc)
    if other.kind is R:
        if type(rec.conc(other)) is cls:
            guard_type_version(rec, other, tag, snap, pc)
        else:
            rec.emit("guard_class", [other, const_ref(type(rec.conc(other)))], snap, pc)
    result = inline.call(rec, Const(func, R), func, [owner, other], (), snap, None, pc, view)
    if not _not_notimplemented(rec, result):
        raise RecordAbort(f"{cls.__name__}.{func.__name__} may return NotImplemented")
    return result


def _not_notimplemented(rec: TraceRecorder, v) -> bool:
    """The trace knows v is not NotImplemented: a number, a constant, an instance it made, a value of a type it
    guarded."""
    if isinstance(v, VirtualComplex) or v.kind is not R:
        return True
    if isinstance(v, Const):
        return v.value is not NotImplemented
    if id(v) in rec.fresh:
        return True
    known = rec.known_class.get(id(v))
    return known is not None and known is not type(NotImplemented)
