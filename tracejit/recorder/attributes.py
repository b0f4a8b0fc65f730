"""Attribute reads of instances whose lookup runs no Python code: `obj.name` where obj's type gets attributes the
usual way (no __getattribute__ or __getattr__ of its own) and the name, if its MRO has it, is a plain class
attribute or a descriptor implemented in C (a function, a slot, a classmethod...): not a property, nor any
other descriptor whose __get__ is Python's. Then PyObject_GetAttr (the interpreter's own lookup: the instance's
dict, then the class) runs no Python code, and the trace calls it directly (`getattr_plain`) instead of taking
the generic path (a call that may run Python code, with the frame written back around it).

What makes it hold in machine code: the type's version tag, guarded before the read (`guard_version` of
`type_of(obj)`: a tag names one class in one state, and any change to the class or its bases clears it); the
instance's own dict may change freely (the lookup reads it every time). A missing attribute exits before the
instruction, and the interpreter raises the AttributeError. (Not covered: an instance dict holding a key of
another type whose hash equals the name's, whose __eq__ the lookup would call.)

May import: tracejit.ir, tracejit.cpython.layout, tracejit.recorder.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import types

from tracejit.cpython.layout import generic_getattr, type_version
from tracejit.ir import Kind, const_int, const_ref

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracejit.ir import Snapshot

    from .recorder import TraceRecorder

R = Kind.REF
# descriptors whose __get__ is C code: what a class's function, slot, classmethod... gives an instance
C_DESCRIPTORS = frozenset({types.FunctionType, staticmethod, types.MemberDescriptorType,
                           types.GetSetDescriptorType, types.MethodDescriptorType, types.WrapperDescriptorType,
                           types.BuiltinFunctionType, types.ClassMethodDescriptorType})
# (a classmethod too, of a plain function: on 3.12 one wrapping another descriptor calls that one's __get__)
_MISSING = object()


def _class_dict_lookup(t: type, name: str):
    """What t's MRO has for name (the class dicts read directly: no lookup of the program's runs)."""
    for k in t.__mro__:
        d = k.__dict__
        if name in d:
            return d[name]
    return _MISSING


def plain_lookup(t: type, name: str) -> bool:
    """getattr(obj, name) for an instance obj of t runs no Python code."""
    if not generic_getattr(t) or issubclass(t, type):
        return False
    if _class_dict_lookup(t, "__getattr__") is not _MISSING:
        return False
    found = _class_dict_lookup(t, name)
    if found is _MISSING:
        return True
    kind = type(found)
    if _class_dict_lookup(kind, "__get__") is _MISSING:
        return True                     # a plain class attribute
    if kind is classmethod:
        return type(found.__func__) is types.FunctionType
    return kind in C_DESCRIPTORS


def read(rec: TraceRecorder, owner, name: str, snap: Snapshot, pc: int):
    """owner.name as getattr_plain, or None where that does not apply (the generic path reads it then)."""
    if owner.kind is not R:
        return None
    obj = rec.conc(owner)
    t = type(obj)
    if t is types.ModuleType or not plain_lookup(t, name):
        return None
    tag = type_version(t)
    if not tag:
        return None
    try:
        getattr(obj, name)              # (no Python code runs: plain_lookup)
    except AttributeError:
        return None                     # the generic path raises it where the interpreter would
    rec.emit("guard_version", [rec.emit("type_of", [owner], snap, pc), const_int(tag)], snap, pc)
    return rec.emit("getattr_plain", [owner, const_ref(name)], snap, pc)
