"""The JIT engine: the one runtime object. It receives back-edges and instructions from the hooks, counts
loops, drives recordings, compiles traces (recorder -> optimizer -> backend), enters machine code and
handles its exits (deoptimization, bridges, blacklisting), and keeps the statistics and the events log.

Every callback is wrapped so that an internal error turns the JIT off for that loop instead of reaching
the user's program.

May import: every earlier stage (hooks, recorder, ir, optimizer, backend), tracejit.cpython, tracejit.codetable, tracejit.params,
tracejit.runtime.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field

from tracejit.cpython.bytecode import instructions_at, loop_headers, resume_offset
from tracejit.cpython.layout import LAYOUTS, LIST_ITER_TYPE, RANGE_ITER_TYPE, VERSION, FrameAccess, \
    enumerate_list_state, zip_list_states, \
    c_api_addresses, cpu_has_sse41, frame_access_or_reason, list_iter_state, recursion_remaining, signal_words
from tracejit.codetable import CodeTable
from tracejit.hooks import HookError, SignalGate, foreign_tool_active, make_hooks, own_code
from tracejit.ir import BUDGET_SLOT, IRError, Trace, format_op, stack_var, verify
from tracejit.optimizer import optimize
from tracejit.params import Params
from tracejit.recorder import LOOP_LEFT, BridgeStart, RecordAbort, TraceRecorder

from .compiled import COMPLEX, CompiledLoop, EntryRejected, ExitInfo, NativeBlock
from .interp_entry import InterpretedLoop
from .probe import Probe
from .stats import EventLog, Stats

CO_OPTIMIZED = 0x0001
MIN_ENTRIES_TO_JUDGE = 200        # entries before deciding a compiled loop is not worth entering
MAX_VERSIONS = 4                  # compiled loops per loop header, for different types of its variables
MAX_RETRIES = 20                 # recordings spoiled by chance (see RETRYABLE) before that counts as an abort
MAX_LOOP_LEFT_BACKOFF = 10       # after that, a loop that keeps exiting while recorded waits up to 1024x longer
INTERRUPTED = "another thread held the JIT during the recording"
ABANDONED = "recording abandoned"
# recordings that fail by chance, not because of the loop: the recorded iteration was the loop's last, or
# another thread (its own JIT callback, at a thread switch) made this one miss an instruction or wait too long
RETRYABLE = frozenset({LOOP_LEFT, INTERRUPTED, ABANDONED})


class FrameView:
    """The recorder's window on the live frame (see tracejit.recorder.FrameView)."""

    def __init__(self, fa: FrameAccess, frame):
        self.fa = fa
        self.iframe = fa.iframe(frame)
        self.code = frame.f_code
        self.n = fa.nlocalsplus(self.code)
        self.globals = frame.f_globals
        self.builtins = frame.f_builtins
        self.module_level = not (self.code.co_flags & CO_OPTIMIZED) and frame.f_locals is frame.f_globals

    def local(self, index: int):
        return self.fa.read_slot(self.iframe, index)

    def stack(self, pos: int):
        return self.fa.read_slot(self.iframe, self.n + pos)

    def range_iter_state(self, it):
        if type(it) is not RANGE_ITER_TYPE:
            raise TypeError("not a range iterator")
        return self.fa.range_iter_state(it)

    def list_iter_state(self, it):
        if type(it) is not LIST_ITER_TYPE:
            raise TypeError("not a list iterator")
        return list_iter_state(it)

    def enumerate_state(self, it) -> tuple[int, int, list]:
        count, _, index, seq = enumerate_list_state(it)
        return count, index, seq

    def zip_state(self, it) -> list[tuple[int, list]]:
        return [(index, seq) for _, index, seq in zip_list_states(it)]


@dataclass(eq=False)
class LoopSite:
    """What the engine knows of one loop header in one code object (kept in a CodeTable, so it goes away
    with its code object)."""
    name: str
    header: int
    count: int = 0                          # back-edges seen (negative after an abort: back-off)
    aborts: int = 0
    retries: int = 0                        # recordings that failed by chance (RETRYABLE reasons)
    blacklisted: bool = False
    versions: list = field(default_factory=list)   # compiled loops for different entry types, last used first
    rejects: int = 0                        # entries in a row that no version accepted

    @property
    def compiled(self) -> CompiledLoop | None:
        return self.versions[0] if self.versions else None


@dataclass
class Recording:
    recorder: TraceRecorder
    frame: object
    code: object
    site: LoopSite
    view: FrameView
    loop: CompiledLoop | None = None        # set for a bridge
    exit: ExitInfo | None = None
    started: float = 0.0
    idle: int = 0
    missed: bool = False                    # an instruction event came while another thread held the JIT


def loop_name(code, header: int) -> str:
    return f"{code.co_name}:{code.co_firstlineno}@{header}"


def exit_reason(opname: str, pc: int, header: int) -> str:
    if opname == "guard_budget":
        return "budget"
    if opname == "guard_graveyard":
        return "graveyard"
    if opname in ("guard_true", "guard_false", "guard_index") and pc == header:
        return "loop exit"
    if opname in ("guard_true", "guard_false"):
        return "branch"
    if opname == "guard_index":
        return "bounds"
    if opname in ("guard_class", "int_value"):
        return "type"
    if opname.endswith("_ovf"):
        return "overflow"
    if opname in ("int_floordiv", "int_mod", "int_truediv", "float_truediv", "float_floordiv", "float_mod"):
        return "division"
    return opname


class _Backend:
    """The backend, imported on first compile (iced-x86 is not loaded by programs that never compile)."""

    def __getattr__(self, name):
        import tracejit.backend as b
        return getattr(b, name)


backend = _Backend()


class Engine:
    def __init__(self, params: Params, log_path: str | None = None, probe: Probe | None = None):
        self.params = params
        self.stats = Stats()
        self.probe = probe              # what the visualizer collects (None: nothing beyond the stats)
        self.log = EventLog(log_path, probe.keep if probe is not None else None)
        self.fa, self.off_reason = frame_access_or_reason()
        self.sites = CodeTable(on_death=self._code_died)     # code -> {header: LoopSite}
        self.live: list[CompiledLoop] = []        # loops whose machine code is mapped
        self._dead: list = []                     # site dicts of code objects that died (freed by _reap)
        self._zombies: list[CompiledLoop] = []    # retired while a thread was inside (freed by _reap)
        self.recording: Recording | None = None
        self.mem = None                 # executable memory, created at the first compile
        self.release = None             # native graveyard release (backend.release_stub), made with self.mem
        self.ext = None
        self.hooks = None
        self.active = 0
        self.history: deque[CompiledLoop] = deque(maxlen=params.history)  # for the dump/visualizer
        self.entry_clock = 0
        self.slice_ns = int(params.slice_ms * 1e6)
        self.depth = 0                  # 1 while a hook callback runs (nested program code is ignored)
        self.recursion_hit = False      # set by the hooks when a callback hit the recursion limit
        words, self.signal_hold_problem = signal_words(LAYOUTS[VERSION]) if self.fa else (None, self.off_reason)
        self.gate = SignalGate(words)   # the hooks hold signal handlers while their callbacks run
        self.callback_guard = None      # native recursion guard for the hooks' callbacks (wrap_callback)
        self.callback_guard_problem: str | None = None

    def set_params(self, params: Params) -> None:
        """Use these parameters from now on (enable(**params) sets its block's and restores the outer ones).
        `history` keeps the length it had when the engine was made."""
        self.params = params
        self.slice_ns = int(params.slice_ms * 1e6)

    @property
    def line_counts(self):
        """Where the hooks count the lines the interpreter runs (the probe's; None: not counted)."""
        return self.probe.line_counts if self.probe is not None else None

    @property
    def all_loops(self) -> list[CompiledLoop]:
        """The most recently compiled loops (live or retired), oldest first, at most `history` of them."""
        return list(self.history)

    # ------------------------------------------------------------------ activation
    def activate(self) -> None:
        self.active += 1
        if self.active > 1:
            if self.hooks is not None:
                self.hooks.enter_thread()       # settrace (3.11) is per thread
            return
        if self.off_reason:
            return
        try:
            self.hooks = make_hooks(self)
            self.hooks.install()
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

    def _make_callback_guard(self):
        word = recursion_remaining(LAYOUTS[VERSION])
        if word is None:
            return None, "the thread state's recursion counter did not check out"
        try:
            from .execmem import CodeMemory
            from .native_callback import CallbackGuard
            guard = CallbackGuard(CodeMemory(), LAYOUTS[VERSION].tstate_recursion_remaining)
        except (OSError, AttributeError, ImportError) as e:
            return None, f"{type(e).__name__}: {e}"
        return (guard, None) if guard.works() else (None, "the guard's start-up check failed")

    def deactivate(self) -> None:
        self.active -= 1
        if self.active > 0 and self.hooks is not None:
            self.hooks.leave_thread()
        if self.active == 0 and self.hooks is not None:
            if self.recording is not None:
                self._stop_recording()
            self.hooks.uninstall()
            self.hooks = None
            self._reap()

    # ------------------------------------------------------------------ hook callbacks
    def backedge(self, frame, code, src: int, header: int) -> bool:
        if self.depth:              # a back-edge in program code that runs inside our callback (a __del__)
            return False
        self.depth = 1
        site = None
        try:
            if self.recursion_hit:
                self._after_recursion_limit()
            if self._dead or self._zombies:
                self._reap()
            sites = self.sites.get(code)
            if sites is None:
                sites = self.sites[code] = {}
            site = sites.get(header)
            if site is None:
                site = sites[header] = LoopSite(loop_name(code, header), header)
                self.stats.loops_seen += 1
                if self.log.on:
                    at = instructions_at(code).get(header)
                    self.log("seen", loop=site.name, file=code.co_filename, line=at[0].line if at else None)
            rec = self.recording
            if rec is not None:
                if frame is rec.frame:
                    if header != rec.recorder.header_pc and rec.loop is None:
                        self._abort(rec, "inner loop")
                    return False
                rec.idle += 1
                if rec.idle > 10_000:
                    self._abort(rec, ABANDONED)
            if site.versions:
                self._enter(frame, site)
                return False
            if site.blacklisted:
                return True
            site.count += 1
            if site.count >= self.params.threshold and self.recording is None:
                self._start_recording(frame, code, header, site)
            return False
        except RecursionError:       # near the program's recursion limit: the hook stays out of its way
            raise
        except Exception as e:       # never let a JIT bug reach the program
            return self._callback_failed(site, e)
        finally:
            self.depth = 0

    def instruction(self, frame, code, offset: int) -> None:
        rec = self.recording
        if rec is None or frame is not rec.frame:
            return
        if self.depth:      # another thread is inside a JIT callback (it was switched out there)
            rec.missed = True
            return
        self.depth = 1
        try:
            if self.recursion_hit:
                self._after_recursion_limit()
                return
            if rec.missed:
                raise RecordAbort(INTERRUPTED)
            if rec.recorder.step(offset, rec.view):
                self._finish_recording(rec)
        except RecordAbort as e:
            self._abort(rec, str(e))
        except RecursionError:
            raise
        except Exception as e:
            self._callback_failed(rec.site, e)
        finally:
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
    def _start_recording(self, frame, code, header: int, site: LoopSite) -> None:
        if foreign_tool_active(code):
            return
        self.stats.loops_hot += 1
        self.log("hot", loop=site.name, count=site.count)
        base = self.fa.stack_depth(self.fa.iframe(frame), code)
        if base < 0:
            return
        rec = TraceRecorder(code, header, base, trace_limit=self.params.trace_limit)
        self.recording = Recording(rec, frame, code, site, FrameView(self.fa, frame), started=time.perf_counter())
        self.hooks.start_recording(code, frame)

    def _start_bridge(self, loop: CompiledLoop, info: ExitInfo, frame, site: LoopSite) -> None:
        if self.recording is not None:
            return
        code = frame.f_code
        start = BridgeStart(loop.layout, info.snapshot)
        rec = TraceRecorder(code, loop.header_pc, loop.base_depth, trace_limit=self.params.trace_limit,
                            bridge=start)
        info.bridge = "recording"
        self.recording = Recording(rec, frame, code, site, FrameView(self.fa, frame), loop, info,
                                   started=time.perf_counter())
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

    def _abort(self, rec: Recording, reason: str) -> None:
        self._stop_recording()
        self.stats.aborts[reason] = self.stats.aborts.get(reason, 0) + 1
        site = rec.site
        if rec.loop is not None:
            info = rec.exit
            retry = reason in RETRYABLE and info.bridge_retries < MAX_RETRIES
            info.bridge_retries += retry
            info.bridge = "none" if retry else "blocked"     # "none": recorded again at its next failure
            self.log("bridge_abort", loop=site.name, exit=info.exit_id, reason=reason)
            return
        if reason in RETRYABLE:
            # failed by chance, not because of the loop: try again at the next back-edge
            site.retries += 1
            if site.retries < MAX_RETRIES:
                site.count = self.params.threshold - 1
                self.log("abort", loop=site.name, reason=reason, retry=site.retries)
                return
            if reason == LOOP_LEFT:
                # the loop ran short iterations for a while (e.g. the border of a Julia set): that says
                # nothing about later data, so it is tried again, ever more rarely, but not blacklisted
                backoff = 2 ** min(site.retries - MAX_RETRIES + 1, MAX_LOOP_LEFT_BACKOFF)
                site.count = self.params.threshold - self.params.threshold * backoff
                self.log("abort", loop=site.name, reason=reason, retry=site.retries, backoff=backoff)
                return
        site.aborts += 1
        self.log("abort", loop=site.name, reason=reason, attempt=site.aborts)
        if site.aborts >= self.params.max_aborts:
            self._blacklist(site, rec.code)
        else:   # back off: wait longer before the next attempt
            site.count = self.params.threshold - self.params.threshold * (2 ** site.aborts)

    def _blacklist(self, site: LoopSite, code) -> None:
        if site.blacklisted:
            return
        site.blacklisted = True
        self.stats.blacklisted += 1
        self.log("blacklist", loop=site.name)
        sites = self.sites.get(code)
        if (hasattr(self.hooks, "silence") and sites is not None
                and all(h in sites and sites[h].blacklisted and not sites[h].versions for h in loop_headers(code))):
            self.hooks.silence(code)

    def _finish_recording(self, rec: Recording) -> None:
        self._stop_recording()
        self.stats.traces_recorded += 1
        code = rec.code
        name = rec.site.name
        t0 = time.perf_counter()
        try:
            if rec.loop is None:
                trace = rec.recorder.finish(name, code.co_filename)
                self._compile_loop(rec, trace)
            else:
                trace = rec.recorder.finish(f"{name}/exit{rec.exit.exit_id}", code.co_filename)
                self._compile_bridge(rec, trace)
        except (IRError, ValueError, CodeMemoryFull) as e:
            self._abort(rec, f"compile: {e}")
        except Exception as e:
            if not isinstance(e, backend.CompileError):
                raise
            self._abort(rec, f"compile: {e}")
        finally:
            self.stats.compiling_seconds += time.perf_counter() - t0

    def _assign_exits(self, loop: CompiledLoop, trace: Trace, code) -> None:
        for op in trace.ops:
            snap = op.snapshot
            if snap is None:
                continue
            snap.exit_id = loop.new_exit_id()
            stack, j = [], 0
            while j < len(snap.stack):
                if j in snap.complex_at:
                    stack.append(((loop.layout.slot(stack_var(j)), loop.layout.slot(stack_var(j + 1))), COMPLEX))
                    j += 2
                else:
                    stack.append((loop.layout.slot(stack_var(j)), snap.stack[j].kind))
                    j += 1
            kinds = {loop.layout.slot(sv): v.kind for sv, v in snap.state.items()
                     if loop.layout.kinds.get(sv) is not v.kind}
            loop.add_exit(ExitInfo(snap.exit_id, snap.pc, stack, format_op(op, False),
                                   exit_reason(op.name, snap.pc, loop.header_pc), trace.name, snap,
                                   resume_pc=resume_offset(code, snap.pc), kinds=kinds, popped=snap.popped,
                                   # only the runtime empties a full graveyard: a bridge would fail at once
                                   bridge="blocked" if op.name == "guard_graveyard" else "none"))

    def _compile_loop(self, rec: Recording, trace: Trace) -> None:
        t0 = time.perf_counter()
        verify(trace)
        opt, stages = optimize(trace) if self.params.optimize else (trace, [])
        loop = CompiledLoop(rec.code, trace.header_pc, opt.layout, trace.base_depth, self.fa, rec.site.name)
        self._assign_exits(loop, opt, rec.code)
        if self.params.native:
            self._native_setup()
            ext = backend.Externals(bridge_table=ctypes.addressof(loop.bridge_table),
                                    exit_counts=ctypes.addressof(loop.exit_counts),
                                    graveyard=ctypes.addressof(loop.graveyard), **self.ext)
            loop.ext = ext
            loop.release = self.release
            mc = backend.assemble(opt, ext)
            addr, size = self._place(mc.code, loop), len(mc.code)
            loop.entry = self.make_entry(addr + mc.entry)
            loop.addresses = backend.LoopAddresses(reentry=addr + mc.reentry, epilogue=addr + mc.epilogue)
            groups = backend.listing_groups(mc, addr)
            listing = backend.format_groups(groups)
        else:
            loop.entry, addr, size, groups, listing = InterpretedLoop(opt, loop.buffer), 0, 0, [], "(interpreted)"
        secs = time.perf_counter() - t0
        loop.blocks.append(NativeBlock(opt, addr, size, listing, groups, stages, secs))
        rec.site.versions.insert(0, loop)
        rec.site.rejects = 0
        self.live.append(loop)
        self.history.append(loop)
        self.stats.traces_compiled += 1
        self.stats.code_bytes += size
        self.log("compiled", loop=trace.name, ops=len(opt.ops), bytes=size, exits=len(loop.exits),
                 seconds=round(secs, 6))

    def _native_setup(self) -> None:
        """Executable memory and libm addresses, loaded at the first compile (cffi is slow to import)."""
        if self.mem is None:
            from .execmem import CodeMemory, libm_address, make_entry
            self.mem = CodeMemory()
            self.make_entry = make_entry
            self.ext = {name: libm_address(name) for name in ("fmod", "floor", "pow", "copysign", "ceil", "sin",
                                                                "cos", "tan", "exp", "log", "hypot")}
            self.ext["long_tagged"] = LAYOUTS[VERSION].long_tagged
            self.ext["sse41"] = cpu_has_sse41()
            self.ext.update(c_api_addresses())
            stub = backend.release_stub(self.ext["decref"]).code
            self.release = make_entry(self.mem.place(stub))      # lives as long as the engine

    def _compile_bridge(self, rec: Recording, trace: Trace) -> None:
        t0 = time.perf_counter()
        loop = rec.loop
        if loop.retired:
            raise CodeMemoryFull(f"its loop was {loop.retired}")
        verify(trace)
        opt, stages = optimize(trace) if self.params.optimize else (trace, [])
        self._assign_exits(loop, opt, rec.code)
        if self.params.native:
            mc = backend.assemble(opt, loop.ext, loop.addresses)
            addr, size = self._place(mc.code, loop), len(mc.code)
            groups = backend.listing_groups(mc, addr)
            listing = backend.format_groups(groups)
            loop.bridge_table[rec.exit.exit_id] = addr + mc.entry
        else:
            loop.entry.bridges[rec.exit.exit_id] = opt
            addr, size, groups, listing = 0, 0, [], "(interpreted)"
        loop.layout_changed()
        rec.exit.bridge = "compiled"
        secs = time.perf_counter() - t0
        loop.blocks.append(NativeBlock(opt, addr, size, listing, groups, stages, secs, rec.exit.exit_id))
        self.stats.bridges_compiled += 1
        self.stats.code_bytes += size
        self.log("bridge_compiled", loop=trace.name, exit=rec.exit.exit_id, ops=len(opt.ops), bytes=size,
                 seconds=round(secs, 6))

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
        if site is not None and loop in site.versions:
            site.versions.remove(loop)
            site.count = 0
        rec = self.recording
        if rec is not None and rec.loop is loop:
            self._abort(rec, f"loop {reason}")
        if loop in self.live:
            self.live.remove(loop)
        if loop.retire(reason):
            self._free(loop)
        else:
            self._zombies.append(loop)
        self.log("retired", loop=loop.name, reason=reason)

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
    def _enter(self, frame, site: LoopSite) -> None:
        """Run the first compiled version of the loop whose entry checks accept the frame (the types of its
        variables); the one that ran moves to the front. When none accepts for `reject_limit` entries in a
        row, a new version is recorded (at most MAX_VERSIONS; beyond that the least recently used one is
        dropped)."""
        if foreign_tool_active(frame.f_code):
            return
        for loop in site.versions:
            budget = loop.budget
            self.entry_clock += 1
            loop.last_entry = self.entry_clock
            t0 = time.perf_counter_ns()
            try:
                info = loop.run(frame, budget)
                loop.native_ns += time.perf_counter_ns() - t0
            except EntryRejected as e:
                if loop.busy or loop.retired:
                    return
                self.stats.entry_rejections += 1
                loop.consecutive_rejects += 1
                if loop.consecutive_rejects == 1:
                    self.log("entry_rejected", loop=loop.name, reason=str(e))
                continue
            break
        else:
            site.rejects += 1
            if site.rejects < self.params.reject_limit:
                return
            # the frame's types keep differing from those of every version: record one for them
            site.rejects = 0
            if len(site.versions) >= MAX_VERSIONS:
                self._drop(site.versions[-1], site, "entry rejected: the least recently used of its versions")
            if self.recording is None and not site.blacklisted:
                self.log("new_version", loop=site.name, versions=len(site.versions))
                self._start_recording(frame, frame.f_code, site.header, site)
            return
        if site.versions[0] is not loop:
            site.versions.remove(loop)
            site.versions.insert(0, loop)
        site.rejects = 0
        loop.consecutive_rejects = 0
        self.stats.native_entries += 1
        loop.native_iterations += budget - loop.buffer[BUDGET_SLOT]   # exits store the budget left
        if info.reason == "budget":
            self.stats.budget_exits += 1
            dt = max(time.perf_counter_ns() - t0, 1)
            loop.budget = max(1000, min(int(budget * self.slice_ns / dt), 1 << 40))
            return
        self.stats.guard_failures += 1
        info.fails += 1
        if info.fails & (info.fails - 1) == 0:      # log 1st, 2nd, 4th, 8th ... failure of each guard
            self.log("guard_failure", loop=info.trace_name, exit=info.exit_id, pc=info.pc, reason=info.reason,
                     guard=info.guard, fails=info.fails)
        if loop.retired:
            return
        if info.bridge == "none" and info.fails >= self.params.bridge_threshold:
            # a loop exit that keeps being taken is usually an inner loop finishing: a bridge through the
            # enclosing loop back into this header keeps the whole nest in machine code
            self._start_bridge(loop, info, frame, site)
        elif (info.bridge == "blocked" and loop.entries >= MIN_ENTRIES_TO_JUDGE
              and loop.native_iterations < self.params.short_run * loop.entries):
            # native runs too short to pay for entering them, and the exit that ends them cannot be bridged
            self._drop(loop, site, f"native runs average {loop.native_iterations / loop.entries:.1f} iterations")
            self._blacklist(site, frame.f_code)

    def _drop(self, loop: CompiledLoop, site: LoopSite, reason: str) -> None:
        """Give up on a compiled loop: free it; after max_aborts drops the loop is blacklisted."""
        self.stats.loops_dropped += 1
        self.log("dropped", loop=loop.name, reason=reason)
        self._retire(loop, f"dropped: {reason}")
        site.aborts += 1
        if site.aborts >= self.params.max_aborts and loop.code is not None:
            self._blacklist(site, loop.code)

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
