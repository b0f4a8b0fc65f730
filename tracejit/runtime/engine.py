"""The JIT engine: the one runtime object. It receives back-edges and instructions from the hooks, counts
loops, drives recordings (compiling them: runtime/compiling.py), enters machine code and handles its exits
(deoptimization, bridges), spends within the budgets of docs/architecture.md ("What the JIT may spend":
back-off, blacklisting, giving loops up), and keeps the statistics and the events log.

Every callback is wrapped so that an internal error turns the JIT off for that loop instead of reaching
the user's program. What only a hot loop needs is imported lazily (`_LazyModule`), so start-up loads the
hooks and the layout check only.

May import: every earlier stage (hooks, recorder, ir, optimizer, backend), tracejit.cpython,
tracejit.codetable, tracejit.params, tracejit.runtime.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import _thread                  # threading's RLock itself, without importing threading at start-up
import ctypes
import importlib
import os
import sys
import time
from _collections import deque    # collections' own, without importing collections at start-up
from _thread import get_ident as _get_ident
from time import thread_time as _thread_time

from tracejit.cpython.entrycheck import OWN_MODULE_LOCALS, own_module_locals, raw_for_iter_at, without_entry_check
from tracejit.cpython.layout import LAYOUTS, VERSION, FrameAccess, enter_tracing, frame_access_or_reason, \
    interp_thread_count, leave_tracing, recursion_remaining, signal_words, thread_state
from tracejit.codetable import CodeTable
from tracejit.fastwords import FAST_BUDGET
from tracejit.hooks import HookError, SignalGate, foreign_tool_active, importing, make_hooks, own_code
from tracejit.params import Params

from . import sites as loop_sites
from .raises import PendingRaises
from .resume import CalleeResumer
from .sites import LoopSite, loop_name
from .stats import EventLog, Stats

TYPE_CHECKING = False           # typing is not imported at start-up
if TYPE_CHECKING:
    from .compiled import CompiledLoop, ExitInfo
    from .probe import Probe
    from .recording import Recording


class _LazyModule:
    """A module imported at the first use of one of its names. The stages a program needs only once a loop
    is hot (bytecode decoding, recorder, IR, compiled-loop runtime, compiling with the optimizer and the backend,
iced-x86, cffi) are
    not loaded at start-up; a program that never compiles never loads them."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        value = getattr(_import(self._name), attr)
        setattr(self, attr, value)          # later uses are plain attribute reads
        return value


# CPU time spent importing the JIT's lazily loaded stages (_LazyModule, Engine._loaded), process-wide as the imports
# are: a one-time cost, not held against the spending bound (Engine._may_spend). Without bytecode caches
# (PYTHONDONTWRITEBYTECODE, a read-only install) the recorder and the backend take 130 ms to import, more than
# `spend_ms` by itself (a fresh clone's tests found it); with them, 25 ms.
_IMPORT_CPU = [0.0]


def _import(name: str):
    """importlib.import_module(name), its CPU time added to _IMPORT_CPU."""
    t0 = _thread_time()
    try:
        return importlib.import_module(name)
    finally:
        _IMPORT_CPU[0] += _thread_time() - t0


backend = _LazyModule("tracejit.backend")
bytecode = _LazyModule("tracejit.cpython.bytecode")
ir = _LazyModule("tracejit.ir")
compiled = _LazyModule("tracejit.runtime.compiled")
recording = _LazyModule("tracejit.runtime.recording")
compiling = _LazyModule("tracejit.runtime.compiling")

# bytecode instructions in one bridge: a bridge through enclosing loops copies their code (up to 16 times),
# and compiling it cost more than it saved (n-body: one 2783-op bridge, 253 KB, 1.3 s to compile)
BRIDGE_TRACE_LIMIT = 400
# an exit inside an inlined call that cannot grow a bridge makes the loop call that function instead of inlining it
# only if it is taken at least once per this many native iterations (each one rebuilds frames: tens of microseconds)
INLINE_LESS_RATE = 100
# a `for` loop over a range that gets hot with little left of its first run (parameter `little_left`) waits for a
# later run, MAX_LITTLE_WAITS times at most (a loop whose short runs keep coming pays over them)
MAX_LITTLE_WAITS = 2
# a loop that gets hot while the program imports a module waits 2, 4 ... thresholds of back-edges, at most this many
# (Engine._record): the recorder is not loaded during an import, and most loops run then are the import's own
MAX_IMPORT_WAIT = 64
IMPORT_BIRTH_WAIT = 8            # ... and one first seen during an import starts this many thresholds back
# ... and a `for` loop over a generator, whose items left are unknown, up to this many times (each time as long as
# its run has been so far: it records after about threshold x 2**(waits+1) iterations at most, 51,100 by default)
MAX_GENERATOR_WAITS = 8
MAX_ENTRY_BACKOFFS = 5           # rounds of rejected entries a loop backs off for before the JIT gives it up
COUNTING_WINDOW = 0.02           # seconds a loop may take to get hot while the 3.11 hooks keep tracing for it
MAX_VERSIONS = 4                  # compiled loops per loop header, for different types of its variables
MAX_CALLED_NOT_INLINED = 256      # functions learnt, across loops, to be called rather than inlined
# a compiled loop whose type guard's bridge takes at least RETRACE_SHARE of its native iterations over a window of
# at least RETRACE_WINDOW of them is recorded again (the types changed: spectral_norm's list of ints becomes a list
# of floats), at most MAX_RETRACES times per loop (not a guard that fails half the time: go's best_child meets None
# and a node in turn, and each trace of it would take the other's bridge)
RETRACE_SHARE = 0.9
RETRACE_WINDOW = 4096
MAX_RETRACES = 2
MAX_RETRIES = 8                  # recordings spoiled by chance (see retryable) before that counts as an abort
MAX_LOOP_LEFT_RETRIES = 3        # ... when the recorded iteration was the loop's last: three such recordings say
                                 # its runs are one or two iterations long, too short to pay back
MAX_LOOP_LEFT_BACKOFF = 6        # then a loop that keeps exiting while recorded waits 2, 4 ... 64x longer, then it
                                 # is blacklisted (it runs too few iterations per entry to pay back; every
                                 # back-edge counted meanwhile costs a hook callback)
SHORT_ROUNDS = 2                 # times its interpreted runs are found too short before the loop is blacklisted
# what the JIT may spend on recording and compiling beyond `spend_ms` (Engine._may_spend): this share of the
# process's CPU time, and what machine code saved (an estimate: this much per instruction of a compiled loop's
# recorded iteration, each time machine code runs it; CPython 3.12 takes 10-30 ns per instruction, machine code a
# fraction of that); a hot loop that finds it spent waits SPEND_WAIT x threshold back-edges, then asks again
SPEND_SHARE = 0.05
SAVED_NS_PER_INSTRUCTION = 10
SPEND_WAIT = 4
MAX_SPEND_DOUBLINGS = 10        # ... twice as long each time it finds it spent (4 ... 2048 x threshold), then given up
# the share of spend_ms one loop (its versions and their bridges) may spend beyond what its machine code saved; an
# exit refused a bridge for it asks again after SITE_WAIT times as many failures
SITE_FREE = 0.2
SITE_WAIT = 4
INTERRUPTED = "another thread held the JIT during the recording"
ABANDONED = "recording abandoned"
_NO_DIGITS = str.maketrans("", "", "0123456789")     # an abort reason without its figures (see _abort)


def retryable(reason: str) -> bool:
    """A recording that failed by chance, not because of the loop: the recorded iteration was the loop's last
    (the recorder's LOOP_LEFT), or another thread (its own JIT callback, at a thread switch) made this one
    miss an instruction or wait too long."""
    return reason in (recording.LOOP_LEFT, INTERRUPTED, ABANDONED)


class Engine:
    def __init__(self, params: Params, log_path: str | None = None, probe: Probe | None = None,
                 fa: FrameAccess | None = None):
        """`fa`: the FrameAccess of a layout self-check already made (tracejit.api checks the layout before it
        imports the engine); None: the engine checks it."""
        self.params = params
        self.look_every = loop_sites.look_every(self._judged_short_run(), params.threshold)
        self.stats = Stats()
        self.probe = probe              # what the visualizer collects (None: nothing beyond the stats)
        self.log = EventLog(log_path, probe.keep if probe is not None else None)
        if self.log.on:
            bytecode.instructions_at  # noqa: B018 - the "seen" event needs it: imported now, not in a callback
        self.fa, self.off_reason = (fa, None) if fa is not None else frame_access_or_reason()
        self.sites = CodeTable(on_death=self._code_died)     # code -> {header: LoopSite}
        self.entry_tests = loop_sites.EntryTests()          # `while` loops whose runs are counted (3.12+)
        self.live: list[CompiledLoop] = []        # loops whose machine code is mapped
        self.saved_instructions = 0                 # native iterations x instructions of loops no longer live
        # CPU time (this thread's) the JIT spent starting recordings, recording and compiling: the program's own
        # work in a recorded iteration, a sleep or another thread's run is not in it (Engine._may_spend)
        self.spent_cpu = 0.0
        self.import_cpu_at_start = _IMPORT_CPU[0]   # (lazy imports are not held against it)
        self.cpu_at_start = time.process_time()
        self._dead: list = []                     # site dicts of code objects that died (freed by _reap)
        self._zombies: list[CompiledLoop] = []    # retired while a thread was inside (freed by _reap)
        self.recording: Recording | None = None
        self.mem = None                 # executable memory, created at the first compile
        self._stubs = None              # executable memory of the hooks' stubs (_stub_memory)
        self.release = None             # native graveyard release (backend.release_stub), made with self.mem
        self.retaining_stub = 0         # the Python entry's way into a loop (backend.retaining_entry_stub), too
        self.roundtrip_shared = 0       # the native round trip every loop's trampoline enters (backend.roundtrip), too
        self.collector_hold = None      # the IR interpreter's (native=0) hold on garbage collection, made with it
        self.ext = None
        self.hooks = None               # the installed hooks (None while no enable() block runs)
        self.resumer: CalleeResumer | None = None      # exits inside inlined calls (runtime/resume.py)
        self._hooks_made = None
        self._activation = _thread.RLock()      # activate/deactivate from several threads
        self.active = 0
        self.history: deque[CompiledLoop] = deque(maxlen=params.history)  # for the dump/visualizer
        # the code of functions whose inlining some loop's recording found it must call instead (a loop on the
        # recorded path in them, or a call that may run Python code): a CodeTable, which keeps no function's code
        # alive and, being tracejit's own code, runs with the builtins tracejit was imported with (tracejit.pristine;
        # weakref.WeakSet runs with the program's, which it may have replaced: test_functools caches `len` itself,
        # and WeakSet.__len__ then raised in the program's loop); _learn_not_inlined, _hints
        self.called_not_inlined = CodeTable()
        self.entry_clock = 0
        self.slice_ns = int(params.slice_ms * 1e6)
        self.depth = 0                  # 1 while a hook callback runs (nested program code is ignored)
        # the thread running machine code that may call Python code (CompiledLoop.run: depth is 0 then, and that
        # code's loops may enter the JIT), or 0; other threads' callbacks are ignored meanwhile
        self.window = 0
        # back-edges counted towards a recording, and entries through Python (the 3.11 hooks keep their tracer on
        # while these grow). Not the back-edge stub's entries: a loop entered often from short calls would keep
        # the whole thread in 3.11's slow tracing mode (hexiom 3.11: 1.1 -> 2.3 s when they were counted)
        self.useful_events = 0
        self.recursion_hit = False      # set by the hooks when a callback hit the recursion limit
        words, self.signal_hold_problem = signal_words(LAYOUTS[VERSION]) if self.fa else (None, self.off_reason)
        self.gate = SignalGate(words)   # the hooks hold signal handlers while their callbacks run
        # calls' exceptions frames raise at their next instruction (runtime/raises.py); the hooks are not
        # removed while one waits (deactivate)
        self.raising = PendingRaises()
        self.uninstall_pending = False
        self.monitoring_ok = True       # the instrumentation version word checked out (activate)
        self.callback_guard = None      # native recursion guard for the hooks' callbacks (wrap_callback)
        self.callback_guard_problem: str | None = None
        self.fast = None                # the back-edge stub's side (runtime/fastpath.py), from the first activation
        self._fast_tried = False

    def set_params(self, params: Params) -> None:
        """Use these parameters from now on (enable(**params) sets its block's and restores the outer ones).
        `history` keeps the length it had when the engine was made."""
        self.params = params
        self.slice_ns = int(params.slice_ms * 1e6)
        self.look_every = loop_sites.look_every(self._judged_short_run(), params.threshold)

    @property
    def line_counts(self):
        """Where the hooks count the lines the interpreter runs (the probe's; None: not counted)."""
        return self.probe.line_counts if self.probe is not None else None

    @property
    def all_loops(self) -> list[CompiledLoop]:
        """The most recently compiled loops (live or retired), oldest first, at most `history` of them."""
        return list(self.history)

    # ------------------------------------------------------------------ activation
    @without_entry_check
    def activate(self, params: Params | None = None) -> None:
        """An enable() block starts (in any thread), with these parameters if given. Blocks in several threads are
        serialized here: a second thread must not find the hooks half installed. Signal handlers are held
        meanwhile (_held): the caller makes this its last call before the program goes on."""
        self._held(self._activate, params)

    @without_entry_check
    def deactivate(self, params: Params | None = None) -> None:
        """An enable() block ends; then these parameters (the enclosing block's) are used, if given. Signal
        handlers are held meanwhile (_held): the caller makes this its last call before the program goes on."""
        self._held(self._deactivate, params)

    @without_entry_check
    def _held(self, work, params: Params | None) -> None:
        """work(params) with Python signal handlers held in the main thread, as the hooks' callbacks hold them
        (hooks.SignalGate): a handler cannot run inside the JIT's own code while it installs or removes the
        hooks (nor leave them half installed by raising there); one that arrives meanwhile runs at the
        program's next eval-breaker check. The thread reports no events meanwhile (PyThreadState_EnterTracing, as in
        a callback: no callback of the hooks runs in it, and in 3.11's tracing mode a function's RESUME would
        re-check forever an eval breaker it cannot clear while handlers are held). Inside a callback that holds
        them already (a finalizer that runs an enable() block), they stay held."""
        gate = self.gate
        me = gate.here.main and gate.main_thread.value != 0
        if me:
            gate.main_thread.value = 0
        tstate = thread_state()
        enter_tracing(tstate)
        try:
            work(params)
        finally:
            leave_tracing(tstate)
            if me:
                gate.main_thread.value = gate.ident
                if gate.pending.value:
                    gate.breaker.value |= gate.bit

    def _activate(self, params: Params | None) -> None:
        if params is not None:
            self.set_params(params)
        with self._activation:
            self.gate.note_thread()                 # the main thread's callbacks hold signal handlers
            self.active += 1
            if self.active > 1:
                if self.hooks is not None:
                    self.hooks.enter_thread()       # settrace (3.11) is per thread
                return
            if self.off_reason:
                return
            try:
                if self._hooks_made is None:        # one per engine: the 3.11 tracer and timer are made once
                    self._hooks_made = make_hooks(self)
                if self.uninstall_pending:          # the last block's hooks are still installed
                    self.uninstall_pending = False
                    return
                self.resumer = CalleeResumer(self._hooks_made, self.fa)
                word = self._monitoring_word()
                before = word.value if word is not None else None
                self._hooks_made.install()
                # the generic path relies on the word to see a tracer or tool a call starts (see backend.pycalls)
                self.monitoring_ok = word is not None and word.value != before
                self.hooks = self._hooks_made
                self.entry_tests.hooks = self.hooks if hasattr(self.hooks, "watch_entries") else None
                self.make_fast()
                self.install_fast()
            except (HookError, OSError) as e:
                self.off_reason = str(e)
                self.hooks = None
                warn(f"JIT off: {e}")

    def wrap_callback(self, callback):
        """What the hooks register instead of `callback`: on 3.12+ a builtin that skips the call when the
        thread is within native_callback.MARGIN frames of the recursion limit (a Python callback entered
        there would raise RecursionError in the program's frame); the callback itself when the guard cannot
        be built (its reason is in `callback_guard_problem`)."""
        if self.callback_guard is None and self.callback_guard_problem is None:
            self.callback_guard, self.callback_guard_problem = self._make_callback_guard()
        return self.callback_guard.wrap(callback) if self.callback_guard is not None else callback

    def native_tracer(self, dispatch):
        """For the 3.11 hooks: the C-level trace function that calls `dispatch` (runtime/native_trace.py), or
        None (the hooks then use sys.settrace; the reason is logged)."""
        layout = LAYOUTS[VERSION]
        if layout.code_extra < 0 or layout.frame_trace_lines < 0:
            return None
        try:
            from .native_trace import NativeTracer
            return NativeTracer(self._stub_memory(), layout, layout.tstate_recursion_remaining, dispatch)
        except (OSError, AttributeError, ImportError) as e:
            self.log("native_tracer_unavailable", reason=f"{type(e).__name__}: {e}")
            return None

    def native_timer(self, callback, period: float):
        """For the 3.11 hooks: a NativeTimer calling `callback` in the main thread every `period` seconds, or
        None (the tracer then stays on for the whole enable() block)."""
        try:
            from .native_timer import NativeTimer
            if not self.gate.active:
                return None         # no checked eval-breaker word to raise
            count = interp_thread_count(LAYOUTS[VERSION])
            return NativeTimer(self._stub_memory(), callback, period, ctypes.addressof(self.gate.breaker),
                               self.gate.bit, ctypes.addressof(count) if count is not None else None)
        except (OSError, AttributeError, ImportError) as e:
            self.log("native_timer_unavailable", reason=f"{type(e).__name__}: {e}")
            return None

    @property
    def tracer_idle_seconds(self) -> float:
        """For the 3.11 hooks: how long the main thread stays traced while the JIT has nothing to do there
        (`trace_idle_ms`; 0: always, as with native=0: the IR interpreter, a debugging oracle, gains nothing
        the hooks' budgets could see; and while lines are counted for a report, whose heat map needs every
        line: under load the tracer went after a quiet stretch and the report lost the lines after it)."""
        return self.params.trace_idle_ms / 1000 if self.params.native and self.line_counts is None else 0.0

    @property
    def native_iterations(self) -> int:
        """For the 3.11 hooks: the iterations the loops whose machine code is mapped have run there (its growth
        over a timer tick says whether the thread's slow tracing mode pays)."""
        return sum(loop.native_iterations for loop in self.live)

    def header_live(self, code, header: int) -> bool:
        """For the 3.11 hooks, which keep a thread traced (slow) only while it is inside a loop for which
        this is True: the loop is compiled (entries need the back-edge event), not seen yet, or counting
        towards `threshold` for less than COUNTING_WINDOW seconds (a loop slower than that, about 5000
        back-edges a second, gains little from machine code and would keep everything it calls traced)."""
        sites = self.sites.get(code)
        site = sites.get(header) if sites is not None else None
        if site is None or site.versions:
            return True
        return not site.blacklisted and time.monotonic() - site.counting_since < COUNTING_WINDOW

    def _stub_memory(self):
        """Executable memory for the hooks' fixed stubs (callback guard, 3.11 trace function and timer), which
        live as long as the engine."""
        if self._stubs is None:
            from .execmem import CodeMemory
            self._stubs = CodeMemory()
        return self._stubs

    def _make_callback_guard(self):
        word = recursion_remaining(LAYOUTS[VERSION])
        if word is None:
            return None, "the thread state's recursion counter did not check out"
        try:
            from .native_callback import CallbackGuard
            guard = CallbackGuard(self._stub_memory(), LAYOUTS[VERSION].tstate_recursion_remaining)
        except (OSError, AttributeError, ImportError) as e:
            return None, f"{type(e).__name__}: {e}"
        return (guard, None) if guard.works() else (None, "the guard's start-up check failed")

    def _deactivate(self, params: Params | None) -> None:
        try:
            self._deactivate_block()
        finally:
            if params is not None:
                self.set_params(params)

    def _deactivate_block(self) -> None:
        with self._activation:
            self.active -= 1
            if self.active > 0 and self.hooks is not None:
                self.hooks.leave_thread()
            if self.active == 0 and self.hooks is not None:
                if self.fast is not None:
                    self.fast.close()       # the back-edge stub enters nothing more
                if self.recording is not None:
                    self._stop_recording()
                if self.resumer is not None:
                    self.resumer.drop_all()
                if self._hooks_still_needed():
                    # a frame must still raise a call's exception through the hooks (or a run that may make
                    # one is under way): they go when it has (_uninstall_if_pending)
                    self.uninstall_pending = True
                    return
                self._uninstall()

    def _uninstall(self) -> None:
        self.uninstall_pending = False
        if self.fast is not None:
            self.fast.uninstall()       # the gate closed, the code objects' tables cleared (the stub stays)
        self.entry_tests.forget()
        self.hooks.uninstall()
        self.hooks = None
        self._reap()

    def _uninstall_if_pending(self) -> None:
        """Finish a deactivation that waited for pending raises and runs (see deactivate)."""
        with self._activation:
            if self.uninstall_pending and self.active == 0 and self.hooks is not None and \
                    not self._hooks_still_needed():
                self._uninstall()

    def _hooks_still_needed(self) -> bool:
        """A frame must still raise a call's exception through the hooks, or a run that may make one is on."""
        return bool(self.raising.pending) or any(loop.busy and loop.syncs for loop in self.live)

    def _monitoring_word(self):
        """The interpreter's instrumentation version (ctypes), where the layout knows it."""
        address = self.fa.monitoring_version_address()
        return ctypes.c_uint64.from_address(address) if address else None

    # ------------------------------------------------------------------ hook callbacks
    def backedge(self, frame, code, src: int, header: int) -> bool:
        if self.depth:              # a back-edge in program code that runs inside our callback (a __del__)
            return False
        # `quiet`: nothing else is going on (no recording, nothing pending). Then a loop that only counts towards
        # `threshold` (or backs off) is counted at once, without the checks below: about 0.6 us less per counted
        # back-edge (a cold `while` loop 1.4 -> 0.8 us per iteration on 3.12); a compiled one is entered at once
        quiet = not (self.window or self.recording is not None or self._dead or self._zombies
                     or self.uninstall_pending or self.recursion_hit or self.raising.pending or self.resumer.pending)
        if not quiet:
            if self.window and self.window != _get_ident():     # another thread runs the JIT's machine code
                return False
            if self.raising.pending and self.raising.waiting_here():
                self.raising.drop(self.hooks)   # its frame never reached the instruction (a signal handler raised)
            if self.uninstall_pending:          # the last enable() block has ended: nothing new starts
                self._uninstall_if_pending()
                return False
        self.depth = 1
        site = None
        try:
            sites = self.sites.get(code)
            if quiet and sites is not None:
                site = sites.get(header)
                if site is not None:
                    if site.passing:
                        self._take_back(site)
                    if site.versions:
                        if not site.skip:
                            return self._enter(frame, site)
                    elif not site.blacklisted and site.count + 1 < self.params.threshold:
                        self._count(frame, code, site)
                        self._let_pass(site, code)
                        return False
            if self.recursion_hit:
                self._after_recursion_limit()
            if self.resumer.pending:    # a call an exit stopped at did not start its frame: forget it
                self.resumer.drop()
            if self._dead or self._zombies:
                self._reap()
            if sites is None:
                sites = self.sites[code] = {}
            site = sites.get(header)
            if site is not None and site.passing:
                self._take_back(site)
            if site is None:
                site = sites[header] = LoopSite(loop_name(code, header), header)
                during_import = importing(frame)
                if not raw_for_iter_at(code, header):
                    site.for_loop = False       # not a `for` loop: its iterator does not tell its runs (count_run)
                    if not during_import:
                        self.entry_tests.watch(code, site)      # its entry tests do (3.12+)
                if during_import:
                    # first seen while the program imports a module: most likely the import's own loop, run once.
                    # It starts IMPORT_BIRTH_WAIT thresholds back, its back-edges let pass by the back-edge stub,
                    # instead of coming back here at each look at its runs (a program importing 20 standard modules
                    # met 158 loops, about 9 callbacks each)
                    site.count = -self.params.threshold * IMPORT_BIRTH_WAIT
                self.stats.loops_seen += 1
                if self.log.on:
                    at = bytecode.instructions_at(code).get(header)
                    self.log("seen", loop=site.name, file=code.co_filename, line=at[0].line if at else None)
            rec = self.recording
            if rec is not None:
                if frame is rec.frame:
                    if header != rec.recorder.header_pc and rec.loop is None and not rec.recorder.unrolls(header):
                        self._abort(rec, "inner loop")
                    return False
                rec.idle += 1
                if rec.idle > 10_000:
                    self._abort(rec, ABANDONED)
            if site.versions:
                if site.skip:
                    site.skip -= 1
                    self._let_pass(site, code)
                    return False
                return self._enter(frame, site)
            if site.blacklisted:
                return True
            self._count(frame, code, site)
            if site.count >= self.params.threshold and self.recording is None:
                if self._short_runs(site, code):
                    return site.blacklisted
                left = self._first_run_left(frame, code, site)
                if left is not None and (left < self.params.little_left * self.params.threshold or
                                         left < site.pays_back_from):
                    # too little of its run left for recording and compiling it to pay: it waits for a later run
                    # (with more left, the recording itself judges: recorder.generic.pays_back; what it found is
                    # kept, so a loop whose trace it found too long for this run is not recorded again for it)
                    self._wait_for_next_run(site, left)
                    return False
                self._start_recording(frame, code, header, site, left)
            return False
        except RecursionError:       # near the program's recursion limit: the hook stays out of its way
            raise
        except Exception as e:       # never let a JIT bug reach the program
            return self._callback_failed(site, e)
        finally:
            self.depth = 0

    def _let_pass(self, site: LoopSite, code) -> None:
        """A loop that only counts back-edges hands them to the back-edge stub, which lets them pass itself
        (runtime/fastpath.py: no Python callback for them): one backing off (not entered for `skip` back-edges, or
        counting up from below zero after an abort), and one counting towards `threshold`, up to the last two (the
        Python path starts the recording); a `for` loop's up to the next it looks at (once in
        sites.look_every back-edges: sites.count_run judges its runs from them). Those it has not let pass come
        back at the loop's next callback (_take_back)."""
        fast = self.fast
        if fast is None or site.passing:
            return
        if site.versions:
            n, kind = site.skip, "skip"
        else:
            n, kind = self.params.threshold - 2 - site.count, "count"
            if site.for_loop is not False:      # a `for` loop: up to -1 backing off, else up to its next look
                n = -1 - site.count if site.count < -1 else min(n, self.look_every - 1)
        if n <= 0:
            return
        if not self._fast_open():
            return
        if kind == "skip":
            site.skip = 0
        else:
            site.count += n
            if site.entry_state == loop_sites.WATCHED:
                site.edges += n         # (their share of a `while` loop's runs: sites.EntryTests)
        site.passing = kind
        fast.let_pass(site, code, n)

    def _take_back(self, site: LoopSite) -> None:
        left = self.fast.passed(site)
        if site.passing == "skip":
            site.skip += left
        else:
            site.count -= left
            if site.entry_state == loop_sites.WATCHED:
                site.edges -= left
        site.passing = ""

    def _count(self, frame, code, site: LoopSite) -> None:
        """One back-edge of a loop not compiled yet: counted towards `threshold`, and, once it no longer backs
        off, the run it belongs to if it is a `for` loop (sites.count_run)."""
        site.count += 1
        if site.entry_state == loop_sites.WATCHED:
            site.edges += 1
        self.useful_events += 1
        if site.for_loop is not False:
            if site.count > 0:
                loop_sites.count_run(self.fa, frame, code, site)
            else:                       # (counting again from below zero: the next look's back-edges from here)
                site.looked = site.count

    def loop_entered(self, code, src: int, dst: int) -> bool:
        """The hooks' BRANCH event of a code object some of whose `while` loops' runs are counted: False if
        `src` is none of their entry tests (sites.EntryTests)."""
        try:
            return self.entry_tests.entered(code, src, dst, loop_sites.ENTRY_EVENTS * self.params.threshold)
        except RecursionError:
            raise
        except Exception as e:       # never let a JIT bug reach the program
            self._internal_error(None, e)
            return False

    def frame_started(self, frame, code) -> None:
        """The hooks' start event of a code object armed by the resumer: a call an exit stopped at has made its
        frame (runtime/resume.py)."""
        if self.depth or self.resumer is None:
            return
        self.depth = 1
        try:
            if self.resumer.started(frame, code):
                self.stats.frames_resumed += 1
        except RecursionError:
            raise
        except Exception as e:       # never let a JIT bug reach the program
            self._callback_failed(None, e)
        finally:
            self.depth = 0

    def instruction(self, frame, code, offset: int):
        if self.raising.pending:
            raising = self.raising.take(self.hooks, frame, code)
            if raising is not None:
                # the first instruction of the frame after the exit of a call that raised: raise it here
                pcs, exception = raising
                marker = self.callback_guard.raising(exception)
                try:
                    if offset not in pcs:
                        raise RuntimeError(f"a call's exception was to be raised at @{pcs[-1]}, the frame "
                                           f"resumed at @{offset}")
                    if self.uninstall_pending:
                        self._uninstall_if_pending()
                except Exception as e:      # never let a JIT bug reach the program (the exception is raised)
                    self._internal_error(None, e)
                return marker
        rec = self.recording
        if rec is None or frame is not rec.frame:
            return
        if self.depth or (self.window and self.window != _get_ident()):
            # another thread is inside a JIT callback (it was switched out there)
            rec.missed = True
            return
        self.depth = 1
        t0, imports = _thread_time(), _IMPORT_CPU[0]
        try:
            if self.recursion_hit:
                self._after_recursion_limit()
                return
            if rec.missed:
                raise recording.RecordAbort(INTERRUPTED)
            if rec.recorder.step(offset, rec.view):
                self._finish_recording(rec)
        except recording.RecordAbort as e:
            self._abort(rec, str(e), e.hint, e.final)
        except RecursionError:
            raise
        except Exception as e:
            self._callback_failed(rec.site, e)
        finally:
            self._charge(rec.site, t0, imports)
            self.depth = 0

    def _after_recursion_limit(self) -> None:
        """A callback ran into the program's recursion limit (the hook swallowed the RecursionError and set
        `recursion_hit`): a recording interrupted at any point is abandoned. A compiled loop's frame was not
        touched: CompiledLoop.store checks its headroom before writing anything."""
        self.recursion_hit = False
        if self.recording is not None:
            self._abort(self.recording, "recursion limit")

    def _callback_failed(self, site: LoopSite | None, e: Exception) -> bool:
        """An exception inside a hook callback. The program's own (an asynchronous exception, or a signal
        handler's when handlers cannot be held) propagates, as it would have without the JIT; anything else
        is a JIT bug: the loop is left to the interpreter. Returns the hook's answer (True: do not report
        this back-edge again)."""
        if _raised_by_program(e):
            if self.recording is not None:
                self._abort(self.recording, f"interrupted by {type(e).__name__}")
            raise e
        self._internal_error(site, e)
        return True

    # ------------------------------------------------------------------ recording
    def _start_recording(self, frame, code, header: int, site: LoopSite, left: int | None) -> None:
        """Record an iteration of the loop at `header` (`left`: the items left in its first run: _first_run_left)."""
        if foreign_tool_active(code):
            return
        if own_module_locals(code, frame):
            # module-level code whose names are not its globals (3.12+: the loop of a comprehension inlined in it;
            # exec(code, g, l)): no compiled version could be entered (CompiledLoop.check_assumptions), and one
            # was recorded and compiled at each of its hot times
            if not site.versions:       # (a version made for another run of this code may still serve that)
                reason = f"{OWN_MODULE_LOCALS} (a comprehension's loop)"
                self.stats.aborts[reason] = self.stats.aborts.get(reason, 0) + 1
                self.log("abort", loop=site.name, reason=reason, attempt=1)
                self._blacklist(site, code)
            return
        if not self._site_may_spend(site):
            # recorded and compiled before (dropped since, or its versions reject the frame), for more than it saved
            self.log("site_spent", loop=site.name, spent_ms=round(site.spent * 1000, 1),
                     saved_ms=round(self._site_saved(site) * 1e3, 1), wait=0)
            if not site.versions:
                self._blacklist(site, code)
            return
        if not site.versions and not self._may_spend():
            # the JIT has spent its share: the loop waits (its back-edges let pass by the back-edge stub), each
            # time twice as long, then asks again (not an abort); refused MAX_SPEND_DOUBLINGS times, it is given up,
            # as a waiting loop's back-edges still cost the stub's count. (A loop with compiled versions whose
            # entries all reject the frame records a new version as a bridge would: not held back.)
            self.stats.spend_waits += 1
            if site.spend_waits >= MAX_SPEND_DOUBLINGS:
                self.log("spend_wait", loop=site.name, wait=0)
                self._blacklist(site, code)
                return
            wait = SPEND_WAIT << site.spend_waits
            site.spend_waits += 1
            site.count = self.params.threshold - self.params.threshold * wait
            self.log("spend_wait", loop=site.name, wait=wait)
            return
        t0, imports = _thread_time(), _IMPORT_CPU[0]
        try:
            self._record(frame, code, header, site, left)
        finally:
            self._charge(site, t0, imports)

    def _record(self, frame, code, header: int, site: LoopSite, left: int | None) -> None:
        if not self._loaded("tracejit.runtime.recording", frame):
            # the program is importing (the recorder cannot be loaded now): the loop waits, twice as long each time
            # up to MAX_IMPORT_WAIT thresholds, its back-edges let pass by the back-edge stub. (Asking again every
            # quarter threshold, a loop of enum's or re's run while `import re` went on asked 105 times, each a
            # Python callback that also judged its runs: about a third of the JIT's cost in a program that imports
            # 20 standard modules.)
            site.import_waits += 1
            wait = min(1 << site.import_waits, MAX_IMPORT_WAIT)
            site.count = self.params.threshold - max(1, self.params.threshold * wait)
            return
        self.stats.loops_hot += 1
        self.log("hot", loop=site.name, count=site.count)
        base = self.fa.stack_depth(self.fa.iframe(frame), code)
        if base < 0:
            return
        rec = recording.TraceRecorder(code, header, base, trace_limit=self.params.trace_limit,
                                      inline_depth=self.params.inline_depth,
                                      exact_callee_exits=self.hooks.can_resume_callees,
                                      generic_calls=self._generic_calls(), cost_model=self.params.cost_model,
                                      hints=self._hints(site), left=left, unroll=self.params.unroll)
        self.recording = recording.Recording(rec, frame, code, site, recording.FrameView(self.fa, frame),
                                             started=time.perf_counter())
        self._hold_fast()
        self.hooks.start_recording(code, frame)

    def _may_spend(self) -> bool:
        """Whether a new loop may be recorded now: the CPU time the JIT spent recording and compiling (whatever came
        of it; `spent_cpu`, measured in its own callbacks, its lazy imports not counted) is within `spend_ms`, or
        within that plus SPEND_SHARE of the process's CPU time since the engine began plus what machine code has
        saved so far (each native iteration of a compiled loop, SAVED_NS_PER_INSTRUCTION per instruction of its
        recorded iteration). A program with ever more loops that do not pay back stops paying for them (60 loops
        each run once: tests/test_budgets.py); one whose machine code gains keeps compiling. Bridges of compiled
        loops are not held back: their loops run already, and a bridge mends the exits they keep taking. (At 40 ms
        free, scimark's FFT waited for a loop that pays: the estimate credits gains only as they come. The
        realworld programs spend less than the default 100 ms, or gain.)"""
        free = self.params.spend_ms / 1000
        imports = _IMPORT_CPU[0] - self.import_cpu_at_start
        spent = self.spent_cpu - imports
        if not free or spent <= free:
            return True
        run = time.process_time() - self.cpu_at_start - imports      # the process's CPU time since the engine began
        saved = self.saved_instructions + sum(loop.native_iterations * loop.instructions for loop in self.live)
        return spent <= free + SPEND_SHARE * run + saved * SAVED_NS_PER_INSTRUCTION * 1e-9

    def _charge(self, site: LoopSite, t0: float, imports: float) -> None:
        """The CPU time since t0 (thread time; `imports`: _IMPORT_CPU then) goes to the JIT's spending, and to the
        loop's without the one-time imports made meanwhile (they are no loop's)."""
        dt = _thread_time() - t0
        self.spent_cpu += dt
        site.spent += dt - (_IMPORT_CPU[0] - imports)

    def _site_may_spend(self, site: LoopSite) -> bool:
        """Whether more may be spent on recording and compiling this loop (a bridge, a new version, a version
        again): yes until a compiled version of it was dropped (its runs did not pay back its entries); from then
        on while what the JIT spent on it (`site.spent`) is within SITE_FREE of `spend_ms` plus what its machine
        code has saved so far (_site_saved). _may_spend bounds the JIT's spending on new loops; this bounds it on
        a loop that showed it does not pay, whose bridges and versions that does not hold back (go's `score`,
        compiled, dropped and compiled again with new bridges and versions, spent 100 ms to save 0.4). Loops
        that never dropped a version are not held back: their gains may come after their bridges (scimark's
        Monte Carlo spends 0.2 s on bridges before its runs get long, then saves 1.6 s)."""
        free = self.params.spend_ms / 1000 * SITE_FREE
        return not free or not site.drops or site.spent <= free + self._site_saved(site)

    @staticmethod
    def _site_saved(site: LoopSite) -> float:
        """The seconds the loop's machine code saved so far (estimated as in _may_spend)."""
        saved = site.saved + sum(loop.native_iterations * loop.instructions for loop in site.versions)
        return saved * SAVED_NS_PER_INSTRUCTION * 1e-9

    def _start_bridge(self, loop: CompiledLoop, info: ExitInfo, frame, site: LoopSite, inner: list) -> None:
        """Record a bridge from exit `info`, which has just left `frame` (`inner`: the inlined frames it rebuilds,
        runtime.resume.ResumeFrame: the recording resumes them where the guard stopped them)."""
        if self.recording is not None:
            return
        if self._loaded("tracejit.runtime.compiling", frame) and compiling.link_bridge(self, loop, info, site):
            return
        if not self._site_may_spend(site):
            # the loop has cost more than it saved: the exit waits SITE_WAIT times as many failures, then asks again
            info.bridge_after = loop.exit_fails(info) * SITE_WAIT
            self.log("site_spent", loop=site.name, exit=info.exit_id, spent_ms=round(site.spent * 1000, 1),
                     saved_ms=round(self._site_saved(site) * 1e3, 1), wait=info.bridge_after)
            return
        code = frame.f_code
        chain = info.snapshot if info.inner else None
        start = recording.BridgeStart(loop.layout, info.snapshot.frames()[0], chain, inner if chain else None)
        try:
            rec = recording.TraceRecorder(code, loop.header_pc, loop.base_depth,
                                          trace_limit=min(self.params.trace_limit, BRIDGE_TRACE_LIMIT), bridge=start,
                                          inline_depth=self.params.inline_depth,
                                          exact_callee_exits=self.hooks.can_resume_callees,
                                          generic_calls=self._generic_calls(), cost_model=self.params.cost_model,
                                          hints=self._hints(site), unroll=self.params.unroll)
        except recording.RecordAbort as e:       # (the inlined frames it would resume: inline.resumed_frames)
            info.bridge = "blocked"
            self.log("bridge_abort", loop=site.name, exit=info.exit_id, reason=str(e))
            return
        info.bridge = "recording"
        loop.bridges_tried += 1
        self.recording = recording.Recording(rec, frame, code, site, recording.FrameView(self.fa, frame), loop, info,
                                             started=time.perf_counter())
        self._hold_fast()
        self.hooks.start_recording(code, frame)
        self.log("bridge_recording", loop=site.name, exit=info.exit_id, pc=info.pc)

    def _stop_recording(self) -> None:
        rec = self.recording
        self.recording = None
        if rec is not None:
            secs = time.perf_counter() - rec.started
            self.stats.recording_seconds += secs
            if self.probe is not None:
                self.probe.recorded(rec.site.name, secs)
            self.hooks.stop_recording(rec.code, rec.frame)
            # functions the recording went through are hot; on 3.12 the JIT's events took their superinstructions
            for function in rec.recorder.inlined.values():
                self.hooks.restore(function.code)

    def _abort(self, rec: Recording, reason: str, hint: tuple | None = None, final: bool = False) -> None:
        """A recording ends without a trace. `hint`: what the next one should do otherwise (it starts at once);
        `final`: the loop's own code decided it (RecordAbort.final), so the loop is blacklisted now; else the
        same reason twice in a row blacklists it (retryable ones aside)."""
        self._stop_recording()
        self.stats.aborts[reason] = self.stats.aborts.get(reason, 0) + 1
        site = rec.site
        if reason == recording.LITTLE_LEFT and rec.loop is None:
            # not a failure: its run ends too soon for the trace's compiling to pay (generic.pays_back)
            site.pays_back_from = rec.recorder.pays_back_from
            self._wait_for_next_run(site, max(rec.recorder.left - 1, 0))
            return
        if hint is not None:
            name, item = hint
            if name == "not_inlined":
                self._learn_not_inlined(item)
            if site.learn(name, item):
                # the recording says what a new one should do otherwise (call a function instead of inlining it,
                # keep a variable as an object): recorded again at once (a bridge: at its guard's next failure)
                what = {name: getattr(item, "co_name", str(item))}
                if rec.loop is not None:
                    rec.exit.bridge = "none"
                    self.log("bridge_abort", loop=site.name, exit=rec.exit.exit_id, reason=reason, **what)
                else:
                    site.count = self.params.threshold - 1
                    self.log("abort", loop=site.name, reason=reason, **what)
                return
        if rec.loop is not None:
            info = rec.exit
            retry = retryable(reason) and info.bridge_retries < MAX_RETRIES
            info.bridge_retries += retry
            info.bridge = "none" if retry else "blocked"     # "none": recorded again at its next failure
            self.log("bridge_abort", loop=site.name, exit=info.exit_id, reason=reason)
            return
        if retryable(reason):
            # failed by chance, not because of the loop: try again at the next back-edge
            site.retries += 1
            quick = MAX_LOOP_LEFT_RETRIES if reason == recording.LOOP_LEFT else MAX_RETRIES
            if site.retries < quick:
                site.count = self.params.threshold - 1
                self.log("abort", loop=site.name, reason=reason, retry=site.retries)
                return
            if reason == recording.LOOP_LEFT:
                # the loop ran short iterations for a while (e.g. the border of a Julia set): that says little
                # about later data, so it is tried again, ever more rarely; every back-edge counted costs a
                # hook callback, so after MAX_LOOP_LEFT_BACKOFF rounds the loop is blacklisted
                rounds = site.retries - quick + 1
                if rounds > MAX_LOOP_LEFT_BACKOFF:
                    self.log("abort", loop=site.name, reason=reason, retry=site.retries)
                    self._blacklist(site, rec.code)
                    return
                backoff = 2 ** rounds
                site.count = self.params.threshold - self.params.threshold * backoff
                self.log("abort", loop=site.name, reason=reason, retry=site.retries, backoff=backoff)
                return
        self.log("abort", loop=site.name, reason=reason, attempt=site.aborts + 1)
        # the same reason twice in a row (a cost model's figures aside): the loop's own code, not chance, so a
        # third recording would fail the same way
        kind = reason.translate(_NO_DIGITS)
        if final or kind == site.last_abort:
            self._blacklist(site, rec.code)
            return
        site.last_abort = kind
        self._failed_attempt(site, rec.code)

    def _short_runs(self, site: LoopSite, code) -> bool:
        """A loop about to be recorded whose runs in the interpreter were too short for machine code to pay back
        (sites.short_interpreted_runs for a `for` loop, sites.EntryTests.judge for a `while` loop whose runs the
        hooks count: the judgement a compiled loop gets from its entries, made here before anything is spent on
        recording or compiling it). It waits 4 times longer (its runs may grow: a function called on small inputs
        first), then it is blacklisted. True if it does not start recording now."""
        short_run = self._judged_short_run()
        sites = self.sites.get(code) or {}

        def given_up(header: int) -> bool:           # an enclosing loop's trace will not run through this one
            return header in sites and sites[header].given_up
        if site.entry_state != loop_sites.NOT_COUNTED:
            average = self.entry_tests.judge(code, site, short_run)
        else:
            average = loop_sites.short_interpreted_runs(site, code, short_run, given_up)
        if average is None:
            return False
        site.short_rounds += 1
        if site.short_rounds >= SHORT_ROUNDS:
            self.log("short_runs", loop=site.name, runs=site.judged_runs, average=average)
            self._blacklist(site, code)
            return True
        backoff = 4 ** site.short_rounds
        site.count = self.params.threshold - self.params.threshold * backoff
        self.entry_tests.restart(code, site)
        self.log("short_runs", loop=site.name, runs=site.judged_runs, average=average, backoff=backoff)
        return True

    def _judged_short_run(self) -> int:
        """The `short_run` interpreted runs are judged against (_short_runs): machine code enters a loop through
        the native round trip more often than not, a quarter of the Python entry."""
        return self.params.short_run // (loop_sites.ROUNDTRIP_SHARE if self.params.native else 1)

    def _first_run_left(self, frame, code, site: LoopSite) -> int | None:
        """The items left in the run of a `for` loop over a range (a list, tuple, str or array) that got hot in the
        first run it was counted in (not an inner loop hot over several short runs, not one tried already), an
        estimate for one over a generator (as many as it has had), or None. With fewer than
        `little_left` x `threshold` of them, or too few for its recorded trace to pay for compiling it
        (generic.pays_back), it waits for its next run (a list comprehension run once at start-up), its back-edges
        let pass by the back-edge stub, MAX_LITTLE_WAITS times at most."""
        if not self.params.little_left or site.retries or site.aborts:
            return None
        if site.for_loop is False or site.judged_runs > 1:
            return self._nest_left(frame, code, site) if site.little_waits < MAX_LITTLE_WAITS else None
        if site.little_waits < MAX_LITTLE_WAITS:
            left = self.fa.top_items_left(frame, code)
            if left is not None:
                return left
        if site.little_waits < MAX_GENERATOR_WAITS and self.fa.top_is_generator(frame, code):
            # a generator's items left are unknown: taken to be as many as this run has had so far (threshold,
            # then each wait's as many again), so a long run proves itself, a short one ends before it compiles
            return self.params.threshold * ((2 << site.little_waits) - 1)
        return None

    def _nest_left(self, frame, code, site: LoopSite) -> int | None:
        """For a `for` loop inside `for` loops of its code, hot over several runs: the items left in its run, plus
        its runs so far on average (`threshold` back-edges over its judged runs) times the runs the loops around it
        have left (the product of their items left, each plus one, less one): what the whole nest has left of it.
        None when it is not such a loop (a `while` loop around it, an iterator of another kind: its future is not
        known). The setup of barnes_hut's galaxy, two runs of 70 items, compiled its inner loop with 40 left."""
        if site.for_loop is False and not raw_for_iter_at(code, site.header):
            return None
        left = self.fa.top_items_left(frame, code)
        heads = loop_sites.loops_around(code, site.header)
        if left is None or not heads or not all(raw_for_iter_at(code, head) for head in heads):
            return None         # (a `while` loop around it: known from co_code, before the bytecode layer decodes it)
        try:
            depths = bytecode.static_stack_depths(code)
        except ValueError:
            return None
        runs = 1
        for head in heads:
            depth = depths.get(head, 0)
            n = self.fa.top_items_left(frame, code, depth - 1) if depth > 0 else None
            if n is None:
                return None
            runs *= n + 1
        return left + (runs - 1) * self.params.threshold // max(site.judged_runs, 1)

    def _wait_for_next_run(self, site: LoopSite, left: int) -> None:
        self.stats.little_left_waits += 1
        site.little_waits += 1
        site.count = -left              # hot again `threshold` back-edges into a later run
        self.log("little_left", loop=site.name, left=left)

    def _blacklist(self, site: LoopSite, code) -> None:
        if site.blacklisted:
            return
        site.blacklisted = True
        self.entry_tests.close(code, site)
        self.stats.blacklisted += 1
        self.log("blacklist", loop=site.name)
        sites = self.sites.get(code)
        for inner in (sites or {}).values():
            if site.header in inner.enclosing and inner.for_loop is False:
                # no trace of this loop will run through the `for` loops inside it: their own runs are judged
                # from now on (sites.short_interpreted_runs)
                inner.for_loop, inner.runs, inner.edges = None, 0, 0
        if (hasattr(self.hooks, "silence") and sites is not None
                and all(h in sites and sites[h].given_up for h in bytecode.loop_headers(code))):
            self.hooks.silence(code)

    def _finish_recording(self, rec: Recording) -> None:
        if not self._loaded("tracejit.runtime.compiling", rec.frame):
            self._abort(rec, ABANDONED)         # retried: the backend is loaded outside an import
            return
        self._stop_recording()
        self.stats.traces_recorded += 1
        compiling.finish_recording(self, rec)

    @staticmethod
    def _loaded(module: str, frame) -> bool:
        """Import a lazily loaded part of the JIT now, unless the program is in the middle of an import (a
        frame of importlib's on the stack): importing from a callback there can meet a module the program is
        still initializing (typing, half-initialized while its module-level loop got hot) or break
        importlib's own locks. False: not loaded, try later."""
        if module in sys.modules:
            return True
        if importing(frame):
            return False
        try:
            _import(module)
        except ImportError:
            return False
        return True

    # ------------------------------------------------------------------ code memory
    def _place(self, code: bytes, owner: CompiledLoop) -> int:
        """Put machine code for `owner` into executable memory, evicting the least recently entered loops
        when the `max_code_kb` limit would be passed. Raises CodeMemoryFull if no loop can be evicted."""
        limit = self.params.max_code_kb * 1024
        need = self.mem.mapped_size(len(code))
        while self.mem.bytes_mapped + need > limit:
            victims = [lp for lp in self.live if lp is not owner and not lp.busy]
            if not victims:
                raise CodeMemoryFull(f"code memory limit of {self.params.max_code_kb} KiB reached")
            victim = min(victims, key=lambda lp: lp.last_entry)
            self.stats.loops_evicted += 1
            self._retire(victim, "evicted: code memory limit")
        addr = self.mem.place(code)
        self.stats.code_memory = self.mem.bytes_mapped
        return addr

    def _retire(self, loop: CompiledLoop, reason: str) -> None:
        """Take a loop out of service and free its machine code (now, or once no thread is inside it). Its
        site, if its code object still lives, counts afresh and may compile the loop again."""
        if loop.retired:
            return
        code = loop.code
        sites = self.sites.get(code) if code is not None else None
        site = sites.get(loop.header_pc) if sites is not None else None
        if site is not None and self.fast is not None:
            self.fast.disable(site)     # the back-edge stub stops entering it at once
        if site is not None and loop in site.versions:
            site.versions.remove(loop)
            site.count = 0
            site.counting_since = time.monotonic()
            site.saved += loop.native_iterations * loop.instructions     # (_site_may_spend)
        rec = self.recording
        if rec is not None and rec.loop is loop:
            self._abort(rec, f"loop {reason}")
        if loop in self.live:
            self.live.remove(loop)
            self.saved_instructions += loop.native_iterations * loop.instructions     # (_may_spend)
        if loop.retire(reason):
            self._free(loop)
        else:
            self._zombies.append(loop)
        self.log("retired", loop=loop.name, reason=reason)

    def make_fast(self):
        """The back-edge stub's side (runtime/fastpath.py), made once (at the first activation) where it can serve;
        None elsewhere."""
        if self.fast is None and self.hooks is not None and self.params.native and not self._fast_tried:
            self._fast_tried = True
            from . import fastpath
            if fastpath.available(self):
                self.fast = fastpath.FastPath(self, self._stub_memory(), self.hooks.on_jump, self.hooks.on_fast_exit)
                self.stats.fast_counts = self.fast.counts
        return self.fast

    def install_fast(self) -> None:
        """Back-edges go to the back-edge stub from now on (3.12+: the JUMP callback; 3.11: the trace function's)."""
        fast = self.fast
        if fast is not None and fast.callback is not None and self.hooks is not None and not fast.registered:
            self.hooks.set_jump_callback(fast.callback)
            fast.registered = True

    def _free(self, loop: CompiledLoop) -> None:
        for block in loop.blocks:
            if block.size:
                self.mem.free(block.address)
        self.stats.loops_freed += 1
        self.stats.code_memory = self.mem.bytes_mapped if self.mem is not None else 0

    def _code_died(self, sites: dict) -> None:
        """CodeTable callback (may run at any allocation, in any thread): only note what to free."""
        self._dead.append(sites)

    def _reap(self) -> None:
        """Free the machine code of loops whose code object died, and of retired loops now left by the
        thread that was inside them."""
        while self._dead:
            for site in self._dead.pop().values():
                for loop in list(site.versions):
                    self._retire(loop, "code object freed")
        if self._zombies:
            busy = [lp for lp in self._zombies if lp.busy]
            for lp in self._zombies:
                if not lp.busy:
                    self._free(lp)
            self._zombies = busy

    # ------------------------------------------------------------------ running
    def _enter(self, frame, site: LoopSite) -> bool:
        """Run the first compiled version of the loop whose entry checks accept the frame (the types of its
        variables); the one that ran moves to the front. When none accepts for `reject_limit` entries in a
        row, a new version is recorded (at most MAX_VERSIONS; beyond that the least recently used one is
        dropped); when none can be recorded, the loop backs off (see _rejected). Returns the hook's answer:
        True when the JIT has given the loop up (its back-edge is not reported again). Then the back-edge
        stub's entry for the header is brought up to date (runtime/fastpath.py)."""
        answer = self._enter_versions(frame, site)
        if self.fast is not None:
            self._fast_open()
            self.fast.refresh(site, frame)
        return answer

    def _hold_fast(self) -> None:
        """Something is under way that the back-edge stub must leave to the Python path (a recording: the loop it
        records must not be entered; a pending raise or resume): its gate stays closed until _fast_may_open."""
        if self.fast is not None:
            self.fast.close()

    def _fast_open(self) -> bool:
        """Whether the back-edge stub's gate is open, opened now if nothing the Python path must see is under way
        (_fast_may_open)."""
        fast = self.fast
        if not fast.gate[0] and self._fast_may_open():
            fast.reopen()
        return bool(fast.gate[0])

    def _fast_may_open(self) -> bool:
        return not (self.recording is not None or self.uninstall_pending or self.raising.pending
                    or self.resumer.pending or self.window)

    def _enter_versions(self, frame, site: LoopSite) -> bool:
        if foreign_tool_active(frame.f_code):
            return False
        self.useful_events += 1
        boxed = None            # a fast local holding another kind of number than a version expects
        for loop in site.versions:
            budget = loop.budget
            self.entry_clock += 1
            loop.last_entry = self.entry_clock
            t0 = time.perf_counter_ns()
            try:
                info, inner = loop.run(frame, budget)
                loop.native_ns += time.perf_counter_ns() - t0
                if loop.raised is not None:     # a call raised: the interpreter raises it where the exit resumes
                    raised, loop.raised = loop.raised, None
                    self._raise_at(frame, (info.resume_pc, info.pc), raised)
                if self.uninstall_pending:
                    self._uninstall_if_pending()
            except compiled.EntryRejected as e:
                if loop.busy or loop.retired:
                    return False
                self.stats.entry_rejections += 1
                loop.consecutive_rejects += 1
                if loop.consecutive_rejects == 1:
                    self.log("entry_rejected", loop=loop.name, reason=str(e))
                boxed = e.boxed or boxed
                continue
            break
        else:
            return self._rejected(frame, site, boxed)
        return self._after_run(frame, site, loop, info, inner, budget, t0)

    def _after_run(self, frame, site: LoopSite, loop: CompiledLoop, info, inner: list, budget: int,
                   t0: int | None) -> bool:
        """What follows a run of machine code that ended at exit `info` (t0: when it started; None for a run the
        back-edge stub made): counts, the budget of the next run, the guard's failures, a bridge, the judgement
        of the loop's entries. Returns the hook's answer."""
        if site.versions and site.versions[0] is not loop and loop in site.versions:
            site.versions.remove(loop)
            site.versions.insert(0, loop)
        if inner:                       # the frame stopped at a call inlined in the trace: rebuild the callees
            self.resumer.arm(frame, inner)
            self._hold_fast()
        site.rejects = 0
        loop.consecutive_rejects = 0
        loop.last_exit = info
        self.stats.native_entries += 1
        loop.native_iterations += budget - loop.buffer[ir.BUDGET_SLOT]   # exits store the budget left
        if info.reason == "budget":
            self.stats.budget_exits += 1
            if t0 is not None:
                dt = max(time.perf_counter_ns() - t0, 1)
                loop.budget = max(1000, min(int(budget * self.slice_ns / dt), 1 << 40))
        else:
            self.stats.guard_failures += 1
            info.fails += 1
            if info.linked >= 0:
                compiling.unlink_bridge(self, loop, info, site)
            fails = loop.exit_fails(info)               # (those the back-edge stub counted included)
            if fails & (fails - 1) == 0:                # log 1st, 2nd, 4th, 8th ... failure of each guard
                extra = {"rebuilds": info.rebuilds()} if info.inner else {}
                self.log("guard_failure", loop=info.trace_name, exit=info.exit_id, pc=info.pc,
                         reason=info.reason, guard=info.guard, fails=fails, **extra)
            if loop.retired:
                return False
            if info.bridge == "none" and fails >= max(self.params.bridge_threshold, info.bridge_after) and \
                    loop.bridges_tried < self.params.max_bridges:
                # a loop exit that keeps being taken is usually an inner loop finishing: a bridge through the
                # enclosing loop back into this header keeps the whole nest in machine code
                self._start_bridge(loop, info, frame, site, inner)
                loop.judge_at = 0               # the bridge changes what an entry does: judge afresh
            elif info.inner and info.fails >= self.params.bridge_threshold and \
                    info.fails * INLINE_LESS_RATE >= loop.native_iterations and self._inline_less(loop, info, site):
                # (not an exit taken once per thousands of iterations: a full graveyard emptied, a rare exception)
                return False
        # (sites.entries_verdict; the early look at a hopeless window waits while the exits taken still grow
        # bridges: a method that branches both ways needs several before the loop's runs get long)
        growing = info.reason != "budget" and info.bridge in ("none", "recording") and \
            loop.bridges_tried < self.params.max_bridges
        if loop.entries >= loop.judge_at or (loop.entries == loop.look_at and not growing):
            return self._judge_entries(loop, site, frame.f_code)
        return False

    def fast_exit(self, frame, code, header: int, result: int) -> bool:
        """The hooks' call from the back-edge stub after a run it made whose exit is not quiet (fastpath.py):
        the frame written back if the round trip left that to the runtime, the loop's busy word cleared, then
        the bookkeeping of any other entry. Returns the hook's answer."""
        nested = self.depth or (self.window and self.window != _get_ident())
        depth, self.depth = self.depth, 1
        site = None
        try:
            sites = self.sites.get(code)
            site = sites.get(header) if sites is not None else None
            loop = site.fast_loop if site is not None else None
            budget = site.fast[FAST_BUDGET]
            try:
                info, inner = loop.finish_round_trip(frame, result)
            finally:
                loop.busy_word[0] = 0       # (the stub left it set for this write-back)
            if nested:
                # inside another callback of this thread, or while another thread's run calls Python code: counted,
                # the rest waits for the loop's next entry
                self.stats.native_entries += 1
                if inner:
                    self.resumer.arm(frame, inner)
                    self._hold_fast()
                return False
            answer = self._after_run(frame, site, loop, info, inner, budget, None)
            self.fast.refresh(site, frame)
            return answer
        except RecursionError:
            raise
        except Exception as e:       # never let a JIT bug reach the program
            return self._callback_failed(site, e)
        finally:
            self.depth = depth

    def _inline_less(self, loop: CompiledLoop, info, site: LoopSite) -> bool:
        """An exit inside an inlined call keeps being taken, often (INLINE_LESS_RATE), and no bridge could grow
        there (its recording aborted: an exception raised there, a callee it cannot resume): each time it rebuilds
        the callee's frame (tens of microseconds). The loop is recorded again calling that callee instead of
        inlining it (the "not_inlined" hint: on the generic path, or not compiled where there is none). True if
        so; False once the loop's hints are used up."""
        code = info.inner[0].code
        if not site.learn("not_inlined", code):
            return False
        self.log("inline_less", loop=site.name, exit=info.exit_id, not_inlined=code.co_name)
        self._record_again(loop, site, f"exits inside {code.co_name} rebuild its frame")
        return True

    def _record_again(self, loop: CompiledLoop, site: LoopSite, reason: str) -> None:
        """Retire a compiled version that is in service and record the loop again at its next back-edge (not a
        failure: no back-off): _inline_less, _retrace_types."""
        self._retire(loop, reason)
        site.count = self.params.threshold - 1

    def _learn_not_inlined(self, code) -> None:
        """A recording found that the function of `code`, inlined, makes the trace abort (a loop on its path, a call
        inside it that may run Python code): every loop's next recordings call it on the generic path instead of
        each finding that out by an aborted recording of its own. Only where that path exists (3.12+): elsewhere
        a function not inlined aborts the recording, and another loop's path through it may inline well."""
        if self._generic_calls() and len(self.called_not_inlined) < MAX_CALLED_NOT_INLINED:
            self.called_not_inlined[code] = True

    def _hints(self, site: LoopSite) -> dict:
        """What a new recording of the loop is told to do otherwise: the loop's own hints (LoopSite.learn), and the
        functions any loop's recording learnt to call rather than inline (_learn_not_inlined). With `native=0`
        attribute stores over objects of any type take the generic path: the IR interpreter's variables hold what
        the trace read, so it cannot tell an object's last reference, which those stores' checks count."""
        hints = site.hints
        if not self.params.native:
            hints = {**hints, "no_shared_stores": frozenset({True})}
        if not self.called_not_inlined:
            return hints
        return {**hints,
                "not_inlined": hints.get("not_inlined", frozenset()) | set(self.called_not_inlined.codes())}

    def _generic_calls(self) -> bool:
        """Whether traces may call what may run Python code: its exception must be raised where the frame
        resumes, which the hooks and the callback guard can do (CPython 3.12+)."""
        return self.hooks.can_raise and self.callback_guard is not None and self.monitoring_ok and \
            self.params.generic_calls

    def _raise_at(self, frame, pcs: tuple[int, int], exception: BaseException) -> None:
        """Make the interpreter raise `exception` in `frame` at the instruction where the frame resumes (`pcs`:
        its first EXTENDED_ARG and itself; the hooks report the first instruction the frame runs, and the
        callback guard raises the exception there: see `instruction`)."""
        self.raising.add(self.hooks, frame, pcs, exception)
        self._hold_fast()

    def _rejected(self, frame, site: LoopSite, boxed=None) -> bool:
        """No compiled version accepted the frame. After `reject_limit` such entries in a row a new version is
        recorded for the frame's types (`boxed`: a fast local holding a number of another kind than a version
        expects, which the new version keeps as an object: the loop's recordings begin mid-run, where an
        `m = -1` set before the loop has become a float); when none can be (the loop is blacklisted: its recordings keep
        aborting), the loop stops trying to enter for reject_limit * 2, 4, 8 ... back-edges, and after
        MAX_ENTRY_BACKOFFS such rounds the JIT gives it up (True: its back-edge is not reported again)."""
        site.rejects += 1
        if site.rejects < self.params.reject_limit:
            return False
        site.rejects = 0
        may_spend = self._site_may_spend(site)      # (else the versions it has stay, and it backs off)
        if not site.blacklisted and self.recording is None and len(site.versions) >= MAX_VERSIONS and may_spend:
            self._drop(site.versions[-1], site, "entry rejected: the least recently used of its versions")
        if not site.blacklisted and may_spend:
            if self.recording is None:
                # the frame's types keep differing from those of every version: record one for them
                if boxed is not None:
                    site.learn("boxed", boxed)
                self.log("new_version", loop=site.name, versions=len(site.versions))
                self._start_recording(frame, frame.f_code, site.header, site,
                                      self._first_run_left(frame, frame.f_code, site))
            return False
        if not site.versions:
            return True
        site.backoffs += 1
        if site.backoffs > MAX_ENTRY_BACKOFFS:
            self._give_up(site, frame.f_code, "entry rejected: no compiled version fits and none can be recorded")
            return True
        site.skip = self.params.reject_limit << site.backoffs
        self.log("entry_backoff", loop=site.name, skip=site.skip)
        return False

    def _judge_entries(self, loop: CompiledLoop, site: LoopSite, code) -> bool:
        """Drop a compiled loop whose native runs are too short to pay back its entries (sites.entries_verdict);
        runs hopelessly short give the loop up at once. Returns the hook's answer (True: given up for good)."""
        if self._retrace_types(loop, site):
            return False
        verdict = loop_sites.entries_verdict(loop, self.params.short_run)
        if verdict is None:
            return False
        reason, for_good = verdict
        self._drop(loop, site, reason, for_good=for_good)
        return site.given_up

    def _retrace_types(self, loop: CompiledLoop, site: LoopSite) -> bool:
        """A type guard of the loop's trace fails into its bridge on a RETRACE_SHARE or more of the loop's native
        iterations (over the window since the last look, RETRACE_WINDOW of them at least): the types the trace
        was recorded for have changed (a list of ints refilled with floats), and each of those iterations pays
        the exit into the bridge and the way back through the state buffer. The loop is recorded again, for the
        types it meets now (not a failure: no back-off), at most MAX_RETRACES times, and only where that recording
        may start at once (not blacklisted, within what the JIT and the loop may spend). True if so."""
        if site.retraces >= MAX_RETRACES or loop.retired or site.blacklisted:
            return False                # (for good: no window to keep)
        iterations = loop.native_iterations
        taken = {eid: loop.exit_counts[eid] for eid, info in loop.exits.items()
                 if info.reason == "type" and info.bridge == "compiled"}
        window = loop.type_window
        if window is None or iterations - window[0] < RETRACE_WINDOW:
            if window is None or set(taken) != set(window[1]):
                loop.type_window = (iterations, taken)      # (a new bridge opens a new window)
            return False
        loop.type_window = (iterations, taken)
        if self.recording is not None:
            return False
        span = iterations - window[0]
        for eid, count in taken.items():
            share = count - window[1].get(eid, 0)
            if share >= RETRACE_SHARE * span:
                if not self._site_may_spend(site) or (len(site.versions) <= 1 and not self._may_spend()):
                    return False        # (the new recording would wait: the version with its bridge stays)
                site.retraces += 1
                info = loop.exits[eid]
                self.log("retrace", loop=loop.name, exit=eid, guard=info.guard, share=round(share / span, 2))
                self._record_again(loop, site, f"retraced: the bridge of exit #{eid} ({info.guard}) took {share} "
                                               f"of its {span} iterations")
                return True
        return False

    def _drop(self, loop: CompiledLoop, site: LoopSite, reason: str, for_good: bool = False) -> None:
        """Give up on a compiled loop: free it; after max_aborts drops the loop is blacklisted, at once if
        `for_good` (the loop itself is given up: every version freed, its back-edge no longer reported)."""
        self.stats.loops_dropped += 1
        site.drops += 1
        self.log("dropped", loop=loop.name, reason=reason)
        if for_good and loop.code is not None:
            self._give_up(site, loop.code, reason)
            return
        self._retire(loop, f"dropped: {reason}")
        if loop.code is not None:
            self._failed_attempt(site, loop.code)

    def _failed_attempt(self, site: LoopSite, code) -> None:
        """A recording of the loop aborted or its compiled version was dropped: after max_aborts of them the
        loop is blacklisted, before that it backs off (waits threshold * 2, 4, 8 ... back-edges)."""
        site.aborts += 1
        if site.aborts >= self.params.max_aborts:
            self._blacklist(site, code)
        else:
            site.count = self.params.threshold - self.params.threshold * (2 ** site.aborts)
            site.counting_since = time.monotonic()

    def _give_up(self, site: LoopSite, code, reason: str) -> None:
        """The loop is left to the interpreter for good: its compiled versions are freed, it is blacklisted
        and (3.12+: DISABLE; 3.11: its code object untraced once all its loops are) not reported again."""
        self.log("given_up", loop=site.name, reason=reason)
        for loop in list(site.versions):
            self._retire(loop, f"given up: {reason}")
        site.skip = 0
        self._blacklist(site, code)

    def _internal_error(self, site: LoopSite | None, e: Exception) -> None:
        self.stats.internal_errors += 1
        self.log("internal_error", loop=site.name if site else "?", error=f"{type(e).__name__}: {e}",
                 where=_where(e))
        if self.stats.internal_errors == 1:
            warn(f"internal error, loop left to the interpreter: {type(e).__name__}: {e}")
        if site is not None:
            site.blacklisted = True
            try:
                for loop in list(site.versions):
                    self._retire(loop, "internal error")
            except Exception:       # noqa: BLE001 - the loop stays blacklisted; its memory stays mapped
                pass


class CodeMemoryFull(Exception):
    """No room for more machine code and nothing can be evicted."""


def _where(e: BaseException) -> list[str]:
    """The innermost frames of e's traceback as 'file:line function' (for the internal_error event)."""
    frames = []
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append(f"{os.path.basename(code.co_filename)}:{tb.tb_lineno} {code.co_name}")
        tb = tb.tb_next
    return frames[-4:]


def _raised_by_program(e: BaseException) -> bool:
    """True if the innermost frame of e's traceback is not tracejit's: a signal handler or other program
    code running inside a callback raised it."""
    tb = e.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return not own_code(tb.tb_frame.f_code)


def warn(message: str) -> None:
    print(f"tracejit: {message}", file=sys.stderr)
