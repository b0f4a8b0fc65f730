"""Resuming inlined calls mid-body: the second half of an exit inside an inlined call.

An exit inside inlined calls (ExitInfo.inner) leaves the loop's frame stopped at its outermost CALL, with the
callable and its arguments on the value stack (CompiledLoop.store). The interpreter then makes the call. The
callee's frame is not there yet when the exit is taken, so its state waits here (PendingResume), boxed, and
the hooks are armed for the callee's code object: on 3.12+ a one-shot PY_START event
(`sys.monitoring.set_local_events`), on 3.11 the first 'line' event of its next frame. When that frame starts,
`CalleeResumer.started` overwrites its locals, builds its value stack and points it at the instruction the
guard stopped at; CPython honours the jump ("Instrumentation has jumped" in INSTRUMENTED_RESUME; 3.11 reloads
the frame after a trace function). If that frame is itself stopped at a CALL (calls inlined in calls), the next
callee's code is armed in turn, with that frame as its expected caller. So each frame of the chain is rebuilt,
and nothing a callee did before the guard runs again.

A pending resume belongs to one thread and expects one caller frame: a frame of the same code started by
another thread or from another caller is left alone. It is dropped at the next back-edge event of its thread
(the call it waited for did not happen: an exception, e.g. from a signal handler, was raised before it).

May import: tracejit.cpython.layout, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import _thread                  # threading's get_ident itself, without importing threading at start-up


class ResumeFrame:
    """One inlined frame to rebuild: its code, the instruction it continues at, its bound locals (index,
    object) and its value stack (objects, bottom first). The objects are owned here until written.
    (A plain class: the engine imports this module at start-up, and dataclasses would import inspect.)"""
    __slots__ = ("code", "resume_pc", "locals", "stack")

    def __init__(self, code, resume_pc: int, locals: list[tuple[int, object]], stack: list) -> None:
        self.code, self.resume_pc, self.locals, self.stack = code, resume_pc, locals, stack

    def __repr__(self) -> str:
        return f"ResumeFrame({self.code.co_name}, pc={self.resume_pc}, locals={self.locals!r}, stack={self.stack!r})"


class PendingResume:
    __slots__ = ("caller", "frames")

    def __init__(self, caller, frames: list[ResumeFrame]) -> None:
        self.caller = caller                # the frame whose CALL starts the next frame to rebuild
        self.frames = frames                # still to rebuild, outermost first


class CalleeResumer:
    """The engine's pending resumes, one per thread at most. `hooks` arms and disarms the start event of a code
    object (arm_start / disarm_start); `fa` is the FrameAccess that writes frames."""

    def __init__(self, hooks, fa) -> None:
        self.hooks = hooks
        self.fa = fa
        self.pending: dict[int, PendingResume] = {}

    def arm(self, caller, frames: list[ResumeFrame]) -> None:
        """After an exit left `caller` at its CALL: rebuild `frames` as the calls start."""
        ident = _thread.get_ident()
        self.drop(ident)
        self.pending[ident] = PendingResume(caller, list(frames))
        self.hooks.arm_start(frames[0].code)

    def started(self, frame, code) -> bool:
        """A frame of an armed code object starts (the hooks' start event). Returns True if it was rebuilt."""
        ident = _thread.get_ident()
        p = self.pending.get(ident)
        if p is None or not p.frames or p.frames[0].code is not code or frame.f_back is not p.caller:
            return False
        rf = p.frames.pop(0)
        self.hooks.disarm_start(code)
        fa = self.fa
        iframe = fa.iframe(frame)
        writes = fa.writes(frame)
        for index, obj in rf.locals:
            writes.set_local(iframe, index, obj)
        if rf.stack:
            writes.push_stack(iframe, fa.nlocalsplus(code), 0, rf.stack)
        writes.set_next_instr(iframe, code, rf.resume_pc)
        writes.commit()
        if p.frames:
            p.caller = frame
            self.hooks.arm_start(p.frames[0].code)
        else:
            del self.pending[ident]
        return True

    def drop(self, ident: int | None = None) -> None:
        """Forget the pending resume of thread `ident` (default: the calling thread), if any."""
        p = self.pending.pop(_thread.get_ident() if ident is None else ident, None)
        if p is not None and p.frames:
            self.hooks.disarm_start(p.frames[0].code)

    def drop_all(self) -> None:
        for ident in list(self.pending):
            self.drop(ident)
