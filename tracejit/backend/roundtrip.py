"""The native round trip of compiled loops: entry checks and unboxing, the trace, and its exit's write-back.

One routine serves every loop: `shared_roundtrip(shared, layout) -> Encoded` assembles
`int64 f(PyFrameObject *frame, _PyInterpreterFrame *iframe, int64 *descriptor)` (iframe 0: the frame's; frame
NULL: a frame with no frame object, given by its iframe). Its bytes are the same in every process of a CPython
version: the addresses it calls and compares with are data slots after its code (ROUNDTRIP_SLOTS), which the
runtime writes, and the runtime keeps the encoded code (tracejit/runtime/roundtrip_code.py, written by
tools/roundtrip_code.py; a test checks it against this module). A loop's round trip is a 22-byte trampoline
(`trampoline(descriptor, routine)`: the descriptor's address into rdx, then a jump to the routine) with the
signature `int64 f(frame, iframe)` its callers use, placed at the end of the trace's (or the bridge's) block.
`descriptor_words(plan, layout)` is a loop's descriptor: plain int64 words that say what the routine reads and
writes for it (assembling a round trip per loop was about a third of compiling a trace). The whole trip from the
interpreter into a loop's machine code and back serves loops whose state the plan can describe (fast locals,
globals and base stack items of kind int, float, bool or object; the iterators of enclosing `for` loops over
ranges, lists, enumerate(a list) and zip(lists)):

1. Entry (nothing written): the thread has at least `plan.headroom` Python frames left; each place of the
   frame is bound and of the trace's type (an int of an int64 but -2**63, a float, a bool; an object of any
   type); its value is unboxed into the state buffer, and so is each iterator's state. A global is looked up in
   the frame's globals (an exact dict whose keys are all exact strs: the lookup runs no Python code) with
   PyDict_GetItemWithError, a borrowed reference. Any failure returns
   REJECTED with the frame untouched (the runtime's Python entry then decides, with its reasons). The objects
   of the variables the trace owns (`plan.owned`) then get a reference each, which its exits hand on.
2. The bits of the state buffer are kept (entry bits), and the trace runs: `int64 trace(int64 *buffer)`
   returns its exit id.
3. The exit's record (`exit_records[exit_id]`: an address, 0 for none) says how the frame continues:
   RECORD words = the value for the frame's instruction pointer, the depth of the base stack that remains,
   the number of stack items to push, then (slot, kind code) per item. With no record, or when making an
   object fails, the result is `-2 - exit_id` (the runtime writes the frame back itself, from the entry bits),
   after the objects the exit's retain record names got a reference each (stubs.emit_retain).
4. The write-back, in the order of the runtime's FrameWrites: first every new object is made (a changed local
   boxed, each stack item; a failure releases them and clears the error), then each changed global is set
   (PyDict_SetItem; its old value is given a reference first, so that the dict's release of it frees nothing
   yet; a failure, which a key present at entry rules out, leaves the whole write-back to the runtime, which sets
   the same values again), then, with no call in between, the frame's locals, the iterators' fields, the popped
   base items, the stack, its top and the instruction pointer are written (and `f_fast_as_locals` cleared where
   it exists); only then are the old references released (which may run Python code: the frame is complete by
   then), and so are the objects the exit owns that its owned record names (`plan.owned_table`). Returns the exit
   id.

A descriptor is made for one loop and one layout of its state buffer (a bridge that adds state variables makes a
new one). The routine keeps its loop counters in registers where no call comes between, on its stack frame where
one does. The runtime (tracejit.runtime.native_entry) builds the plan and the records.

May import: tracejit.backend.x86 and .stubs, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import struct

from tracejit.plaindata import dataclass

from .stubs import emit_frames_left_check, emit_retain, emit_unbox_int64
from .x86 import R8, R9, R10, R11, R12, R13, R14, R15, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, XMM0, Asm, Encoded, \
    Mem

REJECTED = -1               # the entry checks failed: nothing ran, the frame is untouched
KIND_CODES = {"int": 0, "float": 1, "bool": 2, "ref": 3}    # an exit record's (and a descriptor's) value kinds
ITER_CODES = {"range": 0, "list": 1, "enumerate": 2, "zip": 3}
RECORD_HEADER = 3           # words before the (slot, kind code) pairs: instruction pointer, depth, items
MAX_EXIT_STACK = 64         # stack items an exit record may push
TRACE_ENTRY_WORD = 0        # the scratch word that holds the trace's address
ENTRY_BITS_WORD = 1         # the first of the scratch words that keep the entry bits, one per state slot
TRAMPOLINE_SIZE = 22        # movabs rdx, descriptor; movabs rax, routine; jmp rax


@dataclass(frozen=True)
class Place:
    """A frame slot the trace reads at entry: localsplus[index] unboxed into buffer[slot]."""
    index: int
    slot: int
    kind: str               # 'int', 'float', 'bool' or 'ref'
    written: bool           # a local, written back when its bits changed (False: a base stack item)


@dataclass(frozen=True)
class GlobalPlace:
    """A global the trace reads at entry: frame globals[name] unboxed into buffer[slot], written back (PyDict_SetItem)
    when its bits changed."""
    name: int               # the address of the name (an exact str the runtime keeps alive)
    slot: int
    kind: str               # 'int', 'float', 'bool' or 'ref'
    label: str = ""         # the name, for the listing


@dataclass(frozen=True)
class IterPlace:
    """The iterator at base stack position `pos`: a range iterator (slots: next, step, remaining), a list
    iterator (slots: index, seq), enumerate(a list) (slots: count, index, seq) or zip(list, list...) (slots:
    index0, seq0, index1, seq1 ...). `fresh` >= 0 (range and list iterators): a bridge may replace it with a new
    one (its slot is then set): the entry requires that the frame alone holds it, and an exit after a
    replacement is written back by the runtime (which makes the new iterator)."""
    pos: int
    kind: str               # 'range', 'list', 'enumerate' or 'zip'
    slots: tuple
    fresh: int = -1


@dataclass(frozen=True)
class Shared:
    """The field offsets of the iterators the routine reads, for this interpreter (its addresses are data slots)."""
    list_iter_index: int    # offsets of a list iterator's index and list
    list_iter_seq: int
    enum_index: int         # offsets of an enumerate object's count, iterator and count beyond Py_ssize_t
    enum_sit: int
    enum_longindex: int
    zip_size: int           # offsets of a zip object's number of iterators and their tuple
    zip_iters: int


# the routine's data slots: 8-byte words right after its code, written by the runtime (so the code's bytes are the
# same in every process of a CPython version, and are kept encoded: runtime/roundtrip_code.py)
ROUNDTRIP_SLOTS = ("int_type", "float_type", "bool_type", "true", "false", "range_iter_type", "list_iter_type",
                   "enumerate_type", "zip_type", "dict_type", "thread_state_get", "dict_getitem", "dict_setitem",
                   "float_new", "long_new", "err_clear", "decref", "incref", "small_int_zero", "small_int_stride")
SLOT_MARK = 0x5A5A5A5A00000000     # the words the encoded code has in place of the slots (mark + index)


class _Slots:
    """What the routine's emitters read besides the layout: each data slot as a RIP-relative pool word (made
    first, in ROUNDTRIP_SLOTS order) and the iterator offsets."""

    def __init__(self, a: Asm, shared: Shared) -> None:
        for k, name in enumerate(ROUNDTRIP_SLOTS):
            setattr(self, name, a.const(SLOT_MARK + k))
        for name in Shared.__plain_fields__:
            setattr(self, name, getattr(shared, name))


@dataclass(frozen=True)
class RoundTripPlan:
    """What the round trip of one loop needs: plain data from the runtime (addresses are absolute)."""
    places: tuple
    iters: tuple
    nslots: int
    nlocalsplus: int
    base_depth: int
    headroom: int           # Python frames that must be left for the write-back (else REJECTED)
    buffer: int             # the state buffer
    scratch: int            # scratch_words(plan) int64 words; word TRACE_ENTRY_WORD: the address of the trace,
                            # int64 trace(int64 *buffer) -> exit id (written when the trace is placed)
    exit_records: int       # int64[exit id]: the exit's record address, or 0
    retain_table: int       # int64[exit id]: the exit's retain record (stubs.emit_retain), or 0
    owned: tuple = ()       # slots of the variables whose objects the trace owns (a string, a boxed number): each
                            # gets a reference at entry; each exit owns what its ExitInfo.owned names
    owned_table: int = 0    # int64[exit id]: the record {n, slots} of what the exit owns, released after the
                            # write-back (stubs.emit_retain's form), or 0: none, or the runtime releases it
    globals: tuple = ()     # GlobalPlaces


class _Scratch:
    """Byte offsets in the scratch area: the trace's address, entry bits, new and old references of the written
    places, old references of popped base items, new and old references of the globals, new stack items."""

    def __init__(self, plan: RoundTripPlan) -> None:
        self.written = [p for p in plan.places if p.written]
        nw = len(self.written)
        self.trace_entry = 8 * TRACE_ENTRY_WORD
        self.entry_bits = 8 * ENTRY_BITS_WORD
        self.new = self.entry_bits + 8 * plan.nslots
        self.old = self.new + 8 * nw
        self.base_old = self.old + 8 * nw
        self.gnew = self.base_old + 8 * plan.base_depth
        self.gold = self.gnew + 8 * len(plan.globals)
        self.stack = self.gold + 8 * len(plan.globals)
        self.words = self.stack // 8 + MAX_EXIT_STACK


def scratch_words(plan: RoundTripPlan) -> int:
    return _Scratch(plan).words


# ---- the descriptor: header words (indices), then its tables (their byte offsets from the descriptor in the header)
(BUFFER, SCRATCH, EXIT_RECORDS, RETAIN_TABLE, OWNED_TABLE, HEADROOM, NLOCALSPLUS, BASE_DEPTH,
 NPLACES, PLACES, NGLOBALS, GLOBALS, NITERS, ITERS, NCOMPARED, COMPARED, NOWNED, OWNED, NWRITTEN, WRITTEN,
 NBOXED, BOXED, ITER_AT, S_ENTRY_BITS, S_NEW, S_OLD, S_BASE_OLD, S_GNEW, S_GOLD, S_STACK) = range(30)
HEADER_WORDS = 30
PLACE_WORDS = 3             # PLACES and WRITTEN: byte offset of the localsplus slot in the iframe, 8 * slot, kind
GLOBAL_WORDS = 3            # GLOBALS: the name's address, 8 * slot, kind
BOXED_WORDS = 3             # BOXED: byte offset in the scratch area of the new reference, 8 * slot, kind
ITER_HEADER = 4             # ITERS: pos, kind code, 8 * fresh slot (-1: none), number of slots; then 8 * each slot


def _compared(it: IterPlace) -> tuple:
    """The slots whose bits the exit compares with the entry's to know whether to write the iterator back."""
    if it.kind == "range":
        return it.slots[0], it.slots[2]
    if it.kind == "enumerate":
        return it.slots[:2]
    return it.slots[::2]


def descriptor_words(plan: RoundTripPlan, layout) -> list[int]:
    """The loop's descriptor for the shared routine (its tables' offsets relative to the descriptor's start)."""
    s = _Scratch(plan)
    L = layout
    words = [0] * HEADER_WORDS
    words[BUFFER], words[SCRATCH], words[EXIT_RECORDS] = plan.buffer, plan.scratch, plan.exit_records
    words[RETAIN_TABLE], words[OWNED_TABLE], words[HEADROOM] = plan.retain_table, plan.owned_table, plan.headroom
    words[NLOCALSPLUS], words[BASE_DEPTH] = plan.nlocalsplus, plan.base_depth
    words[S_ENTRY_BITS], words[S_NEW], words[S_OLD], words[S_BASE_OLD] = s.entry_bits, s.new, s.old, s.base_old
    words[S_GNEW], words[S_GOLD], words[S_STACK] = s.gnew, s.gold, s.stack

    def table(count: int, at: int, rows: list) -> None:
        words[count], words[at] = len(rows), 8 * len(words)
        for row in rows:
            words.extend(row)

    table(NPLACES, PLACES, [(L.iframe_localsplus + 8 * p.index, 8 * p.slot, KIND_CODES[p.kind]) for p in plan.places])
    table(NGLOBALS, GLOBALS, [(g.name, 8 * g.slot, KIND_CODES[g.kind]) for g in plan.globals])
    iter_at = [0] * plan.base_depth
    words[NITERS], words[ITERS] = len(plan.iters), 8 * len(words)
    for it in plan.iters:
        iter_at[it.pos] = 8 * len(words)
        words.extend((it.pos, ITER_CODES[it.kind], 8 * it.fresh if it.fresh >= 0 else -1, len(it.slots)))
        words.extend(8 * slot for slot in it.slots)
    compared = sorted({p.slot for p in s.written} | {g.slot for g in plan.globals} |
                      {slot for it in plan.iters for slot in _compared(it)})
    table(NCOMPARED, COMPARED, [(8 * slot,) for slot in compared])
    table(NOWNED, OWNED, [(8 * slot,) for slot in plan.owned])
    table(NWRITTEN, WRITTEN, [(L.iframe_localsplus + 8 * p.index, 8 * p.slot, KIND_CODES[p.kind]) for p in s.written])
    table(NBOXED, BOXED, [(s.new + 8 * j, 8 * p.slot, KIND_CODES[p.kind]) for j, p in enumerate(s.written)] +
          [(s.gnew + 8 * j, 8 * g.slot, KIND_CODES[g.kind]) for j, g in enumerate(plan.globals)])
    words[ITER_AT] = 8 * len(words)
    words.extend(iter_at)
    return words


def trampoline(descriptor: int, routine: int) -> bytes:
    """A loop's round trip, `int64 f(frame, iframe)`: rdx = its descriptor, then the shared routine."""
    return b"\x48\xba" + struct.pack("<Q", descriptor) + b"\x48\xb8" + struct.pack("<Q", routine) + b"\xff\xe0"


SAVED = (RBP, RBX, R12, R13, R14, R15)
FRAME = 56                  # the routine's stack words (rsp 16-byte aligned: 6 pushes, the return address, 56)
K, N, J = Mem(RSP, 0), Mem(RSP, 8), Mem(RSP, 16)     # loop counters kept across calls
DESC, I, CUR, BD = Mem(RSP, 24), Mem(RSP, 32), Mem(RSP, 40), Mem(RSP, 48)


def _d(word: int, base=RCX) -> Mem:
    return Mem(base, 8 * word)


def shared_roundtrip(shared: Shared, layout) -> Encoded:
    """The routine every loop's trampoline enters: rdi = frame, rsi = iframe, rdx = the loop's descriptor.
    Registers: rbx = frame, r12 = its interpreter frame, r13 = state buffer, rbp = scratch; r14 = the descriptor
    until the trace runs, then its exit id, and r15 = the exit's record. Its code ends with the data slots
    (ROUNDTRIP_SLOTS, marked SLOT_MARK + index), which the runtime writes."""
    L = layout
    a = Asm()
    d = _Slots(a, shared)
    reject, done, runtime_store = a.new_label(), a.new_label(), a.new_label()
    a.group("save callee-saved registers, a frame of counters; rbx = frame, r12 = its interpreter frame, r14 = "
            "descriptor, r13 = state buffer, rbp = scratch")
    for r in SAVED:
        a.push(r)
    a.alu("sub", RSP, FRAME)
    a.mov(RBX, RDI)
    a.mov(R12, RSI)
    given = a.new_label()
    a.test(R12, R12)
    a.jcc("ne", given)
    a.mov(R12, Mem(RBX, L.frame_f_frame))
    a.bind(given)
    a.mov(DESC, RDX)
    a.mov(R14, RDX)
    a.mov(R13, _d(BUFFER, R14))
    a.mov(RBP, _d(SCRATCH, R14))
    a.group("at least `headroom` Python frames left before the recursion limit")
    emit_frames_left_check(a, d.thread_state_get, L.tstate_recursion_remaining, _d(HEADROOM, R14), reject)

    a.group("each place of the frame -> its slot of the state buffer (r15: the table, r9: places left)")
    _table(a, R15, R14, PLACES)
    a.mov(R9, _d(NPLACES, R14))
    with _each(a, R9, R15, 8 * PLACE_WORDS):
        a.mov(RDX, Mem(R15, 0))
        a.mov(RAX, Mem(R12, 0, RDX, 1))
        a.mov(R10, Mem(R15, 8))
        a.mov(R11, Mem(R15, 16))
        _unbox(a, L, d, reject)

    a.group("each global: looked up in the frame's globals (an exact dict of str keys), unboxed")
    no_globals = a.new_label()
    a.alu("cmp", _d(NGLOBALS, R14), 0)
    a.jcc("e", no_globals)
    _globals_str_keys(a, L, d, reject)
    _table(a, R15, R14, GLOBALS)
    a.mov(RAX, _d(NGLOBALS, R14))
    a.mov(I, RAX)
    with _each(a, I, R15, 8 * GLOBAL_WORDS):
        a.mov(RDI, Mem(R12, L.iframe_globals))
        a.mov(RSI, Mem(R15, 0))
        a.mov(RAX, d.dict_getitem)
        a.call_reg(RAX)
        a.mov(R10, Mem(R15, 8))
        a.mov(R11, Mem(R15, 16))
        _unbox(a, L, d, reject)
    a.bind(no_globals)

    a.group("each iterator of an enclosing `for` loop -> its slots")
    _table(a, R15, R14, ITERS)
    a.mov(RAX, _d(NITERS, R14))
    a.mov(I, RAX)
    iters, iters_done = a.new_label(), a.new_label()
    a.bind(iters)
    a.alu("cmp", I, 0)
    a.jcc("e", iters_done)
    _load_iter(a, L, d, reject)
    _next_iter(a, R15)
    a.alu("sub", I, 1)
    a.jmp(iters)
    a.bind(iters_done)

    a.group("keep the entry bits (rdi: where)")
    a.mov(RDI, RBP)
    a.alu("add", RDI, _d(S_ENTRY_BITS, R14))
    _table(a, R15, R14, COMPARED)
    a.mov(R9, _d(NCOMPARED, R14))
    with _each(a, R9, R15, 8):
        a.mov(RCX, Mem(R15, 0))
        a.mov(RAX, Mem(R13, 0, RCX, 1))
        a.mov(Mem(RDI, 0, RCX, 1), RAX)
    a.group("the trace owns these variables' objects: a reference each (its exits hand them to the runtime)")
    _table(a, R15, R14, OWNED)
    a.mov(R9, _d(NOWNED, R14))
    with _each(a, R9, R15, 8):
        a.mov(RCX, Mem(R15, 0))
        a.mov(RAX, Mem(R13, 0, RCX, 1))
        _incref(a, L, RAX)

    a.group("run the trace: r14 = exit id, r15 = its record (none: the runtime writes the frame back)")
    a.mov(RDI, R13)
    a.mov(RAX, Mem(RBP, 8 * TRACE_ENTRY_WORD))
    a.call_reg(RAX)
    a.mov(R14, RAX)
    a.mov(RCX, DESC)
    a.mov(RCX, _d(EXIT_RECORDS))
    a.mov(R15, Mem(RCX, 0, R14, 8))
    a.test(R15, R15)
    a.jcc("e", runtime_store)
    a.group("an iterator a bridge replaced (still on the stack at this exit): the runtime makes the new one")
    a.mov(RCX, DESC)
    _table(a, R8, RCX, ITERS)
    a.mov(R9, _d(NITERS))
    fresh, fresh_next, fresh_done = a.new_label(), a.new_label(), a.new_label()
    a.bind(fresh)
    a.test(R9, R9)
    a.jcc("e", fresh_done)
    a.mov(RDX, Mem(R8, 16))
    a.test(RDX, RDX)
    a.jcc("s", fresh_next)                  # none
    a.mov(RAX, Mem(R8, 0))
    a.alu("cmp", Mem(R15, 8), RAX)
    a.jcc("le", fresh_next)                 # popped at this exit: nothing to write back
    a.alu("cmp", Mem(R13, 0, RDX, 1), 0)
    a.jcc("ne", runtime_store)              # a bridge started a new iterator
    a.bind(fresh_next)
    _next_iter(a, R8)
    a.alu("sub", R9, 1)
    a.jmp(fresh)
    a.bind(fresh_done)

    release_made = _box_all(a, L, d, runtime_store)
    _set_globals(a, L, d, release_made)
    _commit(a, L, d)
    _release_olds(a, d)
    a.group("release the objects the exit owns (the frame took references of its own)")
    no_owned = a.new_label()
    a.mov(RCX, DESC)
    a.mov(RBX, _d(OWNED_TABLE))
    a.test(RBX, RBX)
    a.jcc("e", no_owned)
    emit_retain(a, R13, R14, RBX, R15, R12, d.decref)
    a.bind(no_owned)
    a.mov(RAX, R14)
    a.jmp(done)
    a.bind(runtime_store)
    a.group("the runtime writes the frame back: a reference to each object its retain record names (the frame "
            "and its interpreter frame are not needed any more: rbx, r12 free), -2 - exit id")
    a.mov(RCX, DESC)
    a.mov(RBX, _d(RETAIN_TABLE))
    emit_retain(a, R13, R14, RBX, R15, R12, d.incref)
    a.mov_imm(RAX, -2)
    a.alu("sub", RAX, R14)
    a.jmp(done)
    a.bind(reject)
    a.mov_imm(RAX, REJECTED)
    a.bind(done)
    a.group("restore and return")
    a.alu("add", RSP, FRAME)
    for r in reversed(SAVED):
        a.pop(r)
    a.ret()
    return a.finish()


def _next_iter(a: Asm, cursor) -> None:
    """cursor: an iterator record -> the next one. Uses rcx."""
    a.mov(RCX, Mem(cursor, 24))
    a.shift("shl", RCX, 3)
    a.alu("add", cursor, RCX)
    a.alu("add", cursor, 8 * ITER_HEADER)


def _table(a: Asm, dst, desc, word: int) -> None:
    """dst = the address of the descriptor's table whose offset is at `word`."""
    a.mov(dst, desc)
    a.alu("add", dst, Mem(desc, 8 * word))


class _each:
    """with _each(a, count, cursor, stride): the body runs `count` times (a register or a stack word, counted down),
    `cursor` advanced by `stride` bytes after each. (A class rather than contextlib.contextmanager: contextlib is
    not imported for it.)"""

    def __init__(self, a: Asm, count, cursor, stride: int) -> None:
        self.a, self.count, self.cursor, self.stride = a, count, cursor, stride
        self.loop, self.end = a.new_label(), a.new_label()

    def __enter__(self) -> None:
        a = self.a
        a.bind(self.loop)
        a.test_zero(self.count)
        a.jcc("e", self.end)

    def __exit__(self, *exc) -> None:
        a = self.a
        a.alu("add", self.cursor, self.stride)
        a.alu("sub", self.count, 1)
        a.jmp(self.loop)
        a.bind(self.end)


def _globals_str_keys(a: Asm, L, d: _Slots, reject: int) -> None:
    """The frame's globals are an exact dict whose keys are all exact strs (else reject), checked once for every
    global (nothing runs between the lookups that could add another key). Uses rax, rcx, rdi."""
    a.mov(RDI, Mem(R12, L.iframe_globals))
    _check_type(a, L, RDI, d.dict_type, reject)
    a.mov(RAX, Mem(RDI, L.dict_keys))
    a.load8(RAX, Mem(RAX, L.dict_keys_kind))
    a.test(RAX, RAX)
    a.jcc("e", reject)                      # general keys: a lookup could run an __eq__


def _unbox(a: Asm, L, d: _Slots, reject: int) -> None:
    """rax: an object (0: unbound, reject) of kind r11 (else reject) -> the state buffer at byte offset r10, its
    value. Uses rcx, rdx, rsi, rdi, r8."""
    store, float_, bool_ = a.new_label(), a.new_label(), a.new_label()
    a.test(RAX, RAX)
    a.jcc("e", reject)                      # unbound
    a.alu("cmp", R11, KIND_CODES["ref"])
    a.jcc("e", store)
    a.alu("cmp", R11, KIND_CODES["float"])
    a.jcc("e", float_)
    a.alu("cmp", R11, KIND_CODES["bool"])
    a.jcc("e", bool_)
    _check_type(a, L, RAX, d.int_type, reject)
    a.mov(R8, RAX)
    emit_unbox_int64(a, L, R8, RSI, RDI, reject)
    a.jmp(store)
    a.bind(float_)
    _check_type(a, L, RAX, d.float_type, reject)
    a.mov(RAX, Mem(RAX, L.float_value))
    a.jmp(store)
    a.bind(bool_)
    _check_type(a, L, RAX, d.bool_type, reject)
    a.mov(RCX, d.true)
    a.alu("cmp", RAX, RCX)
    a.setcc("e", RAX)
    a.movzx8(RAX, RAX)
    a.bind(store)
    a.mov(Mem(R13, 0, R10, 1), RAX)


def _check_type(a: Asm, L, r, type_address: Mem, reject: int) -> None:
    """Reject unless the object in r is exactly of the type whose address is at type_address. Uses rcx."""
    a.mov(RCX, type_address)
    a.alu("cmp", RCX, Mem(r, L.ob_type))
    a.jcc("ne", reject)


def _slot_store(a: Asm, record, k: int, value) -> None:
    """The state buffer's slot named by word k of the iterator record at `record` := value. Uses r10."""
    a.mov(R10, Mem(record, 8 * (ITER_HEADER + k)))
    a.mov(Mem(R13, 0, R10, 1), value)


def _load_iter(a: Asm, L, d: _Slots, reject: int) -> None:
    """The iterator whose record r15 points at -> its slots. Uses the caller-saved registers."""
    a.mov(RAX, _d(NLOCALSPLUS, R14))
    a.alu("add", RAX, Mem(R15, 0))
    a.mov(RAX, Mem(R12, L.iframe_localsplus, RAX, 8))
    a.test(RAX, RAX)
    a.jcc("e", reject)
    range_, list_, enum_, zip_, end = (a.new_label() for _ in range(5))
    a.mov(R11, Mem(R15, 8))
    for kind, label in (("range", range_), ("list", list_), ("enumerate", enum_)):
        a.alu("cmp", R11, ITER_CODES[kind])
        a.jcc("e", label)
    a.jmp(zip_)

    def fresh() -> None:
        keep = a.new_label()
        a.mov(RDX, Mem(R15, 16))
        a.test(RDX, RDX)
        a.jcc("s", keep)
        a.alu("cmp", Mem(RAX, L.ob_refcnt), 1)     # shared: a bridge must not drop or replace it
        a.jcc("ne", reject)
        a.mov(Mem(R13, 0, RDX, 1), 0)
        a.bind(keep)

    f = L.range_iter
    a.bind(range_)
    _check_type(a, L, RAX, d.range_iter_type, reject)
    fresh()
    a.mov(RCX, Mem(RAX, f["step"]))
    _slot_store(a, R15, 1, RCX)
    if "index" in f:                    # 3.11: next = start + index * step, remaining = len - index
        a.mov(RDX, Mem(RAX, f["index"]))
        a.imul(RCX, RDX)
        a.alu("add", RCX, Mem(RAX, f["start"]))
        _slot_store(a, R15, 0, RCX)
        a.mov(RCX, Mem(RAX, f["len"]))
        a.alu("sub", RCX, RDX)
        _slot_store(a, R15, 2, RCX)
    else:
        a.mov(RCX, Mem(RAX, f["start"]))
        _slot_store(a, R15, 0, RCX)
        a.mov(RCX, Mem(RAX, f["len"]))
        _slot_store(a, R15, 2, RCX)
    a.jmp(end)
    a.bind(list_)
    _check_type(a, L, RAX, d.list_iter_type, reject)
    fresh()
    _load_list_iter(a, d, R15, 0, reject)
    a.jmp(end)
    a.bind(enum_)
    _check_type(a, L, RAX, d.enumerate_type, reject)
    a.alu("cmp", Mem(RAX, d.enum_longindex), 0)
    a.jcc("ne", reject)                 # counting beyond Py_ssize_t
    a.mov(RCX, Mem(RAX, d.enum_index))
    _slot_store(a, R15, 0, RCX)
    a.mov(RAX, Mem(RAX, d.enum_sit))
    _check_type(a, L, RAX, d.list_iter_type, reject)
    _load_list_iter(a, d, R15, 1, reject)
    a.jmp(end)
    a.bind(zip_)
    _check_type(a, L, RAX, d.zip_type, reject)
    a.mov(RCX, Mem(R15, 24))
    a.shift("shr", RCX, 1)                  # the number of lists
    a.alu("cmp", Mem(RAX, d.zip_size), RCX)
    a.jcc("ne", reject)
    a.mov(R9, Mem(RAX, d.zip_iters))
    a.mov_imm(R11, 0)                       # j: the list iterator
    each, dup, dup_done = a.new_label(), a.new_label(), a.new_label()
    a.bind(each)
    a.mov(RCX, Mem(R15, 24))
    a.shift("shr", RCX, 1)
    a.alu("cmp", R11, RCX)
    a.jcc("ge", end)
    a.mov(RAX, Mem(R9, L.tuple_items, R11, 8))
    _check_type(a, L, RAX, d.list_iter_type, reject)
    a.mov(R8, R11)
    a.shift("shl", R8, 4)
    a.alu("add", R8, R15)                   # r8: the record, moved on to iterator j's two slots
    _load_list_iter(a, d, R8, 0, reject)
    a.mov_imm(RDX, 0)                       # one iterator twice: each item advances it twice
    a.bind(dup)
    a.alu("cmp", RDX, R11)
    a.jcc("ge", dup_done)
    a.alu("cmp", RAX, Mem(R9, L.tuple_items, RDX, 8))
    a.jcc("e", reject)
    a.alu("add", RDX, 1)
    a.jmp(dup)
    a.bind(dup_done)
    a.alu("add", R11, 1)
    a.jmp(each)
    a.bind(end)


def _load_list_iter(a: Asm, d: _Slots, record, k: int, reject: int) -> None:
    """rax: a list iterator -> the slots at words k, k + 1 of the record: its next index, its list (reject once
    exhausted). Uses rcx, r10."""
    a.mov(RCX, Mem(RAX, d.list_iter_seq))
    a.test(RCX, RCX)
    a.jcc("e", reject)
    _slot_store(a, record, k + 1, RCX)
    a.mov(RCX, Mem(RAX, d.list_iter_index))
    _slot_store(a, record, k, RCX)


def _incref(a: Asm, L, r) -> None:
    """Py_INCREF(r) (3.12+: immortal objects are not counted). Uses rdx."""
    if L.immortal:
        skip = a.new_label()
        a.mov(RDX, Mem(r, L.ob_refcnt))
        a.test32(RDX, RDX)
        a.jcc("s", skip)
        a.alu("add", Mem(r, L.ob_refcnt), 1)
        a.bind(skip)
    else:
        a.alu("add", Mem(r, L.ob_refcnt), 1)


def _box(a: Asm, L, d: _Slots, kind: str) -> None:
    """rax: a value's bits -> rax: a new reference to an object for it (0: making it failed, with an error
    set; a 'ref' of 0 stays 0: an empty stack slot). Clobbers the caller-saved registers."""
    if kind == "ref":
        skip = a.new_label()
        a.test(RAX, RAX)
        a.jcc("e", skip)
        _incref(a, L, RAX)
        a.bind(skip)
    elif kind == "bool":
        a.test(RAX, RAX)
        a.mov(RAX, d.true)                 # (a load: the flags stay)
        a.mov(RCX, d.false)
        a.cmov("e", RAX, RCX)
        _incref(a, L, RAX)
    elif kind == "float":
        a.movq_to_xmm(XMM0, RAX)
        a.mov(RAX, d.float_new)
        a.call_reg(RAX)
    else:
        big, made = a.new_label(), a.new_label()
        a.alu("cmp", RAX, L.small_ints[-1])
        a.jcc("g", big)
        a.alu("cmp", RAX, L.small_ints[0])
        a.jcc("l", big)
        a.imul(RAX, d.small_int_stride)       # the cached int object
        a.mov(RCX, d.small_int_zero)
        a.alu("add", RAX, RCX)
        _incref(a, L, RAX)
        a.jmp(made)
        a.bind(big)
        a.mov(RDI, RAX)
        a.mov(RAX, d.long_new)
        a.call_reg(RAX)
        a.bind(made)


def _box_kind(a: Asm, L, d: _Slots, kind_reg, failed: int | None, made: int) -> None:
    """rax: a value's bits, `kind_reg` its kind code -> rax: a new reference (see _box), then to `made`; a failure
    (0 from a float or an int) to `failed`."""
    kinds = sorted(KIND_CODES.items(), key=lambda kv: kv[1])
    branches = [a.new_label() for _ in kinds]
    for (_, code), lab in zip(kinds[:-1], branches):
        a.alu("cmp", kind_reg, code)
        a.jcc("e", lab)
    a.jmp(branches[-1])
    for (kind, _), lab in zip(kinds, branches):
        a.bind(lab)
        _box(a, L, d, kind)
        if kind != "ref" and failed is not None:
            a.test(RAX, RAX)
            a.jcc("e", failed)
        a.jmp(made)


def _box_all(a: Asm, L, d: _Slots, runtime_store: int) -> int:
    """Make every object the write-back stores: new[j] for each written place whose bits changed (else 0),
    gnew[j] for each changed global, stack[k] for each item of the record. On failure: release what was made
    (and the old values of globals held by then, gold[]) and leave the write-back to the runtime
    (`runtime_store`). Returns the label of that release (entered with no error set)."""
    failed, null_ref = a.new_label(), a.new_label()
    a.group("make the objects: changed locals and globals, then the exit's stack items (new, old, base_old, gnew, "
            "gold: all 0 first)")
    a.mov(K, 0)                             # stack items made so far
    a.mov(RCX, DESC)
    a.mov(RDI, RBP)
    a.alu("add", RDI, _d(S_NEW))
    a.mov(RDX, _d(S_STACK))
    a.alu("sub", RDX, _d(S_NEW))
    a.shift("shr", RDX, 3)
    with _each(a, RDX, RDI, 8):
        a.mov(Mem(RDI, 0), 0)
    _table(a, RAX, RCX, BOXED)
    a.mov(CUR, RAX)
    a.mov(RAX, _d(NBOXED))
    a.mov(I, RAX)
    each, same, end = a.new_label(), a.new_label(), a.new_label()
    a.bind(each)
    a.alu("cmp", I, 0)
    a.jcc("e", end)
    a.mov(R8, CUR)
    a.mov(RDX, Mem(R8, 8))
    a.mov(RAX, Mem(R13, 0, RDX, 1))
    a.mov(RCX, DESC)
    a.mov(RCX, _d(S_ENTRY_BITS))
    a.alu("add", RCX, RBP)
    a.alu("cmp", RAX, Mem(RCX, 0, RDX, 1))
    a.jcc("e", same)
    a.mov(R11, Mem(R8, 16))
    ref, boxed = a.new_label(), a.new_label()
    a.alu("cmp", R11, KIND_CODES["ref"])
    a.jcc("ne", ref)
    a.test(RAX, RAX)
    a.jcc("e", null_ref)                    # an unbound variable: the runtime's write-back decides
    a.bind(ref)
    _box_kind(a, L, d, R11, failed, boxed)
    a.bind(boxed)
    a.test(RAX, RAX)
    a.jcc("e", failed)
    a.mov(R8, CUR)
    a.mov(RCX, Mem(R8, 0))
    a.mov(Mem(RBP, 0, RCX, 1), RAX)
    a.bind(same)
    a.alu("add", CUR, 8 * BOXED_WORDS)
    a.alu("sub", I, 1)
    a.jmp(each)
    a.bind(end)
    loop, done = a.new_label(), a.new_label()
    a.mov(RAX, Mem(R15, 16))
    a.mov(N, RAX)
    a.bind(loop)
    a.mov(RCX, K)
    a.alu("cmp", RCX, N)
    a.jcc("ge", done)
    a.mov(RSI, RCX)
    a.shift("shl", RSI, 1)
    a.mov(RDX, Mem(R15, 8 * RECORD_HEADER, RSI, 8))         # slot
    a.mov(RAX, Mem(R13, 0, RDX, 8))
    a.mov(R11, Mem(R15, 8 * RECORD_HEADER + 8, RSI, 8))     # kind code
    made = a.new_label()
    _box_kind(a, L, d, R11, failed, made)
    a.bind(made)
    _stack_base(a, RDX)
    a.mov(RCX, K)
    a.mov(Mem(RDX, 0, RCX, 8), RAX)
    a.alu("add", K, 1)
    a.jmp(loop)
    a.bind(failed)
    a.group("making an object failed: clear the error, release what was made (and the old values held), -2 - exit "
            "id")
    a.mov(RAX, d.err_clear)
    a.call_reg(RAX)
    a.bind(null_ref)
    _release_range(a, d, S_NEW, S_STACK)  # new, old, base_old (0 until the commit), gnew, gold
    with _counted(a, K):                    # the stack items made so far
        _stack_base(a, RDX)
        a.mov(RDI, Mem(RDX, 0, RCX, 8))
        _xdecref_call(a, d)
    a.jmp(runtime_store)
    a.bind(done)
    return null_ref


def _stack_base(a: Asm, dst) -> None:
    """dst = the address of the scratch area's new stack items. Uses dst only."""
    a.mov(dst, DESC)
    a.mov(dst, Mem(dst, 8 * S_STACK))
    a.alu("add", dst, RBP)


def _set_globals(a: Asm, L, d: _Slots, release_made: int) -> None:
    """globals[name] = gnew[j] for each changed global (PyDict_SetItem: its own reference), the old value given a
    reference first (gold[j]: released with the other old references, once the frame is complete). Runs no Python
    code: the keys are exact strs, the old values are not released here (a dict watcher, a C function, sees the
    same calls as after a STORE_GLOBAL). A failure (which a key present at entry rules out) clears the error, puts
    the old values of the globals set before back (the frame and its globals are then as at entry: the objects the
    state buffer borrows stay alive) and goes to `release_made`: the runtime writes the frame back.
    J: the global, CUR: its row of the descriptor's table."""
    a.group("set the changed globals (their old values held)")
    each, skip, held, end, failed = (a.new_label() for _ in range(5))
    a.mov(RCX, DESC)
    _table(a, RAX, RCX, GLOBALS)
    a.mov(CUR, RAX)
    a.mov(J, 0)
    a.bind(each)
    a.mov(RCX, DESC)
    a.mov(RAX, J)
    a.alu("cmp", RAX, _d(NGLOBALS))
    a.jcc("ge", end)
    _global_word(a, RDX, S_GNEW)
    a.alu("cmp", Mem(RDX, 0), 0)
    a.jcc("e", skip)
    _globals_call(a, L, d.dict_getitem)
    _global_word(a, RDX, S_GOLD)
    a.mov(Mem(RDX, 0), RAX)
    a.test(RAX, RAX)
    a.jcc("e", held)
    _incref(a, L, RAX)
    a.bind(held)
    _global_word(a, RDX, S_GNEW)
    a.mov(RDX, Mem(RDX, 0))
    _globals_call(a, L, d.dict_setitem, RDX)
    a.test32(RAX, RAX)
    a.jcc("s", failed)
    a.bind(skip)
    a.alu("add", CUR, 8 * GLOBAL_WORDS)
    a.alu("add", J, 1)
    a.jmp(each)
    a.bind(failed)
    # (the failed global itself is not set again, which a dict watcher would see)
    a.group("setting a global failed: clear the error, put back the old values of those set before it")
    a.mov(RAX, d.err_clear)
    a.call_reg(RAX)
    back, back_next = a.new_label(), a.new_label()
    a.mov(RAX, J)
    a.mov(BD, RAX)                          # the global that failed
    a.mov(J, 0)
    a.mov(RCX, DESC)
    _table(a, RAX, RCX, GLOBALS)
    a.mov(CUR, RAX)
    a.bind(back)
    a.mov(RAX, J)
    a.alu("cmp", RAX, BD)
    a.jcc("ge", release_made)
    _global_word(a, RDX, S_GOLD)
    a.mov(RDX, Mem(RDX, 0))
    a.test(RDX, RDX)
    a.jcc("e", back_next)                   # not changed, or none to put back
    _globals_call(a, L, d.dict_setitem, RDX)
    a.test32(RAX, RAX)
    a.jcc("ns", back_next)
    a.mov(RAX, d.err_clear)           # (cannot fail either: the key is there)
    a.call_reg(RAX)
    a.bind(back_next)
    a.alu("add", CUR, 8 * GLOBAL_WORDS)
    a.alu("add", J, 1)
    a.jmp(back)
    a.bind(end)


def _global_word(a: Asm, dst, area: int) -> None:
    """dst = the address of global J's word in the scratch area `area` (S_GNEW or S_GOLD). Uses dst, rcx."""
    a.mov(RCX, DESC)
    a.mov(dst, J)
    a.shift("shl", dst, 3)
    a.alu("add", dst, _d(area))
    a.alu("add", dst, RBP)


def _globals_call(a: Asm, L, function: Mem, value=None) -> None:
    """rax = function(the frame's globals, the name of CUR's global[, value]): PyDict_GetItemWithError or
    PyDict_SetItem. Clobbers the caller-saved registers."""
    a.mov(RDI, Mem(R12, L.iframe_globals))
    a.mov(RSI, CUR)
    a.mov(RSI, Mem(RSI, 0))
    if value is not None and value is not RDX:
        a.mov(RDX, value)
    a.mov(RAX, function)
    a.call_reg(RAX)


class _counted:
    """with _counted(a, limit): for J in range(limit), the body emitted inside the `with` runs with rcx = J (J kept
    across calls). (A class rather than contextlib.contextmanager: contextlib is not imported for it.)"""

    def __init__(self, a: Asm, limit: Mem) -> None:
        self.a, self.limit = a, limit
        self.loop, self.end = a.new_label(), a.new_label()

    def __enter__(self) -> None:
        a = self.a
        a.mov(J, 0)
        a.bind(self.loop)
        a.mov(RCX, J)
        a.alu("cmp", RCX, self.limit)
        a.jcc("ge", self.end)

    def __exit__(self, *exc) -> None:
        a = self.a
        a.alu("add", J, 1)
        a.jmp(self.loop)
        a.bind(self.end)


def _release_range(a: Asm, d: _Slots, first: int, end: int) -> None:
    """Py_DecRef each non-0 word of the scratch area from the offset at descriptor word `first` to the one at `end`
    (CUR: the offset)."""
    loop, done = a.new_label(), a.new_label()
    a.mov(RCX, DESC)
    a.mov(RAX, _d(first))
    a.mov(CUR, RAX)
    a.bind(loop)
    a.mov(RCX, DESC)
    a.mov(RAX, CUR)
    a.alu("cmp", RAX, _d(end))
    a.jcc("ge", done)
    a.mov(RDI, Mem(RBP, 0, RAX, 1))
    a.alu("add", CUR, 8)
    _xdecref_call(a, d)
    a.jmp(loop)
    a.bind(done)


def _xdecref_call(a: Asm, d: _Slots) -> None:
    """Py_DecRef(rdi) unless rdi is 0."""
    skip = a.new_label()
    a.test(RDI, RDI)
    a.jcc("e", skip)
    a.mov(RAX, d.decref)
    a.call_reg(RAX)
    a.bind(skip)


def _commit(a: Asm, L, d: _Slots) -> None:
    """Every write to the frame, with no call in between; the old references are kept in old[] / base_old[]."""
    a.group("write the frame: changed locals (old references kept; rsi: new, rdi: old)")
    a.mov(RCX, DESC)
    a.mov(RSI, RBP)
    a.alu("add", RSI, _d(S_NEW))
    a.mov(RDI, RBP)
    a.alu("add", RDI, _d(S_OLD))
    _table(a, R8, RCX, WRITTEN)
    a.mov(R9, _d(NWRITTEN))
    with _each(a, R9, R8, 8 * PLACE_WORDS):
        skip = a.new_label()
        a.mov(Mem(RDI, 0), 0)
        a.mov(RAX, Mem(RSI, 0))
        a.alu("add", RSI, 8)
        a.alu("add", RDI, 8)
        a.test(RAX, RAX)
        a.jcc("e", skip)
        a.mov(RDX, Mem(R8, 0))
        a.mov(RCX, Mem(R12, 0, RDX, 1))
        a.mov(Mem(RDI, -8), RCX)
        a.mov(Mem(R12, 0, RDX, 1), RAX)
        a.bind(skip)
    a.group("base stack items: the iterators' fields, the items popped at this exit emptied (r9: the position, "
            "r11: the interpreter frame moved on by the locals)")
    a.mov(RCX, DESC)
    a.mov(RAX, _d(BASE_DEPTH))
    a.mov(BD, RAX)
    a.mov(R11, _d(NLOCALSPLUS))
    a.shift("shl", R11, 3)
    a.alu("add", R11, R12)
    a.mov(RDX, Mem(R15, 8))                 # depth of the base stack that remains
    a.mov_imm(R9, 0)
    each, alive, nxt, end = (a.new_label() for _ in range(4))
    a.bind(each)
    a.alu("cmp", R9, BD)
    a.jcc("ge", end)
    a.mov(RCX, DESC)
    a.mov(RAX, _d(S_BASE_OLD))
    a.alu("add", RAX, RBP)
    a.mov(Mem(RAX, 0, R9, 8), 0)
    a.alu("cmp", RDX, R9)
    a.jcc("g", alive)
    a.mov(RCX, Mem(R11, L.iframe_localsplus, R9, 8))
    a.mov(Mem(RAX, 0, R9, 8), RCX)
    a.mov(Mem(R11, L.iframe_localsplus, R9, 8), 0)
    a.jmp(nxt)
    a.bind(alive)
    a.mov(RCX, DESC)
    a.mov(R8, _d(ITER_AT))
    a.alu("add", R8, RCX)
    a.mov(R8, Mem(R8, 0, R9, 8))            # the byte offset of the iterator's record at this position, or 0
    a.test(R8, R8)
    a.jcc("e", nxt)
    a.alu("add", R8, RCX)
    _store_iter(a, L, d, nxt)
    a.bind(nxt)
    a.alu("add", R9, 1)
    a.jmp(each)
    a.bind(end)
    push, pushed = a.new_label(), a.new_label()
    a.group("the exit's stack items above the base, the stack top, the instruction pointer")
    a.mov(RCX, N)
    a.test(RCX, RCX)
    a.jcc("ne", push)
    a.alu("cmp", RDX, BD)
    a.jcc("ge", pushed)
    a.bind(push)
    a.mov(RSI, RDX)
    a.shift("shl", RSI, 3)
    a.alu("add", RSI, R11)                  # rsi + localsplus: the stack item at the remaining depth
    _stack_base(a, R8)
    with _counted(a, N):
        a.mov(RAX, Mem(R8, 0, RCX, 8))
        a.mov(Mem(RSI, L.iframe_localsplus, RCX, 8), RAX)
    a.mov(RCX, DESC)
    a.mov(RAX, RDX)
    a.alu("add", RAX, N)
    a.alu("add", RAX, _d(NLOCALSPLUS))
    a.store_narrow(Mem(R12, L.iframe_stacktop), RAX, 4)
    a.bind(pushed)
    a.mov(RAX, Mem(R15, 0))
    a.mov(Mem(R12, L.iframe_instr), RAX)
    if L.frame_fast_as_locals >= 0:
        none = a.new_label()
        a.test(RBX, RBX)
        a.jcc("e", none)                    # no frame object: no f_locals dict to go stale
        a.mov_imm(RAX, 0)
        a.store_narrow(Mem(RBX, L.frame_fast_as_locals), RAX, 1)
        a.bind(none)


def _store_iter(a: Asm, L, d: _Slots, skip: int) -> None:
    """Write back the state of the iterator whose record r8 points at (at base position r9), where the trace
    changed it. Keeps rdx, r9, r11; uses rax, rcx, rsi, rdi, r10."""
    f = L.range_iter
    a.mov(RSI, Mem(R11, L.iframe_localsplus, R9, 8))
    a.mov(RCX, DESC)
    a.mov(RDI, _d(S_ENTRY_BITS))
    a.alu("add", RDI, RBP)                  # rdi: the entry bits
    range_, list_, enum_, zip_ = (a.new_label() for _ in range(4))
    a.mov(RCX, Mem(R8, 8))
    for kind, label in (("range", range_), ("list", list_), ("enumerate", enum_)):
        a.alu("cmp", RCX, ITER_CODES[kind])
        a.jcc("e", label)
    a.jmp(zip_)
    a.bind(range_)
    write = a.new_label()
    a.mov(R10, Mem(R8, 8 * ITER_HEADER))            # next
    a.mov(RAX, Mem(R13, 0, R10, 1))
    a.alu("cmp", RAX, Mem(RDI, 0, R10, 1))
    a.jcc("ne", write)
    a.mov(R10, Mem(R8, 8 * ITER_HEADER + 16))       # remaining
    a.mov(RAX, Mem(R13, 0, R10, 1))
    a.alu("cmp", RAX, Mem(RDI, 0, R10, 1))
    a.jcc("e", skip)
    a.bind(write)
    a.mov(R10, Mem(R8, 8 * ITER_HEADER + 16))
    if "index" in f:                    # 3.11: index = len - remaining (start stays)
        a.mov(RAX, Mem(RSI, f["len"]))
        a.alu("sub", RAX, Mem(R13, 0, R10, 1))
        a.mov(Mem(RSI, f["index"]), RAX)
    else:
        a.mov(R10, Mem(R8, 8 * ITER_HEADER))
        a.mov(RAX, Mem(R13, 0, R10, 1))
        a.mov(Mem(RSI, f["start"]), RAX)
        a.mov(R10, Mem(R8, 8 * ITER_HEADER + 16))
        a.mov(RAX, Mem(R13, 0, R10, 1))
        a.mov(Mem(RSI, f["len"]), RAX)
    a.jmp(skip)
    a.bind(list_)
    _store_field(a, R8, 0, Mem(RSI, d.list_iter_index))
    a.jmp(skip)
    a.bind(enum_)
    _store_field(a, R8, 0, Mem(RSI, d.enum_index))
    a.mov(RSI, Mem(RSI, d.enum_sit))
    _store_field(a, R8, 1, Mem(RSI, d.list_iter_index))
    a.jmp(skip)
    a.bind(zip_)
    a.mov(RSI, Mem(RSI, d.zip_iters))
    a.mov(RCX, Mem(R8, 24))
    a.shift("shr", RCX, 1)
    a.mov(J, RCX)                           # lists left
    a.alu("add", RSI, L.tuple_items)
    each = a.new_label()
    a.bind(each)
    a.alu("cmp", J, 0)
    a.jcc("e", skip)
    a.mov(RCX, Mem(RSI, 0))
    _store_field(a, R8, 0, Mem(RCX, d.list_iter_index))
    a.alu("add", RSI, 8)
    a.alu("add", R8, 16)
    a.alu("sub", J, 1)
    a.jmp(each)


def _store_field(a: Asm, record, k: int, dst: Mem) -> None:
    """dst = the slot named by word k of the iterator record at `record`, if its bits changed since the entry
    (rdi: the entry bits). Uses rax, r10."""
    same = a.new_label()
    a.mov(R10, Mem(record, 8 * (ITER_HEADER + k)))
    a.mov(RAX, Mem(R13, 0, R10, 1))
    a.alu("cmp", RAX, Mem(RDI, 0, R10, 1))
    a.jcc("e", same)
    a.mov(dst, RAX)
    a.bind(same)


def _release_olds(a: Asm, d: _Slots) -> None:
    """Release the old references (the frame is complete: Python code a release runs sees it so): old[] and
    base_old[], then each global's old value and its new one (the dict holds a reference of its own)."""
    a.group("release the old references")
    _release_range(a, d, S_OLD, S_GNEW)   # old, base_old
    a.mov(RCX, DESC)
    a.mov(RAX, _d(NGLOBALS))
    a.mov(N, RAX)
    with _counted(a, N):
        for area in (S_GOLD, S_GNEW):
            a.mov(RCX, J)
            _global_word(a, RDX, area)
            a.mov(RDI, Mem(RDX, 0))
            _xdecref_call(a, d)
