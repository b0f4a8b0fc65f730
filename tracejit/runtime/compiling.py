"""Turning a finished recording into machine code: verify and optimize the trace, give every guard its exit,
assemble the loop or the bridge and place it (the engine's `_place` evicts when the code memory limit would
be passed). Imported when the first recording ends, with the compiled-loop runtime, the optimizer and the
backend; functions of the one Engine.

May import: tracejit.ir, tracejit.optimizer, tracejit.backend, tracejit.cpython, tracejit.runtime.*, the
standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import time

import tracejit.backend as backend
from tracejit.cpython.bytecode import resume_offset
from tracejit.cpython.instances import instance_values
from tracejit.cpython.layout import LAYOUTS, VERSION, c_api_address, c_api_addresses, cpu_has_sse41
from tracejit.ir.ops import PY_FUNCTIONS, calls_python
from tracejit.ir import OPS, Const, IRError, Kind, StateVar, Trace, Var, format_op, inner_var, stack_var, verify
from tracejit.optimizer import (RefcountError, check_shared_stores, keeps_in_graveyard, optimize_stages,
                                owned_loop_variables, place_releases)

from .compiled import COMPLEX, TUPLE, CompiledLoop, ExitInfo, InnerFrame, NativeBlock
from .engine import CodeMemoryFull
from . import native_entry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .engine import Engine
    from .recording import Recording


def exit_reason(opname: str, pc: int, header: int, hoisted: bool = False) -> str:
    """Why the exit of op `opname` resuming at `pc` is taken: the op table's exit_reason (or the op's name),
    except that a branch or bounds guard failing at the loop's header is the loop ending (not one the optimizer
    moved into the loop's preamble, `hoisted`, which exits at the header too)."""
    reason = OPS[opname].exit_reason
    if reason in ("branch", "bounds") and pc == header and not hoisted:
        return "loop exit"
    return reason or opname


def finish_recording(self: Engine, rec: Recording) -> None:
    """A recording reached its end: compile it (a loop or a bridge), or abort it with the reason."""
    code = rec.code
    name = rec.site.name
    t0 = time.perf_counter()
    try:
        if rec.loop is None:
            trace = rec.recorder.finish(name, code.co_filename)
            compile_loop(self, rec, trace)
        else:
            # (the recording's end adds the bridge's variables to the loop's layout: a compile that fails takes
            # them back, or the loop's next write-back would look for slots its round trip does not have)
            saved = rec.loop.layout.checkpoint()
            try:
                trace = rec.recorder.finish(f"{name}/exit{rec.exit.exit_id}", code.co_filename)
                compile_bridge(self, rec, trace)
            except BaseException:
                rec.loop.layout.restore(saved)
                rec.loop.layout_changed()
                raise
    except (IRError, ValueError, CodeMemoryFull) as e:
        self._abort(rec, f"compile: {e}", getattr(e, "hint", None))
    except Exception as e:
        if not isinstance(e, backend.CompileError):
            raise
        self._abort(rec, f"compile: {e}")
    finally:
        self.stats.compiling_seconds += time.perf_counter() - t0


def assign_exits(self: Engine, loop: CompiledLoop, trace: Trace, code, inherited: list[StateVar] = ()) -> None:
    """Give every guard of `trace` its exit. `inherited`: a bridge's variables whose objects its exit owned and
    which it neither reads nor writes: they stay in the state buffer, owned, at each of its exits too. (What an
    exit takes from its snapshot alone is made once per snapshot: guards in a row share theirs.)"""
    start = trace.start_pc if trace.kind == "bridge" else None
    places: dict[int, tuple] = {}
    retained_by: dict[tuple, tuple] = {}
    inherited_set = set(inherited)
    hoisted = {id(op) for op in trace.ops[1:trace.preamble + 1]} if trace.kind == "loop" else set()
    for op in trace.ops:
        if op.pc != start and op.pc >= 0:
            start = None                # (the bridge has left its first instruction; releases have no pc)
        snap = op.snapshot
        if snap is None:
            continue
        op.exit_id = loop.new_exit_id()
        known = places.get(id(snap))
        if known is None:
            known = places[id(snap)] = _exit_places(loop, snap, code)
        root, stack, kinds, inner, entries, resume_pc = known
        # OpDef.no_bridge; a call's exception is raised where the exit resumes. (A bridge from inside inlined
        # calls resumes them: recorder.inline.resumed_frames)
        blocked = OPS[op.name].no_bridge or OPS[op.name].runs_python
        owned_vars = _owned_places(op, entries) + list(inherited)
        blocked = blocked or _owned_also_borrowed(trace, op, entries, owned_vars)
        retained_key = (id(snap), tuple(id(v) for v in op.owned))
        retained = retained_by.get(retained_key)
        if retained is None:
            retained = retained_by[retained_key] = _retained_slots(loop, op, entries, inherited_set)
        loop.add_exit(ExitInfo(op.exit_id, root.pc, list(stack), format_op(op, False),
                               exit_reason(op.name, root.pc, loop.header_pc, id(op) in hoisted),
                               trace.name, snap,
                               resume_pc=resume_pc, kinds=dict(kinds), popped=root.popped,
                               bridge="blocked" if blocked else "none", frame=op.frame, inner=list(inner),
                               owned_vars=owned_vars, owned=[loop.layout.slot(sv) for sv in owned_vars],
                               immediate=start is not None, own_retain=list(retained[0]), stored=retained[1]))


def _exit_places(loop: CompiledLoop, snap, code) -> tuple:
    """What every exit with snapshot `snap` has in common: (its root frame, the (slot, kind) of each value-stack
    item, the slots whose value is not of the loop's kind there, the inlined frames it rebuilds, the snapshot's
    exit_entries(), the offset where the frame resumes)."""
    slot = loop.layout.slot
    root = snap.frames()[0]         # an exit inside inlined calls: the loop's frame stopped at its CALL
    stack, j, tuples = [], 0, dict(root.tuples_at)
    while j < len(root.stack):
        if j in root.complex_at:
            stack.append(((slot(stack_var(j)), slot(stack_var(j + 1))), COMPLEX))
            j += 2
        elif j in tuples:
            stack.append((tuple((slot(stack_var(k)), root.stack[k].kind) for k in range(j, j + tuples[j])), TUPLE))
            j += tuples[j]
        else:
            stack.append((slot(stack_var(j)), root.stack[j].kind))
            j += 1
    loop_kinds = loop.layout.kinds
    kinds = {slot(sv): v.kind for sv, v in root.state.items() if loop_kinds.get(sv) is not v.kind}
    inner = [InnerFrame(s.code, resume_offset(s.code, s.pc),
                        [(sv.key, slot(inner_var(k)), s.state[sv].kind) for sv, k in locals_],
                        [(slot(inner_var(k)), v.kind) for k, v in zip(stack_at, s.stack)])
             for s, locals_, stack_at in snap.inner_frames()]
    return root, stack, kinds, inner, snap.exit_entries(), resume_offset(code, root.pc)


def _retained_slots(loop: CompiledLoop, op, entries: list, inherited) -> tuple[list[int], frozenset]:
    """ExitInfo's `own_retain`, the slots of the objects the exit of guard `op` leaves in the state buffer without
    owning them (every object but the constants, what it owns and a bridge's owned variables), and `stored`, the
    slots its snapshot stores (`entries`: its exit_entries())."""
    owned = {id(v) for v in op.owned}
    slot, own, stored = loop.layout.slot, [], set()
    for sv, v in entries:
        if sv.where == "release":
            continue
        stored.add(slot(sv))
        if type(v) is Var and v.kind is Kind.REF and id(v) not in owned and sv not in inherited:
            own.append(slot(sv))
    return own, frozenset(stored)


def _owned_places(op, entries: list) -> list[StateVar]:
    """Where the exit of guard `op` stores each new object it owns (the first place holding it; `entries`: its
    snapshot's exit_entries()): the runtime releases them there after the write-back, or a bridge takes them over
    as inputs."""
    if not op.owned:
        return []
    place: dict[int, StateVar] = {}
    for sv, v in entries:
        place.setdefault(id(v), sv)
    missing = [v for v in op.owned if id(v) not in place]
    if missing:
        raise RefcountError(f"the exit of {op.name} would own {missing[0]!r}, which it does not store")
    return [place[id(v)] for v in op.owned]


def _owned_also_borrowed(trace: Trace, op, entries: list, owned_vars: list[StateVar]) -> bool:
    """Whether an object the exit of guard `op` owns is also in a variable the loop borrows, besides the place
    that owns it (`owned_vars`): a bridge from that exit would jump back with the variable borrowing an object
    only another variable keeps, which the loop may release in its next iteration (`last = t2` on a bridge's
    path, t2 a new str: fuzzer seed 94568, a crash). Such an exit gets no bridge: the runtime writes the frame
    back (every variable takes its own reference), then releases what the exit owns."""
    if not op.owned:
        return False
    owned, places, loop_owned = {id(v) for v in op.owned}, set(owned_vars), trace.layout.owned
    return any(id(v) in owned and sv not in places and sv not in loop_owned
               and sv.where not in ("stack", "base", "release", "inner") for sv, v in entries)


def _kept_at_exit(info: ExitInfo, loop_owned, strs: set[StateVar]) -> tuple[set[StateVar], set[StateVar]]:
    """The places of an exit (any frame's: a stack item, an inlined frame's local) other than those of the
    loop's owned variables that hold an object the exit owns in one of those variables (`last = pick(t2, last)`
    with t2 a new str, an exit inside the inlined pick: its `a` is t2's object), and those of them whose object
    is a new str (the owning variable among `strs`: _strs_at_exit). A bridge that leaves such an input in a variable the loop borrows gives it a reference of its
    own (refcounts.place_releases' `kept_at_start`): the loop releases the object with its variable (a crash
    before: the variable kept pointing at a freed object, and an exit wrote it back)."""
    entries = info.snapshot.exit_entries()
    by_place = dict(entries)
    owned = {id(by_place[sv]): sv for sv in info.owned_vars if sv in loop_owned and sv in by_place}
    if not owned:
        return set(), set()
    kept = {sv for sv, v in entries if id(v) in owned and owned[id(v)] != sv and sv.where != "release"}
    return kept, {sv for sv in kept if owned[id(by_place[sv])] in strs}


def _strs_at_exit(info: ExitInfo) -> set[StateVar]:
    """The loop's variables whose object at an exit is a constant or a new str the exit owns (in any place)."""
    entries = dict(info.snapshot.frames()[0].entries())
    owned = {id(entries[sv]) for sv in info.owned_vars if sv in entries}
    return {sv for sv, v in entries.items() if isinstance(v, Const) or id(v) in owned}


def _synced(layout) -> frozenset:
    return frozenset(sv for sv in layout.slots if sv.where in ("fast", "global", "complex"))


def _check_synced_layout(loop: CompiledLoop, bridge: Trace) -> None:
    """The syncs of a loop's traces write back the locals the loop's layout had when each was compiled: once a
    loop has calls that may run Python code, a bridge may not add a variable to it."""
    if loop.syncs:
        new = _synced(bridge.layout) - loop.synced
        if new:
            raise backend.CompileError(f"a bridge would add {min(new, key=str)} to a loop with calls that may "
                                       f"run Python code")
    elif calls_python(bridge.ops):
        loop.synced = _synced(bridge.layout)


def _with_releases(trace: Trace, owned_inputs, stages: list, strs_at_start=frozenset(),
                   kept_at_start=frozenset()) -> Trace:
    """place_releases on the trace to be compiled, shown as the last stage when it changed anything; the
    result is verified (the optimizer's passes are not verified one by one here: what is compiled is)."""
    out = place_releases(trace, owned_inputs, strs_at_start, kept_at_start)
    if out is not trace:
        stages.append(("place_releases", out))
    verify(out)
    check_shared_stores(out)
    return out


def _listing_source(mc, addr: int):
    """What a NativeBlock calls to make its listing (groups and text) when it is first read."""
    def source() -> tuple[list, str]:
        groups = backend.listing_groups(mc, addr)
        return groups, backend.format_groups(groups)
    return source


def compile_loop(self: Engine, rec: Recording, trace: Trace) -> None:
    t0 = time.perf_counter()
    verify(trace)
    opt, stages = optimize_stages(trace, check=False) if self.params.optimize else (trace, [])
    opt.layout.owned = owned_loop_variables(opt)
    opt = _with_releases(opt, opt.layout.owned, stages)
    loop = CompiledLoop(rec.code, trace.header_pc, opt.layout, trace.base_depth, self.fa, rec.site.name)
    loop.syncs = opt.layout.calls_python = calls_python(opt.ops)
    opt.layout.writes_globals = rec.recorder.writes_globals
    loop.synced = _synced(opt.layout)
    loop.host = self
    loop.instructions = len(rec.recorder.recorded)
    assign_exits(self, loop, opt, rec.code)
    loop.owned_slots = [opt.layout.slot(sv) for sv in opt.layout.owned] if self.params.native else []
    if self.params.native:
        native_setup(self)
        ext = backend.Externals(bridge_table=ctypes.addressof(loop.bridge_table),
                                exit_counts=ctypes.addressof(loop.exit_counts),
                                graveyard=ctypes.addressof(loop.graveyard), sync=ctypes.addressof(loop.sync),
                                code_instrs=self.fa.instr_address(rec.code, 0), **self.ext)
        loop.ext = ext
        loop.release = self.release
        mc = backend.assemble(opt, ext)
        roundtrip = native_entry.prepare(loop, loop.syncs)
        code, at = native_entry.append(mc.code, roundtrip)
        addr, size = self._place(code, loop), len(code)
        loop.entry = self.make_retaining_entry(self.retaining_stub, addr + mc.entry,
                                               ctypes.addressof(loop.retain_table))
        loop.trace_entry = addr + mc.entry
        loop.addresses = backend.LoopAddresses(reentry=addr + mc.reentry, epilogue=addr + mc.epilogue)
        listing = _listing_source(mc, addr)
        native_entry.install(self, loop, roundtrip, addr + at)
    else:
        from .interp_entry import CollectorHold, InterpretedLoop    # (native=0 only: not loaded otherwise)
        if self.collector_hold is None:
            self.collector_hold = CollectorHold()
        loop.entry, addr, size, listing = InterpretedLoop(opt, loop.buffer, self.collector_hold), 0, 0, None
    secs = time.perf_counter() - t0
    loop.blocks.append(NativeBlock(opt, addr, size, stages, listing, secs))
    rec.site.versions.insert(0, loop)
    self.entry_tests.close(rec.code, rec.site)      # its native runs are judged from now on (entries_verdict)
    rec.site.rejects = 0
    rec.site.last_abort = ""                # a later failed recording starts a new run of reasons
    self.live.append(loop)
    self.history.append(loop)
    self.stats.traces_compiled += 1
    self.stats.code_bytes += size
    self.log("compiled", loop=trace.name, ops=len(opt.ops), bytes=size, exits=len(loop.exits),
             seconds=round(secs, 6))


def native_setup(self: Engine) -> None:
    """Executable memory, libm and C API addresses and the graveyard's release stub, made at the first compile."""
    if self.mem is None:
        from .execmem import CodeMemory, libm_address, make_entry, make_retaining_entry
        self.mem = CodeMemory()
        self.make_entry, self.make_retaining_entry = make_entry, make_retaining_entry
        self.ext = {name: libm_address(name) for name in ("fmod", "floor", "pow", "copysign", "ceil", "sin",
                                                            "cos", "tan", "exp", "log", "hypot")}
        self.ext["layout"] = LAYOUTS[VERSION]
        self.ext["instance_values"] = instance_values()
        self.ext["sse41"] = cpu_has_sse41()
        self.ext.update(c_api_addresses())
        # the graveyard's release stub, the retaining entry and the shared round trip, in one placement (max_code_kb
        # counts pages)
        release = backend.release_stub(self.ext["decref"]).code
        release += bytes(-len(release) % 16)
        retaining = backend.retaining_entry_stub(self.ext["incref"]).code
        retaining += bytes(-len(retaining) % 16)
        shared = native_entry.shared_code(self.ext)
        at = self.mem.place(release + retaining + shared)
        self.ext["release_graveyard"], self.retaining_stub = at, at + len(release)
        self.roundtrip_shared = at + len(release) + len(retaining)
        self.ext["py_functions"] = {name: c_api_address(name) for name in PY_FUNCTIONS}
        gate = self.gate
        self.ext.update(gate_word=ctypes.addressof(gate.main_thread), gate_ident=gate.ident,
                        gate_pending=ctypes.addressof(gate.pending), gate_breaker=ctypes.addressof(gate.breaker),
                        gate_breaker_size=ctypes.sizeof(gate.breaker), gate_bit=gate.bit)
        self.release = make_entry(self.ext["release_graveyard"])      # lives as long as the engine


def entry_signature(info: ExitInfo) -> tuple:
    """Everything a bridge recorded from exit `info` may assume of its start: where each frame of the chain resumes
    (code, pc, stack shape), each value the exit stores (its place, its kind, the constant it is, bit for bit or
    the same object, or which earlier place holds the same value: the recording may see two places as one
    object), what the exit owns, and how the exit's stack is laid out. Two exits with equal signatures store the
    same things in the same places: a bridge compiled for one is right for the other (LuaJIT links a side exit
    to an existing trace the same way)."""
    first: dict[int, int] = {}
    values = []

    def value(v) -> tuple:
        if isinstance(v, Const):
            # (its bits, or the object itself: a bridge keeps a constant of its exit's value stack as that constant)
            return ("c", v.key())
        return ("v", v.kind, first.setdefault(id(v), len(first)))
    frames = []
    for s in info.snapshot.frames():
        frames.append((s.code, s.pc, s.popped, s.complex_at, s.tuples_at, len(s.stack)))
        values += [(sv, value(v)) for sv, v in s.entries()]
    values += [("extra", value(v)) for v in info.snapshot.extra]
    return (info.pc, info.resume_pc, info.popped, info.frame, tuple(frames), tuple(values), tuple(info.stack),
            tuple(sorted(info.kinds.items())), tuple(info.owned_vars), tuple(info.owned))


def link_bridge(self: Engine, loop: CompiledLoop, info: ExitInfo, site) -> bool:
    """Instead of recording a bridge from exit `info`, jump from it to a compiled bridge of the loop recorded from an
    exit with the same entry_signature (a chain of bridges that each go once more around an enclosing loop, a
    method's branches taken in the same order from several exits). True if it was linked."""
    if info.inner or info.immediate or info.unlinked:
        # (an exit at its own bridge's first instruction: another bridge from the same start would fail there
        # again at once, a cycle that makes no progress: a class changed twice, its version guarded at the start)
        return False
    origin = loop.bridge_origins.get(entry_signature(info))
    if origin is None:
        return False
    if self.params.native:
        if self.fast is not None:
            self.fast.disable(site)                 # the back-edge stub looks at the loop's exits again
        loop.bridge_table[info.exit_id] = loop.linked_entries[origin]     # (the budget counted at each entry)
    else:
        loop.entry.bridges[info.exit_id] = loop.entry.bridges[origin]
        loop.entry.linked.add(info.exit_id)
    info.bridge = "compiled"
    info.linked = origin
    self.stats.bridges_linked += 1
    self.log("bridge_linked", loop=loop.name, exit=info.exit_id, to=origin, pc=info.pc)
    return True


UNLINK_AFTER = 3      # runs in a row that end out of budget at a linked exit before it is unlinked


def unlink_bridge(self: Engine, loop: CompiledLoop, info: ExitInfo, site) -> None:
    """A run ended at linked exit `info`: its bridge's linked entry found the run's budget spent, in a cycle of
    bridges that never passed the loop's header (a long one, or one that makes no progress: each pass fails where
    the last one did). When UNLINK_AFTER runs in a row end so (a long cycle that does its work ends a run there
    now and then, between runs that end elsewhere), the exit stops jumping there and is never linked again: it may
    grow a bridge of its own."""
    entries = loop.entries
    info.budget_outs = info.budget_outs + 1 if entries - info.last_out <= 1 else 1
    info.last_out = entries
    if info.budget_outs < UNLINK_AFTER:
        return
    if self.params.native:
        if self.fast is not None:
            self.fast.disable(site)
        loop.bridge_table[info.exit_id] = 0
    else:
        loop.entry.bridges.pop(info.exit_id, None)
        loop.entry.linked.discard(info.exit_id)
    self.log("bridge_unlinked", loop=loop.name, exit=info.exit_id, was=info.linked, pc=info.pc)
    info.bridge, info.linked, info.unlinked = "none", -1, True


def compile_bridge(self: Engine, rec: Recording, trace: Trace) -> None:
    t0 = time.perf_counter()
    loop = rec.loop
    if loop.retired:
        raise CodeMemoryFull(f"its loop was {loop.retired}")
    verify(trace)
    opt, stages = optimize_stages(trace, check=False) if self.params.optimize else (trace, [])
    strs = _strs_at_exit(rec.exit)
    kept, kept_strs = _kept_at_exit(rec.exit, loop.layout.owned, strs)
    opt = _with_releases(opt, set(rec.exit.owned_vars), stages, strs | kept_strs, kept)
    read = {sv for sv, _ in opt.inputs}
    _check_synced_layout(loop, opt)
    assign_exits(self, loop, opt, rec.code, [sv for sv in rec.exit.owned_vars if sv not in read])
    if self.params.native:
        if self.fast is not None:
            self.fast.disable(rec.site)             # the back-edge stub waits for the loop's next entry
        mc = backend.assemble(opt, loop.ext, loop.addresses)
        roundtrip = native_entry.prepare(loop, loop.syncs or calls_python(opt.ops))
        code, at = native_entry.append(mc.code, roundtrip)
        addr, size = self._place(code, loop), len(code)
        listing = _listing_source(mc, addr)
        loop.bridge_table[rec.exit.exit_id] = addr + mc.entry
        loop.linked_entries[rec.exit.exit_id] = addr + mc.linked_entry
    else:
        loop.entry.bridges[rec.exit.exit_id] = opt
        addr, size, listing = 0, 0, None
    loop.layout_changed()
    loop.refresh_retain()
    loop.syncs = loop.layout.calls_python = loop.syncs or calls_python(opt.ops)
    loop.layout.writes_globals = loop.layout.writes_globals or rec.recorder.writes_globals
    loop.layout.graveyard_keeps = loop.layout.graveyard_keeps or keeps_in_graveyard(opt)
    if self.params.native:
        native_entry.install(self, loop, roundtrip, addr + at)
    rec.exit.bridge = "compiled"
    if not rec.exit.inner:
        loop.bridge_origins.setdefault(entry_signature(rec.exit), rec.exit.exit_id)
    secs = time.perf_counter() - t0
    loop.blocks.append(NativeBlock(opt, addr, size, stages, listing, secs, rec.exit.exit_id))
    self.stats.bridges_compiled += 1
    self.stats.code_bytes += size
    self.log("bridge_compiled", loop=trace.name, exit=rec.exit.exit_id, ops=len(opt.ops), bytes=size,
             seconds=round(secs, 6))
