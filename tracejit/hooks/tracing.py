"""Back-edge and instruction events through sys.settrace (CPython 3.11).

Only frames whose code contains a loop get a local trace function. A 'line' event at a loop header is a
back-edge (or the loop's first entry); 'opcode' events are switched on for one frame while recording.
Blacklisting cannot silence one location here; a code object whose loops are all blacklisted stops being
traced. When the listener has a `line_counts` dict (the visualizer's heat map), every frame outside tracejit
gets a local trace function, which counts its 'line' events keyed (filename, line), and nothing is silenced.

May import: tracejit.hooks, tracejit.cpython.bytecode, tracejit.codetable and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys
import threading

from tracejit.cpython.bytecode import loop_headers, without_entry_check

from tracejit.codetable import CodeTable

from . import HookError, defer_interrupt, own_code


class TracingHooks:
    def __init__(self, listener):
        self.listener = listener
        self.headers = CodeTable()        # code -> frozenset of its loop headers
        self.silenced = CodeTable()       # code objects whose every loop is blacklisted (value True)
        self.locals = CodeTable()         # code -> its local trace function (see install)
        self.installed = False
        self._threads = threading.local()     # per thread: depth of enable() blocks

    def _loop_headers(self, code) -> frozenset:
        h = self.headers.get(code)
        if h is None:
            h = self.headers[code] = frozenset(loop_headers(code))
        return h

    def install(self) -> None:
        current = sys.gettrace()
        if current is not None:
            raise HookError("another trace function (debugger, coverage) is active")
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

        def make_local(headers: frozenset):
            """The local trace function of frames running a code object with these loop headers (it does not
            refer to the code object: the table of these functions must not keep code alive). A 'line' event
            that is not at a loop header runs no call and no back-edge, so no eval-breaker check: no thread
            switch or signal handler can happen in the middle of a loop iteration because of this hook (plain
            CPython has none there either); at a header (an iteration boundary) the engine's callback may."""

            @without_entry_check
            def local(frame, event, arg):
                word.value = 0                      # hold signal handlers (see SignalGate)
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
                    if not listener.depth:          # not nested in another callback: let handlers run
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

        @without_entry_check
        def global_(frame, event, arg):
            word.value = 0
            try:
                code = frame.f_code
                if not hooks.installed:         # a thread still traced after the last enable() ended
                    sys.settrace(None)
                    return None
                if code in silenced:
                    return None
                return local_of(code)
            except RecursionError:
                return None
            finally:
                if not listener.depth:
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
        self.leave_thread()
        threading.settrace(None)
        self.installed = False

    def silence(self, code) -> None:
        if getattr(self.listener, "line_counts", None) is None:     # lines are still counted
            self.silenced[code] = True

    def start_recording(self, code, frame) -> None:
        frame.f_trace_opcodes = True

    def stop_recording(self, code, frame) -> None:
        if frame is not None:
            frame.f_trace_opcodes = False
