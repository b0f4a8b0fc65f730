"""Profiling hooks: deliver loop back-edges and, while recording, executed instructions to a listener.

`make_hooks(listener)` picks sys.monitoring (3.12+) or sys.settrace (3.11). The listener provides
`backedge(frame, code, src, header) -> bool` (True: never report this back-edge again),
`instruction(frame, code, offset)`, an attribute `depth` (non-zero while one of its callbacks runs), a
SignalGate `gate`, which the hooks' callbacks close while they run, `wrap_callback(f)`, which returns
what to register with sys.monitoring in place of callback f (f itself, or a guard around it), and optionally
`line_counts`, a defaultdict(int) in which the hooks count every line the interpreter runs, keyed
(filename, line) (None: lines are not counted; the visualizer's Probe provides one).
The hooks know nothing of traces or machine code.

May import: tracejit.cpython.bytecode and .entrycheck, and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

# _thread, _functools, _weakref: threading's get_ident, functools' partial and weakref's ref themselves, without
# importing those modules at start-up
import _thread
import os
import sys
from _functools import partial
from _weakref import ref as weak_ref

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


IMPORT_SYSTEM = "<frozen importlib"      # co_filename prefix of the import system's code
_NEVER_PROFILED = (_PACKAGE_DIR, IMPORT_SYSTEM)


def own_code(code) -> bool:
    """True for code that is never profiled or compiled: tracejit's own, and the import system's (a JIT
    callback that imports a module while the thread is inside importlib's module-lock code breaks it)."""
    return code.co_filename.startswith(_NEVER_PROFILED)


def importing(frame) -> bool:
    """True if a frame of the import system is on the stack from `frame` outwards (an import is going on)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith(IMPORT_SYSTEM):
            return True
        frame = frame.f_back
    return False


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
    token = _Token()
    token.ref = weak_ref(token, partial(_set_async_exc, _thread.get_ident(), KeyboardInterrupt))
    return token


class _MainThreadFlag(_thread._local):
    """`main` is True only in the thread that runs signal handlers (set there by SignalGate.note_thread). Reading
    it is a C-level lookup in the thread's own dict: no Python code, no eval-breaker check."""
    main = False


class SignalGate:
    """Holds Python-level signal handlers while a hook callback runs, so that they never run inside the JIT's
    own code: there a handler could see a half-written frame, its changes to a loop's variables could be
    overwritten with stale values, and its exceptions would surface in tracejit's frames (or, raised from a
    JUMP event callback, escape the program's try blocks). The main thread's outermost callback (`here.main`: only that
    thread runs handlers; the gate still open: a callback nested in another finds it closed) starts by zeroing
    `main_thread` (its RESUME does no eval-breaker check:
    cpython.bytecode.without_entry_check) and ends by writing `ident` back and raising the eval breaker if a
    signal arrived; the handlers then run at the program's next eval-breaker check, in the program's frame, at a
    loop iteration boundary, as without the JIT. Callbacks in other threads leave the gate alone: one ending
    while the main thread is inside its own callback must not open the gate there.
    The words come from tracejit.cpython.layout.signal_words (checked at start-up); without them the gate
    writes to private dummies and handlers run wherever CPython runs them."""

    def __init__(self, words=None) -> None:
        import ctypes
        self.active = words is not None
        if words is None:
            self.main_thread, self.ident = ctypes.c_ulong(0), 0
            self.breaker, self.bit, self.pending = ctypes.c_int32(0), 0, ctypes.c_int32(0)
        else:
            self.main_thread, self.ident = words.main_thread, words.ident
            self.breaker, self.bit, self.pending = words.breaker, words.bit, words.pending
        self.here = _MainThreadFlag()
        self.note_thread()

    def note_thread(self) -> None:
        """Mark the calling thread if it is the one that runs signal handlers (the gate is made, and the hooks
        are installed, from whichever thread enables the JIT: the main one's flag is set when it is there)."""
        if self.ident and _thread.get_ident() == self.ident:
            self.here.main = True

    # The callbacks inline closing and opening (a method call would be an eval-breaker check):
    #   close: me = here.main and gate.main_thread.value != 0; if me: gate.main_thread.value = 0
    #   open:  if me: gate.main_thread.value = gate.ident; if gate.pending.value: gate.breaker.value |= gate.bit
    # `me` is the main thread's outermost callback: a nested one finds the gate closed already and leaves it so.
    # Whether another thread is inside a callback (listener.depth, shared by all threads) must not decide it:
    # the main thread's callback then left the gate closed behind it, and 3.11 in tracing mode spun forever at
    # the next RESUME on an eval breaker it could not clear (test_many_threads_in_compiled_loops, under load)

    @property
    def is_open(self) -> bool:
        return self.main_thread.value == self.ident


def held_callback(listener, fn):
    """`fn` as a hook callback that holds signal handlers while it runs (SignalGate: the main thread's, unless
    nested in another callback; the wrapper's RESUME does no eval-breaker check, fn's runs with them held) and
    answers None near the program's recursion limit (noted in `listener.recursion_hit`). For the callbacks that
    are not on the hot path (one more Python call); the hot ones inline the same lines. Inside fn, the program's
    frame is sys._getframe(2)."""
    from tracejit.cpython.entrycheck import without_entry_check
    gate = listener.gate
    word, ident, breaker, bit, pending = gate.main_thread, gate.ident, gate.breaker, gate.bit, gate.pending
    here = gate.here

    @without_entry_check
    def callback(*args):
        me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
        if me:
            word.value = 0                  # hold signal handlers
        try:
            return fn(*args)
        except RecursionError:              # near the program's limit: no Python call in this clause
            listener.recursion_hit = True
            return None
        finally:
            if me:                              # let handlers run
                word.value = ident
                if pending.value:
                    breaker.value |= bit
    return callback


class StartArms:
    """Code objects whose next frames' start the listener wants (the hooks' arm_start), each with how many
    pending resumes wait for it: arm() is True for the first, disarm() for the last."""

    def __init__(self) -> None:
        self.counts: dict = {}

    def __contains__(self, code) -> bool:
        return code in self.counts

    def __bool__(self) -> bool:
        return bool(self.counts)

    def arm(self, code) -> bool:
        n = self.counts.get(code, 0)
        self.counts[code] = n + 1
        return n == 0

    def disarm(self, code) -> bool:
        n = self.counts.get(code, 0) - 1
        if n > 0:
            self.counts[code] = n
            return False
        return self.counts.pop(code, None) is not None

    def clear(self) -> list:
        codes = list(self.counts)
        self.counts.clear()
        return codes


class HookError(Exception):
    """The hook cannot be installed (e.g. the monitoring tool id is taken)."""


def make_hooks(listener):
    if sys.version_info >= (3, 12):
        from .monitoring import MonitoringHooks
        return MonitoringHooks(listener)
    from .tracing import TracingHooks
    return TracingHooks(listener)


def foreign_tool_active(code=None) -> str | None:
    """Name of another active debugger/profiler/coverage tool, if any (the JIT then steps aside): a trace or
    profile function, or a sys.monitoring tool with events on, globally or (given `code`) on that code."""
    if sys.gettrace() is not None and not getattr(sys.gettrace(), "_tracejit", False):
        return "sys.settrace"
    if sys.getprofile() is not None:
        return "sys.setprofile"
    if sys.version_info >= (3, 12):
        m = sys.monitoring
        for tool in range(6):
            if tool != m.OPTIMIZER_ID and m.get_tool(tool) is not None and (
                    m.get_events(tool) or (code is not None and m.get_local_events(tool, code))):
                return f"sys.monitoring tool {m.get_tool(tool)}"
    return None
