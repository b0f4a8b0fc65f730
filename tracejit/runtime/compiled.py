"""A compiled loop: its machine code, state buffer, exits and bridges, and the entry/exit protocol.

`CompiledLoop.run(frame)` is the whole native round trip at a loop header: read the frame's values (type
checks = entry guards), unbox them into the state buffer, call the machine code, then box what changed and
write it back into the frame, rebuild the value stack of the failing guard's snapshot and point the frame
at that guard's bytecode instruction (deoptimization). The interpreter continues from there.

An exit inside inlined calls stops the frame at the outermost call and returns the callees' states, boxed
(ResumeFrame), for runtime/resume.py to write into their frames as the interpreter makes the calls again.

May import: tracejit.ir, tracejit.cpython.layout and .bytecode, tracejit.runtime.execmem, tracejit.runtime.resume,
tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import _thread
import ctypes
import sys
from _weakref import ref as weak_ref      # (what weakref.ref is, without importing the weakref module)
from tracejit.plaindata import cached_property, dataclass, field

from tracejit.cpython.bytecode import CO_OPTIMIZED, instructions_at
from tracejit.cpython.entrycheck import OWN_MODULE_LOCALS, own_module_locals
from tracejit.cpython.layout import RANGE_ITER_TYPE, FrameAccess, dict_walk, enumerate_list_state, enumerate_state, \
    list_iter_set_index, list_walk, object_at, release_all, retain_all, seq_walk, zip_iterators, zip_list_states
from tracejit.ir import BUDGET_SLOT, Kind, Snapshot, StateLayout, StateVar, Trace, format_trace
from tracejit.ir.trace import (MAX_SLOTS, SYNC_CELL, SYNC_CHANGED, SYNC_EXCEPTION, SYNC_HIDDEN, SYNC_IFRAME,
                               SYNC_MONITORING, SYNC_RECURSION, SYNC_SHADOW, SYNC_TRACING, SYNC_VALID,
                               SYNC_WORDS)
from tracejit.ir.ops import GRAVEYARD_SLOTS, INT64_MAX, INT64_MIN

from .native_callback import MARGIN
from .resume import ResumeFrame

TYPE_CHECKING = False           # (`collections.abc` is not imported at run time: annotations are strings)
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_EXITS = 4096
REJECTED = -1               # backend.roundtrip.REJECTED (not imported here: the backend loads at the first compile)
COMPLEX = "complex"         # ExitInfo.stack kind of a complex number rebuilt from two slots (real, imag)
TUPLE = "tuple"             # ... of a tuple the trace never allocated, made from its items' ((slot, kind), ...)


@dataclass
class InnerFrame:
    """An inlined call an exit resumes mid-body (runtime/resume.py): its code, the instruction it continues at,
    and where its values are in the state buffer: (local index, slot, kind) of each bound local, (slot, kind) of
    each value-stack item, bottom first."""
    code: object
    resume_pc: int
    locals: list[tuple[int, int, Kind]]
    stack: list[tuple[int, Kind]]

    @property
    def line(self) -> int | None:
        at = instructions_at(self.code).get(self.resume_pc)
        return at[0].line if at else None


@dataclass
class ExitInfo:
    """One way out of the machine code: a guard's snapshot, where the interpreter resumes."""
    exit_id: int
    pc: int                                 # the instruction the interpreter executes next
    stack: list[tuple]                      # (slot, kind) of each value-stack item, bottom first; a complex
                                            # number: ((real slot, imag slot), COMPLEX)
    guard: str                              # IR op text of the guard, for stats and the visualizer
    reason: str                             # budget / branch / overflow / ...
    trace_name: str
    snapshot: Snapshot                      # where a bridge from this exit starts
    resume_pc: int = -1                     # where the frame continues: pc, or its first EXTENDED_ARG
    kinds: dict[int, Kind] = field(default_factory=dict)   # slots whose value here is not of the loop's kind
    popped: int = 0                         # loop base stack items (iterators) gone here (Snapshot.popped)
    fails: int = 0
    bridge: str = "none"                    # none / recording / compiled / blocked
    bridge_retries: int = 0                 # bridge recordings from here that failed by chance
    bridge_after: int = 0                   # failures before a bridge is tried again (its loop's site had spent
                                            # more than it saved: Engine._site_may_spend); 0: bridge_threshold
    frame: str = ""                         # a guard inside inlined calls ("f/g")
    inner: list[InnerFrame] = field(default_factory=list)  # the inlined calls it resumes mid-body, outermost
                                            # first (empty: the loop's frame resumes at `pc`, a call restarts)
    owned_vars: list[StateVar] = field(default_factory=list)   # where the new objects it owns are stored
    owned: list[int] = field(default_factory=list)  # ... their slots: released after the write-back
    linked: int = -1                        # the exit whose bridge this one jumps to (compiling.link_bridge)
    immediate: bool = False                 # a bridge's guard at the bridge's first instruction (never linked)
    unlinked: bool = False                  # linked once, and runs ran out of budget there: never again
    budget_outs: int = 0                    # runs in a row that ran out of budget at its link (unlink_bridge)
    last_out: int = -2                      # ... the loop's entries at the last of them
    # slots of the other objects it leaves in the state buffer (borrowed: attributes, list items, locals): the
    # machine code gives each a reference when the runtime's Python write-back follows (its Python code may
    # collect garbage, whose finalizers could drop their last reference), released after the write-back.
    # `own_retain`: those its snapshot stores; `retain` adds the loop's object locals and globals it does not
    # store (the write-back boxes them too: a bridge may have written them), made again when a bridge grows the
    # loop's state (CompiledLoop.refresh_retain)
    own_retain: list[int] = field(default_factory=list)
    retain: list[int] = field(default_factory=list)
    stored: frozenset = frozenset()         # the slots its snapshot stores

    def rebuilds(self) -> str:
        """The inlined frames this exit rebuilds, outermost first ("g line 13, bump line 8"; "" for none)."""
        return ", ".join(f"{f.code.co_name} line {f.line}" for f in self.inner)

    def resumes_in(self) -> str:
        """How the exit resumes inside inlined calls, for dumps and reports ("" in the loop's own frame)."""
        if not self.frame:
            return ""
        if self.inner:
            return f" (in {self.frame}: the call is made, then resumed at {self.rebuilds()})"
        return f" (in {self.frame}: the call is made again)"


@dataclass(eq=False)
class NativeBlock:
    """Machine code of one trace (the loop or a bridge), placed in executable memory. Its texts (the IR after
    each optimizer stage, the listing of its instructions) are made when a dump or the visualizer first reads
    them: compiling does not pay for them, and no text is made in a run nobody looks at."""
    trace: Trace
    address: int
    size: int
    stage_traces: list[tuple[str, Trace]] = field(default_factory=list)    # (stage, the trace after it)
    listing_source: Callable[[], tuple[list, str]] | None = None   # -> (groups, listing); None: native=0
    compile_seconds: float = 0.0
    from_exit: int = -1                            # a bridge: the exit it is attached to (-1: the loop)

    @cached_property
    def stages(self) -> list[tuple[str, str]]:
        """Each stage's trace as text, without exit numbers (given after the last stage)."""
        return [(name, format_trace(t, show_exits=False)) for name, t in self.stage_traces]

    @cached_property
    def _listing(self) -> tuple[list, str]:
        return self.listing_source() if self.listing_source is not None else ([], "(interpreted)")

    @property
    def groups(self) -> list:
        """backend.ListingGroup per IR op or block, at the block's address (empty: native=0)."""
        return self._listing[0]

    @property
    def listing(self) -> str:
        """Text: each IR op above the instructions it became."""
        return self._listing[1]


class EntryRejected(Exception):
    """The frame's values do not satisfy the loop's entry guards (types). `boxed`: the fast local that holds a
    number of another kind than the trace's (an int where it expects a float: `best = -1`, then a float score),
    which a new version should keep as an object (the recorder's "boxed" hint), or None."""

    def __init__(self, message: str, boxed: StateVar | None = None) -> None:
        super().__init__(message)
        self.boxed = boxed


class CompiledLoop:
    """One compiled loop and its bridges. It does not keep its code object alive (`code` is None once the
    code object is gone); the engine frees its machine code then, or when it evicts or drops the loop."""

    def __init__(self, code, header_pc: int, layout: StateLayout, base_depth: int, frame_access: FrameAccess,
                 name: str = ""):
        self._code_ref = weak_ref(code)
        self.name = name
        self.header_pc = header_pc
        self.layout = layout
        self.base_depth = base_depth
        self.fa = frame_access
        self.nlocalsplus = frame_access.nlocalsplus(code)
        self.optimized = bool(code.co_flags & CO_OPTIMIZED)    # a function's code (else a module's: its names
                                                                # are f_locals', its globals only if run so)
        self.buffer = (ctypes.c_int64 * MAX_SLOTS)()
        self.fbuffer = (ctypes.c_double * MAX_SLOTS).from_buffer(self.buffer)
        self.buffer_address = ctypes.addressof(self.buffer)
        self.bridge_table = (ctypes.c_int64 * MAX_EXITS)()
        # per exit: the address of its retain record {n, slots} (ExitInfo.retain; backend.stubs.emit_retain) or 0
        self.retain_table = (ctypes.c_int64 * MAX_EXITS)()
        # per exit: the address of its owned record {n, slots} (ExitInfo.owned), which the native round trip
        # releases after its write-back, or 0 (the runtime releases them)
        self.owned_table = (ctypes.c_int64 * MAX_EXITS)()
        self.owned_records: dict = {}
        self._retain_records: dict[int, object] = {}
        self._retain_shared: dict[tuple, object] = {}   # retained slots -> their record (read-only: exits share)
        self._retained_objects: list | None = None     # what the records were made with (refresh_retain)
        self.exit_counts = (ctypes.c_int64 * MAX_EXITS)()   # the machine code counts every exit taken
        # [0] = count, then old list items whose release the machine code deferred (list_setitem's `defer`)
        self.graveyard = (ctypes.c_int64 * (1 + GRAVEYARD_SLOTS))()
        self.release = None                 # the engine's native graveyard release (backend.release_stub)
        # calls that may run Python code write the frame back (the frame sync area, ir.trace SYNC_*): set when
        # a trace of the loop has such a call
        self.sync = (ctypes.c_int64 * SYNC_WORDS)()
        self.syncs = False
        self.synced: frozenset = frozenset()    # the variables the syncs write back
        self.host = None                    # the engine (its depth and window, see run)
        self.raised = None                  # the exception a call raised in the last run (the engine raises it)
        self._no_tool = ctypes.c_uint64(0)  # the instrumentation version where the layout knows none
        self.exits: dict[int, ExitInfo] = {}
        self.blocks: list[NativeBlock] = []
        self.entry = None                   # callable(buffer address) -> exit id
        self.budget = 100_000
        # counts of the runs the back-edge stub made (runtime/fastpath.py): entries, native iterations, budget exits,
        # guard exits; `entries` and `native_iterations` include them
        self.counters = (ctypes.c_int64 * 4)()
        self._entries = 0
        self._native_iterations = 0
        self.instructions = 0               # bytecode instructions of its recorded iteration (Engine._may_spend)
        # the engine judges whether entering pays back over windows of entries (see Engine._judge_entries)
        self.judge_at = 0                   # entries at which the current window closes (0: not set yet)
        self.judged = (0, 0, 0)             # (entries, native_iterations, fast entries) when the window opened
        self.look_at = 0                    # entries at which the window's first entries are judged (hopeless?)
        # (native iterations, {exit id: times taken}) of its type guards with bridges when their window opened
        # (Engine._retrace_types)
        self.type_window: tuple[int, dict[int, int]] | None = None
        self.native_ns = 0                  # time inside the machine code (entry to exit)
        # one state buffer: one thread (or signal handler) at a time; a word the back-edge stub reads and sets too
        self.busy_word = (ctypes.c_int64 * 1)()
        self.consecutive_rejects = 0
        self.bridges_tried = 0              # bridge recordings started from this loop's exits (max_bridges)
        # the exit each compiled bridge was recorded from, by what the bridge assumes of its start (compiling.
        # entry_signature): another exit with the same signature jumps to that bridge (compiling.link_bridge)
        self.bridge_origins: dict[tuple, int] = {}
        self.linked_entries: dict[int, int] = {}    # origin exit -> its bridge's linked entry (native)
        self.last_entry = 0                 # engine's entry counter at the last entry (eviction order)
        self.retired: str | None = None     # why the machine code was freed (None: still live)
        self.resumes_callees = False        # some exit rebuilds inlined frames (ExitInfo.inner)
        self.owned_slots: list[int] = []    # slots of the variables the machine code owns (layout.owned)
        self._plan = None
        # the native round trip (runtime/native_entry.py, backend/roundtrip.py): None where it does not serve
        self.trace_entry = 0                # the loop's machine code entry (0: native=0)
        self.roundtrip = None               # callable(id(frame), 0) -> exit id, REJECTED or -2 - exit id
        self.roundtrip_key = None           # the layout it was made for
        self.roundtrip_entry_bits = None    # where it keeps the entry bits (for the runtime's write-back)
        self.roundtrip_rejects = 0          # entries it left to the Python entry
        self.roundtrip_address = 0
        self.quiet = (ctypes.c_int64 * MAX_EXITS)()        # per exit: what the back-edge stub may count itself
        self.quiet_key = None               # what `quiet` was computed for (runtime/fastpath.py)
        self.last_exit = None               # the exit of the last run the runtime looked at (Engine._after_run)
        self.fast_fails = (ctypes.c_int64 * MAX_EXITS)()   # per exit: guard exits the stub counted
        self.scratch = None
        self.roundtrip_descriptor = None    # what the shared round trip reads for it (kept alive here)
        self.exit_records = None            # int64[exit id] -> address of the exit's record (0: none)
        self.records: dict = {}             # exit id -> its record (None: the runtime writes it back)
        self.entry_objects: list | None = None  # the objects load() put into the buffer, held during the run

    @property
    def code(self):
        return self._code_ref()

    @property
    def busy(self) -> bool:
        return self.busy_word[0] != 0

    @busy.setter
    def busy(self, value: bool) -> None:
        self.busy_word[0] = 1 if value else 0

    @property
    def entries(self) -> int:
        return self._entries + self.counters[0]

    @entries.setter
    def entries(self, value: int) -> None:
        self._entries = value - self.counters[0]

    @property
    def native_iterations(self) -> int:
        return self._native_iterations + self.counters[1]

    @native_iterations.setter
    def native_iterations(self, value: int) -> None:
        self._native_iterations = value - self.counters[1]

    def exit_fails(self, info: ExitInfo) -> int:
        """How often the exit was taken at the end of a run (those the back-edge stub counted included)."""
        return info.fails + self.fast_fails[info.exit_id]

    # ------------------------------------------------------------------ exits
    def new_exit_id(self) -> int:
        n = len(self.exits)
        if n >= MAX_EXITS:
            raise ValueError("too many exits")
        return n

    def add_exit(self, info: ExitInfo) -> None:
        self.exits[info.exit_id] = info
        if info.inner:
            self.resumes_callees = True
        if self._retained_objects is None:
            self._retained_objects = self._layout_objects()
        self._set_retain(info, self._retained_objects)   # (a bridge's exits: made again by refresh_retain)

    def refresh_retain(self) -> None:
        """Every exit's retain record again, when the loop's object locals and globals are not those the records
        were made for (a bridge added variables)."""
        objects = self._layout_objects()
        if objects == self._retained_objects:
            return
        self._retained_objects = objects
        self._retain_shared = {}        # (the records of the lists no exit retains any more go with their exits')
        for info in self.exits.values():
            self._set_retain(info, objects)

    def _layout_objects(self) -> list[int]:
        """The slots of the loop's locals and globals of kind object (what store boxes by slot)."""
        kinds = self.layout.kinds
        return [slot for sv, slot in self.layout.slots.items()
                if sv.where in ("fast", "global") and kinds[sv] is Kind.REF]

    def _set_retain(self, info: ExitInfo, objects: list[int]) -> None:
        info.retain = list(info.own_retain) + [slot for slot in objects
                                               if slot not in info.stored and slot not in info.kinds]
        if info.retain:
            key = tuple(info.retain)
            record = self._retain_shared.get(key)
            if record is None:
                record = self._retain_shared[key] = (ctypes.c_int64 * (1 + len(key)))(len(key), *key)
            self._retain_records[info.exit_id] = record
            self.retain_table[info.exit_id] = ctypes.addressof(record)
        else:
            self.retain_table[info.exit_id] = 0
            self._retain_records.pop(info.exit_id, None)

    def layout_changed(self) -> None:
        self._plan = None

    def _input_plan(self):
        """Per state variable: how to read it from the frame and which slot it lives in."""
        if self._plan is None:
            fast, glob, iters, parts = [], [], {}, {}
            for sv, slot in self.layout.slots.items():
                kind = self.layout.kinds[sv]
                if sv.where == "fast":
                    fast.append((sv.key, slot, kind, sv))
                elif sv.where == "global":
                    glob.append((sv.key, slot, kind, sv))
                elif sv.where == "iter":
                    pos, fieldname = sv.key
                    iters.setdefault(pos, {})[fieldname] = slot
                elif sv.where == "base":
                    fast.append((None, slot, kind, sv))
                elif sv.where == "complex":
                    where, key, part = sv.key
                    parts.setdefault((where, key), {"name": sv.name.rpartition(".")[0]})[part] = slot
            cplx = [(where, key, p["real"], p["imag"], p["name"]) for (where, key), p in parts.items()]
            self._plan = (fast, glob, list(iters.items()), cplx)
        return self._plan

    # ------------------------------------------------------------------ the round trip
    def load(self, frame, iframe: int) -> list:
        """Unbox the frame's values into the state buffer. Returns the entry bits of every slot. The objects
        the buffer gets (borrowed by the machine code) are also held in `entry_objects` until the run ends: the
        runtime's Python code before the machine code starts can collect garbage, whose finalizers could rebind
        a global or an attribute and drop the last other reference."""
        fast, glob, iters, cplx = self._input_plan()
        buf, fbuf, fa = self.buffer, self.fbuffer, self.fa
        held = self.entry_objects = []
        for index, slot, kind, sv in fast:
            try:
                obj = fa.read_slot(iframe, index if index is not None else self.nlocalsplus + sv.key)
            except LookupError:
                raise EntryRejected(f"{sv} unbound") from None
            _unbox(buf, fbuf, slot, kind, obj, sv)
            if kind is Kind.REF:
                held.append(obj)
        if glob:
            g = frame.f_globals
            for name, slot, kind, sv in glob:
                obj = g.get(name, _MISSING)
                _unbox(buf, fbuf, slot, kind, obj, sv)
                if kind is Kind.REF:
                    held.append(obj)
        for where, key, re, im, name in cplx:
            if where == "fast":
                try:
                    obj = fa.read_slot(iframe, key)
                except LookupError:
                    raise EntryRejected(f"{name} unbound") from None
            else:
                obj = frame.f_globals.get(key, _MISSING)
            if type(obj) is not complex:
                raise EntryRejected(f"{name} is {type(obj).__name__}, trace expects complex")
            fbuf[re] = obj.real
            fbuf[im] = obj.imag
        self.check_assumptions(frame)
        for pos, slots in iters:
            it = fa.read_slot(iframe, self.nlocalsplus + pos)
            if "fresh" in slots:
                # a bridge may drop this iterator or start a new one in its place: nothing but the frame may
                # hold it (here: the frame, `it` and getrefcount's argument)
                if _getrefcount(it) > 3:
                    raise EntryRejected("the loop's iterator is shared")
                buf[slots["fresh"]] = 0
            if "next" in slots:
                if type(it) is not RANGE_ITER_TYPE:
                    raise EntryRejected("loop iterator is not a range iterator")
                nxt, step, rem = fa.range_iter_state(it)
                buf[slots["next"]] = nxt
                buf[slots["step"]] = step
                buf[slots["remaining"]] = rem
            else:
                # lists and strings are borrowed: their iterators keep them alive
                try:
                    if "count" in slots:
                        count, _, index, seq = enumerate_list_state(it)
                        buf[slots["count"]] = count
                        walks = [(index, seq)]
                    elif _dict_kind(slots):
                        k = _dict_kind(slots)
                        at, left, d = dict_walk(it, k[1])
                        buf[slots[k + "pos"]], buf[slots[k + "left"]], buf[slots[k + "dict"]] = at, left, id(d)
                        continue
                    elif _seq_kind(slots):
                        c = _seq_kind(slots)
                        index, seq = seq_walk(it, SEQ_KINDS[c] or sys.modules["array"].array)
                        buf[slots[c + "index"]] = index
                        buf[slots[c + "seq"]] = id(seq)
                        continue
                    elif "index0" in slots:
                        walks = [(index, seq) for _, index, seq in zip_list_states(it)]
                        if f"index{len(walks)}" in slots or f"index{len(walks) - 1}" not in slots:
                            raise TypeError("a zip of another number of lists")
                    else:
                        walks = [list_walk(it)]
                except TypeError as e:
                    raise EntryRejected(f"loop iterator is {e}") from None
                for k, (index, seq) in enumerate(walks):
                    suffix = str(k) if len(walks) > 1 or "index0" in slots else ""
                    buf[slots["index" + suffix]] = index
                    buf[slots["seq" + suffix]] = id(seq)
        return buf[:self.layout.nslots]

    def store(self, frame, iframe: int, entry_bits: list, info: ExitInfo) -> list[ResumeFrame]:
        """Box every state variable whose bits changed and write it back; rebuild the stack; set the pc; return
        the inlined frames the exit resumes mid-body (boxed here, before the graveyard is emptied).

        The writes are collected first and applied in one C-level pass (FrameWrites.commit): no other
        thread, signal handler or asynchronous exception can see or interrupt a half-written frame. Near the
        recursion limit a C call in that pass could fail: the headroom is checked first, and if it is
        missing the frame stays as it was at entry (the interpreter redoes the iterations)."""
        fast, glob, iters, cplx = self._input_plan()
        buf, fbuf, fa = self.buffer, self.fbuffer, self.fa
        writes = fa.writes(frame)
        changed = info.kinds            # e.g. a bool variable that holds an int at this exit
        for index, slot, kind, _ in fast:
            if index is None:
                continue                # a base stack item: the machine code never rebinds it
            if buf[slot] != entry_bits[slot] or (changed and slot in changed):
                writes.set_local(iframe, index, _box(buf, fbuf, slot, changed.get(slot, kind)))
        if glob:
            g = frame.f_globals
            for name, slot, kind, _ in glob:
                if buf[slot] != entry_bits[slot] or (changed and slot in changed):
                    writes.set_global(g, name, _box(buf, fbuf, slot, changed.get(slot, kind)))
        for where, key, re, im, _ in cplx:
            if buf[re] != entry_bits[re] or buf[im] != entry_bits[im]:
                value = complex(fbuf[re], fbuf[im])
                if where == "fast":
                    writes.set_local(iframe, key, value)
                else:
                    writes.set_global(frame.f_globals, key, value)
        depth = self.base_depth - info.popped
        for pos, slots in iters:
            if pos >= depth:
                continue                # popped at this exit (released below)
            if "fresh" in slots and buf[slots["fresh"]]:
                # a bridge started a new iterator here: make it, in the state the machine code left it
                writes.set_local(iframe, self.nlocalsplus + pos, _fresh_iterator(buf, slots))
                continue
            if "next" in slots:
                n, r = slots["next"], slots["remaining"]
                if buf[n] != entry_bits[n] or buf[r] != entry_bits[r]:
                    writes.set_range_iter(fa.read_slot(iframe, self.nlocalsplus + pos), buf[n], buf[r])
            else:
                it = fa.read_slot(iframe, self.nlocalsplus + pos)
                if "count" in slots:
                    c = slots["count"]
                    if buf[c] != entry_bits[c]:
                        writes.set_enumerate_count(it, buf[c])
                    subs = [(enumerate_state(it)[1], slots["index"])]     # checked at entry
                elif "index0" in slots:
                    subs = [(sub, slots[f"index{k}"]) for k, sub in enumerate(zip_iterators(it))]
                elif _dict_kind(slots):
                    k = _dict_kind(slots)
                    at, left = slots[k + "pos"], slots[k + "left"]
                    if buf[at] != entry_bits[at] or buf[left] != entry_bits[left]:
                        writes.set_dict_iter(it, buf[at], buf[left])
                    subs = []
                elif _seq_kind(slots):
                    subs = [(it, slots[_seq_kind(slots) + "index"])]       # a list iterator's fields
                else:
                    subs = [(it, slots["index"])]
                for sub, i in subs:
                    if buf[i] != entry_bits[i]:
                        writes.set_list_iter(sub, buf[i])
        for pos in range(depth, self.base_depth):
            writes.clear_slot(iframe, self.nlocalsplus + pos)
        if info.stack or info.popped:
            writes.push_stack(iframe, self.nlocalsplus, depth, [_box(buf, fbuf, s, k) for s, k in info.stack])
        writes.set_next_instr(iframe, frame.f_code, info.resume_pc)
        inner = [ResumeFrame(f.code, f.resume_pc, [(index, _box(buf, fbuf, s, k)) for index, s, k in f.locals],
                             [_box(buf, fbuf, s, k) for s, k in f.stack]) for f in info.inner]
        _headroom(WRITE_DEPTH)      # near the recursion limit: RecursionError now, with nothing written yet
        writes.commit()
        return inner

    def run(self, frame, budget: int) -> tuple[ExitInfo, list[ResumeFrame]]:
        """Enter the machine code at the loop header of `frame`; returns the exit that was taken and the inlined
        frames it resumes mid-body (see store).
        Raises EntryRejected (frame untouched) when an entry type check fails."""
        busy = self.busy_word
        if busy[0]:         # checked and set with no eval-breaker point in between: no thread switch
            raise EntryRejected("loop is running in another thread")
        busy[0] = 1
        try:
            entry = self.entry          # read after setting busy: see retire()
            if entry is None:
                raise EntryRejected("machine code was freed")
            roundtrip = self.roundtrip
            if roundtrip is not None:
                done = self._run_native(roundtrip, frame, budget)
                if done is not None:
                    return done
            iframe = self.fa.iframe(frame)
            entry_bits = self.load(frame, iframe)
            try:
                # the machine code may store into lists: once it has run, its results must be written back;
                # and the calls it inlined would each have taken a frame in the interpreter; an exit that
                # rebuilds them needs the hooks' callback in the innermost (the callbacks are skipped within
                # MARGIN frames of the limit)
                _headroom((MARGIN if self.resumes_callees else WRITE_DEPTH) + STORE_DEPTH + self.layout.inline_depth)
            except RecursionError:
                raise EntryRejected("too close to the recursion limit to write results back") from None
            self.buffer[BUDGET_SLOT] = budget
            if self.syncs:
                self._prepare_sync(frame, iframe, entry_bits)
            if self.owned_slots:            # the machine code owns these variables' objects (refcounts)
                retain_all([self.buffer[slot] for slot in self.owned_slots])
            if self.syncs:
                # Python code the machine code calls runs as the program's: its loops may enter the JIT
                # (in this thread only: other threads' callbacks are ignored until the run ends)
                host = self.host
                depth, window = host.depth, host.window
                host.depth, host.window = 0, _get_ident()
                try:
                    exit_id = entry(self.buffer_address)
                finally:
                    host.depth, host.window = depth, window
            else:
                exit_id = entry(self.buffer_address)
            info = self.exits[exit_id]
            if self.syncs:
                # nothing from here on may fail: Python code has run (the frame is not as at entry)
                self.raised = self.take_exception()
                sync = self.sync
                for index, slot, kind, sv in self._input_plan()[0]:
                    if index is not None:       # the frame holds what the last sync wrote (if of the loop's kind)
                        entry_bits[slot] = sync[SYNC_SHADOW + slot] if sync[SYNC_VALID + slot] else None
            try:
                if self.syncs:
                    # the code the calls ran may have lowered the recursion limit: the write-back gets its room
                    limit = _getrecursionlimit()
                    _setrecursionlimit(limit + WRITE_DEPTH + STORE_DEPTH + 8)
                    try:
                        inner = self.store(frame, iframe, entry_bits, info)
                    finally:
                        _setrecursionlimit(limit)
                else:
                    inner = self.store(frame, iframe, entry_bits, info)
            finally:
                self.entry_objects = None       # (after the write-back: the frame holds its own references)
                if self.owned_slots or info.owned or info.retain:
                    self._release_owned(info, True)
                self._empty_graveyard()
                kept = getattr(entry, "keep", None)     # the IR interpreter's (native=0) graveyard
                if kept:
                    kept.clear()
            self._entries += 1
            return info, inner
        finally:
            self.entry_objects = None
            busy[0] = 0

    def check_assumptions(self, frame) -> None:
        """What the traces assumed of Python objects still holds: the names pinned to constants are bound to
        them, the inlined functions have the code and defaults they were recorded with (else EntryRejected)."""
        layout = self.layout
        if not self.optimized and own_module_locals(frame.f_code, frame):
            # module-level code run with locals of its own (exec(code, g, l)): the trace's names are the globals'
            raise EntryRejected(OWN_MODULE_LOCALS)
        if layout.pins:
            _check_pins(layout.pins, frame)
        for inlined in layout.inlined.values():
            if not inlined.unchanged():
                raise EntryRejected(f"{inlined.function.__name__} has another code or defaults than the trace "
                                    f"inlined")
            if inlined.function.__globals__ is not frame.f_globals:
                # the trace reads the names of its inlined calls from the frame's globals, as when it was recorded
                raise EntryRejected(f"{inlined.function.__name__}'s globals are not the frame's")

    def _run_native(self, roundtrip, frame, budget: int) -> tuple[ExitInfo, list[ResumeFrame]] | None:
        """The round trip in machine code (backend.roundtrip); None when its entry checks failed (the frame is
        untouched: run's Python entry decides, with its reasons)."""
        self.check_assumptions(frame)
        self.buffer[BUDGET_SLOT] = budget
        result = roundtrip(id(frame), 0)
        if result == REJECTED:
            self.roundtrip_rejects += 1
            return None
        return self.finish_round_trip(frame, result)

    def finish_round_trip(self, frame, result: int) -> tuple[ExitInfo, list[ResumeFrame]]:
        """After a round trip that ran the machine code (`result`: the exit id, or -2 - exit id when the frame is
        the runtime's to write back, from the entry bits the round trip kept): that write-back, then the new objects
        the exit owns released and the graveyard emptied. Returns the exit and the inlined frames it resumes."""
        info = self.exits[result if result >= 0 else -2 - result]
        try:
            inner = [] if result >= 0 else self.store(frame, self.fa.iframe(frame), self.roundtrip_entry_bits, info)
        finally:
            # (the round trip released what the exit owns where its owned record names it)
            if (info.owned and not (result >= 0 and self.owned_table[info.exit_id])) or (result < 0 and info.retain):
                self._release_owned(info, result < 0)
            self._empty_graveyard()
        self._entries += 1
        return info, inner

    def _prepare_sync(self, frame, iframe: int, entry_bits: list) -> None:
        """The frame sync area for this run: the frame, where the thread keeps its executing frame, how many
        Python frames of the JIT's lie between the two, and the bits each local's object was made from."""
        sync = self.sync
        sync[SYNC_IFRAME] = iframe
        sync[SYNC_CELL] = self.fa.current_frame_cell()
        sync[SYNC_RECURSION] = self.fa.recursion_counter_address()
        sync[SYNC_TRACING] = self.fa.tracing_counter_address()
        sync[SYNC_MONITORING] = self.fa.monitoring_version_address() or ctypes.addressof(self._no_tool)
        hidden, f = 0, _getframe(1)         # run's frame: the entry is a C call, the machine code makes no frame
        while f is not None and f is not frame:
            hidden += 1
            f = f.f_back
        sync[SYNC_HIDDEN] = hidden if f is frame else 0
        sync[SYNC_EXCEPTION] = 0
        sync[SYNC_CHANGED] = 0
        for index, slot, kind, sv in self._input_plan()[0]:
            if index is not None:
                sync[SYNC_SHADOW + slot] = entry_bits[slot]
                sync[SYNC_VALID + slot] = 1

    def take_exception(self) -> BaseException | None:
        """The exception a call that may run Python code raised in the last run (the run ended at its exit), or
        None; the reference the machine code held is released."""
        raised = getattr(self.entry, "raised", None)        # the IR interpreter's (native=0)
        if raised is not None:
            self.entry.raised = None
            return raised
        address = self.sync[SYNC_EXCEPTION]
        if not address:
            return None
        self.sync[SYNC_EXCEPTION] = 0
        exc = object_at(address)
        release_all([address])
        return exc

    def _release_owned(self, info: ExitInfo, retained: bool) -> None:
        """Release the new objects the exit owns (the frame took its own references in store) and, when the
        machine code retained them (`retained`: the runtime wrote the frame back), those of info.retain;
        native runs only: the IR interpreter's objects are Python's own (native=0)."""
        if self.release is None:
            return
        buf = self.buffer
        release_all([buf[slot] for slot in (info.owned + info.retain if retained else info.owned)])

    def _empty_graveyard(self) -> None:
        """Release the old list items whose release the run deferred: variables the frame now owns (written
        back by store) keep theirs alive."""
        g = self.graveyard
        n = g[0]
        if n:
            if self.release is not None:
                self.release(ctypes.addressof(g))         # native: one call for all of them
            else:
                release_all(g[1:n + 1])
                g[0] = 0

    def retire(self, reason: str) -> bool:
        """Stop all entries. Returns True if the machine code may be freed now, False if a thread is inside
        run() (the caller frees it later, once `busy` is clear). Clearing `entry` before reading `busy`
        (and run() doing the opposite) means no interleaving can enter freed code."""
        self.entry = None
        self.retired = reason
        return not self.busy


_MISSING = object()
_getrefcount = sys.getrefcount
_getframe = sys._getframe
_get_ident = _thread.get_ident
_getrecursionlimit, _setrecursionlimit = sys.getrecursionlimit, sys.setrecursionlimit


def _check_pins(pins, frame) -> None:
    """Every name the trace treats as a constant must still resolve to the same object."""
    g = frame.f_globals
    for pin in pins:
        if pin.owner is None:
            obj = g.get(pin.name, _MISSING)
            if obj is _MISSING:
                obj = frame.f_builtins.get(pin.name, _MISSING)
        else:
            obj = pin.owner.__dict__.get(pin.name, _MISSING)
        if obj is not pin.expected:
            raise EntryRejected(f"{pin.name} is no longer the object the trace was recorded with")

WRITE_DEPTH = 8             # Python call depth the writes of store() need, with a margin
STORE_DEPTH = 4             # and the calls store() makes before them


def _headroom(n: int) -> None:
    """Raise RecursionError unless n more Python frames fit under the recursion limit."""
    if n:
        _headroom(n - 1)


def _unbox(buf, fbuf, slot: int, kind: Kind, obj, sv: StateVar) -> None:
    t = type(obj)
    boxed = sv if t in (int, float, bool) and sv.where == "fast" else None     # another kind of number
    if kind is Kind.INT:
        if t is not int or not INT64_MIN <= obj <= INT64_MAX:
            raise EntryRejected(f"{sv} is {t.__name__}, trace expects int64", boxed)
        buf[slot] = obj
    elif kind is Kind.FLOAT:
        if t is not float:
            raise EntryRejected(f"{sv} is {t.__name__}, trace expects float", boxed)
        fbuf[slot] = obj
    elif kind is Kind.REF:
        if obj is _MISSING:
            raise EntryRejected(f"{sv} is unbound")
        buf[slot] = id(obj)         # borrowed: the frame (or the globals) keeps it alive during the run
    else:
        if t is not bool:
            raise EntryRejected(f"{sv} is {t.__name__}, trace expects bool", boxed)
        buf[slot] = obj


# walks of str, tuple, array iterators (recorder/iterators); an array's kind, array.array, is read from the
# program's `array` module (arrays are walked only where it was imported before the recorder loaded)
SEQ_KINDS = {"c": str, "t": tuple, "a": None}


def _seq_kind(slots: dict) -> str:
    """"c", "t" or "a" for the state of a walk over a str, tuple or array; "" for other iterators."""
    return next((k for k in SEQ_KINDS if k + "index" in slots), "")


def _dict_kind(slots: dict) -> str:
    """"dk", "dv" or "di" for the state of a walk over a dict's keys, values or items; "" for other iterators."""
    return next((k for k in ("dk", "dv", "di") if k + "pos" in slots), "")


def _fresh_iterator(buf, slots: dict):
    """The range, list, str or tuple iterator a bridge started (iter(range(...)), iter(a_list), iter(a_str)...),
    advanced as far as the machine code went."""
    if "next" in slots:
        nxt, step, remaining = buf[slots["next"]], buf[slots["step"]], buf[slots["remaining"]]
        return iter(range(nxt, nxt + remaining * step, step))
    c = _seq_kind(slots)
    it = iter(object_at(buf[slots[c + "seq"]]))
    list_iter_set_index(it, buf[slots[c + "index"]])     # str and tuple iterators keep it where a list's does
    return it


def _box(buf, fbuf, slot, kind):
    """The object for a slot's bits; a complex number (kind COMPLEX) from the pair of slots `slot`; a tuple
    (kind TUPLE) of its items' objects, `slot` their (slot, kind) pairs."""
    if kind is COMPLEX:
        return complex(fbuf[slot[0]], fbuf[slot[1]])
    if kind is TUPLE:
        return tuple([_box(buf, fbuf, s, k) for s, k in slot])
    if kind is Kind.INT:
        return buf[slot]
    if kind is Kind.FLOAT:
        return fbuf[slot]
    if kind is Kind.REF:
        return object_at(buf[slot])
    return bool(buf[slot])
