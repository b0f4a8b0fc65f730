"""Exceptions that calls made from machine code raised, waiting to be raised by the interpreter (CPython 3.12+).

A call that may run Python code (the generic path) that raises leaves the trace at its instruction; the
frame resumes there with the instruction's operands consumed, and the exception must be raised by that very
instruction: the hooks report the frame's next instruction (a one-shot INSTRUCTION event on its code) and the
callback returns a raise marker, which the callback guard's native stub raises (runtime/native_callback.py).
Pending raises are kept per thread (a thread switch can come between the exit and the instruction), and the
INSTRUCTION events of a code object stay armed while any thread's frame of it still has to raise: arming and
disarming are done under one lock, so a switch between another thread's check and its disarming cannot undo
this thread's arming.

May import: the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from _thread import allocate_lock, get_ident


class PendingRaises:
    """Per thread: (frame, the offsets the frame may resume at, the exception)."""

    def __init__(self) -> None:
        # thread id -> pending raise; the engine tests it on every callback (a dict: no method call there)
        self.pending: dict[int, tuple] = {}
        self._lock = allocate_lock()

    def waiting_here(self) -> bool:
        """This thread has a pending raise."""
        return get_ident() in self.pending

    def add(self, hooks, frame, pcs: tuple[int, int], exception: BaseException) -> None:
        """`frame` (this thread's) raises `exception` at its next instruction, one of `pcs`."""
        with self._lock:
            self.pending[get_ident()] = (frame, pcs, exception)
            hooks.arm_raise(frame.f_code)

    def take(self, hooks, frame, code) -> tuple | None:
        """This thread's pending raise if it is `frame`'s (then it is done: (pcs, exception)), else None."""
        pending = self.pending.get(get_ident())
        if pending is None or pending[0] is not frame:
            return None
        with self._lock:
            self.pending.pop(get_ident(), None)
            self._disarm(hooks, code)
        return pending[1], pending[2]

    def drop(self, hooks) -> None:
        """This thread's pending raise is stale: its frame left the instruction another way (a signal
        handler's exception at the eval-breaker check before it)."""
        with self._lock:
            frame, _, _ = self.pending.pop(get_ident(), (None, None, None))
            if frame is not None:
                self._disarm(hooks, frame.f_code)

    def _disarm(self, hooks, code) -> None:
        if not any(p[0].f_code is code for p in list(self.pending.values())):     # (a copy: threads switch)
            hooks.disarm_raise(code)
