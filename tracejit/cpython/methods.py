"""The C function behind a built-in method: what a method descriptor calls, read from it and checked.

A method descriptor (`_random.Random.getrandbits`, the object a C type's method is in its class dict) is a
PyMethodDescrObject: PyDescr_COMMON (the object header, d_type, d_name, d_qualname) and then d_method, the
PyMethodDef {ml_name, ml_meth, ml_flags, ml_doc} the type was made from. The interpreter calls a method of
flags METH_O as ml_meth(self, arg), one of METH_NOARGS as ml_meth(self, NULL) and one of METH_FASTCALL as
ml_meth(self, args, nargs) (method_vectorcall_O, _NOARGS and _FASTCALL in Objects/descrobject.c); machine code
calls it the same way. The same on 3.11, 3.12 and 3.13; each
read is checked against what Python says of the descriptor (its class, its name, the flags wanted), so a
layout that differs gives None, never a wrong address.

May import: the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes

METH_NOARGS, METH_O, METH_FASTCALL = 0x0004, 0x0008, 0x0080
DESCR_TYPE, DESCR_NAME, DESCR_METHOD = 16, 24, 40       # PyMethodDescrObject's d_type, d_name, d_method
DEF_NAME, DEF_METH, DEF_FLAGS = 0, 8, 16                # PyMethodDef's ml_name, ml_meth, ml_flags
_METHOD_DESCRIPTOR = type(str.join)


def c_method(descriptor, flags: int) -> int | None:
    """The address of the C function behind `descriptor` (a method descriptor whose PyMethodDef has exactly
    these flags), or None."""
    definition = method_def(descriptor)
    if definition is None or ctypes.c_int.from_address(definition + DEF_FLAGS).value != flags:
        return None
    return ctypes.c_void_p.from_address(definition + DEF_METH).value or None


def method_def(descriptor) -> int | None:
    """The address of the PyMethodDef of `descriptor` (a method descriptor), checked: the one a built-in method
    bound from it holds too (`items.append`: layout.bound_method_def), or None."""
    if type(descriptor) is not _METHOD_DESCRIPTOR:
        return None
    base = id(descriptor)
    word = ctypes.c_void_p

    def read(address: int) -> int:
        return word.from_address(address).value or 0

    if read(base + DESCR_TYPE) != id(descriptor.__objclass__) or read(base + DESCR_NAME) != id(descriptor.__name__):
        return None
    definition = read(base + DESCR_METHOD)
    if not definition or ctypes.c_char_p.from_address(definition + DEF_NAME).value != descriptor.__name__.encode():
        return None
    return definition
