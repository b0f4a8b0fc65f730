"""Operators of Python classes inlined: `a + b` where a's class defines `__add__` in Python becomes that function
recorded inline with (a, b) as its arguments, as the interpreter's slot would call it, with no frame made; so do
comparisons (`__lt__`... `__eq__`; `==` and `!=` of instances of classes without either: identities), subscripts
(`__getitem__`, `__setitem__`), properties' getters, unary operators (`__neg__`, `__pos__`, `__invert__`), calls
of instances (`__call__`), `len()` (`__len__`), `in` (`__contains__`) and truth (`__bool__`, or `__len__`).

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

from tracejit.cpython.instances import HEAPTYPE, property_getter_offset
from tracejit.cpython.layout import generic_getattr, type_version
from tracejit.ir import Const, Kind, const_int, const_ref
from tracejit.ir.ops import SMALL_INT_BOUND

from . import inline
from .lists import LENGTH_OPS
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
# a class deriving from one of these is a number to the left operand's own slot (float + an int subclass is
# computed by float's, never reaching the right operand's reflected method): not inlined
NUMBER_BASES = (int, float, complex)


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
    elif ta in NUMBER_TYPES and _plain_class(tb) and not issubclass(tb, NUMBER_BASES):
        owner, other, cls, names = b, a, tb, [f"__r{name}__"]
    else:
        return None
    method = next((m for m in names if _class_dict_lookup(cls, m) is not _MISSING), names[-1])
    result = _inline_method(rec, cls, _class_dict_lookup(cls, method), owner, [other], snap, pc, view)
    if result is not None and not _not_notimplemented(rec, result):
        raise RecordAbort(f"{cls.__name__}.{method} may return NotImplemented")
    return result


# COMPARE_OP's operator -> its method, and the one the other operand's class answers when swapped
COMPARISONS = {"<": ("__lt__", "__gt__"), "<=": ("__le__", "__ge__"), "==": ("__eq__", "__eq__"),
               "!=": ("__ne__", "__ne__"), ">": ("__gt__", "__lt__"), ">=": ("__ge__", "__le__")}


def compare(rec: TraceRecorder, a, b, symbol: str, to_bool: bool, snap: Snapshot, pc: int, view: FrameView):
    """`a symbol b` with the comparison method of a Python class inlined (CPython's do_richcompare: b's class
    goes first only if it is a proper subclass of a's; a number's own comparison answers NotImplemented for an
    instance, and the instance's swapped method is called); the result, or None where this does not apply.
    `to_bool` (3.13, in a condition): the result must be a bool the trace knows as one."""
    names = COMPARISONS.get(symbol)
    ta, tb = _type_of(rec, a), _type_of(rec, b)
    if names is None or ta is None or tb is None:
        return None
    if symbol in ("==", "!="):
        same = _identity(rec, a, b, symbol, ta, tb, snap, pc)
        if same is not None:
            return same
    if _plain_class(ta) and (tb is ta or tb in NUMBER_TYPES):
        owner, other, cls, method = a, b, ta, names[0]
    elif ta in NUMBER_TYPES and _plain_class(tb) and not issubclass(tb, NUMBER_BASES):
        owner, other, cls, method = b, a, tb, names[1]
    else:
        return None
    result = _inline_method(rec, cls, _class_dict_lookup(cls, method), owner, [other], snap, pc, view)
    if result is None:
        return None
    if not _not_notimplemented(rec, result):
        raise RecordAbort(f"{cls.__name__}.{method} may return NotImplemented")
    if to_bool and result.kind is not Kind.BOOL and not (isinstance(result, Const) and type(result.value) is bool):
        raise RecordAbort(f"{cls.__name__}.{method} in a condition may return something else than a bool")
    return result


_OBJECT_EQ, _OBJECT_NE = object.__dict__["__eq__"], object.__dict__["__ne__"]


def compares_by_identity(t: type) -> bool:
    """Instances of t compare with == and != as object's do: no __eq__ or __ne__ of their own class or its bases
    (object's slot answers NotImplemented for another object, and the interpreter then compares identities)."""
    return _plain_class(t) and _class_dict_lookup(t, "__eq__") is _OBJECT_EQ and \
        _class_dict_lookup(t, "__ne__") is _OBJECT_NE and bool(type_version(t))


def _identity(rec: TraceRecorder, a, b, symbol: str, ta: type, tb: type, snap: Snapshot, pc: int):
    """`a == b` / `a != b` of instances whose classes compare by identity (or of one such instance and None) as
    `a is b`, under the guards on their classes' version tags (a class that gains an __eq__ changes its tag);
    None where this does not apply."""
    def none(v) -> bool:
        return isinstance(v, Const) and v.value is None
    if not ((compares_by_identity(ta) or none(a)) and (compares_by_identity(tb) or none(b))) or \
            (none(a) and none(b)):
        return None
    for v, t in ((a, ta), (b, tb)):
        if not none(v):
            guard_type_version(rec, v, type_version(t), snap, pc)
    same = rec.emit("ref_eq", [a, b], snap, pc)
    return same if symbol == "==" else rec.emit("bool_not", [same], snap, pc)


def subscript(rec: TraceRecorder, container, index, value, snap: Snapshot, pc: int, view: FrameView):
    """`container[index]` (value None) or `container[index] = value` with the class's __getitem__ / __setitem__
    inlined (CPython's slot calls the method found on the class; __setitem__'s result is dropped); the result
    (for a store: the method's, which the caller drops), or None where this does not apply."""
    if isinstance(container, VirtualComplex) or container.kind is not R or isinstance(index, VirtualComplex):
        return None
    cls = type(rec.conc(container))
    if not _plain_class(cls):
        return None
    args = [index] if value is None else [index, value]
    func = _class_dict_lookup(cls, "__getitem__" if value is None else "__setitem__")
    return _inline_method(rec, cls, func, container, args, snap, pc, view, dispatch=False)


def property_get(rec: TraceRecorder, owner, name: str, snap: Snapshot, pc: int, view: FrameView):
    """owner.name where owner's class has a `property` by that name whose getter is a Python function: the getter
    inlined (the property is a data descriptor: the instance's own attributes cannot hide it), under the guard on
    the class's version tag (a property object's getter cannot be replaced: replacing the property changes the
    tag). Not for a class with __getattr__ (an AttributeError of the getter would call it) or its own
    __getattribute__. The result, or None where this does not apply."""
    if isinstance(owner, VirtualComplex) or owner.kind is not R:
        return None
    cls = type(rec.conc(owner))
    if not _plain_class(cls) or not generic_getattr(cls) or _class_dict_lookup(cls, "__getattr__") is not _MISSING:
        return None
    prop = _class_dict_lookup(cls, name)
    getter = prop.fget if type(prop) is property else None
    offset = property_getter_offset()
    if type(getter) is not types.FunctionType or offset is None:
        return None
    result = _inline_method(rec, cls, getter, owner, [], snap, pc, view, dispatch=False, check=(prop, offset))
    return result


# UNARY_*'s method (slot_nb_negative...: called with the operand alone; nothing is tried after it)
UNARY_METHODS = {"UNARY_NEGATIVE": "__neg__", "UNARY_POSITIVE": "__pos__", "UNARY_INVERT": "__invert__"}


def _protocol_class(rec: TraceRecorder, obj) -> type | None:
    """obj's class, where it is a Python class whose protocol methods (a heap type's slots, which call the
    methods its lookup finds) the recorder may inline: not a number's subclass (whose base's slots may answer
    first), not a metaclass's instance."""
    if isinstance(obj, VirtualComplex) or obj.kind is not R:
        return None
    cls = type(rec.conc(obj))
    return cls if _plain_class(cls) and not issubclass(cls, (*NUMBER_BASES, type)) else None


def unary(rec: TraceRecorder, a, opname: str, snap: Snapshot, pc: int, view: FrameView):
    """`-a`, `+a`, `~a` with the method of a's Python class inlined (`__neg__`, `__pos__`, `__invert__`); the
    result, or None where this does not apply."""
    cls = _protocol_class(rec, a)
    if cls is None:
        return None
    return _inline_method(rec, cls, _class_dict_lookup(cls, UNARY_METHODS[opname]), a, [], snap, pc, view,
                          dispatch=False)


def call(rec: TraceRecorder, obj, args: list, snap: Snapshot, pc: int, view: FrameView):
    """obj(*args) of an instance of a Python class whose `__call__` is a Python function: the method inlined
    (slot_tp_call calls what the class's lookup finds, with obj first); the result, or None where this does not
    apply."""
    cls = _protocol_class(rec, obj)
    if cls is None:
        return None
    return _inline_method(rec, cls, _class_dict_lookup(cls, "__call__"), obj, args, snap, pc, view, dispatch=False)


def length(rec: TraceRecorder, obj, snap: Snapshot, pc: int, view: FrameView):
    """len(obj) with the class's `__len__` inlined: its result as an unboxed int. slot_sq_length takes the
    method's result as an index (an int or a bool) that must not be negative, or the interpreter raises: a
    result the trace does not know to be one is checked, and an exit there restarts the call (so the method
    must have written nothing the program can see: else the recording aborts). None where this does not
    apply."""
    cls = _protocol_class(rec, obj)
    if cls is None:
        return None
    writes = rec.writes
    result = _inline_method(rec, cls, _class_dict_lookup(cls, "__len__"), obj, [], snap, pc, view, dispatch=False)
    if result is None:
        return None
    what = f"{cls.__name__}.__len__"
    if isinstance(result, VirtualComplex) or result.kind is Kind.FLOAT:
        raise RecordAbort(f"{what} returns a number that is not an int")
    if isinstance(result, Const):
        if type(result.value) not in (int, bool) or result.value < 0 or result.value >= SMALL_INT_BOUND:
            raise RecordAbort(f"{what} returns {type(result.value).__name__} {result.value!r}")
        return const_int(int(result.value))
    if result.kind is Kind.BOOL:
        return rec.emit("bool_to_int", [result], snap, pc)
    if result.kind is Kind.INT and _made_by(rec, result) in LENGTHS:
        return result                   # `return len(self.items)`: a length already
    _no_write_since(rec, writes, what, _class_dict_lookup(cls, "__len__"))
    if result.kind is R:
        if type(rec.conc(result)) not in (int, bool):
            raise RecordAbort(f"{what} returns {type(rec.conc(result)).__name__}")
        result = rec.as_int(rec.unbox(result, snap, pc), snap, pc)
    rec.emit("guard_true", [rec.emit("int_ge", [result, const_int(0)], snap, pc)], snap, pc)
    return result


LENGTHS = frozenset({*LENGTH_OPS.values(), "dict_len"})     # ops whose result is a length (never negative)


def _made_by(rec: TraceRecorder, v) -> str | None:
    """The name of the op of this recording whose result v is (looked for among its last ops), or None."""
    for op in reversed(rec.ops[-64:]):
        if op.result is v:
            return op.name
    return None


def contains(rec: TraceRecorder, item, container, snap: Snapshot, pc: int, view: FrameView):
    """`item in container` with the class's `__contains__` inlined (slot_sq_contains: the method's result's
    truth); the truth as a bool, or None where this does not apply (no such Python method: CPython may
    iterate instead)."""
    cls = _protocol_class(rec, container)
    if cls is None:
        return None
    writes = rec.writes
    result = _inline_method(rec, cls, _class_dict_lookup(cls, "__contains__"), container, [item], snap, pc, view,
                            dispatch=False)
    if result is None:
        return None
    if isinstance(result, VirtualComplex):
        raise RecordAbort(f"{cls.__name__}.__contains__ returns a complex number")
    if isinstance(result, Const):
        if type(result.value) not in (bool, int, float, str, type(None)):
            raise RecordAbort(f"{cls.__name__}.__contains__ returns a {type(result.value).__name__} constant")
        return Const(bool(result.value), Kind.BOOL)
    if result.kind is R:
        _no_write_since(rec, writes, f"{cls.__name__}.__contains__", _class_dict_lookup(cls, "__contains__"))
    return rec.truth(result, snap, pc)


def truth(rec: TraceRecorder, obj, snap: Snapshot, pc: int, view: FrameView):
    """bool(obj) where obj's class defines `__bool__` as a Python function (inlined: slot_nb_bool's result must
    be a bool, or the interpreter raises), or no `__bool__` and `__len__` as one (true when it is not 0); the
    truth as a bool, or None where this does not apply."""
    cls = _protocol_class(rec, obj)
    if cls is None:
        return None
    method = _class_dict_lookup(cls, "__bool__")
    writes = rec.writes
    if method is _MISSING:
        n = length(rec, obj, snap, pc, view)
        if n is not None:
            _no_write_since(rec, writes, f"{cls.__name__}.__len__", _class_dict_lookup(cls, "__len__"))
        return None if n is None else rec.emit("int_is_true", [n], snap, pc)
    result = _inline_method(rec, cls, method, obj, [], snap, pc, view, dispatch=False)
    if result is None:
        return None
    what = f"{cls.__name__}.__bool__"
    # (3.11/3.12 test the truth inside the branch instruction, whose guard's exit runs that instruction again:
    # so does any check of the result, below; a method that wrote is called instead, on every version)
    _no_write_since(rec, writes, what, method)
    if isinstance(result, Const) and type(result.value) is bool:
        return Const(result.value, Kind.BOOL)
    if not isinstance(result, VirtualComplex) and result.kind is Kind.BOOL:
        return result
    if isinstance(result, (VirtualComplex, Const)) or result.kind is not R or type(rec.conc(result)) is not bool:
        raise RecordAbort(f"{what} may return something else than a bool")
    return rec.unbox(result, snap, pc)


def _no_write_since(rec: TraceRecorder, writes: int, what: str, method=None) -> None:
    """Abort where an inlined method whose result needs a guard (an exit there restarts the instruction, calling
    the method again) wrote something the program can see (TraceRecorder.writes, counted since `writes`); the
    next recording calls `method` (the "not_inlined" hint) instead of inlining it."""
    if rec.writes != writes:
        code = getattr(method, "__code__", None)
        raise RecordAbort(f"{what} writes before its result is checked", ("not_inlined", code) if code else None)


def _inline_method(rec: TraceRecorder, cls: type, func, owner, args: list, snap: Snapshot, pc: int,
                   view: FrameView, dispatch: bool = True, check: tuple | None = None):
    """func(owner, *args), a method of owner's class cls, inlined under the guards on that class (its version tag)
    and, with `dispatch` (an operator, which the other operand's type chose), on the type of args[0]; None where
    func is not a Python function the recorder can inline. `check`: (a property, the offset of its getter), guarded
    to still be func (property.__init__ replaces a getter without changing the class)."""
    if type(func) is not types.FunctionType or func.__code__.co_freevars or \
            inline.refusal(rec, func, view) is not None:
        return None
    tag = type_version(cls)
    if not tag:
        return None
    guard_type_version(rec, owner, tag, snap, pc)
    if check is not None:
        prop, offset = check
        getter = rec.emit("member_attr", [const_ref(prop), const_int(offset), const_ref("fget")], snap, pc)
        rec.emit("guard_true", [rec.emit("ref_eq", [getter, const_ref(func)], snap, pc)], snap, pc)
    for other in args[:1] if dispatch else ():
        if isinstance(other, VirtualComplex) or other.kind is not R or isinstance(other, Const):
            continue
        if type(rec.conc(other)) is cls:
            guard_type_version(rec, other, tag, snap, pc)
        elif type(rec.conc(other)) in NUMBER_TYPES:
            rec.emit("guard_class", [other, const_ref(type(rec.conc(other)))], snap, pc)
    return inline.call(rec, Const(func, R), func, [owner] + args, (), snap, None, pc, view)


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
