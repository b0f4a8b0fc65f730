"""Trace -> x86-64 machine code: code shape, calling convention, op emitters, exit stubs.

Loop code:  entry (SysV `int64 f(int64 *state)`: push rbx rbp r12-r15, reserve the frame, r15 = state)
            reentry (load inputs from the state buffer, r14 = budget)  label:  body  jump (parallel move,
            jmp label)  exit stubs  common exit (bridge table lookup)  epilogue (ret exit id).
Bridge code: linked entry (the budget slot decremented; out of budget: jmp loop.epilogue with the exit id that
            jumped here)  entry = reentry (load inputs, r14 = budget)  body  jump (store jump args into the buffer,
            jmp loop.reentry)  exit stubs  common exit (bridge table or jmp loop.epilogue).

Registers: r15 = state buffer, r14 = budget, rsp = frame, rax/rcx/rdx and xmm0/xmm1 = scratch; the rest are
allocated by regalloc. Frame (fixed size, shared by a loop and its bridges): save area for caller-saved
registers around libm calls, temporaries, spill slots. Every op emitter reproduces the op's `evaluate`
from tracejit.ir.ops bit for bit; a guard jumps to an out-of-line stub that stores the snapshot. Where the
fields of Python objects are comes from the runtime with the addresses (Externals.layout: the running
CPython's Layout, checked by tracejit.cpython.layout at start-up).

May import: tracejit.ir, tracejit.backend.*, iced_x86 (through x86) and tracejit.plaindata; tracejit.cpython.layout for
type checking only (the Layout type).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import struct

from tracejit.plaindata import cached_property, dataclass, field, memoized

from ..ir.ops import GRAVEYARD_RESERVE, GRAVEYARD_SLOTS, INT64_MIN, OPS, Kind
from ..ir.trace import BUDGET_SLOT, NULL, Const, Op, Trace, Value, Var, format_op
from .errors import CompileError
from .regalloc import MAX_SPILL, Allocation, Spill, allocate
from .stubs import emit_unbox_int64
from .x86 import (NEG, R11, R12, R13, R14, R15, RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, SWAP, XMM0, XMM1, Asm,
                  Encoded, Mem, Reg, fits_i32)

TYPE_CHECKING = False           # typing is not imported at run time (annotations are strings)
if TYPE_CHECKING:
    from typing import Callable

    from ..cpython.layout import Layout

# ---- frame layout (offsets from rsp inside native code) -------------------------------------------------
XMM_SAVE = 0                       # 16 slots, by xmm number
GPR_SAVE = XMM_SAVE + 8 * 16       # 16 slots, by register number
TEMPORARIES = 10                   # an even count keeps the frame aligned
TEMP = GPR_SAVE + 8 * 16           # the temporaries (a py_call's callable and arguments: its array)
SPILL_BASE = TEMP + 8 * TEMPORARIES
FRAME_SIZE = SPILL_BASE + 8 * MAX_SPILL + 8     # rsp % 16 == 0 after the 6 pushes and this
assert FRAME_SIZE % 16 == 8
CALLEE_PUSHED = [RBX, RBP, R12, R13, R14, R15]

SIGN = 1 << 63
EXACT = 1 << 53


def fbits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


@memoized
def _stack_mem(disp: int) -> Mem:
    """[rsp + disp] (one record per displacement: spill slots are read and written at every use)."""
    return Mem(RSP, disp)


@dataclass
class Externals:
    """Absolute addresses the code needs and what it must know of the CPU and of CPython's objects, supplied by
    the runtime."""
    bridge_table: int        # int64 array: bridge_table[exit_id] != 0 -> jump there instead of returning
    fmod: int
    floor: int
    pow: int
    copysign: int            # currently unused: copysign(0.0, x) is done inline with bit operations
    exit_counts: int = 0     # int64 array: exit_counts[exit_id] += 1 at every exit taken (0: not counted)
    ceil: int = 0            # libm functions behind math.ceil/sin/cos/tan/exp/log (0: those ops not compiled)
    sin: int = 0
    cos: int = 0
    tan: int = 0
    exp: int = 0
    log: int = 0
    hypot: int = 0           # abs() of a complex number (0: complex_abs not compiled)
    incref: int = 0          # C API functions for the ops that store into lists (0: those ops not compiled)
    decref: int = 0
    float_new: int = 0       # PyFloat_FromDouble
    long_new: int = 0        # PyLong_FromLongLong
    get_iter: int = 0        # PyObject_GetIter (0: new_iter not compiled)
    err_clear: int = 0       # PyErr_Clear
    err_occurred: int = 0    # PyErr_Occurred
    list_append: int = 0     # PyList_Append
    tuple_new: int = 0       # PyTuple_New, PyList_New (0: new_tuple / new_list not compiled)
    list_new: int = 0
    list_slice: int = 0      # PyList_GetSlice, PyTuple_GetSlice (0: list_slice / tuple_slice not compiled)
    tuple_slice: int = 0
    complex_new: int = 0     # PyComplex_FromDoubles
    vectorcall: int = 0      # PyObject_Vectorcall, for sum(): CPython's builtin itself
    builtin_sum: int = 0
    long_as_int64: int = 0   # PyLong_AsLongLongAndOverflow
    graveyard: int = 0       # int64 array: [0] = count, then old list items released when the run ends
    sse41: bool = False      # the CPU has SSE4.1 (roundsd: round(x))
    small_int_zero: int = 0  # address of the cached int 0; cached ints (layout.small_ints) follow at small_int_stride
    small_int_stride: int = 0
    str_compare: int = 0     # PyUnicode_Compare, PyUnicode_Contains (0: those ops not compiled)
    str_contains: int = 0
    dict_getitem: int = 0    # PyDict_GetItemWithError, PyDict_Contains, PyDict_Next (0: the dict ops not compiled)
    dict_contains: int = 0
    dict_next: int = 0
    dict_setitem: int = 0    # PyDict_SetItem (0: dict stores not compiled)
    dict_new: int = 0        # PyDict_New (0: new_dict not compiled)
    str_concat: int = 0      # PyUnicode_Concat, PyUnicode_Substring (0: the ops making strs not compiled)
    str_substring: int = 0
    obj_str: int = 0         # PyObject_Str, _PyUnicode_JoinArray (0: int_to_str and str_build not compiled)
    str_join: int = 0
    object_new: int = 0      # object's tp_new, PyObject_SetAttr (0: new_instance / fresh_setattr not compiled)
    setattr: int = 0
    function_new: int = 0    # PyFunction_New (0: new_function not compiled)
    # 3.11's gcstate->collecting (tracejit.cpython.layout.gc_collecting_address; 0 on 3.12+): set around the calls
    # of ops that allocate GC-tracked objects (OpDef.allocates_tracked), see Assembler.call
    gc_collecting: int = 0
    # the generic path (backend.pycalls): C API functions by name (ir.ops.PY_FUNCTIONS), the loop's frame sync
    # area (ir.trace SYNC_*), its code's first instruction (co_code_adaptive), PyErr_GetRaisedException, the
    # native graveyard release (backend.stubs.release_stub; 0: py_call not compiled)
    py_functions: dict = field(default_factory=dict)
    sync: int = 0
    code_instrs: int = 0
    raised_exception: int = 0
    release_graveyard: int = 0
    # the hooks' signal gate (tracejit.hooks.SignalGate): a py_call opens it for the call (signal handlers run
    # in the called code, as without the JIT) and closes it after: the main-thread word and its value, the
    # pending-signals int, the eval breaker (its size in bytes) and its bit (0 addresses: no gate)
    gate_word: int = 0
    gate_ident: int = 0
    gate_pending: int = 0
    gate_breaker: int = 0
    gate_breaker_size: int = 4
    gate_bit: int = 0
    latin1_chars: int = 0    # 256 pointers: CPython's one-character string of each code point < 256 (0: none)
    # the running CPython's (tracejit.cpython.layout.LAYOUTS): where the fields of objects are, how an int's
    # size is kept (long_tagged), immortal refcounts (None: no op that reads or writes an object is compiled)
    layout: Layout | None = None
    # where instances of Python classes keep their attributes (tracejit.cpython.instances.InstanceValues, checked;
    # None: instance_attr not compiled)
    instance_values: object = None


@dataclass
class LoopAddresses:
    """For assembling a bridge: where its loop lives in memory."""
    reentry: int             # absolute address of the loop's re-entry point
    epilogue: int            # absolute address of the loop's return sequence


@dataclass(eq=False)
class MachineCode:
    """An assembled trace: position-independent code, its entry points and listing (its texts, and the
    register allocation's, are made when first read)."""
    code: bytes              # position-independent
    entry: int               # offset of the C-ABI entry (loops; bridges: where their guard's exit jumps)
    reentry: int             # offset of the re-entry point (loops; bridges: = entry)
    epilogue: int            # offset of the return sequence (loops; bridges: -1)
    exit_ids: list[int]
    encoded: Encoded
    alloc: Allocation | None = None
    group_ops: list[int] = field(default_factory=list)   # per listing group: index of its IR op (-1: none);
                                                         # a guard's exit stub has the guard's index
    linked_entry: int = -1   # bridges: where the exits linked to it jump (0: the start; the budget counted first)

    @property
    def listing(self) -> list[tuple[str, list[tuple[int, str]]]]:
        return self.encoded.listing

    @cached_property
    def regalloc(self) -> str:
        """Text form of the register allocation."""
        return self.alloc.format() if self.alloc is not None else ""


EMITTERS: dict[str, Callable[["Assembler", Op, int], None]] = {}


def _op_title(op: Op) -> Callable[[], str]:
    """The listing group title of an op's code (made only for a listing)."""
    def title() -> str:
        text = format_op(op, show_snapshots=False)
        return text + f"  -> exit #{op.exit_id}" if op.snapshot is not None else text
    return title


def emitter(*names: str):
    def deco(fn):
        for n in names:
            EMITTERS[n] = fn
        return fn
    return deco


INT_CC = {"int_lt": "l", "int_le": "le", "int_eq": "e", "int_ne": "ne", "int_gt": "g", "int_ge": "ge"}


class Assembler:
    def __init__(self, trace: Trace, ext: Externals, loop: LoopAddresses | None):
        if trace.kind == "bridge" and loop is None:
            raise CompileError("bridge needs LoopAddresses")
        self.t = trace
        self.ext = ext
        self.loop = loop
        self.alloc: Allocation = allocate(trace)
        self.iv = {id(iv.var): iv for iv in self.alloc.intervals}
        self.store_plans: dict[int, list] = {}     # id(snapshot) -> its exit stores (_exit_stores)
        self.store_lists: dict[int, list] = {}     # id(a store plan) -> its (key, slot, value) list
        self.a = Asm()
        self.stubs: list[tuple[int, Op]] = []
        self.group_ops: dict[int, int] = {}       # listing group -> IR op index (MachineCode.group_ops)
        self.op_index = {id(op): i for i, op in enumerate(trace.ops)}
        self.exit_ids: list[int] = []
        self.common_exit = self.a.new_label()
        self.epilogue_label = self.a.new_label()
        self.loop_label = self.a.new_label()
        self.entry_label = self.a.new_label()
        self.reentry_label = self.a.new_label()

    # ---- operands ----------------------------------------------------------------------------------

    @staticmethod
    def spill_mem(s: Spill) -> Mem:
        return _stack_mem(SPILL_BASE + 8 * s.index)

    @staticmethod
    @memoized
    def slot_mem(slot: int) -> Mem:
        """The state buffer's slot (one record per slot: every exit stub stores to them)."""
        return Mem(R15, 8 * slot)

    def where(self, v: Var) -> Reg | Mem:
        loc = self.alloc.loc(v)
        return loc if isinstance(loc, Reg) else self.spill_mem(loc)

    def g(self, v: Value) -> Reg | Mem | int:
        """A GPR-class operand: register, memory, or the constant's 64-bit value (floats: bits, objects:
        their address; the trace holds them alive)."""
        if isinstance(v, Const):
            if v.kind is Kind.FLOAT:
                return fbits(v.value)
            if v.kind is Kind.REF:
                return 0 if v.value is NULL else id(v.value)
            return int(v.value)
        return self.where(v)

    def gsrc(self, v: Value, scratch: Reg) -> Reg | Mem | int:
        o = self.g(v)
        if isinstance(o, int) and not fits_i32(o):
            self.a.mov(scratch, o)
            return scratch
        return o

    def greg(self, v: Value, scratch: Reg) -> Reg:
        o = self.g(v)
        if isinstance(o, Reg):
            return o
        self.a.mov(scratch, o)
        return scratch

    def f(self, v: Value) -> Reg | Mem:
        """An XMM-class operand: register, spill slot or pool constant."""
        if isinstance(v, Const):
            return self.a.const(fbits(v.value))
        return self.where(v)

    def freg(self, v: Value, scratch: Reg) -> Reg:
        o = self.f(v)
        if isinstance(o, Reg):
            return o
        self.a.sse("movsd", scratch, o)
        return scratch

    def fbits_to(self, r: Reg, v: Value) -> None:
        """Load a float's bit pattern into GPR r."""
        o = self.f(v) if not isinstance(v, Const) else None
        if o is None:
            self.a.mov(r, fbits(v.value))
        elif isinstance(o, Reg):
            self.a.movq_from_xmm(r, o)
        else:
            self.a.mov(r, o)

    def dst(self, op: Op) -> Reg | Mem:
        return self.where(op.result)

    @property
    def objects(self) -> Layout:
        """Where the fields of objects are (offsets of ob_type, a list's items, a float's value...)."""
        if self.ext.layout is None:
            raise CompileError("no object layout")
        return self.ext.layout

    def put(self, d: Reg | Mem, r: Reg) -> None:
        """Store GPR r into the destination."""
        self.a.mov(d, r)

    def fput(self, d: Reg | Mem, r: Reg) -> None:
        if isinstance(d, Reg):
            self.a.sse("movsd", d, r)
        else:
            self.a.movsd_store(d, r)

    def load_float(self, d: Reg, v: Value) -> None:
        if isinstance(v, Const) and fbits(v.value) == 0:
            self.a.sse128("xorps", d, d)
        else:
            self.a.sse("movsd", d, self.f(v))

    def exit_label(self, op: Op) -> int:
        lab = self.a.new_label()
        self.stubs.append((lab, op))
        return lab

    # ---- whole trace -------------------------------------------------------------------------------

    def assemble(self) -> MachineCode:
        a, t = self.a, self.t
        if t.kind == "loop":
            a.group("entry")
            a.bind(self.entry_label)
            for r in CALLEE_PUSHED:
                a.push(r)
            a.alu("sub", RSP, FRAME_SIZE)
            a.mov(R15, RDI)
        if t.kind == "bridge":
            # the entry of the exits linked to this bridge (compiling.link_bridge) counts against the run's
            # budget like an iteration: a cycle of bridges through linked exits, which never passes the loop's
            # header, still ends at the time slice. Out of budget, the exit that jumped here (eax) returns as if
            # it had no bridge: its stores are in the state buffer. (The exit it was recorded from enters below.)
            a.group("linked entry: budget")
            a.unary("dec", self.slot_mem(BUDGET_SLOT))
            self.budget_out = a.new_label()
            a.jcc("le", self.budget_out)
        a.group("reentry: load inputs")
        a.bind(self.reentry_label)
        self.load_inputs()
        a.mov(R14, self.slot_mem(BUDGET_SLOT))
        if t.kind == "bridge":
            a.hot(True)
        for i, op in enumerate(t.ops):
            a.group(_op_title(op))
            self.group_ops[len(a.groups) - 1] = i
            if op.name == "label":
                a.hot(True)
            if t.kind == "loop" and i == (t.preamble + 1 if t.preamble else 0):
                a.bind(self.loop_label)     # the back-edge target: after the preamble (hoist_loop_invariants)
            if op.name == "label":
                continue
            if i in self.alloc.fused:
                continue
            if op.name == "jump":
                self.emit_jump(op)
                a.hot(False)
                continue
            fn = EMITTERS.get(op.name)
            if fn is None:
                raise CompileError(f"no code for op {op.name}")
            fn(self, op, i)
        self.emit_stubs()
        self.emit_common_exit()
        enc = a.finish()
        lo = enc.label_offsets
        if t.kind == "loop":
            entry, reentry, epi = lo[self.entry_label], lo[self.reentry_label], lo[self.epilogue_label]
        else:
            entry = reentry = lo[self.reentry_label]
            epi = -1
        group_ops = [self.group_ops.get(k, -1) for k in range(len(enc.groups) + bool(enc.pool))]
        return MachineCode(enc.code, entry, reentry, epi, self.exit_ids, enc, self.alloc, group_ops,
                           linked_entry=0 if t.kind == "bridge" else -1)

    def load_inputs(self) -> None:
        seen = set()
        for sv, v in self.t.inputs:
            if id(v) in seen or not self.alloc.has(v):
                continue
            seen.add(id(v))
            iv = self.iv[id(v)]
            if iv.end <= iv.start:
                continue                     # never used
            src = self.slot_mem(self.t.layout.slot(sv))
            loc = self.where(v)
            if isinstance(loc, Reg) and loc.xmm:
                self.a.sse("movsd", loc, src)
            else:
                self.a.mov(loc, src, scratch=RAX)

    # ---- jump --------------------------------------------------------------------------------------

    def emit_jump(self, op: Op) -> None:
        if self.t.kind == "loop":
            label = self.t.ops[0]
            moves = []
            for lv, arg in zip(label.args, op.args):
                iv = self.iv[id(lv)]
                if iv.end <= iv.start:
                    continue
                moves.append((self.alloc.loc(lv), arg, lv.kind is Kind.FLOAT))
            self.parallel_move(moves)
            self.a.jmp(self.loop_label)
        else:
            input_slot = {id(v): self.t.layout.slot(sv) for sv, v in self.t.inputs}
            for sv, arg in zip(self.t.jump_vars, op.args):
                slot = self.t.layout.slot(sv)
                if isinstance(arg, Var) and input_slot.get(id(arg)) == slot:
                    continue
                self.store_value(self.slot_mem(slot), arg)
            self.a.mov(self.slot_mem(BUDGET_SLOT), R14)
            self.a.mov(RAX, self.loop.reentry)
            self.a.jmp_reg(RAX)

    def move_loc(self, d, s, xmm: bool) -> None:
        """Move between locations (Reg / Spill) of one class."""
        dm = self.spill_mem(d) if isinstance(d, Spill) else d
        sm = self.spill_mem(s) if isinstance(s, Spill) else s
        if isinstance(dm, Mem) and isinstance(sm, Mem):
            self.a.mov(RAX, sm)
            self.a.mov(dm, RAX)
        elif xmm:
            if isinstance(dm, Reg):
                self.a.sse("movsd", dm, sm)
            else:
                self.a.movsd_store(dm, sm)
        else:
            self.a.mov(dm, sm)

    def parallel_move(self, moves: list[tuple[object, Value, bool]]) -> None:
        pending = []
        consts = []
        for d, s, x in moves:
            if isinstance(s, Const):
                consts.append((d, s, x))
            else:
                sl = self.alloc.loc(s)
                if sl != d:
                    pending.append((d, sl, x))
        while pending:
            for k, (d, s, x) in enumerate(pending):
                if not any(s2 == d for j, (_, s2, _) in enumerate(pending) if j != k):
                    self.move_loc(d, s, x)
                    del pending[k]
                    break
            else:
                d, s, x = pending[0]
                temp = XMM1 if x else RDX
                self.move_loc(temp, d, x)
                pending = [(d2, temp if s2 == d else s2, x2) for d2, s2, x2 in pending]
        for d, s, x in consts:
            dm = self.spill_mem(d) if isinstance(d, Spill) else d
            if x and isinstance(dm, Reg):
                self.load_float(dm, s)
            else:
                self.a.mov(dm, self.g(s), scratch=RAX)

    # ---- exits -------------------------------------------------------------------------------------

    def store_value(self, dst: Mem, v: Value, op: Op | None = None, scratch: Reg = RAX) -> None:
        """Store a value's 64-bit pattern into memory (used for exits and bridge jumps); `scratch` is the GPR
        it may clobber (and RCX where op's overwritten operand is recomputed: `undo`)."""
        a = self.a
        if isinstance(v, Const):
            a.mov(dst, self.g(v), scratch=scratch)
            return
        loc = self.alloc.loc(v)
        if self._overwritten(v, op, loc):
            self.undo(dst, v, op, loc, scratch)
            return
        if isinstance(loc, Reg):
            if loc.xmm:
                a.movsd_store(dst, loc)
            else:
                a.mov(dst, loc)
        else:
            a.mov(scratch, self.spill_mem(loc))
            a.mov(dst, scratch)

    def _overwritten(self, v: Value, op: Op | None, loc) -> bool:
        """v's register holds op's result at op's exit (overwritten in place before an overflow check)."""
        return op is not None and op.result is not None and isinstance(loc, Reg) and self.alloc.has(op.result) \
            and self.alloc.loc(op.result) == loc

    def undo(self, dst: Mem, v: Var, op: Op, r: Reg, scratch: Reg = RAX) -> None:
        """v's register was overwritten in place by op's result before the overflow check: recompute v."""
        a = self.a
        if op.name == "int_neg_ovf":
            a.mov(dst, r)                    # only INT64_MIN overflows, and -INT64_MIN wraps to itself
            return
        x, y = op.args
        if op.name == "int_add_ovf":
            other = y if v is x else x
            a.mov(scratch, r)
            a.alu("sub", scratch, self.gsrc(other, RCX))
        elif op.name == "int_sub_ovf" and v is x:
            a.mov(scratch, r)
            a.alu("add", scratch, self.gsrc(y, RCX))
        else:
            raise AssertionError(f"{v!r} shares a register with the result of {op.name}")
        a.mov(dst, scratch)

    def _exit_stores(self, op: Op) -> list[tuple]:
        """What op's exit stub stores, as (key, slot, value): equal keys are the same instruction wherever
        they run (the same slot from the same register, spill slot or constant), so stubs can share them."""
        if op.exit_id < 0:
            raise CompileError("guard without exit id")
        # (key, slot, value, location) of each store, made once per snapshot: guards share snapshots
        base = self.store_plans.get(id(op.snapshot))
        if base is None:
            slot_of, loc_of, base = self.t.layout.slot, self.alloc.loc, []
            for sv, v in op.snapshot.exit_entries():
                slot = slot_of(sv)
                if isinstance(v, Const):
                    base.append(((slot, "c", self.g(v)), slot, v, None))
                    continue
                loc = loc_of(v)
                key = (slot, "r", loc.num, loc.xmm) if isinstance(loc, Reg) else (slot, "s", loc.index)
                base.append((key, slot, v, loc))
            self.store_plans[id(op.snapshot)] = base
        over = self.alloc.loc(op.result) if op.result is not None and self.alloc.has(op.result) else None
        if not isinstance(over, Reg):
            plain = self.store_lists.get(id(base))
            if plain is None:               # (one list per snapshot: the guards sharing it share it, unchanged)
                plain = self.store_lists[id(base)] = [(key, slot, v) for key, slot, v, _ in base]
            return plain
        # a value whose register op's result overwrote in place: recomputed from op's operands, this exit's own
        return [((slot, "u", id(op)) if loc is over else key, slot, v) for key, slot, v, loc in base]

    def emit_stubs(self) -> None:
        """The exit stubs: each sets eax to its exit id and stores its snapshot into the state buffer. Stores
        are ordered rarest first, so the stores most exits make come last; a stub whose last stores equal
        those of a stub already emitted jumps into that stub's code for them (a trie of store sequences,
        keyed from the end). Consecutive guards mostly store the same state: n-body's largest bridge went
        from 4965 stub instructions to a fraction of that."""
        a = self.a
        plans = []
        counts: dict = {}
        for lab, op in self.stubs:
            stores = self._exit_stores(op)
            for key, _, _ in stores:
                counts[key] = counts.get(key, 0) + 1
            plans.append((lab, op, stores))
        tails: dict = {}                              # key -> (label, {key -> ...}) of the stores after it
        ordered: dict[int, list] = {}                 # id of a store list -> it, ordered (shared lists once)
        for lab, op, stores in plans:
            done = ordered.get(id(stores))
            if done is None:
                done = ordered[id(stores)] = sorted(stores, key=lambda e: (counts[e[0]], e[1]))
            stores = done
            node, target, n = tails, self.common_exit, len(stores)
            while n and stores[n - 1][0] in node:
                target, node = node[stores[n - 1][0]]
                n -= 1
            labels = [a.new_label() for _ in range(n)]
            for i in range(n - 1, -1, -1):
                child: dict = {}
                node[stores[i][0]] = (labels[i], child)
                node = child
            a.group(lambda op=op: f"exit #{op.exit_id} ({op.name})")
            self.group_ops[len(a.groups) - 1] = self.op_index[id(op)]
            a.bind(lab)
            a.mov32(RAX, op.exit_id)
            for i in range(n):
                a.bind(labels[i])
                self.store_value(self.slot_mem(stores[i][1]), stores[i][2], op, scratch=RDX)
            a.jmp(target)
            self.exit_ids.append(op.exit_id)

    def emit_common_exit(self) -> None:
        a = self.a
        a.group("common exit (eax = exit id): bridge table")
        a.bind(self.common_exit)
        a.mov(self.slot_mem(BUDGET_SLOT), R14)
        if self.ext.exit_counts:
            a.mov(RCX, self.ext.exit_counts)
            a.unary("inc", Mem(RCX, 0, RAX, 8))
        a.mov(RCX, self.ext.bridge_table)
        a.mov(RCX, Mem(RCX, 0, RAX, 8))
        a.test(RCX, RCX)
        if self.t.kind == "loop":
            a.jcc("e", self.epilogue_label)
            a.jmp_reg(RCX)
            a.group("epilogue")
            a.bind(self.epilogue_label)
            a.alu("add", RSP, FRAME_SIZE)
            for r in reversed(CALLEE_PUSHED):
                a.pop(r)
            a.ret()
        else:
            to_epi = a.new_label()
            a.jcc("e", to_epi)
            a.jmp_reg(RCX)
            a.bind(to_epi)
            a.bind(self.budget_out)
            a.mov(RCX, self.loop.epilogue)
            a.jmp_reg(RCX)

    # ---- calls -------------------------------------------------------------------------------------

    def save_live(self, i: int) -> None:
        for r in self.alloc.saves.get(i, []):
            if r.xmm:
                self.a.movsd_store(Mem(RSP, XMM_SAVE + 8 * r.num), r)
            else:
                self.a.mov(Mem(RSP, GPR_SAVE + 8 * r.num), r)

    def restore_live(self, i: int) -> None:
        for r in self.alloc.saves.get(i, []):
            if r.xmm:
                self.a.sse("movsd", r, Mem(RSP, XMM_SAVE + 8 * r.num))
            else:
                self.a.mov(r, Mem(RSP, GPR_SAVE + 8 * r.num))

    def call(self, addr: int, op: Op | None = None) -> None:
        """Call the C function at `addr` (arguments loaded). For an op that allocates GC-tracked objects
        (OpDef.allocates_tracked) on 3.11, where such an allocation runs a collection when it crosses the
        threshold (and the collection's finalizers run Python code no part of the trace accounts for), the call
        runs with gcstate->collecting set: the collection waits for the interpreter's next GC allocation, as
        3.12+ wait for the next eval-breaker check. The word's old value is kept in the last temporary."""
        a = self.a
        hold = op is not None and OPS[op.name].allocates_tracked and self.ext.gc_collecting
        if hold:
            a.mov(R11, self.ext.gc_collecting)
            a.load32(RAX, Mem(R11, 0))
            a.mov(temp(TEMPORARIES - 1), RAX)
            a.mov32(RAX, 1)
            a.store_narrow(Mem(R11, 0), RAX, 4)
        a.mov(RAX, addr)
        a.call_reg(RAX)
        if hold:
            a.mov(R11, self.ext.gc_collecting)
            a.mov(RCX, temp(TEMPORARIES - 1))
            a.store_narrow(Mem(R11, 0), RCX, 4)


def temp(k: int) -> Mem:
    return Mem(RSP, TEMP + 8 * k)


# ======================================================================================================
# op emitters


@emitter("guard_budget")
def _guard_budget(s: Assembler, op: Op, i: int) -> None:
    s.a.unary("dec", R14)
    s.a.jcc("le", s.exit_label(op))


def _fail_always(s: Assembler, op: Op) -> None:
    s.a.jmp(s.exit_label(op))


@emitter("guard_true", "guard_false")
def _guard_bool(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    want = op.name == "guard_true"
    if i - 1 in s.alloc.fused:
        cmp = s.t.ops[i - 1]
        _emit_fused(s, cmp, op, want)
        return
    x = op.args[0]
    if isinstance(x, Const):
        if bool(x.value) != want:
            _fail_always(s, op)
        return
    o = s.where(x)
    a.test_zero(o)
    a.jcc("e" if want else "ne", s.exit_label(op))


def _emit_fused(s: Assembler, cmp: Op, guard: Op, want: bool) -> None:
    """Comparison + guard: branch to the guard's exit when the condition != want."""
    a = s.a
    kind, cc = _compare(s, cmp)
    ex = s.exit_label(guard)
    if kind == "cc":
        a.jcc(NEG[cc] if want else cc, ex)
    elif kind == "const":
        if cc != want:
            a.jmp(ex)
    else:                                     # float eq / ne: ZF and PF
        fail_if_equal = (kind == "feq") != want     # fail when "ordered and equal"
        if fail_if_equal:
            ok = a.new_label()
            a.jcc("p", ok)
            a.jcc("e", ex)
            a.bind(ok)
        else:
            a.jcc("ne", ex)
            a.jcc("p", ex)


def _compare(s: Assembler, op: Op):
    """Emit the flag-setting part of a comparison. Returns ('cc', cc) for a plain condition code,
    ('feq'|'fne', None) for float equality (needs ZF and PF), or ('const', bool)."""
    a = s.a
    name = op.name
    if name == "int_is_true":
        x = s.g(op.args[0])
        if isinstance(x, int):
            return "const", x != 0
        a.test_zero(x)
        return "cc", "ne"
    if name in INT_CC or name == "ref_eq":
        cc = INT_CC.get(name, "e")
        x, y = s.g(op.args[0]), s.g(op.args[1])
        if isinstance(x, int) and isinstance(y, int):
            return "const", OPS_EVAL[name](x, y)
        if isinstance(x, int):
            x, y, cc = y, x, SWAP[cc]
        if isinstance(x, Mem) and isinstance(y, Mem):
            a.mov(RAX, x)
            x = RAX
        if isinstance(y, int) and not fits_i32(y):
            a.mov(RCX, y)
            y = RCX
        a.alu("cmp", x, y)
        return "cc", cc
    # floats
    x, y = op.args
    if name in ("float_lt", "float_le"):
        x, y = y, x                            # a < b  <=>  b > a
    xr = s.freg(x, XMM0)
    a.sse("ucomisd", xr, s.f(y))
    if name in ("float_lt", "float_gt"):
        return "cc", "a"
    if name in ("float_le", "float_ge"):
        return "cc", "ae"
    return ("feq" if name == "float_eq" else "fne"), None


OPS_EVAL = {n: OPS[n].evaluate for n in INT_CC}
OPS_EVAL["ref_eq"] = lambda a, b: a == b          # on addresses


@emitter(*INT_CC, "ref_eq", "int_is_true", "float_lt", "float_le", "float_eq", "float_ne", "float_gt", "float_ge")
def _compare_value(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    kind, cc = _compare(s, op)
    if kind == "const":
        a.mov(d, int(cc), keep_flags=True)
        return
    if kind == "cc":
        a.setcc(cc, RAX)
    elif kind == "feq":
        a.setcc("e", RAX)
        a.setcc("np", RCX)
        a.and8(RAX, RCX)
    else:
        a.setcc("ne", RAX)
        a.setcc("p", RCX)
        a.or8(RAX, RCX)
    if isinstance(d, Reg):
        a.movzx8(d, RAX)
    else:
        a.movzx8(RAX, RAX)
        a.mov(d, RAX)


# ---- integer arithmetic ------------------------------------------------------------------------------

_ALU_OPS = {"int_add": ("add", True, False), "int_sub": ("sub", False, False),
            "int_and": ("and", True, False), "int_or": ("or", True, False), "int_xor": ("xor", True, False),
            "int_add_ovf": ("add", True, True), "int_sub_ovf": ("sub", False, True)}


_ALU_OPS["bool_or"] = ("or", True, False)       # bools are 0/1 in a register


@emitter(*_ALU_OPS)
def _alu(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    m, commutative, ovf = _ALU_OPS[op.name]
    d = s.dst(op)
    x, y = s.g(op.args[0]), s.g(op.args[1])
    if commutative and isinstance(x, int) and not isinstance(y, int):
        x, y = y, x
    ex = s.exit_label(op) if ovf else None
    if isinstance(d, Reg):
        if y == d and x != d:
            if commutative:
                x, y = y, x
            elif not ovf:                      # d = x - d  ==  -d + x
                a.unary("neg", d)
                a.alu("add", d, _imm32_or_reg(s, x, RCX))
                return
            else:
                a.mov(RAX, x)
                a.alu(m, RAX, d)
                a.jcc("o", ex)
                a.mov(d, RAX)
                return
        if x != d:
            if not ovf and m in ("add", "sub") and isinstance(x, Reg) and (
                    isinstance(y, Reg) and m == "add" or isinstance(y, int) and fits_i32(-y) and fits_i32(y)):
                if isinstance(y, Reg):
                    a.lea(d, x, y)
                else:
                    a.lea(d, x, None, y if m == "add" else -y)
                return
            a.mov(d, x)
        a.alu(m, d, _imm32_or_reg(s, y, RCX))
        if ovf:
            a.jcc("o", ex)
    else:
        a.mov(RAX, x)
        a.alu(m, RAX, _imm32_or_reg(s, y, RCX))
        if ovf:
            a.jcc("o", ex)
        a.mov(d, RAX)


def _imm32_or_reg(s: Assembler, o, scratch: Reg):
    if isinstance(o, int) and not fits_i32(o):
        s.a.mov(scratch, o)
        return scratch
    return o


@emitter("int_mul", "int_mul_ovf")
def _mul(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    ovf = op.name == "int_mul_ovf"
    ex = s.exit_label(op) if ovf else None
    d = s.dst(op)
    x, y = s.g(op.args[0]), s.g(op.args[1])
    if isinstance(x, int) and not isinstance(y, int):
        x, y = y, x
    r = d if isinstance(d, Reg) else RAX
    if isinstance(x, int):
        a.mov(RAX, x)
        x = RAX
    if isinstance(y, int) and fits_i32(y):
        a.imul_imm(r, x, y)
    elif y == r and x != r:
        a.imul(r, x)
    else:
        yy = _imm32_or_reg(s, y, RCX) if isinstance(y, int) else y
        if isinstance(yy, int):
            a.mov(RCX, yy)
            yy = RCX
        a.mov(r, x)
        a.imul(r, yy)
    if ovf:
        a.jcc("o", ex)
    if r != d:
        a.mov(d, r)


@emitter("int_neg_ovf", "int_invert")
def _unary_int(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    r = d if isinstance(d, Reg) else RAX
    a.mov(r, s.g(op.args[0]))
    if op.name == "int_neg_ovf":
        a.unary("neg", r)
        a.jcc("o", s.exit_label(op))
    else:
        a.unary("not", r)
    if r != d:
        a.mov(d, r)


@emitter("int_floordiv", "int_mod")
def _divmod(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    want_mod = op.name == "int_mod"
    d = s.dst(op)
    x, y = s.g(op.args[0]), s.g(op.args[1])
    if isinstance(y, int):
        if y == 0 or (y == -1 and x == INT64_MIN):
            _fail_always(s, op)
            return
        if y > 0 and y & (y - 1) == 0:        # power of two: shift / mask
            k = y.bit_length() - 1
            r = d if isinstance(d, Reg) else RAX
            if want_mod:
                if y == 1:
                    a.mov(r, 0)
                else:
                    a.mov(r, x)
                    a.alu("and", r, _imm32_or_reg(s, y - 1, RCX))
            else:
                a.mov(r, x)
                if k:
                    a.shift("sar", r, k)
            if r != d:
                a.mov(d, r)
            return
    ex = s.exit_label(op)
    if not isinstance(y, int):
        a.test_zero(y)
        a.jcc("e", ex)
    if not isinstance(y, int) or y == -1:
        if isinstance(x, int):
            if x == INT64_MIN:                 # y is not constant here
                a.alu("cmp", y, -1)
                a.jcc("e", ex)
        else:
            skip = None
            if not isinstance(y, int):
                skip = a.new_label()
                a.alu("cmp", y, -1)
                a.jcc("ne", skip)
            a.alu("cmp", x, 1)                 # overflows exactly when x == INT64_MIN
            a.jcc("o", ex)
            if skip is not None:
                a.bind(skip)
    a.mov(RAX, x)
    a.cqo()
    if isinstance(y, int):
        a.mov(RCX, y)
        divisor = RCX
    else:
        divisor = y
    a.unary("idiv", divisor)
    # floor adjustment: rcx = -1 when the remainder is nonzero and its sign differs from the divisor's
    if isinstance(y, int):
        if y > 0:
            a.mov(RCX, RDX)
            a.shift("sar", RCX, 63)
        else:
            a.test(RDX, RDX)
            a.setcc("g", RCX)
            a.movzx8(RCX, RCX)
            a.unary("neg", RCX)
    else:
        a.mov(RCX, RDX)
        a.alu("xor", RCX, y)
        a.shift("sar", RCX, 63)
        a.test(RDX, RDX)
        a.cmov("e", RCX, RDX)
    if want_mod:
        if isinstance(y, int) and not fits_i32(y):
            a.mov(RAX, y)
            a.alu("and", RCX, RAX)
        else:
            a.alu("and", RCX, y)
        a.alu("add", RDX, RCX)
        a.mov(d, RDX)
    else:
        a.alu("add", RAX, RCX)
        a.mov(d, RAX)


@emitter("int_lshift_ovf")
def _lshift(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    x, y = s.g(op.args[0]), s.g(op.args[1])
    if isinstance(y, int):
        if y < 0 or y >= 64:
            _fail_always(s, op)
            return
        if isinstance(x, int):
            r = x << y
            if r != ((r + SIGN) % (1 << 64)) - SIGN:
                _fail_always(s, op)
            else:
                a.mov(d, r, scratch=RAX)
            return
        ex = s.exit_label(op)
        if y == 0:
            a.mov(d, x, scratch=RAX)
            return
        a.mov(RAX, x)
        a.shift("shl", RAX, y)
        a.mov(RCX, RAX)
        a.shift("sar", RCX, y)
        a.alu("cmp", RCX, x)
        a.jcc("ne", ex)
        a.mov(d, RAX)
        return
    ex = s.exit_label(op)
    a.alu("cmp", y, 63)
    a.jcc("a", ex)                             # unsigned: also catches negative counts
    a.mov(RCX, y)
    a.mov(RAX, x)
    a.mov(RDX, RAX)
    a.shift("shl", RDX, None)
    a.shift("sar", RDX, None)
    a.alu("cmp", RDX, RAX)
    a.jcc("ne", ex)
    a.shift("shl", RAX, None)
    a.mov(d, RAX)


@emitter("int_rshift")
def _rshift(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    x, y = s.g(op.args[0]), s.g(op.args[1])
    r = d if isinstance(d, Reg) else RAX
    if isinstance(y, int):
        if y < 0:
            _fail_always(s, op)
            return
        a.mov(r, x)
        if y:
            a.shift("sar", r, min(y, 63))
    else:
        ex = s.exit_label(op)
        a.alu("cmp", y, 0)
        a.jcc("l", ex)
        a.mov32(RCX, 63)
        a.alu("cmp", y, 63)
        a.cmov("l", RCX, y)
        a.mov(r, x)
        a.shift("sar", r, None)
    if r != d:
        a.mov(d, r)


@emitter("bool_not")
def _bool_not(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    x = s.g(op.args[0])
    if isinstance(x, int):
        a.mov(d, 0 if x else 1, scratch=RAX)
        return
    r = d if isinstance(d, Reg) else RAX
    a.mov(r, x)
    a.alu("xor", r, 1)
    if r != d:
        a.mov(d, r)


@emitter("bool_to_int")
def _bool_to_int(s: Assembler, op: Op, i: int) -> None:
    d = s.dst(op)
    x = s.g(op.args[0])
    s.a.mov(d, int(bool(x)) if isinstance(x, int) else x, scratch=RAX)


# ---- int -> float ------------------------------------------------------------------------------------

def _check_exact(s: Assembler, x, ex: int) -> None:
    """Fail unless |x| <= 2**53 (x a register/memory operand)."""
    a = s.a
    a.mov(RAX, x)
    a.mov(RCX, EXACT)
    a.alu("add", RAX, RCX)
    a.alu("add", RCX, RCX)
    a.alu("cmp", RAX, RCX)
    a.jcc("a", ex)


def _cvt(s: Assembler, xr: Reg, x) -> None:
    """xr = float(x) for an int operand x."""
    a = s.a
    a.sse128("xorps", xr, xr)
    if isinstance(x, int):
        a.mov(RAX, x)
        x = RAX
    a.cvtsi2sd(xr, x)


@emitter("int_to_float", "int_to_float_exact")
def _int_to_float(s: Assembler, op: Op, i: int) -> None:
    d = s.dst(op)
    x = s.g(op.args[0])
    if op.name == "int_to_float_exact":
        if isinstance(x, int):
            if abs(x) > EXACT:
                _fail_always(s, op)
                return
        else:
            _check_exact(s, x, s.exit_label(op))
    r = d if isinstance(d, Reg) else XMM0
    _cvt(s, r, x)
    if r != d:
        s.fput(d, r)


@emitter("int_truediv")
def _int_truediv(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    x, y = s.g(op.args[0]), s.g(op.args[1])
    if isinstance(y, int) and (y == 0 or abs(y) > EXACT) or isinstance(x, int) and abs(x) > EXACT:
        _fail_always(s, op)
        return
    ex = None
    if not isinstance(y, int):
        ex = s.exit_label(op)
        a.test_zero(y)
        a.jcc("e", ex)
        _check_exact(s, y, ex)
    if not isinstance(x, int):
        ex = ex if ex is not None else s.exit_label(op)
        _check_exact(s, x, ex)
    r = d if isinstance(d, Reg) else XMM1
    _cvt(s, r, x)
    _cvt(s, XMM0, y)
    a.sse("divsd", r, XMM0)
    if r != d:
        s.fput(d, r)


# ---- floats ------------------------------------------------------------------------------------------

_FLOAT_BIN = {"float_add": ("addsd", True), "float_sub": ("subsd", False), "float_mul": ("mulsd", True),
              "float_truediv": ("divsd", False)}


def _check_nonzero_float(s: Assembler, op: Op, y: Value) -> bool:
    """Guard y != 0.0 (either sign). Returns False when the guard always fails (code emitted)."""
    a = s.a
    if isinstance(y, Const):
        if y.value == 0.0:
            _fail_always(s, op)
            return False
        return True
    s.fbits_to(RAX, y)
    a.alu("add", RAX, RAX)                     # drop the sign bit: zero iff +-0.0
    a.jcc("e", s.exit_label(op))
    return True


@emitter(*_FLOAT_BIN)
def _float_bin(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    m, commutative = _FLOAT_BIN[op.name]
    if op.name == "float_truediv" and not _check_nonzero_float(s, op, op.args[1]):
        return
    d = s.dst(op)
    xv, yv = op.args
    x, y = s.f(xv), s.f(yv)
    if isinstance(d, Reg):
        if y == d and x != d:
            if commutative:
                x, y = y, x
            else:
                a.sse("movsd", XMM0, x)
                a.sse(m, XMM0, y)
                a.sse("movsd", d, XMM0)
                return
        if x != d:
            s.load_float(d, xv) if isinstance(xv, Const) else a.sse("movsd", d, x)
        a.sse(m, d, y)
    else:
        a.sse("movsd", XMM0, x)
        a.sse(m, XMM0, y)
        a.movsd_store(d, XMM0)


@emitter("float_neg")
def _float_neg(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    x = op.args[0]
    if isinstance(x, Const):
        if isinstance(d, Reg):
            a.sse("movsd", d, a.const(fbits(x.value) ^ SIGN))
        else:
            a.mov(d, _s64(fbits(x.value) ^ SIGN), scratch=RAX)
        return
    if isinstance(d, Reg):
        a.sse("movsd", d, s.f(x))
        a.sse("movsd", XMM0, a.const(SIGN))
        a.sse128("xorpd", d, XMM0)
    else:
        s.fbits_to(RAX, x)
        a.mov(RCX, SIGN)
        a.alu("xor", RAX, RCX)
        a.mov(d, RAX)


def _s64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= SIGN else v


@emitter("float_is_true")
def _float_is_true(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    d = s.dst(op)
    x = op.args[0]
    if isinstance(x, Const):
        a.mov(d, int(x.value != 0.0), scratch=RAX)
        return
    s.fbits_to(RAX, x)
    a.alu("add", RAX, RAX)                     # nonzero iff not +-0.0 (NaN is true)
    a.setcc("ne", RAX)
    if isinstance(d, Reg):
        a.movzx8(d, RAX)
    else:
        a.movzx8(RAX, RAX)
        a.mov(d, RAX)


def _call_setup(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    s.save_live(i)
    x, y = op.args
    a.sse("movsd", XMM0, s.f(x))
    a.sse("movsd", XMM1, s.f(y))
    a.movsd_store(temp(0), XMM0)
    a.movsd_store(temp(1), XMM1)


def _call_finish(s: Assembler, op: Op, i: int) -> None:
    """After the result is in xmm0: restore live registers, store the result."""
    s.restore_live(i)
    s.fput(s.dst(op), XMM0)


def _less_than_zero(s: Assembler, x: Reg | Mem, out: Reg) -> None:
    """out8 = (x < 0.0) with Python/C semantics (False for NaN); uses xmm1 when x is memory."""
    a = s.a
    if isinstance(x, Mem):
        a.sse("movsd", XMM1, x)
        x = XMM1
    a.sse("ucomisd", x, a.const(0))
    a.setcc("b", out)
    a.setcc("np", RAX)
    a.and8(out, RAX)


@emitter("float_mod")
def _float_mod(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    if not _check_nonzero_float(s, op, op.args[1]):
        return
    _call_setup(s, op, i)
    s.call(s.ext.fmod)
    # xmm0 = mod = fmod(vx, wx); temp(1) = wx
    zero, done = a.new_label(), a.new_label()
    a.movq_from_xmm(RAX, XMM0)
    a.alu("add", RAX, RAX)
    a.jcc("e", zero)
    _less_than_zero(s, XMM0, RCX)
    _less_than_zero(s, temp(1), RDX)
    a.cmp8(RCX, RDX)
    a.jcc("e", done)
    a.sse("addsd", XMM0, temp(1))              # mod += wx
    a.jmp(done)
    a.bind(zero)                               # mod = copysign(0.0, wx)
    a.mov(RAX, temp(1))
    a.mov(RCX, SIGN)
    a.alu("and", RAX, RCX)
    a.movq_to_xmm(XMM0, RAX)
    a.bind(done)
    _call_finish(s, op, i)


@emitter("float_floordiv")
def _float_floordiv(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    if not _check_nonzero_float(s, op, op.args[1]):
        return
    _call_setup(s, op, i)
    s.call(s.ext.fmod)
    # xmm0 = mod; temp(0) = vx; temp(1) = wx
    noadj, divzero, done = a.new_label(), a.new_label(), a.new_label()
    a.movsd_store(temp(2), XMM0)
    a.sse("movsd", XMM1, temp(0))
    a.sse("subsd", XMM1, XMM0)
    a.sse("divsd", XMM1, temp(1))              # div = (vx - mod) / wx
    a.movsd_store(temp(3), XMM1)
    a.movq_from_xmm(RAX, XMM0)
    a.alu("add", RAX, RAX)
    a.jcc("e", noadj)                          # mod == 0: no adjustment
    _less_than_zero(s, XMM0, RCX)
    _less_than_zero(s, temp(1), RDX)
    a.sse("movsd", XMM1, temp(3))
    a.cmp8(RCX, RDX)
    a.jcc("e", noadj)
    a.sse("subsd", XMM1, a.const(fbits(1.0)))  # div -= 1.0
    a.bind(noadj)
    a.movq_from_xmm(RAX, XMM1)
    a.alu("add", RAX, RAX)
    a.jcc("e", divzero)
    a.movsd_store(temp(3), XMM1)
    a.sse("movsd", XMM0, XMM1)
    s.call(s.ext.floor)                         # floordiv = floor(div)
    a.sse("movsd", XMM1, temp(3))
    a.sse("subsd", XMM1, XMM0)
    a.sse("ucomisd", XMM1, a.const(fbits(0.5)))
    a.jcc("be", done)                          # not (div - floordiv > 0.5)  (NaN: CF=1)
    a.sse("addsd", XMM0, a.const(fbits(1.0)))
    a.jmp(done)
    a.bind(divzero)                            # floordiv = copysign(0.0, vx / wx)
    a.sse("movsd", XMM0, temp(0))
    a.sse("divsd", XMM0, temp(1))
    a.movq_from_xmm(RAX, XMM0)
    a.mov(RCX, SIGN)
    a.alu("and", RAX, RCX)
    a.movq_to_xmm(XMM0, RAX)
    a.bind(done)
    _call_finish(s, op, i)


@emitter("float_pow")
def _float_pow(s: Assembler, op: Op, i: int) -> None:
    """pow(a, b) from libm; the guard fails unless the result is finite. glibc's pow agrees with Python's
    float ** float wherever the latter is a finite float (CPython special-cases exactly the inputs where
    C99's pow already gives its answer, and calls the same pow otherwise)."""
    a = s.a
    ex = s.exit_label(op)
    _call_setup(s, op, i)
    s.call(s.ext.pow)
    s.restore_live(i)
    a.movq_from_xmm(RAX, XMM0)
    a.alu("add", RAX, RAX)
    a.mov(RCX, 0xFFE0 << 48)                   # exponent all ones (inf / nan), shifted left by one
    a.alu("cmp", RAX, RCX)
    a.jcc("ae", ex)
    s.fput(s.dst(op), XMM0)


# ---- objects -----------------------------------------------------------------------------------------
# Where an object's fields are (type, size, items, value...): s.objects, the running CPython's checked Layout.


def ref_reg(s: Assembler, v: Value, scratch: Reg) -> Reg:
    """A REF operand in a register (a constant object's address is loaded)."""
    o = s.g(v)
    if isinstance(o, Reg):
        return o
    s.a.mov(scratch, o)
    return scratch


@emitter("guard_class")
def _guard_class(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    r = ref_reg(s, op.args[0], RAX)
    a.mov(RCX, s.g(op.args[1]))
    a.alu("cmp", Mem(r, s.objects.ob_type), RCX)
    a.jcc("ne", s.exit_label(op))


@emitter("guard_version")
def _guard_version(s: Assembler, op: Op, i: int) -> None:
    r = ref_reg(s, op.args[0], RAX)
    s.a.load32(RCX, Mem(r, s.objects.type_version_tag))
    exit_unless_equal(s, op, RCX, op.args[1])


@emitter("c_method_self")
def _c_method_self(s: Assembler, op: Op, i: int) -> None:
    """The object a built-in method is bound to (m_self), where its PyMethodDef (m_ml) is the one wanted."""
    r = ref_reg(s, op.args[0], RAX)
    s.a.mov(RCX, Mem(r, s.objects.cfunc_ml))
    s.a.mov(RAX, Mem(r, s.objects.cfunc_self))
    exit_unless_equal(s, op, RCX, op.args[1])
    s.put(s.dst(op), RAX)


def exit_unless_equal(s: Assembler, op: Op, r: Reg, v: Value) -> None:
    """Leave the trace through op's exit unless register r holds v (an operand; a constant beyond 32 bits goes
    through rdx, so r must not be rdx)."""
    o = s.g(v)
    if isinstance(o, int) and not fits_i32(o):
        s.a.mov(RDX, o)
        o = RDX
    s.a.alu("cmp", r, o)
    s.a.jcc("ne", s.exit_label(op))


# ops whose result is one word of their object: the op -> the Layout field it reads
WORD_FIELDS = {"type_of": "ob_type", "list_len": "ob_size", "tuple_len": "ob_size", "str_len": "str_length",
               "dict_len": "dict_used", "array_len": "ob_size"}


@emitter(*WORD_FIELDS)
def _word_field(s: Assembler, op: Op, i: int) -> None:
    """A word of the object: its type, a list's, tuple's or array's ob_size, a str's length, a dict's ma_used."""
    r = ref_reg(s, op.args[0], RAX)
    s.a.mov(RAX, Mem(r, getattr(s.objects, WORD_FIELDS[op.name])))
    s.put(s.dst(op), RAX)


@emitter("range_iter_left")
def _range_iter_left(s: Assembler, op: Op, i: int) -> None:
    """The items a range iterator has left: its len (3.11: len - index), read from the object."""
    f = s.objects.range_iter
    r = ref_reg(s, op.args[0], RCX)
    s.a.mov(RAX, Mem(r, f["len"]))
    if "index" in f:
        s.a.alu("sub", RAX, Mem(r, f["index"]))
    s.put(s.dst(op), RAX)


@emitter("range_iter_set")
def _range_iter_set(s: Assembler, op: Op, i: int) -> None:
    """A fresh range iterator's start, step and items left (3.11: its index 0 too), as iter(range(...)) sets them."""
    a, f = s.a, s.objects.range_iter
    r = ref_reg(s, op.args[0], RCX)
    if "index" in f:
        a.mov(Mem(r, f["index"]), 0, scratch=RAX)
    for name, v in zip(("start", "step", "len"), op.args[1:]):
        a.mov(Mem(r, f[name]), s.g(v), scratch=RAX)


@emitter("range_iter_take")
def _range_iter_take(s: Assembler, op: Op, i: int) -> None:
    """A range iterator's next item (it has one left), the iterator advanced past it in its memory as its __next__
    does: 3.12+ start, then start += step, len -= 1; 3.11 start + index * step, then index += 1."""
    a, f = s.a, s.objects.range_iter
    r = ref_reg(s, op.args[0], RCX)
    if "index" in f:
        a.mov(RDX, Mem(r, f["index"]))
        a.mov(RAX, RDX)
        a.alu("add", RDX, 1)
        a.mov(Mem(r, f["index"]), RDX)
        a.imul(RAX, Mem(r, f["step"]))
        a.alu("add", RAX, Mem(r, f["start"]))
    else:
        a.mov(RAX, Mem(r, f["start"]))
        a.mov(RDX, RAX)
        a.alu("add", RDX, Mem(r, f["step"]))
        a.mov(Mem(r, f["start"]), RDX)
        a.alu("sub", Mem(r, f["len"]), 1)
    s.put(s.dst(op), RAX)


@emitter("seq_iter_left")
def _seq_iter_left(s: Assembler, op: Op, i: int) -> None:
    """The items a list's or a tuple's iterator has left: its sequence's ob_size less its index (0 once the
    sequence is NULL: exhausted)."""
    a, o = s.a, s.objects
    r = ref_reg(s, op.args[0], RCX)
    done = a.new_label()
    a.mov(RAX, 0)
    a.mov(RDX, Mem(r, o.seq_iter_seq))
    a.test(RDX, RDX)
    a.jcc("e", done)
    a.mov(RAX, Mem(RDX, o.ob_size))
    a.alu("sub", RAX, Mem(r, o.seq_iter_index))
    a.bind(done)
    s.put(s.dst(op), RAX)


@emitter("list_iter_take", "tuple_iter_take", "str_iter_take")
def _seq_iter_take(s: Assembler, op: Op, i: int) -> None:
    """A list's, a tuple's or an ASCII str's iterator's next item (it has one left), and the iterator advanced past
    it in its memory, as its __next__ does: a list's or a tuple's a new reference, a str's character CPython's
    one-character string of its code (from the table at ext.latin1_chars: cached, never freed)."""
    a, o = s.a, s.objects
    if op.name == "str_iter_take" and not s.ext.latin1_chars:
        raise CompileError("no table of one-character strings")
    r = ref_reg(s, op.args[0], RCX)
    a.mov(RDX, Mem(r, o.seq_iter_index))
    a.mov(RAX, Mem(r, o.seq_iter_seq))
    if op.name == "list_iter_take":
        a.mov(RAX, Mem(RAX, o.list_items))
        a.mov(RAX, Mem(RAX, 0, RDX, 8))
    elif op.name == "tuple_iter_take":
        a.mov(RAX, Mem(RAX, o.tuple_items, RDX, 8))
    else:
        a.load8(RAX, Mem(RAX, o.str_ascii_data, RDX, 1))
    a.alu("add", RDX, 1)
    a.mov(Mem(r, o.seq_iter_index), RDX)
    if op.name == "str_iter_take":
        a.mov(RCX, s.ext.latin1_chars)
        a.mov(RAX, Mem(RCX, 0, RAX, 8))
    else:
        incref_inline(s, RAX)
    s.put(s.dst(op), RAX)


@emitter("class_attr")
def _class_attr(s: Assembler, op: Op, i: int) -> None:
    """A class attribute's object, at the address the recorder found (the class's version guarded before)."""
    s.a.mov(RAX, op.args[1].value)
    s.put(s.dst(op), RAX)


@emitter("guard_index")
def _guard_index(s: Assembler, op: Op, i: int) -> None:
    """0 <= i < n as one unsigned comparison (n is a length, never negative)."""
    a = s.a
    x, y = s.g(op.args[0]), s.g(op.args[1])
    if isinstance(x, int) and isinstance(y, int):
        if not (x & 0xFFFFFFFFFFFFFFFF) < (y & 0xFFFFFFFFFFFFFFFF):
            _fail_always(s, op)
        return
    if isinstance(x, int) or isinstance(x, Mem):
        a.mov(RAX, x)
        x = RAX
    if isinstance(y, int) and not fits_i32(y):
        a.mov(RCX, y)
        y = RCX
    a.alu("cmp", x, y)
    a.jcc("ae", s.exit_label(op))


@emitter("list_getitem")
def _list_getitem(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    r = ref_reg(s, op.args[0], RAX)
    a.mov(RAX, Mem(r, s.objects.list_items))
    k = s.g(op.args[1])
    if isinstance(k, int) and fits_i32(8 * k):
        a.mov(RAX, Mem(RAX, 8 * k))
    else:
        a.mov(RCX, k)
        a.mov(RAX, Mem(RAX, 0, RCX, 8))
    s.put(s.dst(op), RAX)


@emitter("tuple_getitem")
def _tuple_getitem(s: Assembler, op: Op, i: int) -> None:
    """A tuple's items are inline after its size (at tuple_items)."""
    a = s.a
    items = s.objects.tuple_items
    r = ref_reg(s, op.args[0], RAX)
    k = s.g(op.args[1])
    if isinstance(k, int) and fits_i32(items + 8 * k):
        a.mov(RAX, Mem(r, items + 8 * k))
    else:
        a.mov(RCX, k)
        a.mov(RAX, Mem(r, items, RCX, 8))
    s.put(s.dst(op), RAX)


@emitter("func_code", "func_globals", "func_builtins", "func_defaults", "func_closure", "cell_contents")
def _pointer_field(s: Assembler, op: Op, i: int) -> None:
    """An object pointer stored in an object (a function's code, globals, builtins, defaults or closure, a
    cell's contents); where the op is a guard, a NULL there leaves the trace."""
    offset = getattr(s.objects, op.name)
    r = ref_reg(s, op.args[0], RAX)
    s.a.mov(RAX, Mem(r, offset))
    if OPS[op.name].guard:
        s.a.test(RAX, RAX)
        s.a.jcc("e", s.exit_label(op))
    s.put(s.dst(op), RAX)


@emitter("float_value", "complex_real", "complex_imag")
def _float_field(s: Assembler, op: Op, i: int) -> None:
    """A double stored in an object: a float's value, a complex number's real or imaginary part."""
    o = s.objects
    offset = {"float_value": o.float_value, "complex_real": o.complex_real, "complex_imag": o.complex_imag}[op.name]
    r = ref_reg(s, op.args[0], RAX)
    d = s.dst(op)
    if isinstance(d, Reg):
        s.a.sse("movsd", d, Mem(r, offset))
    else:
        s.a.mov(RAX, Mem(r, offset))
        s.a.mov(d, RAX)


@emitter("int_value")
def _int_value(s: Assembler, op: Op, i: int) -> None:
    """The value of an exact int that fits in an int64 (else the guard fails): stubs.emit_unbox_int64, as the
    round trip unboxes a local, with rbx, rsi and rdi saved around it."""
    a = s.a
    ex, fail, done = s.exit_label(op), a.new_label(), a.new_label()
    r = ref_reg(s, op.args[0], RAX)             # (a spill or a constant: loaded into rax before the pushes)
    a.push(RBX)                                  # three scratch registers (no call: the stack's alignment
    a.push(RSI)                                  # does not matter)
    a.push(RDI)
    a.mov(RBX, r)
    emit_unbox_int64(a, s.objects, RBX, RSI, RDI, fail)
    a.pop(RDI)
    a.pop(RSI)
    a.pop(RBX)
    s.put(s.dst(op), RAX)
    a.jmp(done)
    a.bind(fail)
    a.pop(RDI)
    a.pop(RSI)
    a.pop(RBX)
    a.jmp(ex)
    a.bind(done)


# ---- builtins and math functions ---------------------------------------------------------------------

@emitter("int_abs_ovf")
def _int_abs_ovf(s: Assembler, op: Op, i: int) -> None:
    """|x| = (x ^ (x >> 63)) - (x >> 63); only INT64_MIN overflows (the subtraction sets OF)."""
    a = s.a
    a.mov(RAX, s.g(op.args[0]))
    a.mov(RCX, RAX)
    a.shift("sar", RCX, 63)
    a.alu("xor", RAX, RCX)
    a.alu("sub", RAX, RCX)
    a.jcc("o", s.exit_label(op))
    s.put(s.dst(op), RAX)


@emitter("int_min", "int_max")
def _int_min_max(s: Assembler, op: Op, i: int) -> None:
    """min: b if b < a else a (cmovg); max: b if b > a else a (cmovl)."""
    a = s.a
    a.mov(RAX, s.g(op.args[0]))
    b = s.g(op.args[1])
    if isinstance(b, int):
        a.mov(RCX, b)
        b = RCX
    a.alu("cmp", RAX, b)
    a.cmov("g" if op.name == "int_min" else "l", RAX, b)
    s.put(s.dst(op), RAX)


@emitter("int_select", "bool_select", "float_select")
def _select(s: Assembler, op: Op, i: int) -> None:
    """c ? x : y without a branch: y's bits in rax, x's in rcx, cmovne on the condition."""
    a = s.a
    c, x, y = op.args
    floats = op.name == "float_select"
    if isinstance(c, Const):
        x, y = (x, x) if c.value else (y, y)
    for r, v in ((RAX, y), (RCX, x)):
        if floats:
            s.fbits_to(r, v)
        else:
            a.mov(r, s.g(v))
    if not isinstance(c, Const):
        cond = s.g(c)
        a.test_zero(cond)
        a.cmov("ne", RAX, RCX)
    d = s.dst(op)
    if floats and isinstance(d, Reg):
        a.movq_to_xmm(d, RAX)
    else:
        a.mov(d, RAX)


@emitter("float_abs")
def _float_abs(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    s.fbits_to(RAX, op.args[0])
    a.mov(RCX, (1 << 63) - 1)
    a.alu("and", RAX, RCX)
    d = s.dst(op)
    if isinstance(d, Reg):
        a.movq_to_xmm(d, RAX)
    else:
        a.mov(d, RAX)


@emitter("float_min", "float_max")
def _float_min_max(s: Assembler, op: Op, i: int) -> None:
    """min(a, b) = b if a > b else a; max(a, b) = b if b > a else a (unordered: a, like Python)."""
    a = s.a
    keep = a.new_label()
    a.sse("movsd", XMM0, s.f(op.args[0]))
    a.sse("movsd", XMM1, s.f(op.args[1]))
    if op.name == "float_min":
        a.sse("ucomisd", XMM0, XMM1)
    else:
        a.sse("ucomisd", XMM1, XMM0)
    a.jcc("be", keep)
    a.sse("movsd", XMM0, XMM1)
    a.bind(keep)
    s.fput(s.dst(op), XMM0)


@emitter("float_sqrt")
def _float_sqrt(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    x = s.freg(op.args[0], XMM1)
    a.sse("ucomisd", x, a.const(0))
    a.jcc("b", s.exit_label(op))                # x < 0 or NaN (CF=1)
    a.sse("sqrtsd", XMM0, x)
    s.fput(s.dst(op), XMM0)


def _to_int64(s: Assembler, op: Op, x: Reg, ex: int) -> None:
    """Convert the integral double in x to int64 in rax; exit unless -2**63 <= x < 2**63 (NaN too)."""
    a = s.a
    a.sse("ucomisd", x, a.const(fbits(2.0 ** 63)))
    a.jcc("p", ex)
    a.jcc("ae", ex)
    a.sse("ucomisd", x, a.const(fbits(-2.0 ** 63)))
    a.jcc("b", ex)
    a.cvttsd2si(RAX, x)


@emitter("float_trunc_int")
def _float_trunc_int(s: Assembler, op: Op, i: int) -> None:
    _to_int64(s, op, s.freg(op.args[0], XMM0), s.exit_label(op))
    s.put(s.dst(op), RAX)


def _call_float1(s: Assembler, op: Op, i: int, addr: int) -> None:
    """xmm0 = fn(x) through libm, live registers saved around the call."""
    if not addr:
        raise CompileError(f"no address for {op.name}")
    s.save_live(i)
    s.a.sse("movsd", XMM0, s.f(op.args[0]))
    s.call(addr)
    s.restore_live(i)


@emitter("float_round_int")
def _float_round_int(s: Assembler, op: Op, i: int) -> None:
    """round(x): roundsd to nearest, ties to even (CPython's float.__round__ without ndigits), then to
    int64; the guard fails for NaN, infinities and values outside int64 (CPython raises or makes a long)."""
    if not s.ext.sse41:
        raise CompileError("round() needs SSE4.1")
    x = s.freg(op.args[0], XMM1)
    s.a.roundsd(XMM0, x, 0)
    _to_int64(s, op, XMM0, s.exit_label(op))
    s.put(s.dst(op), RAX)


@emitter("float_floor_int", "float_ceil_int")
def _float_floor_ceil_int(s: Assembler, op: Op, i: int) -> None:
    ex = s.exit_label(op)
    _call_float1(s, op, i, s.ext.floor if op.name == "float_floor_int" else s.ext.ceil)
    _to_int64(s, op, XMM0, ex)
    s.put(s.dst(op), RAX)


def _exit_unless_finite(s: Assembler, x: Reg, ex: int) -> None:
    a = s.a
    a.movq_from_xmm(RAX, x)
    a.alu("add", RAX, RAX)
    a.mov(RCX, 0xFFE0 << 48)                    # exponent all ones (inf / nan), shifted left by one
    a.alu("cmp", RAX, RCX)
    a.jcc("ae", ex)


@emitter("float_sin", "float_cos", "float_tan", "float_exp", "float_log")
def _float_libm(s: Assembler, op: Op, i: int) -> None:
    """The same libm function CPython's math module calls; the guard fails where CPython raises or
    special-cases (the argument's domain, a result that is not finite)."""
    a = s.a
    ex = s.exit_label(op)
    x = s.freg(op.args[0], XMM1)
    if op.name == "float_log":
        a.sse("ucomisd", x, a.const(0))
        a.jcc("be", ex)                         # x <= 0 or NaN
    _exit_unless_finite(s, x, ex)
    _call_float1(s, op, i, getattr(s.ext, op.name[len("float_"):]))
    _exit_unless_finite(s, XMM0, ex)
    s.fput(s.dst(op), XMM0)


@emitter("complex_abs")
def _complex_abs(s: Assembler, op: Op, i: int) -> None:
    """abs(complex(x, y)): CPython's _Py_c_abs is libm's hypot(x, y) when both parts are finite; the guard
    fails when a part is infinite or NaN (CPython special-cases those) and when the result overflows
    (CPython raises OverflowError)."""
    a = s.a
    if not s.ext.hypot:
        raise CompileError("no address for hypot")
    ex = s.exit_label(op)
    _exit_unless_finite(s, s.freg(op.args[0], XMM0), ex)
    _exit_unless_finite(s, s.freg(op.args[1], XMM1), ex)
    _call_setup(s, op, i)
    s.call(s.ext.hypot)
    s.restore_live(i)
    _exit_unless_finite(s, XMM0, ex)
    s.fput(s.dst(op), XMM0)


# ---- stores into lists ---------------------------------------------------------------------------------

@emitter("bool_to_ref")
def _bool_to_ref(s: Assembler, op: Op, i: int) -> None:
    a = s.a
    x = s.g(op.args[0])
    if isinstance(x, int):
        a.mov(RAX, id(True) if x else id(False))
    else:
        a.mov(RAX, id(False))
        a.mov(RCX, id(True))
        if isinstance(x, Mem):
            a.mov(RDX, x)
            x = RDX
        a.test(x, x)
        a.cmov("ne", RAX, RCX)
    s.put(s.dst(op), RAX)


@emitter("guard_graveyard")
def _guard_graveyard(s: Assembler, op: Op, i: int) -> None:
    """Exit unless the graveyard has room for one more old item."""
    if not s.ext.graveyard:
        raise CompileError("no graveyard")
    a = s.a
    a.mov(RAX, s.ext.graveyard)
    a.alu("cmp", Mem(RAX, 0), GRAVEYARD_SLOTS - GRAVEYARD_RESERVE)
    a.jcc("ge", s.exit_label(op))


@emitter("guard_not_last", "guard_not_last_held")
def _guard_not_last(s: Assembler, op: Op, i: int) -> None:
    """Exit if the object's reference count is 1."""
    s.a.mov(RAX, s.g(op.args[0]))
    exit_unless_shared(s, op, RAX)


def exit_unless_shared(s: Assembler, op: Op, r: Reg) -> None:
    """Leave through op's exit if the object in r has a reference count of 1 (an immortal object's never is: its
    count reads negative as an int32): a reference to it dropped then cannot free it. Uses rdx."""
    a = s.a
    a.mov(RDX, Mem(r, s.objects.ob_refcnt))
    if s.objects.immortal:
        a.test32(RDX, RDX)
        a.jcc("s", ok := a.new_label())
    a.alu("cmp", RDX, 1)
    a.jcc("le", s.exit_label(op))
    if s.objects.immortal:
        a.bind(ok)


def decref_shared(s: Assembler, r: Reg) -> None:
    """Drop a reference to the object in r that is not its last (exit_unless_shared checked it, and nothing ran
    since): a decrement, none for an immortal object. Uses rdx."""
    a = s.a
    if s.objects.immortal:
        a.mov(RDX, Mem(r, s.objects.ob_refcnt))
        a.test32(RDX, RDX)
        a.jcc("s", done := a.new_label())
    a.alu("sub", Mem(r, s.objects.ob_refcnt), 1)
    if s.objects.immortal:
        a.bind(done)


def small_int_address(s: Assembler, r: Reg, scratch: Reg = RDX) -> None:
    """r = the address of CPython's cached int object for the small int in r (layout.small_ints: -5..256)."""
    s.a.imul_imm(r, r, s.ext.small_int_stride)
    s.a.mov_imm(scratch, s.ext.small_int_zero)
    s.a.alu("add", r, scratch)


def incref_inline(s: Assembler, r: Reg) -> None:
    """Py_INCREF(r) inline (3.12+: immortal objects are not counted). Uses rdx."""
    a = s.a
    if s.objects.immortal:
        skip = a.new_label()
        a.mov(RDX, Mem(r, s.objects.ob_refcnt))
        a.test32(RDX, RDX)
        a.jcc("s", skip)
        a.alu("add", Mem(r, s.objects.ob_refcnt), 1)
        a.bind(skip)
    else:
        a.alu("add", Mem(r, s.objects.ob_refcnt), 1)


def status_or_exit(s: Assembler, op: Op, i: int) -> None:
    """After a C call made with the live registers saved: eax, its int status, 0 (the registers are restored)
    or -1 with an error set (cleared, the registers restored, then the op's exit)."""
    s.a.test32(RAX, RAX)
    _error_exit_unless(s, op, i, "e")
    s.restore_live(i)


def object_or_exit(s: Assembler, op: Op, i: int) -> None:
    """After a C call made with the live registers saved: rax, a new object (the registers still saved), or
    NULL with an error set (cleared, the registers restored, then the op's exit)."""
    s.a.test(RAX, RAX)
    _error_exit_unless(s, op, i, "ne")


def _error_exit_unless(s: Assembler, op: Op, i: int, ok: str) -> None:
    """Unless condition `ok` holds (of the test just made): the error the C call set cleared, the live
    registers restored, the op's exit. Otherwise on, the registers still saved."""
    a = s.a
    done = a.new_label()
    a.jcc(ok, done)
    s.call(s.ext.err_clear)
    s.restore_live(i)
    a.jmp(s.exit_label(op))
    a.bind(done)


def graveyard_append(s: Assembler, reg: Reg) -> None:
    """graveyard[1 + count] = reg; count += 1 (room checked by a guard_graveyard before). Uses rcx, rdx."""
    a = s.a
    a.mov(RCX, s.ext.graveyard)
    a.mov(RDX, Mem(RCX, 0))
    a.mov(Mem(RCX, 8, RDX, 8), reg)
    a.alu("add", Mem(RCX, 0), 1)


def decref_inline(s: Assembler, i: int, r: Reg = RAX, saved: bool = False) -> None:
    """Py_DECREF(r) inline; the last reference goes through Py_DecRef (which deallocates), with the live
    registers saved around the call (`saved`: they are already). r is rax or rdi. Uses rdx (rax after a call)."""
    a = s.a
    done, last = a.new_label(), a.new_label()
    a.mov(RDX, Mem(r, s.objects.ob_refcnt))
    if s.objects.immortal:
        a.test32(RDX, RDX)
        a.jcc("s", done)
    a.alu("cmp", RDX, 1)
    a.jcc("e", last)
    a.alu("sub", Mem(r, s.objects.ob_refcnt), 1)
    a.jmp(done)
    a.bind(last)
    if not saved:
        s.save_live(i)
    if r != RDI:
        a.mov(RDI, r)
    s.call(s.ext.decref)
    if not saved:
        s.restore_live(i)
    a.bind(done)


def _value_kind(opname: str) -> str:
    """The kind of value a list store or append takes: 'ref', 'float', 'int' or 'complex'."""
    tail = opname.rpartition("_")[2]
    return tail if tail in ("float", "int", "complex") else "ref"


def _own_reference(s: Assembler, op: Op, i: int, kind: str, slot: int, imag_slot: int = -1) -> None:
    """Turn temp(slot), which holds a value's bits (also in rax), into a new reference to an object for it:
    an object's reference count raised ('ref'), a cached small int or a new int object ('int'), a new float
    ('float') or complex number ('complex', imaginary part in temp(imag_slot)). Making an object is a call
    with the live registers saved; if it fails, the error is cleared and the op's guard exits."""
    a = s.a
    ext = s.ext
    if kind == "ref":
        incref_inline(s, RAX)
        return
    done = a.new_label()
    if kind == "int":
        big = a.new_label()
        a.alu("cmp", RAX, s.objects.small_ints[-1])
        a.jcc("g", big)
        a.alu("cmp", RAX, s.objects.small_ints[0])
        a.jcc("l", big)
        small_int_address(s, RAX, RCX)               # the cached int object
        incref_inline(s, RAX)
        a.mov(temp(slot), RAX)
        a.jmp(done)
        a.bind(big)
    s.save_live(i)
    if kind == "float":
        a.sse("movsd", XMM0, temp(slot))
        s.call(ext.float_new)
    elif kind == "complex":
        a.sse("movsd", XMM0, temp(slot))
        a.sse("movsd", XMM1, temp(imag_slot))
        s.call(ext.complex_new)
    else:
        a.mov(RDI, temp(slot))
        s.call(ext.long_new)
    ok = a.new_label()
    a.test(RAX, RAX)
    a.jcc("ne", ok)
    s.call(ext.err_clear)
    s.restore_live(i)
    a.jmp(s.exit_label(op))
    a.bind(ok)
    a.mov(temp(slot), RAX)
    s.restore_live(i)
    a.bind(done)


@emitter("list_setitem", "list_setitem_float", "list_setitem_int", "list_setitem_complex")
def _list_setitem(s: Assembler, op: Op, i: int) -> None:
    """lst[k] = value: the new item is a new reference (an object's reference count raised, a small int's
    cached object, or a float / int object made by PyFloat_FromDouble / PyLong_FromLongLong), stored over
    the old item, whose reference is then dropped (its type was guarded: releasing it runs no Python
    code), or, when `defer` is true, put in the graveyard (released by the runtime when the run ends).
    Reference counts change inline; only making an object and freeing the old one are calls. If making
    the object fails, the error is cleared and the guard exits before the list is touched (the
    interpreter redoes the store).

    A float stored over a float that only the list references (reference count 1, not deferred: no
    variable holds it either) is written into the old object instead: the old object dies at the store and
    the new one takes its place at the same address, as the allocator's free list would place it. This is
    the store `v[0] -= dx * m` or `a[i] = a[i] + x` makes, without an allocation and a release."""
    a = s.a
    ext = s.ext
    if not (ext.decref and ext.float_new and ext.long_new and ext.err_clear and ext.small_int_stride):
        raise CompileError("no C API addresses for list stores")
    lst, k, v, defer = op.args[0], op.args[1], op.args[2], op.args[-1]
    deferred = not (isinstance(defer, Const) and not defer.value)
    if deferred and not ext.graveyard:
        raise CompileError("no graveyard")
    if deferred:
        a.mov(temp(3), s.g(defer), scratch=RAX)
    a.mov(temp(0), s.g(lst), scratch=RAX)
    a.mov(temp(1), s.g(k), scratch=RAX)
    if op.name == "list_setitem_complex":
        s.fbits_to(RAX, op.args[3])
        a.mov(temp(4), RAX)
    if op.name in ("list_setitem_float", "list_setitem_complex"):
        s.fbits_to(RAX, v)
    else:
        a.mov(RAX, s.g(v))
    a.mov(temp(2), RAX)
    end = a.new_label()
    if op.name == "list_setitem_float":
        boxed = a.new_label()
        a.mov(RAX, temp(0))
        a.mov(RAX, Mem(RAX, s.objects.list_items))
        a.mov(RCX, temp(1))
        a.mov(RAX, Mem(RAX, 0, RCX, 8))          # the old item
        a.mov(RCX, id(float))
        a.alu("cmp", Mem(RAX, s.objects.ob_type), RCX)
        a.jcc("ne", boxed)
        a.alu("cmp", Mem(RAX, s.objects.ob_refcnt), 1)     # the list's reference only
        a.jcc("ne", boxed)
        if deferred:
            a.mov(RCX, temp(3))
            a.test(RCX, RCX)
            a.jcc("ne", boxed)
        a.mov(RCX, temp(2))
        a.mov(Mem(RAX, s.objects.float_value), RCX)
        a.jmp(end)
        a.bind(boxed)
    _own_reference(s, op, i, _value_kind(op.name), 2, imag_slot=4)
    a.mov(RAX, temp(0))
    a.mov(RAX, Mem(RAX, s.objects.list_items))
    a.mov(RCX, temp(1))
    a.shift("shl", RCX, 3)
    a.alu("add", RAX, RCX)                       # &items[k]
    a.mov(RCX, Mem(RAX, 0))                      # the old item
    a.mov(RDX, temp(2))
    a.mov(Mem(RAX, 0), RDX)                      # the new one
    a.mov(RAX, RCX)
    if deferred:
        release = a.new_label()
        a.mov(RCX, temp(3))
        a.test(RCX, RCX)
        a.jcc("e", release)
        graveyard_append(s, RAX)                 # the old item waits
        a.jmp(end)
        a.bind(release)
    decref_inline(s, i)
    a.bind(end)


@emitter("list_append", "list_append_float", "list_append_int", "list_append_complex")
def _list_append(s: Assembler, op: Op, i: int) -> None:
    """lst.append(value). The trace first owns a reference to the new item: an object's reference count is
    raised, a small int is its cached object, a float, int or complex number is made into one
    (PyFloat_FromDouble / PyLong_FromLongLong / PyComplex_FromDoubles). With room left in the list
    (ob_size < allocated) the item is stored and ob_size raised inline, the reference passing to the list;
    otherwise PyList_Append (which grows the list and takes its own reference) and Py_DecRef. If making the
    object or growing the list fails (MemoryError), the error is cleared and the guard exits with the list
    unchanged: the interpreter redoes the append and raises."""
    a = s.a
    ext = s.ext
    if not (ext.list_append and ext.decref and ext.float_new and ext.long_new and ext.complex_new and
            ext.err_clear and ext.small_int_stride):
        raise CompileError("no C API addresses for list appends")
    lst, v = op.args[0], op.args[1]
    a.mov(temp(0), s.g(lst), scratch=RAX)
    if op.name in ("list_append_float", "list_append_complex"):
        s.fbits_to(RAX, v)
    else:
        a.mov(RAX, s.g(v))
    a.mov(temp(1), RAX)
    if op.name == "list_append_complex":
        s.fbits_to(RAX, op.args[2])
        a.mov(temp(2), RAX)
    done = a.new_label()
    _own_reference(s, op, i, _value_kind(op.name), 1, imag_slot=2)
    slow = a.new_label()
    a.mov(RAX, temp(0))
    a.mov(RCX, Mem(RAX, s.objects.ob_size))
    a.alu("cmp", RCX, Mem(RAX, s.objects.list_allocated))
    a.jcc("ge", slow)
    a.mov(RDX, Mem(RAX, s.objects.list_items))
    a.shift("shl", RCX, 3)
    a.alu("add", RDX, RCX)                       # &items[size]
    a.mov(RCX, temp(1))
    a.mov(Mem(RDX, 0), RCX)
    a.alu("add", Mem(RAX, s.objects.ob_size), 1)
    a.jmp(done)
    a.bind(slow)
    s.save_live(i)
    a.mov(RDI, temp(0))
    a.mov(RSI, temp(1))
    s.call(ext.list_append)
    a.mov(temp(3), RAX)
    a.mov(RDI, temp(1))
    s.call(ext.decref)                          # the list holds its own reference now (or none: failed)
    a.mov(RAX, temp(3))
    status_or_exit(s, op, i)                    # int result: 0, or -1 with MemoryError set
    a.bind(done)


@emitter("list_sum_float", "list_sum_int")
def _list_sum(s: Assembler, op: Op, i: int) -> None:
    """sum(lst): every item's exact type is checked in a loop (ints, and floats for list_sum_float: for those
    CPython's sum runs no Python code), then CPython's builtin sum is called on the list. The result must be
    a float (list_sum_float) or an int within int64 (list_sum_int); its value is read and the object
    released. Anything else exits before or after the call (the interpreter calls sum again: it has no
    side effects on such a list); a failed call (MemoryError) clears the error and exits."""
    a = s.a
    ext = s.ext
    if not (ext.vectorcall and ext.builtin_sum and ext.long_as_int64 and ext.decref and ext.err_clear):
        raise CompileError("no C API addresses for sum()")
    ex = s.exit_label(op)
    floats = op.name == "list_sum_float"
    a.mov(temp(0), s.g(op.args[0]), scratch=RAX)
    loop, checked = a.new_label(), a.new_label()
    a.mov(RAX, temp(0))
    a.mov(RCX, Mem(RAX, s.objects.ob_size))
    a.mov(RDX, Mem(RAX, s.objects.list_items))
    a.bind(loop)
    a.test(RCX, RCX)
    a.jcc("e", checked)
    a.alu("sub", RCX, 1)
    a.mov(RAX, Mem(RDX, 0, RCX, 8))
    a.mov(RAX, Mem(RAX, s.objects.ob_type))
    a.alu("cmp", RAX, a.const(id(int)))
    a.jcc("e", loop)
    if floats:
        a.alu("cmp", RAX, a.const(id(float)))
        a.jcc("e", loop)
    a.jmp(ex)
    a.bind(checked)
    s.save_live(i)
    a.mov(RDI, ext.builtin_sum)
    a.lea(RSI, RSP, disp=TEMP)                    # args: [lst] at temp(0)
    a.mov_imm(RDX, 1)
    a.mov_imm(RCX, 0)
    s.call(ext.vectorcall)
    object_or_exit(s, op, i)
    a.mov(temp(1), RAX)                           # the result (a new reference)
    bad, done = a.new_label(), a.new_label()
    if floats:
        a.mov(RCX, Mem(RAX, s.objects.ob_type))
        a.alu("cmp", RCX, a.const(id(float)))
        a.jcc("ne", bad)
        a.mov(RCX, Mem(RAX, s.objects.float_value))
        a.mov(temp(2), RCX)
    else:
        a.mov(RDI, RAX)
        a.lea(RSI, RSP, disp=TEMP + 24)            # int *overflow at temp(3)
        a.mov_imm(RCX, 0)
        a.mov(temp(3), RCX)
        s.call(ext.long_as_int64)
        a.mov(temp(2), RAX)
        a.mov(RAX, temp(3))
        a.test32(RAX, RAX)
        a.jcc("ne", bad)
    a.mov(RDI, temp(1))
    s.call(ext.decref)
    s.restore_live(i)
    a.jmp(done)
    a.bind(bad)
    a.mov(RDI, temp(1))
    s.call(ext.decref)
    s.restore_live(i)
    a.jmp(ex)
    a.bind(done)
    if floats:
        s.a.mov(RAX, temp(2))
        d = s.dst(op)
        if isinstance(d, Reg):
            s.a.movq_to_xmm(d, RAX)
        else:
            s.a.mov(d, RAX)
    else:
        a.mov(RAX, temp(2))
        s.put(s.dst(op), RAX)


def assemble(trace: Trace, ext: Externals, loop: LoopAddresses | None = None) -> MachineCode:
    """Compile a loop trace (or, with `loop`, a bridge) to position-independent machine code.
    Raises CompileError for traces it cannot compile (the runtime then aborts the trace)."""
    if trace.kind == "loop":
        if not trace.ops or trace.ops[0].name != "label" or trace.ops[-1].name != "jump":
            raise CompileError("loop trace must be label ... jump")
        if len({id(v) for v in trace.ops[0].args}) != len(trace.ops[0].args):
            raise CompileError("a label argument appears twice")
    try:
        return Assembler(trace, ext, loop).assemble()
    except (KeyError, ValueError) as e:          # e.g. a state variable missing from the layout
        raise CompileError(f"cannot compile trace: {e!r}") from e
