"""Back-edge and instruction events through sys.monitoring (CPython 3.12+), tool id OPTIMIZER_ID.

JUMP events report every jump; forward jumps and blacklisted back-edges are answered with DISABLE so they
cost nothing afterwards. On 3.12 PY_RETURN and PY_YIELD events report each return and yield once (DISABLE):
the first one of a function puts back its superinstructions (cpython/superinstructions.py), which the JUMP
events took out also where no jump reaches the hooks. INSTRUCTION events are switched on per code object only
while recording, PY_START events per code object only while an exit waits for that code's next frame
(arm_start: runtime/resume.py), BRANCH events per code object only while the engine counts the runs of a
`while` loop there (watch_entries: each run that comes through the loop's entry test is reported to the
listener's loop_entered; every other branch is DISABLEd where it fires). When the listener has a
`line_counts` dict (the visualizer's heat map), LINE events count every line the interpreter runs in it, keyed
(filename, line). The callbacks are registered through the listener's `wrap_callback` (the runtime's native
recursion guard). From the first compile, JUMP events go to the runtime's back-edge stub (runtime/fastpath.py),
which calls on_jump when it does not enter compiled code itself, and on_fast_exit after a run whose exit the
runtime must look at.

May import: tracejit.hooks, tracejit.codetable, tracejit.cpython.entrycheck, .layout and .superinstructions, and
the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys

from tracejit.codetable import CodeTable
from tracejit.cpython import superinstructions
from tracejit.cpython.entrycheck import CO_OPTIMIZED, without_entry_check
from tracejit.cpython.layout import LAYOUTS, VERSION

from . import _PACKAGE_DIR, HookError, StartArms, defer_interrupt, held_callback, own_code



class MonitoringHooks:
    def __init__(self, listener):
        self.listener = listener
        self.m = sys.monitoring
        self.tool = self.m.OPTIMIZER_ID
        self.recording: set = set()
        self.raising: set = set()           # code objects whose INSTRUCTION events raise a call's exception
        self.armed = StartArms()            # code objects an exit waits for the next frame of (arm_start)
        self.installed = False
        self.supers = None                  # 3.12: cpython.superinstructions.SuperInstructions (at install)
        self.watching = CodeTable()         # code objects with BRANCH events on -> how many loops want them

    can_resume_callees = True               # a PY_START callback can redirect the new frame
    can_raise = True                        # an INSTRUCTION callback can raise a call's exception (arm_raise)

    def install(self) -> None:
        m = self.m
        owner = m.get_tool(self.tool)
        if owner is not None:
            raise HookError(f"sys.monitoring tool id {self.tool} is in use by {owner!r}")
        m.use_tool_id(self.tool, "tracejit")
        disable = m.DISABLE
        backedge = self.listener.backedge
        getframe = sys._getframe

        listener = self.listener

        gate = listener.gate
        word, ident, breaker, bit, pending = gate.main_thread, gate.ident, gate.breaker, gate.bit, gate.pending
        here = gate.here                    # here.main: the thread that runs signal handlers

        supers = self.supers = superinstructions.restorer(LAYOUTS.get(VERSION))
        restore_once = supers.restore_once if supers is not None else None

        @without_entry_check
        def on_jump(code, src, dst):
            me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
            if me:
                word.value = 0                  # hold signal handlers
            try:
                if restore_once is not None:
                    restore_once(code)
                if dst >= src or own_code(code) or backedge(getframe(1), code, src, dst):
                    return disable
                return None
            except KeyboardInterrupt as e:      # only when handlers cannot be held
                token = defer_interrupt(e)      # noqa: F841 - dies with this frame: re-raised in the program's
                if token is None:
                    raise
                return None
            except RecursionError:              # near the program's limit: no Python call in this clause
                listener.recursion_hit = True
                return None
            finally:
                if me:                              # let handlers run
                    word.value = ident
                    if pending.value:
                        breaker.value |= bit

        fast_exit = listener.fast_exit

        def fast_exited(code, dst, result):
            # the back-edge stub ran the loop at dst and leaves what follows its exit to the runtime (the loop's
            # busy word is set until fast_exit has written the frame back)
            return disable if fast_exit(getframe(2), code, dst, result) else None

        on_fast_exit = held_callback(listener, fast_exited)

        instruction = listener.instruction

        @without_entry_check
        def on_instruction(code, offset):
            me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
            if me:
                word.value = 0                  # hold signal handlers
            try:
                return instruction(getframe(1), code, offset)      # None, or the marker that raises
            except RecursionError:
                listener.recursion_hit = True
            finally:
                if me:                              # let handlers run
                    word.value = ident
                    if pending.value:
                        breaker.value |= bit

        frame_started = listener.frame_started

        def started(code, offset):
            if code in self.armed:
                frame_started(getframe(2), code)

        on_start = held_callback(listener, started)          # not on the hot path: one more call is fine

        loop_entered = listener.loop_entered

        def branched(code, src, dst):
            # a conditional jump in a code object whose `while` loops' runs the engine counts: kept where it is
            # the entry test of such a loop (either way it goes), else never reported again
            return None if loop_entered(code, src, dst) else disable

        on_branch = held_callback(listener, branched)       # once per run of a watched loop, not per iteration

        on_return = None
        if restore_once is not None:
            def returned(code, offset, value):
                # 3.12: a function's first return or yield puts back the superinstructions that the JUMP events took
                # out, also where no jump reaches on_jump (code without an unconditional jump: a recursive function,
                # a short method); then this return is never reported again. A module's or class body's code runs
                # once, and so do most of the JIT's own functions it reaches (each restore costs about as much as
                # a thousand runs of a short function gain): left as they are
                if code.co_flags & CO_OPTIMIZED and not own_code(code):
                    restore_once(code)
                return disable

            on_return = held_callback(listener, returned)

        counts = getattr(listener, "line_counts", None)
        own_prefix = _PACKAGE_DIR

        @without_entry_check
        def on_line(code, line):
            # no Python call in here (each would be an eval-breaker check); signal handlers are held
            me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
            if me:
                word.value = 0                  # hold signal handlers
            try:
                filename = code.co_filename
                if filename.startswith(own_prefix):
                    return disable
                counts[filename, line] += 1      # a defaultdict(int)
                return None
            finally:
                if me:                              # let handlers run
                    word.value = ident
                    if pending.value:
                        breaker.value |= bit

        wrap = listener.wrap_callback          # a native guard near the recursion limit (see the listener)
        self.on_jump, self.on_fast_exit = on_jump, on_fast_exit
        m.register_callback(self.tool, m.events.JUMP, wrap(on_jump))
        m.register_callback(self.tool, m.events.INSTRUCTION, wrap(on_instruction))
        m.register_callback(self.tool, m.events.PY_START, wrap(on_start))
        m.register_callback(self.tool, m.events.BRANCH, wrap(on_branch))
        events = m.events.JUMP
        if on_return is not None:
            m.register_callback(self.tool, m.events.PY_RETURN, wrap(on_return))
            m.register_callback(self.tool, m.events.PY_YIELD, wrap(on_return))
            events |= m.events.PY_RETURN | m.events.PY_YIELD
        if counts is not None:
            m.register_callback(self.tool, m.events.LINE, wrap(on_line))
            events |= m.events.LINE
        m.set_events(self.tool, events)
        m.restart_events()
        self.installed = True

    def uninstall(self) -> None:
        if not self.installed:
            return
        m = self.m
        for code in list(self.recording):
            self.stop_recording(code, None)
        for code in list(self.raising):
            self.disarm_raise(code)
        for code in self.armed.clear():
            self._local_events(code, 0, m.events.PY_START)
        for code in self.watching.codes():
            self._local_events(code, 0, m.events.BRANCH)
        self.watching.clear()
        m.set_events(self.tool, 0)
        m.register_callback(self.tool, m.events.JUMP, None)
        m.register_callback(self.tool, m.events.INSTRUCTION, None)
        m.register_callback(self.tool, m.events.PY_START, None)
        m.register_callback(self.tool, m.events.BRANCH, None)
        m.register_callback(self.tool, m.events.LINE, None)
        m.register_callback(self.tool, m.events.PY_RETURN, None)
        m.register_callback(self.tool, m.events.PY_YIELD, None)
        m.free_tool_id(self.tool)
        self.installed = False

    def set_jump_callback(self, callback) -> None:
        """Report JUMP events to `callback` from now on (the runtime's back-edge stub, whose slow path is
        on_jump)."""
        self.m.register_callback(self.tool, self.m.events.JUMP, callback)

    def enter_thread(self) -> None:
        """An enable() block starts in another thread: nothing to do, sys.monitoring covers every thread."""

    def leave_thread(self) -> None:
        """An enable() block ends while another is still running: the JIT stays on."""

    def _local_events(self, code, on: int, off: int) -> None:
        m = self.m
        m.set_local_events(self.tool, code, (m.get_local_events(self.tool, code) | on) & ~off)
        self.restore(code)                  # the change took code's superinstructions out

    def restore(self, code) -> None:
        """Put back the superinstructions a change of code's events took out (3.12: see
        cpython/superinstructions.py), where no event watches them now."""
        if self.supers is not None:
            self.supers.restore(code)

    def start_recording(self, code, frame) -> None:
        self._local_events(code, self.m.events.INSTRUCTION, 0)
        self.recording.add(code)

    def stop_recording(self, code, frame) -> None:
        if code in self.recording:
            if code not in self.raising:
                self._local_events(code, 0, self.m.events.INSTRUCTION)
            self.recording.discard(code)

    def arm_raise(self, code) -> None:
        """Report code's next instructions to the listener's `instruction` (which raises there)."""
        self._local_events(code, self.m.events.INSTRUCTION, 0)
        self.raising.add(code)

    def disarm_raise(self, code) -> None:
        self.raising.discard(code)
        if code not in self.recording:
            self._local_events(code, 0, self.m.events.INSTRUCTION)

    def arm_start(self, code) -> None:
        """Report the start of code's next frames (PY_START) to the listener's frame_started."""
        if self.armed.arm(code):
            self._local_events(code, self.m.events.PY_START, 0)

    def disarm_start(self, code) -> None:
        if self.armed.disarm(code):
            self._local_events(code, 0, self.m.events.PY_START)

    def watch_entries(self, code) -> None:
        """Report code's conditional jumps to the listener's loop_entered (BRANCH events) until as many
        unwatch_entries calls: the engine counts the runs of a `while` loop there (runtime/sites.py)."""
        n = self.watching.get(code, 0)
        self.watching[code] = n + 1
        if n == 0:
            self._local_events(code, self.m.events.BRANCH, 0)

    def unwatch_entries(self, code) -> None:
        n = self.watching.get(code, 0)
        if n > 1:
            self.watching[code] = n - 1
        elif n == 1:
            self.watching.pop(code)
            self._local_events(code, 0, self.m.events.BRANCH)
