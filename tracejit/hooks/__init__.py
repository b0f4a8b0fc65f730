"""Profiling hooks: deliver loop back-edges and, while recording, executed instructions to a listener.

`make_hooks(listener)` picks sys.monitoring (3.12+) or sys.settrace (3.11). The listener provides
`backedge(frame, code, src, header) -> bool` (True: never report this back-edge again) and
`instruction(frame, code, offset)`. The hooks know nothing of traces or machine code.

May import: tracejit.cpython.bytecode and the standard library.
"""
from __future__ import annotations

import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def own_code(code) -> bool:
    """True for tracejit's own code, which is never profiled or compiled."""
    return code.co_filename.startswith(_PACKAGE_DIR)


class _Token:
    """An object whose death re-raises an interrupt in the thread (see defer_interrupt)."""

    __slots__ = ("ref", "__weakref__")


def _async_raiser():
    import ctypes
    proto = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object, ctypes.py_object)
    return proto(ctypes.cast(ctypes.pythonapi.PyThreadState_SetAsyncExc, ctypes.c_void_p).value)


_set_async_exc = _async_raiser()


def defer_interrupt(exc: BaseException):
    """For a bare KeyboardInterrupt() raised by the SIGINT handler inside a hook callback: return a token
    that the outermost callback keeps in a local. When the callback's frame is torn down the token dies and,
    from C, schedules KeyboardInterrupt as this thread's asynchronous exception: the interpreter raises it
    at the user frame's next eval-breaker check, so the traceback holds only the program's frames, as
    without the JIT. Returns None (propagate normally) for any other exception."""
    if type(exc) is not KeyboardInterrupt or exc.args:
        return None
    import functools
    import threading
    import weakref
    token = _Token()
    token.ref = weakref.ref(token, functools.partial(_set_async_exc, threading.get_ident(), KeyboardInterrupt))
    return token


class HookError(Exception):
    """The hook cannot be installed (e.g. the monitoring tool id is taken)."""


def make_hooks(listener):
    if sys.version_info >= (3, 12):
        from .monitoring import MonitoringHooks
        return MonitoringHooks(listener)
    from .tracing import TracingHooks
    return TracingHooks(listener)


def foreign_tool_active() -> str | None:
    """Name of another active debugger/profiler/coverage tool, if any (the JIT then steps aside)."""
    if sys.gettrace() is not None and not getattr(sys.gettrace(), "_tracejit", False):
        return "sys.settrace"
    if sys.getprofile() is not None:
        return "sys.setprofile"
    if sys.version_info >= (3, 12):
        m = sys.monitoring
        for tool in range(6):
            if tool != m.OPTIMIZER_ID and m.get_tool(tool) is not None and m.get_events(tool):
                return f"sys.monitoring tool {m.get_tool(tool)}"
    return None
