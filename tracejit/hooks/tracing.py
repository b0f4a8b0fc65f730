"""Back-edge and instruction events through tracing (CPython 3.11).

When the listener offers `native_tracer(dispatch)` (tracejit.runtime.native_trace: a C-level trace function
in machine code, installed with PyEval_SetTrace), the Python side is one dispatcher that the C function
calls only for a code object seen for the first time (the dispatcher classifies it with the tracer's
`mark(code, headers, every_line)`: nothing to trace, every line, or its loop headers), for a 'line' event
at a loop header and for 'opcode' events while recording; everything else costs a C call. Otherwise (the
native tracer could not be made) the hooks fall back to sys.settrace, described below.

The C-level tracer calls the runtime's fast entry (backend/fastentry.py, `set_jump_callback`) at a loop
header's line before the dispatcher: a compiled loop is entered with no Python code on the way. A loop the
listener gives up (its answer True) leaves the tracer's bitmap of loop headers until the next install, as
sys.monitoring's DISABLE silences one location; a code object whose loops are all given up is marked so that
its frames trace no line.

Only frames whose code contains a loop get a local trace function. A 'line' event at a loop header is a
back-edge (or the loop's first entry); 'opcode' events are switched on for one frame while recording. With
sys.settrace, blacklisting cannot silence one location; a code object whose loops are all blacklisted stops
being traced. When the listener has a `line_counts` dict (the visualizer's heat map), every frame outside tracejit
gets a local trace function, which counts its 'line' events keyed (filename, line), and nothing is silenced.

May import: tracejit.hooks, tracejit.cpython (entrycheck, layout), tracejit.codetable and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys
import threading
from time import thread_time

from tracejit.cpython.entrycheck import raw_back_edges, raw_loop_back_edges, without_entry_check

from tracejit.codetable import CodeTable

from . import HookError, StartArms, defer_interrupt, held_callback, own_code


TIMER_PERIOD = 0.01           # seconds between looks at the main thread's stack
BUSY_EVENTS = 20              # useful events (listener.useful_events) in one period that keep the tracer on
# native iterations (listener.native_iterations) in one period that keep it on: 0.2 million a second. Below that,
# what 3.11's tracing mode costs the rest of the program (every instruction unspecialized, a C call per event: a
# program with no hot loop ran 5x slower) outweighs what machine code gains (measured on bench/realworld, 3.11:
# programs that gain ran 1-55 million native iterations a second, those that lost 0.001-0.01 million)
BUSY_ITERATIONS = 2000
# The main thread's CPU time traced without that gain (warming up, recording loops that abort, loops too short to
# pay) may be at most FUTILE_FREE_SECONDS + FUTILE_SHARE of its CPU time: past that the tracer is off until the
# share allows it again (on 3.11 a traced program runs 1.5-5x slower where it is not in machine code; deltablue,
# whose loops never compile, 0.69x). CPU time, not ticks: on a loaded machine a tick holds less of the program
FUTILE_FREE_SECONDS = 0.1
FUTILE_SHARE = 0.05
QUIET_RETRY_TICKS = 100       # untraced ticks before loops found quiet on the stack may switch it on again
MAX_QUIET_RETRY_TICKS = 6400  # (doubling each time they prove quiet again, up to this)

MAX_FRAMES_LOOKED_AT = 100    # deeper frames are not looked at (their loops wait until the stack unwinds)


class TracingHooks:
    can_resume_callees = True               # the first 'line' event of a new frame can redirect it
    can_raise = False                       # no call that may run Python code is recorded (CPython 3.11)

    def __init__(self, listener):
        self.listener = listener
        self.headers = CodeTable()        # code -> frozenset of its loop headers
        self.silenced = CodeTable()       # code objects whose every loop is blacklisted (value True)
        self.locals = CodeTable()         # code -> its local trace function (see install)
        self.installed = False
        self.native = None                    # the C-level tracer (tracejit.runtime.native_trace), if any
        self.timer = None                     # switches the main thread's tracer on and off (see above)
        self.main_traced = False              # the main thread has the C-level tracer now
        self.last_useful = 0                  # listener.useful_events at the previous timer tick
        self.idle_ticks = 0                   # timer ticks in a row that found nothing for the JIT
        self.last_native = 0                  # listener.native_iterations at the previous timer tick
        self.cpu = None                       # the main thread's CPU time at the previous tick
        self.cpu_total = 0.0                  # its CPU time over the ticks that looked (FUTILE_SHARE may be futile)
        self.cpu_futile = 0.0                 # of which traced without machine code gaining
        # the loops on the main thread's stack when the tracer was last switched off for idleness: they alone do
        # not switch it on again until `quiet_wait` untraced ticks have passed (the wait doubles each time)
        self.quiet_loops: frozenset = frozenset()
        self.quiet_wait = 0
        self.quiet_retry = QUIET_RETRY_TICKS
        self.dispatch_errors = 0              # exceptions (JIT bugs) caught in the native tracer's dispatcher
        self.recording = 0                    # frames being recorded (their tracer must stay on)
        self.spans = CodeTable()              # code -> ((header, last offset of the loop), ...)
        self._threads = threading.local()     # per thread: depth of enable() blocks
        self.armed = StartArms()              # code objects an exit waits for the next frame of (arm_start)
        self.given_up = CodeTable()           # code -> loop headers given up (C tracer: no line events there)
        self.on_jump = None                   # (3.12's slow path of the back-edge stub; none here)
        self.on_fast_exit = None              # the runtime's call after a run the fast entry made (install)

    def _loop_headers(self, code) -> frozenset:
        h = self.headers.get(code)
        if h is None:
            h = self.headers[code] = frozenset(header for _, header in raw_back_edges(code))
        return h

    def install(self) -> None:
        current = sys.gettrace()
        if current is not None:
            raise HookError("another trace function (debugger, coverage) is active")
        make_native = getattr(self.listener, "native_tracer", None)
        if self.native is None and make_native is not None:       # made once, reused by later enable()s
            self.native = make_native(self._native_dispatcher())
        if self.native is not None:
            native = self.native
            for code in self.given_up.codes():  # every loop is reported again (as sys.monitoring.restart_events)
                native.unmark(code)
            self.given_up.clear()

            def start_thread(frame, event, arg):
                """threading's trace hook in a thread started inside an enable() block: switch the thread
                to the C-level tracer (the Python trace function is replaced before it returns)."""
                native.install()
                return native.dispatch(frame, event, arg)

            start_thread._tracejit = True
            threading.settrace(start_thread)
            self.installed = True
            make_timer = getattr(self.listener, "native_timer", None)
            if (self.timer is None and make_timer is not None
                    and threading.current_thread() is threading.main_thread()):
                self.timer = make_timer(self._timer_callback(), TIMER_PERIOD)
            self.enter_thread()
            return
        self._install_python()

    def _loop_spans(self, code) -> tuple:
        spans = self.spans.get(code)
        if spans is None:
            ends: dict[int, int] = {}
            for src, header in raw_loop_back_edges(code):
                ends[header] = max(ends.get(header, header), src)
            spans = self.spans[code] = tuple(ends.items())
        return spans

    def loops_on_stack(self, frame) -> frozenset:
        """The loops the frames on this stack (from `frame` outwards) are inside and the JIT may still use, as
        (id(code), header): frames of one function in the same loop count once; no frame or code is kept (the
        program may watch their lifetimes)."""
        live = self.listener.header_live
        silenced = self.silenced
        found = []
        for _ in range(MAX_FRAMES_LOOKED_AT):
            if frame is None:
                break
            code = frame.f_code
            if not own_code(code) and code not in silenced:
                lasti = frame.f_lasti
                for header, end in self._loop_spans(code):
                    if header <= lasti <= end and live(code, header):
                        found.append((id(code), header))
            frame = frame.f_back
        return frozenset(found)

    def wants_tracing(self, frame) -> bool:
        """True if the loops on this stack (loops_on_stack) call for the tracer: one of them was not on the
        stack when the tracer was last switched off for idleness, or the wait for those has passed (each call
        that finds only those counts the wait down: the timer asks once per untraced tick)."""
        loops = self.loops_on_stack(frame)
        if not loops:
            return False
        if self.quiet_wait > 0 and loops <= self.quiet_loops:
            self.quiet_wait -= 1
            return False
        return True

    def _timer_callback(self):
        """Runs in the main thread every TIMER_PERIOD (a pending call): the tracer on while wanted. It runs
        with tracing suspended for the thread (PyThreadState_EnterTracing): a pending call is not a trace
        callback, and in CPython 3.11's tracing mode a function's RESUME re-checks an eval breaker it cannot
        clear (signal handlers held) without moving on."""
        from tracejit.cpython.layout import enter_tracing, leave_tracing, thread_state
        hooks = self
        listener = self.listener
        gate = listener.gate
        word, ident, breaker, bit, pending = gate.main_thread, gate.ident, gate.breaker, gate.bit, gate.pending
        here = gate.here                    # here.main: the thread that runs signal handlers

        @without_entry_check
        def on_timer():
            me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
            if me:
                word.value = 0                  # hold signal handlers
            tstate = thread_state()
            enter_tracing(tstate)
            try:
                if (listener.depth or not hooks.installed or hooks.recording or hooks.armed
                        or not getattr(hooks._threads, "depth", 0) or sys.gettrace() is not None):
                    return
                useful, native, cpu = listener.useful_events, listener.native_iterations, thread_time()
                ran = min(cpu - hooks.cpu, 4 * TIMER_PERIOD) if hooks.cpu is not None else TIMER_PERIOD
                hooks.cpu = cpu
                gains = native - hooks.last_native >= BUSY_ITERATIONS * ran / TIMER_PERIOD
                busy = gains or useful - hooks.last_useful >= BUSY_EVENTS
                hooks.last_useful, hooks.last_native = useful, native
                idle = listener.tracer_idle_seconds
                hooks.cpu_total += ran
                if hooks.main_traced and not gains:
                    hooks.cpu_futile += ran
                free = max(FUTILE_FREE_SECONDS, 2 * idle)      # (a long trace_idle_ms: a long warm-up too)
                spent = idle and hooks.cpu_futile > free + FUTILE_SHARE * hooks.cpu_total
                if busy:
                    hooks.quiet_retry = QUIET_RETRY_TICKS
                if spent and not gains:
                    # traced too long for what machine code gained: untraced until the budget allows again
                    if hooks.main_traced:
                        hooks.native.uninstall()
                        hooks.main_traced = False
                elif busy or (not hooks.main_traced and hooks.wants_tracing(sys._getframe(1))):
                    hooks.idle_ticks = 0
                    if not hooks.main_traced or hooks.native.installed_here() is False:   # (the program's
                        # sys.settrace(None) may have removed it)
                        hooks.native.install()
                        hooks.main_traced = True
                elif hooks.main_traced:
                    # traced, and neither recording, counting towards it nor running machine code enough: the
                    # loops on the stack are not iterating (an outer loop whose body runs long, a loop that ran
                    # once) or too slowly to gain; the tracer goes after `trace_idle_ms`
                    hooks.idle_ticks += 1
                    if idle and hooks.idle_ticks * TIMER_PERIOD >= idle:
                        hooks.native.uninstall()
                        hooks.main_traced = False
                        hooks.quiet_loops = hooks.loops_on_stack(sys._getframe(1))
                        hooks.quiet_wait = hooks.quiet_retry
                        hooks.quiet_retry = min(2 * hooks.quiet_retry, MAX_QUIET_RETRY_TICKS)
            except RecursionError:
                pass
            finally:
                leave_tracing(tstate)
                if me:                              # let handlers run
                    word.value = ident
                    if pending.value:
                        breaker.value |= bit

        return on_timer

    def _native_dispatcher(self):
        """The Python side of the C-level tracer: dispatch(frame, event, arg)."""
        hooks = self
        backedge = self.listener.backedge
        instruction = self.listener.instruction
        headers_of = self._loop_headers
        listener = self.listener
        counts = getattr(listener, "line_counts", None)
        gate = listener.gate
        word, ident, breaker, bit, pending = gate.main_thread, gate.ident, gate.breaker, gate.bit, gate.pending
        here = gate.here                    # here.main: the thread that runs signal handlers
        armed = self.armed
        frame_started = listener.frame_started

        given_up = self.given_up

        def classify(code) -> bool:
            """Tell the C tracer what `code` needs; True if its frames have lines to report."""
            headers = headers_of(code)
            gone = given_up.get(code)
            if gone:
                headers = headers - gone
            if own_code(code) or code in hooks.silenced or not (headers or counts is not None):
                hooks.native.mark(code)
                return False
            hooks.native.mark(code, headers, every_line=counts is not None)
            return True

        def give_up(frame, code, header: int) -> None:
            """The listener gave up the loop at `header` (its answer True): its line events stop, as sys.monitoring's
            DISABLE stops a location's events (until the next install)."""
            if counts is not None:
                return                          # every line is counted
            given_up[code] = given_up.get(code, frozenset()) | {header}
            if not classify(code):
                frame.f_trace_lines = False

        @without_entry_check
        def dispatch(frame, event, arg):
            me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
            if me:
                word.value = 0                  # hold signal handlers
            try:
                code = frame.f_code
                if event == "opcode":
                    instruction(frame, code, frame.f_lasti)
                    return None
                if not hooks.installed:         # a thread still traced after the last enable() ended
                    hooks.native.uninstall()
                    return None
                if event == "line" and code in armed:   # the first line of a frame an exit waits for
                    frame_started(frame, code)
                if event == "call" or not hooks.native.marked(code):
                    if not classify(code):
                        frame.f_trace_lines = False
                        return None
                    if event == "call":
                        return None
                if counts is not None:
                    counts[code.co_filename, frame.f_lineno] += 1
                lasti = frame.f_lasti
                if lasti in headers_of(code):
                    try:
                        if backedge(frame, code, -1, lasti):
                            give_up(frame, code, lasti)
                    except KeyboardInterrupt as e:      # only when handlers cannot be held
                        token = defer_interrupt(e)      # noqa: F841 - dies with this frame: re-raised in the program
                        if token is None:
                            raise
                        hooks.native.uninstall()        # no trace callback may run before the program sees it
                return None
            except RecursionError:              # near the program's limit: no Python call in this clause
                listener.recursion_hit = True
                return None
            except Exception:                   # noqa: BLE001 - a JIT bug: never into the program's frame
                hooks.dispatch_errors += 1
                return None
            finally:
                if me:                              # let handlers run
                    word.value = ident
                    if pending.value:
                        breaker.value |= bit

        dispatch._tracejit = True

        fast_exit = listener.fast_exit
        getframe = sys._getframe

        def fast_exited(code, header, result):
            # the fast entry ran the loop at `header` and leaves what follows its exit to the runtime (the loop's
            # busy word is set until fast_exit has written the frame back)
            frame = getframe(2)
            if fast_exit(frame, code, header, result):
                give_up(frame, code, header)

        self.on_fast_exit = held_callback(listener, fast_exited)
        return dispatch

    def _install_python(self) -> None:
        hooks = self
        backedge = self.listener.backedge
        instruction = self.listener.instruction
        headers_of = self._loop_headers
        silenced = self.silenced
        locals_by_code = self.locals

        listener = self.listener
        counts = getattr(listener, "line_counts", None)     # a defaultdict(int): see MonitoringHooks

        gate = listener.gate
        word, ident, breaker, bit, pending = gate.main_thread, gate.ident, gate.breaker, gate.bit, gate.pending
        here = gate.here                    # here.main: the thread that runs signal handlers

        def make_local(headers: frozenset):
            """The local trace function of frames running a code object with these loop headers (it does not
            refer to the code object: the table of these functions must not keep code alive). A 'line' event
            that is not at a loop header runs no call and no back-edge, so no eval-breaker check: no thread
            switch or signal handler can happen in the middle of a loop iteration because of this hook (plain
            CPython has none there either); at a header (an iteration boundary) the engine's callback may."""

            @without_entry_check
            def local(frame, event, arg):
                me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
                if me:
                    word.value = 0                  # hold signal handlers
                try:
                    if event == "line":
                        if counts is not None:
                            counts[frame.f_code.co_filename, frame.f_lineno] += 1
                        if frame.f_lasti in headers:
                            code = frame.f_code
                            try:
                                if backedge(frame, code, -1, frame.f_lasti) and code in silenced:
                                    return None
                            except KeyboardInterrupt as e:      # only when handlers cannot be held
                                token = defer_interrupt(e)      # dies with this frame: re-raised in the program
                                if token is None:
                                    raise
                                # no trace callback may run before the program's frame sees the interrupt,
                                # or it would surface there: tracing stops in this thread (until the next
                                # enable())
                                sys.settrace(None)
                                return None
                    elif event == "opcode":
                        instruction(frame, frame.f_code, frame.f_lasti)
                    # CPython stores what this returns in frame.f_trace: keep a debugger's trace function that
                    # a signal handler or the program installed on this frame during the call
                    trace = frame.f_trace
                    return local if trace is None else trace
                except RecursionError:              # near the program's limit: no Python call in this clause
                    listener.recursion_hit = True
                    return local
                finally:
                    if me:                              # let handlers run
                        word.value = ident
                        if pending.value:
                            breaker.value |= bit

            local._tracejit = True
            return local

        def local_of(code):
            """The local trace function for `code`, or None when its frames need none."""
            local = locals_by_code.get(code)
            if local is None:
                headers = headers_of(code)
                if own_code(code) or not (headers or counts is not None):
                    return None
                local = locals_by_code[code] = make_local(headers)
            return local

        def start(frame, event, arg):
            """The local trace function of a frame an exit waits for (arm_start): its first line rebuilds it."""
            code = frame.f_code
            if event == "line" and code in hooks.armed:
                listener.frame_started(frame, code)
            local = local_of(code)
            return local(frame, event, arg) if local is not None else None

        starter = held_callback(listener, start)             # rare (armed frames): one more call is fine
        starter._tracejit = True

        @without_entry_check
        def global_(frame, event, arg):
            me = here.main and word.value != 0    # the main thread's outermost callback (SignalGate)
            if me:
                word.value = 0                  # hold signal handlers
            try:
                code = frame.f_code
                if not hooks.installed:         # a thread still traced after the last enable() ended
                    sys.settrace(None)
                    return None
                if code in hooks.armed:
                    return starter
                if code in silenced:
                    return None
                return local_of(code)
            except RecursionError:
                return None
            finally:
                if me:                              # let handlers run
                    word.value = ident
                    if pending.value:
                        breaker.value |= bit

        global_._tracejit = True
        self._global, self.local_of = global_, local_of
        threading.settrace(global_)             # threads started from now on
        self.installed = True
        self.enter_thread()

    def enter_thread(self) -> None:
        """An enable() block starts in the calling thread: trace it (settrace is per thread) unless it is
        traced already or another tool traces it."""
        depth = getattr(self._threads, "depth", 0)
        self._threads.depth = depth + 1
        if depth or sys.gettrace() is not None:
            return
        if self.native is not None:
            self.native.install()               # frames already running are classified at their next line
            if self.timer is not None and threading.current_thread() is threading.main_thread():
                self.main_traced = True
                self.idle_ticks = 0
                self.timer.start()
            return
        f = sys._getframe(1)                    # frames already running (e.g. the `with enable():` block)
        while f is not None:
            if f.f_trace is None:
                f.f_trace = self.local_of(f.f_code)
            f = f.f_back
        sys.settrace(self._global)

    def leave_thread(self) -> None:
        """The calling thread's outermost enable() block ends: stop tracing it."""
        depth = getattr(self._threads, "depth", 0) - 1
        self._threads.depth = max(depth, 0)
        if depth > 0:
            return
        if self.native is not None:
            if self.timer is not None and threading.current_thread() is threading.main_thread():
                self.timer.stop()
                self.main_traced = False
            if sys.gettrace() is None:          # ours (a C tracer shows as None), not a debugger's
                self.native.uninstall()
            f = sys._getframe(1)
            while f is not None:                # as plain CPython leaves them
                f.f_trace_lines = True
                f.f_trace_opcodes = False
                f = f.f_back
            return
        if sys.gettrace() is self._global:
            sys.settrace(None)
        f = sys._getframe(1)
        while f is not None:
            if getattr(f.f_trace, "_tracejit", False):
                f.f_trace = None
                f.f_trace_opcodes = False
            f = f.f_back

    def uninstall(self) -> None:
        """The last enable() block ends. Threads still traced (started inside a block) drop the tracer at
        their next call event."""
        if not self.installed:
            return
        self.set_jump_callback(0)
        self.leave_thread()
        threading.settrace(None)
        self.installed = False

    def set_jump_callback(self, callback: int) -> None:
        """The C tracer calls the machine code at `callback` (the runtime's fast entry, backend/fastentry.py) at
        a loop header's line before its dispatcher, from now on (0: no more)."""
        if self.native is not None:
            self.native.set_fast(callback)

    def silence(self, code) -> None:
        if getattr(self.listener, "line_counts", None) is None:     # lines are still counted
            self.silenced[code] = True
            if self.native is not None:
                self.native.mark(code)

    def arm_start(self, code) -> None:
        """Report the first line of code's next frames to the listener's frame_started (the C tracer: every line
        of its frames goes to the dispatcher while armed; sys.settrace: its frames get the `starter` function)."""
        if self.armed.arm(code) and self.native is not None:
            self.native.mark(code, every_line=True)

    def disarm_start(self, code) -> None:
        if self.armed.disarm(code) and self.native is not None:
            self.native.unmark(code)        # classified again at its next event

    def start_recording(self, code, frame) -> None:
        self.recording += 1
        frame.f_trace_opcodes = True

    def restore(self, code) -> None:
        """3.11 has no sys.monitoring to take superinstructions out (see hooks/monitoring.py)."""

    def stop_recording(self, code, frame) -> None:
        self.recording = max(0, self.recording - 1)
        if frame is not None:
            frame.f_trace_opcodes = False
