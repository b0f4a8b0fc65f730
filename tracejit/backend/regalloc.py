"""Register allocation for straight-line traces: liveness intervals and linear scan.

Positions: op i defines its result at 2*i+1; an argument use at op i ends at 2*i; a use in op i's
snapshot ends at 2*i+1 (the snapshot is read by the exit stub after the result has been written, so
such values must not share a location with the result). Exceptions: an argument in the op's
`undo_on_overflow` (op table; e.g. both of int_add_ovf's) that is also in the op's snapshot ends at 2*i,
because the exit stub can undo the in-place operation (the assembler emits the undo).
Trace inputs are defined at 1 (loops: at the label) or -1 (bridges); jump arguments end at 2*(last op).
A loop's preamble (ops the optimizer hoisted out of the loop, run once per entry: the back-edge jumps past
them) computes values the loop uses at every iteration: they live to the jump, and the inputs live at least
to the preamble's end (the jump writes their locations).

A comparison (an op the table marks `fusable`) immediately followed by guard_true/guard_false on its result,
with no other use, is *fused*: the bool gets no location and the comparison's arguments live until the guard.

Linear scan over the ops in order: free registers of expired intervals, give the new value a register
(preferring the label register it will be jumped into, then a dying argument's register; callee-saved
GPRs for values live across a call, an op the table marks `calls_out`); when none is free, spill the
interval that ends last into a stack slot of the fixed spill area (for its whole life). Around a call the
assembler saves the caller-saved registers still live (Allocation.saves).

Registers: r15 (state buffer), r14 (budget), rsp, and the scratch registers rax, rcx, rdx, xmm0, xmm1 are
never allocated.

May import: tracejit.ir, tracejit.backend.x86 / errors, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from _bisect import bisect_right     # (the bisect module's own, without importing that module)

from tracejit.plaindata import dataclass, field

from ..ir.ops import OPS, Kind
from ..ir.trace import Op, Trace, Var, snapshot_vars
from .errors import CompileError
from .x86 import GPR, XMM, Reg

ALLOC_GPR: list[Reg] = [GPR[n] for n in ("rbx", "rsi", "rdi", "r8", "r9", "r10", "r11", "rbp", "r12", "r13")]
CALLEE_SAVED: frozenset[Reg] = frozenset(GPR[n] for n in ("rbx", "rbp", "r12", "r13"))
ALLOC_XMM: list[Reg] = [XMM[f"xmm{i}"] for i in range(2, 16)]
MAX_SPILL = 240


@dataclass(frozen=True)
class Spill:
    """A spill slot on the machine stack."""
    index: int

    def __repr__(self) -> str:
        return f"[sp{self.index}]"


Loc = Reg | Spill


@dataclass(eq=False)
class Interval:
    """Where one value is live and where the allocator put it."""
    var: Var
    start: int
    end: int
    hint: Reg | None = None
    crosses_call: bool = False
    loc: Loc | None = None

    @property
    def xmm(self) -> bool:
        return self.var.kind is Kind.FLOAT


@dataclass
class Allocation:
    """The register allocation of one trace."""
    locs: dict[int, Loc]                       # id(var) -> location
    intervals: list[Interval]
    fused: set[int]                            # indices of comparisons fused into the following guard
    nspill: int                                # spill slots used
    saves: dict[int, list[Reg]] = field(default_factory=dict)   # call op index -> caller-saved regs to keep

    def loc(self, v: Var) -> Loc:
        return self.locs[id(v)]

    def has(self, v: Var) -> bool:
        return id(v) in self.locs

    def format(self) -> str:
        """One line per value: `i3 -> rbx  [1, 12]` (positions: op i defines at 2i+1, uses at 2i)."""
        lines = []
        for iv in self.intervals:
            extra = " (across call)" if iv.crosses_call else ""
            lines.append(f"{iv.var!r} -> {iv.loc!r}  [{iv.start}, {iv.end}]{extra}")
        return "\n".join(lines)


def fused_compares(trace: Trace, memo: dict | None = None) -> set[int]:
    """Indices i of comparisons whose only use is the guard_true/guard_false at i + 1."""
    memo = {} if memo is None else memo
    uses: dict[int, int] = {}
    for op in trace.ops:
        if op.name == "label":
            continue
        for a in op.args:
            if isinstance(a, Var):
                uses[id(a)] = uses.get(id(a), 0) + 1
        if op.snapshot is not None:
            for v in snapshot_vars(op.snapshot, memo):
                uses[id(v)] = uses.get(id(v), 0) + 1
    out = set()
    ops = trace.ops
    for i in range(len(ops) - 1):
        op, nxt = ops[i], ops[i + 1]
        if (OPS[op.name].fusable and nxt.name in ("guard_true", "guard_false") and nxt.args[0] is op.result
                and uses.get(id(op.result), 0) == 1):
            out.add(i)
    return out


def intervals(trace: Trace, fused: set[int], memo: dict | None = None) -> list[Interval]:
    """Live intervals in definition order (inputs first)."""
    memo = {} if memo is None else memo
    ops = trace.ops
    start0 = 1 if ops and ops[0].name == "label" else -1
    ivs: dict[int, Interval] = {}
    order: list[Interval] = []
    for _, v in trace.inputs:
        if id(v) not in ivs:
            iv = Interval(v, start0, start0)
            ivs[id(v)] = iv
            order.append(iv)

    def use(v, pos: int) -> None:
        if isinstance(v, Var):
            iv = ivs[id(v)]
            iv.end = max(iv.end, pos)

    for i, op in enumerate(ops):
        if op.name == "label":
            continue
        fused_guard = i - 1 in fused
        if i in fused:
            for a in op.args:
                use(a, 2 * (i + 1))
        elif not fused_guard:
            for a in op.args:
                use(a, 2 * i)
        if op.snapshot is not None:
            undo = OPS[op.name].undo_on_overflow
            same = len(op.args) == 2 and op.args[0] is op.args[1]
            relaxed = {id(op.args[k]) for k in undo if not same}
            for v in snapshot_vars(op.snapshot, memo):
                use(v, 2 * i if id(v) in relaxed else 2 * i + 1)
        if op.result is not None and i not in fused:
            iv = Interval(op.result, 2 * i + 1, 2 * i + 1)
            ivs[id(op.result)] = iv
            order.append(iv)
    if trace.kind == "loop" and trace.preamble:
        # the back-edge jumps past the preamble: what it computed is used again at every iteration, so it lives to
        # the jump; and an input's location is the jump's to write, so nothing the preamble computes may take it
        # before the preamble ends (an input last used there)
        loop_start, back_edge = 2 * (trace.preamble + 1), 2 * (len(ops) - 1)
        for iv in order:
            if iv.start == start0 and iv.end > iv.start:
                iv.end = max(iv.end, loop_start)
            elif start0 < iv.start < loop_start and iv.end > loop_start:
                iv.end = back_edge
    calls = [2 * i + 1 for i, op in enumerate(ops) if OPS[op.name].calls_out]     # (ascending)
    for iv in order:
        k = bisect_right(calls, iv.start)        # the first call after the start: at or before the end?
        iv.crosses_call = k < len(calls) and calls[k] <= iv.end
    return order


def allocate(trace: Trace) -> Allocation:
    memo: dict = {}
    fused = fused_compares(trace, memo)
    order = intervals(trace, fused, memo)
    ops = trace.ops
    by_def: dict[int, Op] = {id(op.result): op for op in ops if op.result is not None}
    label_loc_of: dict[int, int] = {}          # id(jump arg var) -> index of label arg
    label_vars: list[Var] = []
    if trace.kind == "loop" and ops[0].name == "label" and ops[-1].name == "jump":
        label_vars = list(ops[0].args)
        for k, a in enumerate(ops[-1].args):
            if isinstance(a, Var):
                label_loc_of.setdefault(id(a), k)
    locs: dict[int, Loc] = {}

    active: list[Interval] = []
    free = {False: list(ALLOC_GPR), True: list(ALLOC_XMM)}
    slots: list[list[Interval]] = []         # spill slot -> intervals using it

    def spill(iv: Interval) -> None:
        for n, users in enumerate(slots):
            if all(u.end < iv.start or iv.end < u.start for u in users):
                users.append(iv)
                iv.loc = Spill(n)
                return
        if len(slots) >= MAX_SPILL:
            raise CompileError("too many live values (spill area full)")
        slots.append([iv])
        iv.loc = Spill(len(slots) - 1)

    for iv in order:
        pos = iv.start
        for old in list(active):
            if old.end < pos:
                active.remove(old)
                free[old.xmm].append(old.loc)
        prefs: list[Reg] = []
        k = label_loc_of.get(id(iv.var))
        if k is not None:
            hl = locs.get(id(label_vars[k]))
            if isinstance(hl, Reg):
                prefs.append(hl)
        op = by_def.get(id(iv.var))
        if op is not None:
            for a in op.args[:2]:
                la = locs.get(id(a)) if isinstance(a, Var) else None
                if isinstance(la, Reg):
                    prefs.append(la)
        pool = free[iv.xmm]
        choice = next((p for p in prefs if p in pool), None)
        if choice is None and pool:
            if iv.crosses_call and not iv.xmm:
                choice = next((r for r in ALLOC_GPR if r in pool and r in CALLEE_SAVED), None)
            if choice is None:
                choice = next(r for r in (ALLOC_XMM if iv.xmm else ALLOC_GPR) if r in pool)
        if choice is not None:
            pool.remove(choice)
            iv.loc = choice
            active.append(iv)
        else:
            cands = [a for a in active if a.xmm == iv.xmm]
            victim = max(cands, key=lambda a: a.end)
            if victim.end > iv.end:
                iv.loc = victim.loc
                active.remove(victim)
                active.append(iv)
                spill(victim)
                locs[id(victim.var)] = victim.loc
            else:
                spill(iv)
        locs[id(iv.var)] = iv.loc

    alloc = Allocation(locs, order, fused, len(slots))
    for i, op in enumerate(ops):
        if OPS[op.name].calls_out:
            c = 2 * i + 1
            regs = [iv.loc for iv in order if isinstance(iv.loc, Reg) and iv.start < c <= iv.end
                    and (iv.loc.xmm or iv.loc not in CALLEE_SAVED)]
            alloc.saves[i] = regs
    return alloc
