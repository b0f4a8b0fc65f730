"""The native round trip of a compiled loop: entry checks and unboxing, the trace, and its exit's write-back.

`roundtrip_code(plan, ext) -> Encoded` assembles `int64 f(PyFrameObject *frame, _PyInterpreterFrame *iframe)`
(iframe 0: the frame's; frame NULL: a frame with no frame object, given by its iframe), the whole trip from the
interpreter into a loop's machine code and back, for loops whose state the plan can describe (fast locals,
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

The code is made for one loop and one layout of its state buffer (a bridge that adds state variables makes a
new one). It is position-independent and is placed at the end of the trace's (or the bridge's) own block; it
finds the trace through a word of its scratch area. The runtime (tracejit.runtime.native_entry) builds the plan
and the records.

May import: tracejit.backend.x86 and .stubs, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine


from tracejit.plaindata import dataclass

from .stubs import emit_frames_left_check, emit_retain, emit_unbox_int64
from .x86 import R8, R9, R12, R13, R14, R15, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, XMM0, Asm, Encoded, Mem

REJECTED = -1               # the entry checks failed: nothing ran, the frame is untouched
KIND_CODES = {"int": 0, "float": 1, "bool": 2, "ref": 3}    # an exit record's stack item kinds
RECORD_HEADER = 3           # words before the (slot, kind code) pairs: instruction pointer, depth, items
MAX_EXIT_STACK = 64         # stack items an exit record may push
TRACE_ENTRY_WORD = 0        # the scratch word that holds the trace's address
ENTRY_BITS_WORD = 1         # the first of the scratch words that keep the entry bits, one per state slot


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
    int_type: int
    float_type: int
    bool_type: int
    true: int
    false: int
    range_iter_type: int
    list_iter_type: int
    list_iter_index: int    # offsets of a list iterator's index and list
    list_iter_seq: int
    enumerate_type: int
    enum_index: int         # offsets of an enumerate object's count, iterator and count beyond Py_ssize_t
    enum_sit: int
    enum_longindex: int
    zip_type: int
    zip_size: int           # offsets of a zip object's number of iterators and their tuple
    zip_iters: int
    thread_state_get: int   # PyThreadState_Get
    owned: tuple = ()       # slots of the variables whose objects the trace owns (a string, a boxed number): each
                            # gets a reference at entry; each exit owns what its ExitInfo.owned names
    owned_table: int = 0    # int64[exit id]: the record {n, slots} of what the exit owns, released after the
                            # write-back (stubs.emit_retain's form), or 0: none, or the runtime releases it
    globals: tuple = ()     # GlobalPlaces
    dict_type: int = 0


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


SAVED = (RBP, RBX, R12, R13, R14, R15)
K, N, J = Mem(RSP, 0), Mem(RSP, 8), Mem(RSP, 16)     # loop counters kept across calls


def roundtrip_code(plan: RoundTripPlan, ext) -> Encoded:
    L = ext.layout
    a = Asm()
    s = _Scratch(plan)
    reject, done, runtime_store = a.new_label(), a.new_label(), a.new_label()
    a.group("save callee-saved registers (and 24 bytes: rsp 16-byte aligned); rbx = frame, r12 = its "
            "interpreter frame, r13 = state buffer, rbp = scratch")
    for r in SAVED:
        a.push(r)
    a.alu("sub", RSP, 24)
    a.mov(RBX, RDI)
    a.mov(R12, RSI)
    given = a.new_label()
    a.test(R12, R12)
    a.jcc("ne", given)
    a.mov(R12, Mem(RBX, L.frame_f_frame))
    a.bind(given)
    a.mov_imm(R13, plan.buffer)
    a.mov_imm(RBP, plan.scratch)
    a.group(f"at least {plan.headroom} Python frames left before the recursion limit")
    emit_frames_left_check(a, plan.thread_state_get, L.tstate_recursion_remaining, plan.headroom, reject)
    for p in plan.places:
        _load_place(a, L, plan, p, reject)
    if plan.globals:
        _globals_str_keys(a, L, plan, reject)
    for g in plan.globals:
        _load_global(a, L, ext, plan, g, reject)
    for it in plan.iters:
        _load_iter(a, L, plan, it, reject)
    compared = sorted({p.slot for p in s.written} | {g.slot for g in plan.globals} |
                      {slot for it in plan.iters for slot in _compared(it)})
    a.group("keep the entry bits")
    for slot in compared:
        a.mov(RAX, Mem(R13, 8 * slot))
        a.mov(Mem(RBP, s.entry_bits + 8 * slot), RAX)
    if plan.owned:
        a.group("the trace owns these variables' objects: a reference each (its exits hand them to the runtime)")
        for slot in plan.owned:
            a.mov(RAX, Mem(R13, 8 * slot))
            _incref(a, L, RAX)
    a.group("run the trace: r14 = exit id, r15 = its record (none: the runtime writes the frame back)")
    a.mov(RDI, R13)
    a.mov(RAX, Mem(RBP, s.trace_entry))
    a.call_reg(RAX)
    a.mov(R14, RAX)
    a.mov_imm(RCX, plan.exit_records)
    a.mov(R15, Mem(RCX, 0, R14, 8))
    a.test(R15, R15)
    a.jcc("e", runtime_store)
    for it in plan.iters:
        if it.fresh >= 0:
            popped = a.new_label()
            a.alu("cmp", Mem(R15, 8), it.pos)
            a.jcc("le", popped)                 # popped at this exit: nothing to write back
            a.alu("cmp", Mem(R13, 8 * it.fresh), 0)
            a.jcc("ne", runtime_store)          # a bridge started a new iterator: the runtime makes it
            a.bind(popped)
    release_made = _box_all(a, L, ext, plan, s, runtime_store)
    _set_globals(a, L, ext, plan, s, release_made)
    _commit(a, L, plan, s)
    _release_olds(a, ext, plan, s)
    if plan.owned_table:
        a.group("release the objects the exit owns (the frame took references of its own)")
        a.mov_imm(RBX, plan.owned_table)
        emit_retain(a, R13, R14, RBX, R15, R12, ext.decref)
    a.mov(RAX, R14)
    a.jmp(done)
    a.bind(runtime_store)
    a.group("the runtime writes the frame back: a reference to each object its retain record names (the frame "
            "and its interpreter frame are not needed any more: rbx, r12 free), -2 - exit id")
    a.mov_imm(RBX, plan.retain_table)
    emit_retain(a, R13, R14, RBX, R15, R12, ext.incref)
    a.mov_imm(RAX, -2)
    a.alu("sub", RAX, R14)
    a.jmp(done)
    a.bind(reject)
    a.mov_imm(RAX, REJECTED)
    a.bind(done)
    a.group("restore and return")
    a.alu("add", RSP, 24)
    for r in reversed(SAVED):
        a.pop(r)
    a.ret()
    return a.finish()


def _slot_mem(L, index: int) -> Mem:
    return Mem(R12, L.iframe_localsplus + 8 * index)


def _compared(it: IterPlace) -> tuple:
    """The slots whose bits the exit compares with the entry's to know whether to write the iterator back."""
    if it.kind == "range":
        return it.slots[0], it.slots[2]
    if it.kind == "enumerate":
        return it.slots[:2]
    return it.slots[::2]


def _load_place(a: Asm, L, plan: RoundTripPlan, p: Place, reject: int) -> None:
    a.group(f"localsplus[{p.index}] -> buffer[{p.slot}] ({p.kind})")
    a.mov(RAX, _slot_mem(L, p.index))
    _unbox(a, L, plan, p.kind, p.slot, reject)


def _load_global(a: Asm, L, ext, plan: RoundTripPlan, g: GlobalPlace, reject: int) -> None:
    a.group(f"globals[{g.label!r}] -> buffer[{g.slot}] ({g.kind}): a borrowed reference")
    _globals_call(a, L, ext.dict_getitem, g)
    _unbox(a, L, plan, g.kind, g.slot, reject)


def _globals_call(a: Asm, L, function: int, g: GlobalPlace, value: Mem | None = None) -> None:
    """rax = function(the frame's globals, g's name[, the word at `value`]): PyDict_GetItemWithError or
    PyDict_SetItem. Clobbers the caller-saved registers."""
    a.mov(RDI, Mem(R12, L.iframe_globals))
    a.mov_imm(RSI, g.name)
    if value is not None:
        a.mov(RDX, value)
    a.mov_imm(RAX, function)
    a.call_reg(RAX)


def _globals_str_keys(a: Asm, L, plan: RoundTripPlan, reject: int) -> None:
    """The frame's globals are an exact dict whose keys are all exact strs (else reject), checked once for every
    global (nothing runs between the lookups that could add another key). Uses rax, rcx, rdi."""
    a.group("the frame's globals: an exact dict of str keys")
    a.mov(RDI, Mem(R12, L.iframe_globals))
    _check_type(a, L, RDI, plan.dict_type, reject)
    a.mov(RAX, Mem(RDI, L.dict_keys))
    a.load8(RAX, Mem(RAX, L.dict_keys_kind))
    a.test(RAX, RAX)
    a.jcc("e", reject)                      # general keys: a lookup could run an __eq__


def _unbox(a: Asm, L, plan: RoundTripPlan, kind: str, slot: int, reject: int) -> None:
    """rax: an object (0: unbound, reject) of the trace's kind (else reject) -> buffer[slot], its value."""
    a.test(RAX, RAX)
    a.jcc("e", reject)                      # unbound
    if kind != "ref":
        a.mov_imm(RCX, {"int": plan.int_type, "float": plan.float_type, "bool": plan.bool_type}[kind])
        a.alu("cmp", RCX, Mem(RAX, L.ob_type))
        a.jcc("ne", reject)
    if kind == "int":
        a.mov(R8, RAX)
        emit_unbox_int64(a, L, R8, RSI, RDI, reject)
    elif kind == "float":
        a.mov(RAX, Mem(RAX, L.float_value))
    elif kind == "bool":
        a.mov_imm(RCX, plan.true)
        a.alu("cmp", RAX, RCX)
        a.setcc("e", RAX)
        a.movzx8(RAX, RAX)
    a.mov(Mem(R13, 8 * slot), RAX)


def _load_iter(a: Asm, L, plan: RoundTripPlan, it: IterPlace, reject: int) -> None:
    a.group(f"the {it.kind} iterator at base stack position {it.pos} -> buffer{list(it.slots)}")
    a.mov(RAX, _slot_mem(L, plan.nlocalsplus + it.pos))
    a.test(RAX, RAX)
    a.jcc("e", reject)
    _check_type(a, L, RAX, {"range": plan.range_iter_type, "list": plan.list_iter_type,
                            "enumerate": plan.enumerate_type, "zip": plan.zip_type}[it.kind], reject)
    if it.fresh >= 0:
        a.alu("cmp", Mem(RAX, L.ob_refcnt), 1)     # shared: a bridge must not drop or replace it
        a.jcc("ne", reject)
        a.mov(Mem(R13, 8 * it.fresh), 0)
    f = L.range_iter
    if it.kind == "range":
        nxt, step, remaining = it.slots
        a.mov(RCX, Mem(RAX, f["step"]))
        a.mov(Mem(R13, 8 * step), RCX)
        if "index" in f:                    # 3.11: next = start + index * step, remaining = len - index
            a.mov(RDX, Mem(RAX, f["index"]))
            a.imul(RCX, RDX)
            a.alu("add", RCX, Mem(RAX, f["start"]))
            a.mov(Mem(R13, 8 * nxt), RCX)
            a.mov(RCX, Mem(RAX, f["len"]))
            a.alu("sub", RCX, RDX)
            a.mov(Mem(R13, 8 * remaining), RCX)
        else:
            a.mov(RCX, Mem(RAX, f["start"]))
            a.mov(Mem(R13, 8 * nxt), RCX)
            a.mov(RCX, Mem(RAX, f["len"]))
            a.mov(Mem(R13, 8 * remaining), RCX)
    elif it.kind == "list":
        _load_list_iter(a, plan, it.slots, reject)
    elif it.kind == "enumerate":
        a.alu("cmp", Mem(RAX, plan.enum_longindex), 0)
        a.jcc("ne", reject)                 # counting beyond Py_ssize_t
        a.mov(RCX, Mem(RAX, plan.enum_index))
        a.mov(Mem(R13, 8 * it.slots[0]), RCX)
        a.mov(RAX, Mem(RAX, plan.enum_sit))
        _check_type(a, L, RAX, plan.list_iter_type, reject)
        _load_list_iter(a, plan, it.slots[1:], reject)
    else:
        n = len(it.slots) // 2
        a.alu("cmp", Mem(RAX, plan.zip_size), n)
        a.jcc("ne", reject)
        a.mov(R9, Mem(RAX, plan.zip_iters))
        for j in range(n):
            a.mov(RAX, Mem(R9, L.tuple_items + 8 * j))
            _check_type(a, L, RAX, plan.list_iter_type, reject)
            _load_list_iter(a, plan, it.slots[2 * j:2 * j + 2], reject)
            for k in range(j):              # one iterator twice: each item advances it twice
                a.alu("cmp", RAX, Mem(R9, L.tuple_items + 8 * k))
                a.jcc("e", reject)


def _check_type(a: Asm, L, r, type_address: int, reject: int) -> None:
    """Reject unless the object in r is exactly of the type at type_address. Uses rcx."""
    a.mov_imm(RCX, type_address)
    a.alu("cmp", RCX, Mem(r, L.ob_type))
    a.jcc("ne", reject)


def _load_list_iter(a: Asm, plan: RoundTripPlan, slots: tuple, reject: int) -> None:
    """rax: a list iterator -> buffer[slots]: its next index, its list (reject once exhausted). Uses rcx."""
    index, seq = slots
    a.mov(RCX, Mem(RAX, plan.list_iter_seq))
    a.test(RCX, RCX)
    a.jcc("e", reject)
    a.mov(Mem(R13, 8 * seq), RCX)
    a.mov(RCX, Mem(RAX, plan.list_iter_index))
    a.mov(Mem(R13, 8 * index), RCX)


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


def _box(a: Asm, L, ext, plan: RoundTripPlan, kind: str) -> None:
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
        a.mov_imm(RAX, plan.true, keep_flags=True)
        a.mov_imm(RCX, plan.false, keep_flags=True)
        a.cmov("e", RAX, RCX)
        _incref(a, L, RAX)
    elif kind == "float":
        a.movq_to_xmm(XMM0, RAX)
        a.mov_imm(RAX, ext.float_new)
        a.call_reg(RAX)
    else:
        big, made = a.new_label(), a.new_label()
        a.alu("cmp", RAX, L.small_ints[-1])
        a.jcc("g", big)
        a.alu("cmp", RAX, L.small_ints[0])
        a.jcc("l", big)
        a.imul_imm(RAX, RAX, ext.small_int_stride)       # the cached int object
        a.mov_imm(RCX, ext.small_int_zero)
        a.alu("add", RAX, RCX)
        _incref(a, L, RAX)
        a.jmp(made)
        a.bind(big)
        a.mov(RDI, RAX)
        a.mov_imm(RAX, ext.long_new)
        a.call_reg(RAX)
        a.bind(made)


def _box_all(a: Asm, L, ext, plan: RoundTripPlan, s: _Scratch, runtime_store: int) -> int:
    """Make every object the write-back stores: new[j] for each written place whose bits changed (else 0),
    gnew[j] for each changed global, stack[k] for each item of the record. On failure: release what was made
    (and the old values of globals held by then, gold[]) and leave the write-back to the runtime
    (`runtime_store`). Returns the label of that release (entered with no error set)."""
    failed, null_ref = a.new_label(), a.new_label()
    a.group("make the objects: changed locals and globals, then the exit's stack items")
    a.mov(Mem(RSP, 0), 0)                   # K: stack items made so far
    for j in range(len(s.written)):
        a.mov(Mem(RBP, s.new + 8 * j), 0)
    for j in range(len(plan.globals)):
        a.mov(Mem(RBP, s.gnew + 8 * j), 0)
        a.mov(Mem(RBP, s.gold + 8 * j), 0)
    changed = [(s.new + 8 * j, p.slot, p.kind) for j, p in enumerate(s.written)] + \
        [(s.gnew + 8 * j, g.slot, g.kind) for j, g in enumerate(plan.globals)]
    for new, slot, kind in changed:
        same = a.new_label()
        a.mov(RAX, Mem(R13, 8 * slot))
        a.alu("cmp", RAX, Mem(RBP, s.entry_bits + 8 * slot))
        a.jcc("e", same)
        if kind == "ref":
            a.test(RAX, RAX)
            a.jcc("e", null_ref)            # an unbound variable: the runtime's write-back decides
        _box(a, L, ext, plan, kind)
        a.test(RAX, RAX)
        a.jcc("e", failed)
        a.mov(Mem(RBP, new), RAX)
        a.bind(same)
    loop, end = a.new_label(), a.new_label()
    a.mov(RAX, Mem(R15, 16))
    a.mov(N, RAX)
    a.bind(loop)
    a.mov(RCX, K)
    a.alu("cmp", RCX, N)
    a.jcc("ge", end)
    a.mov(RSI, RCX)
    a.shift("shl", RSI, 1)
    a.mov(RDX, Mem(R15, 8 * RECORD_HEADER, RSI, 8))         # slot
    a.mov(RAX, Mem(R13, 0, RDX, 8))
    a.mov(RDX, Mem(R15, 8 * RECORD_HEADER + 8, RSI, 8))     # kind code
    made = a.new_label()
    kinds = sorted(KIND_CODES.items(), key=lambda kv: kv[1])
    branches = [a.new_label() for _ in kinds]
    for (_, code), lab in zip(kinds[:-1], branches):
        a.alu("cmp", RDX, code)
        a.jcc("e", lab)
    a.jmp(branches[-1])
    for (kind, _), lab in zip(kinds, branches):
        a.bind(lab)
        _box(a, L, ext, plan, kind)
        if kind != "ref":
            a.test(RAX, RAX)
            a.jcc("e", failed)
        a.jmp(made)
    a.bind(made)
    a.mov(RCX, K)
    a.mov(Mem(RBP, s.stack, RCX, 8), RAX)
    a.alu("add", K, 1)
    a.jmp(loop)
    a.bind(failed)
    a.group("making an object failed: clear the error, release what was made (and the old values held), -2 - exit "
            "id")
    a.mov_imm(RAX, ext.err_clear)
    a.call_reg(RAX)
    a.bind(null_ref)
    for j in range(len(s.written)):
        a.mov(RDI, Mem(RBP, s.new + 8 * j))
        _xdecref_call(a, ext)
    for j in range(len(plan.globals)):
        for at in (s.gnew, s.gold):
            a.mov(RDI, Mem(RBP, at + 8 * j))
            _xdecref_call(a, ext)
    with _counted(a, K):                    # the stack items made so far
        a.mov(RDI, Mem(RBP, s.stack, RCX, 8))
        _xdecref_call(a, ext)
    a.jmp(runtime_store)
    a.bind(end)
    return null_ref


def _set_globals(a: Asm, L, ext, plan: RoundTripPlan, s: _Scratch, release_made: int) -> None:
    """globals[name] = gnew[j] for each changed global (PyDict_SetItem: its own reference), the old value given a
    reference first (gold[j]: released with the other old references, once the frame is complete). Runs no Python
    code: the keys are exact strs, the old values are not released here (a dict watcher, a C function, sees the
    same calls as after a STORE_GLOBAL). A failure (which a key present at entry rules out) clears the error, puts
    the old values of the globals set before back (the frame and its globals are then as at entry: the objects the
    state buffer borrows stay alive) and goes to `release_made`: the runtime writes the frame back."""
    if not plan.globals:
        return
    a.group("set the changed globals (their old values held)")
    restores = [a.new_label() for _ in plan.globals]
    for j, g in enumerate(plan.globals):
        skip, held = a.new_label(), a.new_label()
        a.alu("cmp", Mem(RBP, s.gnew + 8 * j), 0)
        a.jcc("e", skip)
        _globals_call(a, L, ext.dict_getitem, g)
        a.mov(Mem(RBP, s.gold + 8 * j), RAX)
        a.test(RAX, RAX)
        a.jcc("e", held)
        _incref(a, L, RAX)
        a.bind(held)
        _globals_call(a, L, ext.dict_setitem, g, Mem(RBP, s.gnew + 8 * j))
        a.test32(RAX, RAX)
        a.jcc("s", restores[j])
        a.bind(skip)
    done = a.new_label()
    a.jmp(done)
    for j, label in enumerate(restores):
        # (one block per global: the failed global itself is not set again, which a dict watcher would see)
        a.bind(label)
        a.group(f"setting global {plan.globals[j].label!r} failed: clear the error, put back the old values of those "
                f"set before it")
        a.mov_imm(RAX, ext.err_clear)
        a.call_reg(RAX)
        for i, earlier in enumerate(plan.globals[:j]):
            skip = a.new_label()
            a.alu("cmp", Mem(RBP, s.gold + 8 * i), 0)
            a.jcc("e", skip)                    # not changed, or none to put back
            _globals_call(a, L, ext.dict_setitem, earlier, Mem(RBP, s.gold + 8 * i))
            a.test32(RAX, RAX)
            a.jcc("ns", skip)
            a.mov_imm(RAX, ext.err_clear)       # (cannot fail either: the key is there)
            a.call_reg(RAX)
            a.bind(skip)
        a.jmp(release_made)
    a.bind(done)


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


def _xdecref_call(a: Asm, ext) -> None:
    """Py_DecRef(rdi) unless rdi is 0."""
    skip = a.new_label()
    a.test(RDI, RDI)
    a.jcc("e", skip)
    a.mov_imm(RAX, ext.decref)
    a.call_reg(RAX)
    a.bind(skip)


def _commit(a: Asm, L, plan: RoundTripPlan, s: _Scratch) -> None:
    """Every write to the frame, with no call in between; the old references are kept in old[] / base_old[]."""
    a.group("write the frame: changed locals (old references kept)")
    for j, p in enumerate(s.written):
        skip = a.new_label()
        a.mov(Mem(RBP, s.old + 8 * j), 0)
        a.mov(RAX, Mem(RBP, s.new + 8 * j))
        a.test(RAX, RAX)
        a.jcc("e", skip)
        a.mov(RCX, _slot_mem(L, p.index))
        a.mov(Mem(RBP, s.old + 8 * j), RCX)
        a.mov(_slot_mem(L, p.index), RAX)
        a.bind(skip)
    iters = {it.pos: it for it in plan.iters}
    a.group("base stack items: the iterators' fields, the items popped at this exit emptied")
    a.mov(RDX, Mem(R15, 8))                 # depth of the base stack that remains
    for pos in range(plan.base_depth):
        alive, nxt = a.new_label(), a.new_label()
        a.mov(Mem(RBP, s.base_old + 8 * pos), 0)
        a.alu("cmp", RDX, pos)
        a.jcc("g", alive)
        a.mov(RCX, _slot_mem(L, plan.nlocalsplus + pos))
        a.mov(Mem(RBP, s.base_old + 8 * pos), RCX)
        a.mov(_slot_mem(L, plan.nlocalsplus + pos), 0)
        a.jmp(nxt)
        a.bind(alive)
        if pos in iters:
            _store_iter(a, L, plan, s, iters[pos], nxt)
        a.bind(nxt)
    push, pushed = a.new_label(), a.new_label()
    a.group("the exit's stack items above the base, the stack top, the instruction pointer")
    a.mov(RCX, N)
    a.test(RCX, RCX)
    a.jcc("ne", push)
    a.alu("cmp", RDX, plan.base_depth)
    a.jcc("ge", pushed)
    a.bind(push)
    a.mov(RSI, RDX)
    a.shift("shl", RSI, 3)
    a.alu("add", RSI, R12)                  # rsi + disp: localsplus[nlocalsplus + depth]
    disp = L.iframe_localsplus + 8 * plan.nlocalsplus
    with _counted(a, N):
        a.mov(RAX, Mem(RBP, s.stack, RCX, 8))
        a.mov(Mem(RSI, disp, RCX, 8), RAX)
    a.mov(RAX, RDX)
    a.alu("add", RAX, N)
    a.alu("add", RAX, plan.nlocalsplus)
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


def _store_iter(a: Asm, L, plan: RoundTripPlan, s: _Scratch, it: IterPlace, skip: int) -> None:
    """Write an iterator's state back where the trace changed it. Keeps rdx."""
    f = L.range_iter
    a.mov(RSI, _slot_mem(L, plan.nlocalsplus + it.pos))
    if it.kind == "range":
        write = a.new_label()
        nxt, _, remaining = it.slots
        a.mov(RAX, Mem(R13, 8 * nxt))
        a.alu("cmp", RAX, Mem(RBP, s.entry_bits + 8 * nxt))
        a.jcc("ne", write)
        a.mov(RAX, Mem(R13, 8 * remaining))
        a.alu("cmp", RAX, Mem(RBP, s.entry_bits + 8 * remaining))
        a.jcc("e", skip)
        a.bind(write)
        if "index" in f:                    # 3.11: index = len - remaining (start stays)
            a.mov(RAX, Mem(RSI, f["len"]))
            a.alu("sub", RAX, Mem(R13, 8 * remaining))
            a.mov(Mem(RSI, f["index"]), RAX)
        else:
            a.mov(RAX, Mem(R13, 8 * nxt))
            a.mov(Mem(RSI, f["start"]), RAX)
            a.mov(RAX, Mem(R13, 8 * remaining))
            a.mov(Mem(RSI, f["len"]), RAX)
        return
    if it.kind == "list":
        _store_field(a, s, it.slots[0], Mem(RSI, plan.list_iter_index))
    elif it.kind == "enumerate":
        _store_field(a, s, it.slots[0], Mem(RSI, plan.enum_index))
        a.mov(RSI, Mem(RSI, plan.enum_sit))
        _store_field(a, s, it.slots[1], Mem(RSI, plan.list_iter_index))
    else:
        a.mov(RSI, Mem(RSI, plan.zip_iters))
        for j in range(len(it.slots) // 2):
            a.mov(RDI, Mem(RSI, L.tuple_items + 8 * j))
            _store_field(a, s, it.slots[2 * j], Mem(RDI, plan.list_iter_index))


def _store_field(a: Asm, s: _Scratch, slot: int, dst: Mem) -> None:
    """dst = buffer[slot] if its bits changed since the entry. Uses rax."""
    same = a.new_label()
    a.mov(RAX, Mem(R13, 8 * slot))
    a.alu("cmp", RAX, Mem(RBP, s.entry_bits + 8 * slot))
    a.jcc("e", same)
    a.mov(dst, RAX)
    a.bind(same)


def _release_olds(a: Asm, ext, plan: RoundTripPlan, s: _Scratch) -> None:
    """Release the old references (the frame is complete: Python code a release runs sees it so)."""
    a.group("release the old references")
    for j in range(len(s.written)):
        a.mov(RDI, Mem(RBP, s.old + 8 * j))
        _xdecref_call(a, ext)
    for pos in range(plan.base_depth):
        a.mov(RDI, Mem(RBP, s.base_old + 8 * pos))
        _xdecref_call(a, ext)
    for j in range(len(plan.globals)):      # (the dict holds a reference of its own to the new value)
        for at in (s.gold, s.gnew):
            a.mov(RDI, Mem(RBP, at + 8 * j))
            _xdecref_call(a, ext)
