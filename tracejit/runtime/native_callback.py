"""Hook callbacks behind a native recursion guard (CPython 3.12+).

sys.monitoring calls the hooks' callbacks, which are Python functions, at every loop back-edge. In a frame
that is already at the recursion limit, entering such a function raises RecursionError at the loop's
back-edge, where the program without the JIT would have raised it later, at its next call (or not at all).
`CallbackGuard.wrap(callback)` returns a builtin (a PyCFunction whose code is the machine-code stub of
tracejit.backend.stubs.callback_stub) that reads the thread's count of Python frames left and calls the
callback only when at least MARGIN frames are left; otherwise it returns None at once and the event is
simply not seen by the JIT (the loop runs in the interpreter, as near the limit it should).

The stub's bytes are kept here (CALLBACK_STUB), so installing the hooks needs no assembler; a test checks
that they are what the backend assembles. The code page is mapped read+execute like every other piece of
machine code and lives as long as the engine.

May import: tracejit.runtime.execmem, tracejit.cpython.layout, ctypes and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import struct
import sys

from tracejit.cpython.layout import c_api_address

MARGIN = 50             # Python frames a callback may need (recording and compiling included), with room
METH_FASTCALL = 0x0080
# tracejit.backend.stubs.callback_stub(MARGIN).code; data slots (8 x 8 bytes) at the end hold placeholders
CALLBACK_STUB = bytes.fromhex(
    "5341544155488bdf4c8be64c8bea488b057d000000ffd0488b0d8c000000488b0c0848c1e12048c1f9204883f9327c55"
    "488bfb498bf4498bd533c9488b0558000000ffd04885c07436488b4808483b0d5e0000007529488b0d5d000000488b1c08"
    "48830301488bf8488b055b000000ffd0488bfb488b0547000000ffd033c0415d415c5bc3488b0516000000415d415c5bc3"
    "1111111111111111222222222222222233333333333333334444444444444444555555555555555566666666666666667777777777777777"
    "8888888888888888")
SLOTS = 8


class _MethodDef(ctypes.Structure):
    _fields_ = [("ml_name", ctypes.c_char_p), ("ml_meth", ctypes.c_void_p), ("ml_flags", ctypes.c_int),
                ("ml_doc", ctypes.c_char_p)]


_new_cfunction = ctypes.pythonapi.PyCFunction_NewEx
_new_cfunction.argtypes = [ctypes.c_void_p, ctypes.py_object, ctypes.py_object]
_new_cfunction.restype = ctypes.py_object


class RaiseMarker:
    """What a callback returns to make its builtin raise `exception` (the stub reads it at EXCEPTION_OFFSET)."""
    __slots__ = ("exception",)

    def __init__(self, exception: BaseException) -> None:
        self.exception = exception


EXCEPTION_OFFSET = RaiseMarker.__basicsize__ - 8      # the one slot, after the object's header


def fastcall_builtin(address: int, self_object, name: bytes):
    """A builtin function whose code is the METH_FASTCALL machine code at `address`, called with `self_object` as
    its self. The builtin reads its PyMethodDef at every call: it keeps the ctypes object alive as its __module__
    (no registry of definitions that could die before a builtin still registered somewhere)."""
    md = _MethodDef(name, address, METH_FASTCALL, None)
    return _new_cfunction(ctypes.addressof(md), self_object, md)


class CallbackGuard:
    """Makes guarded builtins around hook callbacks (see the module docstring)."""

    def __init__(self, mem, recursion_remaining_offset: int) -> None:
        set_raised = c_api_address("PyErr_SetRaisedException") if sys.version_info >= (3, 12) else 0
        data = struct.pack("<3Qq4Q", c_api_address("PyThreadState_Get"), c_api_address("PyObject_Vectorcall"), id(None),
                           recursion_remaining_offset, id(RaiseMarker), EXCEPTION_OFFSET, set_raised,
                           c_api_address("Py_DecRef"))
        self.mem = mem
        self.address = mem.place(CALLBACK_STUB[:-8 * SLOTS] + data)     # never unmapped

    def wrap(self, callback):
        """A builtin that calls `callback(*args)` while MARGIN Python frames are left, else returns None."""
        return fastcall_builtin(self.address, callback, b"tracejit_guarded_callback")

    @staticmethod
    def raising(exception: BaseException) -> RaiseMarker:
        """What a wrapped callback returns to make the builtin raise `exception` (CPython 3.12+): the interpreter
        raises it where the event was reported, as if the instruction there had raised it."""
        return RaiseMarker(exception)

    def works(self) -> bool:
        """Start-up check: arguments and results pass through, exceptions propagate, a raise marker raises its
        exception (3.12+)."""
        marked = KeyError("marker probe")

        def probe(*args):
            if args == ("raise",):
                raise LookupError("probe")
            if args == ("marker",):
                return self.raising(marked)
            return args
        f = self.wrap(probe)
        try:
            f("raise")
        except LookupError:
            pass
        else:
            return False
        if sys.version_info >= (3, 12):
            try:
                f("marker")
            except KeyError as e:
                if e is not marked:
                    return False
            else:
                return False
        return f(1, "two", None) == (1, "two", None) and f() == ()
