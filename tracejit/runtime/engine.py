"""The JIT engine: the one runtime object. It receives back-edges and instructions from the hooks, counts
loops, drives recordings, compiles traces (recorder -> optimizer -> backend), enters machine code and
handles its exits (deoptimization, bridges, blacklisting), and keeps the statistics and the events log.

Every callback is wrapped so that an internal error turns the JIT off for that loop instead of reaching
the user's program.

May import: every earlier stage (hooks, recorder, ir, optimizer, backend), tracejit.cpython, tracejit.params,
tracejit.runtime.*, the standard library.
"""
from __future__ import annotations

import ctypes
import json
import sys
import time
from dataclasses import dataclass, field

from tracejit.cpython.bytecode import loop_headers
from tracejit.cpython.layout import RANGE_ITER_TYPE, FrameAccess, frame_access_or_reason
from tracejit.hooks import HookError, foreign_tool_active, make_hooks
from tracejit.ir import BUDGET_SLOT, IRError, Trace, format_op, stack_var, verify
from tracejit.optimizer import optimize
from tracejit.params import Params
from tracejit.recorder import LOOP_LEFT, BridgeStart, RecordAbort, TraceRecorder

from .compiled import CompiledLoop, EntryRejected, ExitInfo, NativeBlock
from .interp_entry import InterpretedLoop

CO_OPTIMIZED = 0x0001
MIN_ENTRIES_TO_JUDGE = 200        # entries before deciding a compiled loop is not worth entering
MAX_LOOP_LEFT_RETRIES = 20       # recordings that ran off the loop's end before that counts as an abort


@dataclass
class Stats:
    loops_seen: int = 0
    loops_hot: int = 0
    traces_recorded: int = 0
    traces_compiled: int = 0
    bridges_compiled: int = 0
    aborts: dict = field(default_factory=dict)
    blacklisted: int = 0
    native_entries: int = 0
    entry_rejections: int = 0
    guard_failures: int = 0
    budget_exits: int = 0
    loops_dropped: int = 0
    internal_errors: int = 0
    recording_seconds: float = 0.0
    compiling_seconds: float = 0.0
    code_bytes: int = 0

    def as_dict(self) -> dict:
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.__dict__.items()}

    def text(self) -> str:
        d = self.as_dict()
        aborts = d.pop("aborts")
        lines = [f"  {k:<20} {round(v, 4) if isinstance(v, float) else v}" for k, v in d.items()]
        for reason, n in sorted(aborts.items(), key=lambda kv: -kv[1]):
            lines.append(f"  abort: {reason} x{n}")
        return "tracejit stats:\n" + "\n".join(lines)


class EventLog:
    """One JSON object per line: {"t": seconds, "event": ..., ...} (like LuaJIT's -jv, machine-readable)."""

    def __init__(self, path: str | None):
        self.file = open(path, "w", buffering=1) if path else None
        self.t0 = time.perf_counter()

    def __call__(self, event: str, **data) -> None:
        if self.file is not None:
            data = {"t": round(time.perf_counter() - self.t0, 6), "event": event, **data}
            self.file.write(json.dumps(data, default=str) + "\n")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class FrameView:
    """The recorder's window on the live frame (see tracejit.recorder.FrameView)."""

    def __init__(self, fa: FrameAccess, frame):
        self.fa = fa
        self.iframe = fa.iframe(frame)
        self.code = frame.f_code
        self.n = fa.nlocalsplus(self.code)
        self.globals = frame.f_globals
        self.module_level = not (self.code.co_flags & CO_OPTIMIZED) and frame.f_locals is frame.f_globals

    def local(self, index: int):
        return self.fa.read_slot(self.iframe, index)

    def stack(self, pos: int):
        return self.fa.read_slot(self.iframe, self.n + pos)

    def range_iter_state(self, it):
        if type(it) is not RANGE_ITER_TYPE:
            raise TypeError("not a range iterator")
        return self.fa.range_iter_state(it)


@dataclass
class Recording:
    recorder: TraceRecorder
    frame: object
    code: object
    key: tuple
    view: FrameView
    loop: CompiledLoop | None = None        # set for a bridge
    exit: ExitInfo | None = None
    started: float = 0.0
    idle: int = 0


def loop_name(code, header: int) -> str:
    return f"{code.co_name}:{code.co_firstlineno}@{header}"


def exit_reason(opname: str, pc: int, header: int) -> str:
    if opname == "guard_budget":
        return "budget"
    if opname in ("guard_true", "guard_false"):
        return "loop exit" if pc == header else "branch"
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
    def __init__(self, params: Params, log_path: str | None = None):
        self.params = params
        self.stats = Stats()
        self.log = EventLog(log_path)
        self.fa, self.off_reason = frame_access_or_reason()
        self.counters: dict[tuple, int] = {}
        self.loops: dict[tuple, CompiledLoop] = {}
        self.abort_counts: dict[tuple, int] = {}
        self.loop_left_counts: dict[tuple, int] = {}
        self.blacklist: set[tuple] = set()
        self.recording: Recording | None = None
        self.mem = None                 # executable memory, created at the first compile
        self.ext = None
        self.hooks = None
        self.active = 0
        self.all_loops: list[CompiledLoop] = []   # every loop ever compiled (for the visualizer/dump)
        self.slice_ns = int(params.slice_ms * 1e6)

    # ------------------------------------------------------------------ activation
    def activate(self) -> None:
        self.active += 1
        if self.active > 1 or self.off_reason:
            return
        try:
            self.hooks = make_hooks(self)
            self.hooks.install()
        except (HookError, OSError) as e:
            self.off_reason = str(e)
            self.hooks = None
            warn(f"JIT off: {e}")

    def deactivate(self) -> None:
        self.active -= 1
        if self.active == 0 and self.hooks is not None:
            if self.recording is not None:
                self._stop_recording()
            self.hooks.uninstall()
            self.hooks = None

    # ------------------------------------------------------------------ hook callbacks
    def backedge(self, frame, code, src: int, header: int) -> bool:
        key = (code, header)
        try:
            loop = self.loops.get(key)
            rec = self.recording
            if rec is not None:
                if frame is rec.frame:
                    if header != rec.recorder.header_pc and rec.loop is None:
                        self._abort(rec, "inner loop")
                    return False
                rec.idle += 1
                if rec.idle > 10_000:
                    self._abort(rec, "recording abandoned")
            if loop is not None:
                self._enter(loop, frame, key)
                return False
            if key in self.blacklist:
                return True
            n = self.counters.get(key, 0) + 1
            self.counters[key] = n
            if n == 1:
                self.stats.loops_seen += 1
            if n >= self.params.threshold and self.recording is None:
                self._start_recording(frame, code, header, key)
            return False
        except Exception as e:       # never let a JIT bug reach the program
            self._internal_error(key, e)
            return True

    def instruction(self, frame, code, offset: int) -> None:
        rec = self.recording
        if rec is None or frame is not rec.frame:
            return
        try:
            if rec.recorder.step(offset, rec.view):
                self._finish_recording(rec)
        except RecordAbort as e:
            self._abort(rec, str(e))
        except Exception as e:
            self._stop_recording()
            self._internal_error(rec.key, e)

    # ------------------------------------------------------------------ recording
    def _start_recording(self, frame, code, header: int, key: tuple) -> None:
        if foreign_tool_active():
            return
        self.stats.loops_hot += 1
        self.log("hot", loop=loop_name(code, header), count=self.counters[key])
        base = self.fa.stack_depth(self.fa.iframe(frame), code)
        if base < 0:
            return
        rec = TraceRecorder(code, header, base, trace_limit=self.params.trace_limit)
        self.recording = Recording(rec, frame, code, key, FrameView(self.fa, frame), started=time.perf_counter())
        self.hooks.start_recording(code, frame)

    def _start_bridge(self, loop: CompiledLoop, info: ExitInfo, frame, key: tuple) -> None:
        if self.recording is not None:
            return
        start = BridgeStart(loop.layout, info.snapshot)
        rec = TraceRecorder(loop.code, loop.header_pc, loop.base_depth, trace_limit=self.params.trace_limit,
                            bridge=start)
        info.bridge = "recording"
        self.recording = Recording(rec, frame, loop.code, key, FrameView(self.fa, frame), loop, info,
                                   started=time.perf_counter())
        self.hooks.start_recording(loop.code, frame)
        self.log("bridge_recording", loop=loop_name(loop.code, loop.header_pc), exit=info.exit_id, pc=info.pc)

    def _stop_recording(self) -> None:
        rec = self.recording
        self.recording = None
        if rec is not None:
            self.stats.recording_seconds += time.perf_counter() - rec.started
            self.hooks.stop_recording(rec.code, rec.frame)

    def _abort(self, rec: Recording, reason: str) -> None:
        self._stop_recording()
        self.stats.aborts[reason] = self.stats.aborts.get(reason, 0) + 1
        name = loop_name(rec.code, rec.recorder.header_pc)
        if rec.loop is not None:
            rec.exit.bridge = "blocked"
            self.log("bridge_abort", loop=name, exit=rec.exit.exit_id, reason=reason)
            return
        if reason == LOOP_LEFT:
            # the recorded iteration happened to be the last one: try again at the next back-edge
            left = self.loop_left_counts.get(rec.key, 0) + 1
            self.loop_left_counts[rec.key] = left
            if left < MAX_LOOP_LEFT_RETRIES:
                self.counters[rec.key] = self.params.threshold - 1
                self.log("abort", loop=name, reason=reason, retry=left)
                return
        n = self.abort_counts.get(rec.key, 0) + 1
        self.abort_counts[rec.key] = n
        self.log("abort", loop=name, reason=reason, attempt=n)
        if n >= self.params.max_aborts:
            self._blacklist(rec.key)
        else:   # back off: wait longer before the next attempt
            self.counters[rec.key] = self.params.threshold - self.params.threshold * (2 ** n)

    def _blacklist(self, key: tuple) -> None:
        if key in self.blacklist:
            return
        self.blacklist.add(key)
        self.stats.blacklisted += 1
        self.log("blacklist", loop=loop_name(*key))
        code = key[0]
        if hasattr(self.hooks, "silence") and all((code, h) in self.blacklist for h in loop_headers(code)):
            self.hooks.silence(code)

    def _finish_recording(self, rec: Recording) -> None:
        self._stop_recording()
        self.stats.traces_recorded += 1
        code = rec.code
        name = loop_name(code, rec.recorder.header_pc)
        t0 = time.perf_counter()
        try:
            if rec.loop is None:
                trace = rec.recorder.finish(name, code.co_filename)
                self._compile_loop(rec, trace)
            else:
                trace = rec.recorder.finish(f"{name}/exit{rec.exit.exit_id}", code.co_filename)
                self._compile_bridge(rec, trace)
        except (IRError, ValueError) as e:
            self._abort(rec, f"compile: {e}")
            return
        except Exception as e:
            if not isinstance(e, backend.CompileError):
                raise
            self._abort(rec, f"compile: {e}")
            return
            self._abort(rec, f"compile: {e}")
            return
        finally:
            self.stats.compiling_seconds += time.perf_counter() - t0

    def _assign_exits(self, loop: CompiledLoop, trace: Trace) -> None:
        for op in trace.ops:
            snap = op.snapshot
            if snap is None:
                continue
            snap.exit_id = loop.new_exit_id()
            stack = [(loop.layout.slot(stack_var(j)), v.kind) for j, v in enumerate(snap.stack)]
            loop.add_exit(ExitInfo(snap.exit_id, snap.pc, stack, format_op(op, False),
                                   exit_reason(op.name, snap.pc, loop.header_pc), trace.name, snap))

    def _compile_loop(self, rec: Recording, trace: Trace) -> None:
        t0 = time.perf_counter()
        verify(trace)
        opt, stages = optimize(trace) if self.params.optimize else (trace, [])
        loop = CompiledLoop(rec.code, trace.header_pc, opt.layout, trace.base_depth, self.fa)
        self._assign_exits(loop, opt)
        if self.params.native:
            self._native_setup()
            ext = backend.Externals(bridge_table=ctypes.addressof(loop.bridge_table), **self.ext)
            loop.ext = ext
            mc = backend.assemble(opt, ext)
            addr, size = self.mem.place(mc.code), len(mc.code)
            loop.entry = self.make_entry(addr + mc.entry)
            loop.addresses = backend.LoopAddresses(reentry=addr + mc.reentry, epilogue=addr + mc.epilogue)
            listing = backend.format_listing(mc, addr)
        else:
            loop.entry, addr, size, listing = InterpretedLoop(opt, loop.buffer), 0, 0, "(interpreted)"
        secs = time.perf_counter() - t0
        loop.blocks.append(NativeBlock(opt, addr, size, listing, stages, secs))
        self.loops[rec.key] = loop
        self.all_loops.append(loop)
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
            self.ext = {name: libm_address(name) for name in ("fmod", "floor", "pow", "copysign")}

    def _compile_bridge(self, rec: Recording, trace: Trace) -> None:
        t0 = time.perf_counter()
        loop = rec.loop
        verify(trace)
        opt, stages = optimize(trace) if self.params.optimize else (trace, [])
        self._assign_exits(loop, opt)
        if self.params.native:
            mc = backend.assemble(opt, loop.ext, loop.addresses)
            addr, size = self.mem.place(mc.code), len(mc.code)
            listing = backend.format_listing(mc, addr)
            loop.bridge_table[rec.exit.exit_id] = addr + mc.entry
        else:
            loop.entry.bridges[rec.exit.exit_id] = opt
            addr, size, listing = 0, 0, "(interpreted)"
        loop.layout_changed()
        rec.exit.bridge = "compiled"
        secs = time.perf_counter() - t0
        loop.blocks.append(NativeBlock(opt, addr, size, listing, stages, secs))
        self.stats.bridges_compiled += 1
        self.stats.code_bytes += size
        self.log("bridge_compiled", loop=trace.name, exit=rec.exit.exit_id, ops=len(opt.ops), bytes=size,
                 seconds=round(secs, 6))

    # ------------------------------------------------------------------ running
    def _enter(self, loop: CompiledLoop, frame, key: tuple) -> None:
        if foreign_tool_active():
            return
        budget = loop.budget
        t0 = time.perf_counter_ns()
        try:
            info = loop.run(frame, budget)
        except EntryRejected as e:
            if loop.busy:
                return
            self.stats.entry_rejections += 1
            loop.consecutive_rejects += 1
            if loop.consecutive_rejects == 1:
                self.log("entry_rejected", loop=loop_name(loop.code, loop.header_pc), reason=str(e))
            if loop.consecutive_rejects >= self.params.reject_limit:
                self._drop(loop, key, f"entry rejected: {e}")
            return
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
        if info.bridge == "none" and info.fails >= self.params.bridge_threshold:
            # a loop exit that keeps being taken is usually an inner loop finishing: a bridge through the
            # enclosing loop back into this header keeps the whole nest in machine code
            self._start_bridge(loop, info, frame, key)
        elif (info.bridge == "blocked" and loop.entries >= MIN_ENTRIES_TO_JUDGE
              and loop.native_iterations < self.params.short_run * loop.entries):
            # native runs too short to pay for entering them, and the exit that ends them cannot be bridged
            self._drop(loop, key, f"native runs average {loop.native_iterations / loop.entries:.1f} iterations")
            self._blacklist(key)

    def _drop(self, loop: CompiledLoop, key: tuple, reason: str) -> None:
        """Forget a compiled loop (its code stays mapped: a native run may not be in progress, but cheap)."""
        self.loops.pop(key, None)
        self.stats.loops_dropped += 1
        self.counters[key] = 0
        self.log("dropped", loop=loop_name(loop.code, loop.header_pc), reason=reason)
        n = self.abort_counts.get(key, 0) + 1
        self.abort_counts[key] = n
        if n >= self.params.max_aborts:
            self._blacklist(key)

    def _internal_error(self, key: tuple, e: Exception) -> None:
        self.stats.internal_errors += 1
        self.loops.pop(key, None)
        self.blacklist.add(key)
        self.log("internal_error", loop=loop_name(*key) if key else "?", error=f"{type(e).__name__}: {e}")
        if self.stats.internal_errors == 1:
            warn(f"internal error, loop left to the interpreter: {type(e).__name__}: {e}")


def warn(message: str) -> None:
    print(f"tracejit: {message}", file=sys.stderr)
