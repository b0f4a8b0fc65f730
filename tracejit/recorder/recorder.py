"""TraceRecorder: turns one observed loop iteration (or a bridge path) into a typed SSA trace with guards.

The hooks call `step(pc, frame_view)` before the interpreter executes the instruction at `pc` of the loop's
frame. The recorder keeps an abstract value stack of IR values, each with the concrete Python value it had
(computed with the op table's exact semantics and cross-checked against the real frame), and emits ops and
guards. Control flow is taken from the real instruction stream: a conditional jump becomes a guard on the
direction the interpreter took. Each guard carries a Snapshot of the interpreter state before its
instruction, so a failing guard resumes exactly there. Anything outside the supported subset raises
RecordAbort with a readable reason.

May import: tracejit.ir, tracejit.cpython.bytecode, tracejit.recorder.rules, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import math
import types
from dataclasses import dataclass
from typing import Protocol

from tracejit.cpython.bytecode import PUSH_NULL_BELOW_CALLABLE, TRACE_SKIPS_AFTER_EXTENDED_ARG, Instr, back_edges, \
    describe_instr, instructions_at
from tracejit.ir import (NULL, OPS, Const, GuardFailed, Kind, Op, Snapshot, StateLayout, StateVar, Trace, Var,
                         VarFactory, const_bool, const_float, const_int, const_null, const_ref, stack_var)
from tracejit.ir.ops import INT64_MAX, INT64_MIN, SMALL_INT_BOUND

from . import complexnum as cx
from . import rules
from .calls import CALLS, CallAbort, constant_value
from .complexnum import ComplexAbort, VirtualComplex, complex_parts
from .virtuals import VirtualRange, VirtualTuple

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF
NOOPS = {"NOP", "RESUME", "EXTENDED_ARG", "CACHE", "PRECALL"}
BRANCHES = {"POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE",
            "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP", "FOR_ITER"}


LOOP_LEFT = "loop exited during recording"
MAX_OUTER_UNROLL = 16   # iterations of an enclosing loop a bridge may run through before it aborts


class RecordAbort(Exception):
    """The recording cannot continue; the message says why (shown in stats and the events log)."""


class FrameView(Protocol):
    def local(self, index: int) -> object: ...        # LookupError when unbound
    def stack(self, pos: int) -> object: ...          # item at depth `pos` (0 = bottom)
    def range_iter_state(self, it) -> tuple[int, int, int]: ...      # TypeError: not a range iterator
    def list_iter_state(self, it) -> tuple[int, list | None]: ...   # TypeError: not a list iterator
    globals: dict
    builtins: dict
    module_level: bool                                # code uses LOAD_NAME in a namespace that is globals


class BaseItem:
    """A value-stack item that was on the stack at the loop header (not produced by the trace)."""

    def __init__(self, pos: int):
        self.pos = pos

    def __repr__(self) -> str:
        return f"<base {self.pos}>"


def kind_of(value) -> Kind | None:
    """The kind a value is modelled with: exact ints in int64, floats and bools unboxed, any other object as
    a REF (ints outside int64 are not modelled: their arithmetic is the interpreter's)."""
    t = type(value)
    if t is bool:
        return B
    if t is int:
        return I if INT64_MIN <= value <= INT64_MAX else None
    if t is float:
        return F
    return R


def same_value(a, b) -> bool:
    if kind_of(a) is R:
        return a is b
    if type(a) is not type(b):
        return False
    if type(a) is float:
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (a != a and b != b)
    return a == b


@dataclass
class BridgeStart:
    """What a bridge recording starts from: the loop's layout and the failing guard's snapshot."""
    layout: StateLayout
    snapshot: Snapshot


class TraceRecorder:
    def __init__(self, code, header_pc: int, base_depth: int, *, trace_limit: int = 2000,
                 bridge: BridgeStart | None = None):
        self.code = code
        self.header_pc = header_pc
        self.base_depth = base_depth
        self.trace_limit = trace_limit
        self.bridge = bridge
        self.instrs = instructions_at(code)
        self._order = sorted(self.instrs)
        self._next_offset = {a: b for a, b in zip(self._order, self._order[1:])}
        self.vars = VarFactory()
        self.ops: list[Op] = []
        self.inputs: list[tuple[StateVar, Var]] = []
        self.state: dict[StateVar, object] = {}
        self.concrete: dict[int, object] = {}
        # the value stack from the bottom of the frame's; items below `floor` are the loop's own (BaseItem).
        # A bridge lowers the floor when an iterator below the loop's base depth is exhausted (popped), and
        # raises it again when GET_ITER puts a new iterator there (see _get_iter)
        self.floor = base_depth - (bridge.snapshot.popped if bridge else 0)
        self.stack: list = [BaseItem(i) for i in range(self.floor)]
        self.layout = bridge.layout if bridge else StateLayout()
        self.pending: tuple[Instr, Snapshot] | None = None
        self.expected: set[int] | None = None
        self.count = 0
        self.done = False
        self.lines: dict[int, int] = {}
        self.recorded: list[tuple[int, str]] = []     # the instructions recorded, in order (Trace.recorded)
        self.pins: list[tuple[str, object, object]] = []    # (name, object, owner module or None)
        self.known_class: dict[int, type] = {}              # REF value -> its exact type, where guarded
        self.view: FrameView | None = None
        self.outer_passes: dict[int, int] = {}               # bridge: back-edges taken per enclosing loop
        self.start_pc = bridge.snapshot.pc if bridge else header_pc
        ends = [src for src, h in back_edges(code) if h == header_pc]
        self.loop_end = max(ends) if ends else max(self._order)     # last offset of the loop's body
        if bridge:
            for pos, v in enumerate(bridge.snapshot.stack):
                # a constant at the exit (a callable, the NULL beside it) stays that constant
                self.stack.append(v if isinstance(v, Const) else self._input(stack_var(pos), v.kind, None))

    # ------------------------------------------------------------------ values
    def _input(self, sv: StateVar, kind: Kind, concrete) -> Var:
        var = self.vars.new(kind)
        self.inputs.append((sv, var))
        self.concrete[id(var)] = concrete
        if sv.where != "stack":
            self.state[sv] = var
        return var

    def conc(self, v):
        if isinstance(v, Const):
            return v.value
        if isinstance(v, VirtualComplex):       # only complex-aware code may look inside one
            raise RecordAbort("operand is a complex number")
        return self.concrete[id(v)]

    def read_state(self, sv: StateVar, fetch) -> object:
        if sv in self.state:
            return self.state[sv]
        parts = complex_parts(sv) if sv.where in ("fast", "global") else None
        if parts and parts[0] in self.state:
            return VirtualComplex(self.state[parts[0]], self.state[parts[1]])
        try:
            value = fetch()
        except LookupError:
            raise RecordAbort(f"{sv} is unbound") from None
        if parts and not (self.bridge and sv in self.layout.kinds):
            # a complex number is kept as two doubles (state variables `sv.real`, `sv.imag`)
            if type(value) is complex:
                return VirtualComplex(self._input(parts[0], F, value.real), self._input(parts[1], F, value.imag))
            if self.bridge and parts[0] in self.layout.kinds:
                raise RecordAbort(f"{sv} is complex in the loop but {type(value).__name__} here")
        kind = kind_of(value)
        if kind is None:
            raise RecordAbort(f"{sv} holds {type(value).__name__}" +
                              (" outside int64" if type(value) is int else ""))
        if self.bridge and sv in self.layout.kinds:
            if self.layout.kinds[sv] is R:
                kind = R                    # the loop keeps this variable as an object, whatever it holds
            elif self.layout.kinds[sv] is not kind:
                raise RecordAbort(f"{sv} changed kind in bridge")
        return self._input(sv, kind, value)

    def write_state(self, sv: StateVar, value, fetch, pc: int = -1) -> None:
        parts = complex_parts(sv) if sv.where in ("fast", "global") else None
        if parts and not (sv in self.state or (self.bridge and sv in self.layout.kinds)):
            if isinstance(value, VirtualComplex) or (isinstance(value, (Var, Const)) and value.kind is R and
                                                     type(self.conc(value)) is complex):
                self._write_complex(sv, parts, self._unbox(value, self.snapshot_with(pc, [value]), pc, True), fetch)
                return
            if parts[0] in self.state or (self.bridge and parts[0] in self.layout.kinds):
                raise RecordAbort(f"{sv} stops being a complex number in the loop")
        if not isinstance(value, (Var, Const)):
            raise RecordAbort("storing a tuple the trace did not allocate" if isinstance(value, VirtualTuple)
                              else "storing a value the trace does not model")
        if sv not in self.state and sv.where != "stack":
            # a variable written before it is read still needs its previous value in earlier exits
            try:
                current = fetch()
            except LookupError:
                current = None
            # a REF can hold any object; an unboxed kind must be the kind the variable held before
            kind = R if value.kind is R and kind_of(current) is not None else kind_of(current)
            if kind is not value.kind:
                raise RecordAbort(f"{sv} changes type in the loop")
            self._input(sv, value.kind, current)
        self.state[sv] = value

    def _write_complex(self, sv: StateVar, parts: tuple, value: VirtualComplex, fetch) -> None:
        if parts[0] not in self.state:
            # earlier exits need the value the variable held before: it must be a complex number too
            try:
                current = fetch()
            except LookupError:
                current = None
            if type(current) is not complex:
                raise RecordAbort(f"{sv} changes type in the loop")
            self._input(parts[0], F, current.real)
            self._input(parts[1], F, current.imag)
        self.state[parts[0]], self.state[parts[1]] = value.real, value.imag

    def emit(self, name: str, args: list, snapshot: Snapshot | None, pc: int):
        d = OPS[name]
        conc_args = [self.conc(a) for a in args]
        try:
            # a store is the interpreter's to make (it executes the recorded instruction right after this)
            result = None if d.writes_heap else d.evaluate(*conc_args)
        except GuardFailed as e:
            raise RecordAbort(f"{name} fails while recording ({e})") from None
        if all(isinstance(a, Const) for a in args) and d.result is not Kind.VOID and not d.reads_heap:
            return Const(result, d.result)        # fold at record time; the guard cannot fail
        if name == "guard_class" and isinstance(args[1], Const):
            self.known_class[id(args[0])] = args[1].value
        res = self.vars.new(d.result) if d.result is not Kind.VOID else None
        op = Op(name, list(args), res, snapshot if d.guard else None, pc)
        self.ops.append(op)
        if res is not None:
            self.concrete[id(res)] = result
        return res

    def snapshot(self, pc: int, operands: tuple = ()) -> Snapshot:
        """The interpreter's state before the instruction at pc (with `operands`, which it popped, pushed
        back). A complex number on the stack takes two entries (Snapshot.complex_at)."""
        stack, at = [], []
        for v in self.stack[self.floor:] + list(operands):
            if isinstance(v, BaseItem):
                raise RecordAbort("base stack item moved")
            if isinstance(v, (VirtualTuple, VirtualRange)):
                raise RecordAbort(f"an exit would need a {type(v).__name__[7:].lower()} the trace did not allocate")
            if isinstance(v, VirtualComplex):
                at.append(len(stack))
                stack += [v.real, v.imag]
            else:
                stack.append(v)
        return Snapshot(pc, dict(self.state), stack, complex_at=tuple(at), popped=self.base_depth - self.floor)

    def pop(self):
        if len(self.stack) <= self.floor and not isinstance(self.stack[-1], (Var, Const)):
            raise RecordAbort("popped below the loop's base stack")
        return self.stack.pop()

    def value(self, v):
        if not isinstance(v, (Var, Const)):
            raise RecordAbort("operand is a complex number" if isinstance(v, VirtualComplex)
                              else "operand is not a modelled value")
        return v

    def operand(self, v):
        """A value, or a complex number kept unboxed (for the instructions that handle both)."""
        return v if isinstance(v, VirtualComplex) else self.value(v)

    # ------------------------------------------------------------------ driving
    def step(self, pc: int, view: FrameView) -> bool:
        """Observe that the interpreter is about to execute `pc`. Returns True when the trace is closed."""
        if self.count == 0 and self.bridge is not None:
            if pc != self.start_pc and not self._extended_arg_before(pc, self.start_pc):
                raise RecordAbort(f"bridge starts at @{pc}, expected @{self.start_pc}")
            if self.bridge.snapshot.complex_at:
                raise RecordAbort("bridge from an exit with a complex number on the stack")
            for sv, var in self.inputs:
                if sv.where == "stack":
                    real = view.stack(self.floor + sv.key)
                    if var.kind is not R and kind_of(real) is not var.kind:
                        raise RecordAbort("bridge stack input changed kind")
                    self.concrete[id(var)] = real
        self.view = view
        if self.pending is not None:
            self._resolve(pc, view)
        elif self.expected is not None and pc not in self.expected:
            raise RecordAbort(f"unexpected control flow to @{pc}")
        if self.count and pc == self.header_pc:
            self._close()
            return True
        return self._record_at(pc, view)

    def _record_at(self, pc: int, view: FrameView) -> bool:
        if self.bridge is None and not self.header_pc <= pc <= self.loop_end:
            raise RecordAbort(LOOP_LEFT)
        self.count += 1
        if self.count > self.trace_limit:
            raise RecordAbort("trace too long")
        instrs = self.instrs.get(pc)
        if not instrs:
            raise RecordAbort(f"no instruction at @{pc}")
        if instrs[0].line:
            self.lines[pc] = instrs[0].line
        self.recorded.extend((pc, describe_instr(ins, 0, 40)) for ins in instrs)
        self._check_stack(view)
        for ins in instrs:
            if ins.op in BRANCHES:
                self.pending = (ins, self.snapshot(pc))
                self.expected = None
                return False
            try:
                self._execute(ins, view)
            except ComplexAbort as e:
                raise RecordAbort(str(e)) from None
        if TRACE_SKIPS_AFTER_EXTENDED_ARG and instrs[-1].real_op == "EXTENDED_ARG":
            nxt = self._next_offset.get(pc)
            if nxt is not None:         # 3.11 reports no event for the instruction after an EXTENDED_ARG
                return self._record_at(nxt, view)
        self.expected = self._fallthrough(pc, instrs[-1])
        return False

    def _extended_arg_before(self, pc: int, target: int) -> bool:
        """pc is an EXTENDED_ARG prefix of the instruction at `target` (a frame resumed at `target` starts at
        its prefix; 3.11 reports no event for the instruction itself)."""
        while pc != target:
            instrs = self.instrs.get(pc)
            if not instrs or instrs[-1].real_op != "EXTENDED_ARG":
                return False
            pc = self._next_offset.get(pc)
        return pc == target

    def _fallthrough(self, pc: int, ins: Instr) -> set[int]:
        """Offsets the next event may report after `ins` falls through (or jumps, for JUMP)."""
        return self._arrivals(ins.target if ins.op == "JUMP" else self._next_offset.get(pc))

    def _arrivals(self, nxt: int | None) -> set[int]:
        """`nxt`, plus the offsets after it while it is a no-op whose event the interpreter may skip."""
        out = set()
        while nxt is not None:
            out.add(nxt)
            if not self.instrs.get(nxt) or self.instrs[nxt][0].op not in NOOPS:
                break
            nxt = self._next_offset.get(nxt)
        return out

    def _check_stack(self, view: FrameView) -> None:
        """Cross-check the concrete value of the top modelled stack item against the real frame."""
        if len(self.stack) <= self.floor:
            return
        top = self.stack[-1]
        if not isinstance(top, (Var, Const, VirtualComplex)):
            return
        try:
            real = view.stack(len(self.stack) - 1)
        except LookupError:
            if isinstance(top, Const) and top.value is NULL:
                return
            raise RecordAbort("stack slot empty") from None
        if isinstance(top, VirtualComplex):
            mine = cx.concrete(self, top)
            if type(real) is not complex or not (same_value(mine.real, real.real) and
                                                 same_value(mine.imag, real.imag)):
                raise RecordAbort(f"recorder value {mine!r} differs from interpreter value {real!r}")
            return
        mine = self.conc(top)
        if top.kind is I and type(real) is bool:
            real = int(real)
        if not same_value(mine, real):      # (objects: the same object)
            raise RecordAbort(f"recorder value {mine!r} differs from interpreter value {real!r}")

    # ------------------------------------------------------------------ instructions
    def _execute(self, ins: Instr, view: FrameView) -> None:
        op, pc = ins.op, ins.offset
        if ins.real_op == "PRECALL":
            self._precall(ins.oparg)
            return
        if op in NOOPS:
            return
        if op == "LOAD_FAST":
            sv = StateVar("fast", ins.arg, self.code.co_varnames[ins.arg] if ins.arg < len(self.code.co_varnames) else "")
            self.stack.append(self.read_state(sv, lambda: view.local(ins.arg)))
        elif op == "STORE_FAST":
            sv = StateVar("fast", ins.arg, self.code.co_varnames[ins.arg] if ins.arg < len(self.code.co_varnames) else "")
            self.write_state(sv, self.pop(), lambda: view.local(ins.arg), pc)
        elif op in ("LOAD_GLOBAL", "LOAD_NAME"):
            name, push_null = ins.arg if isinstance(ins.arg, tuple) else (ins.arg, False)
            if op == "LOAD_NAME" and not view.module_level:
                raise RecordAbort("LOAD_NAME outside module-level code")
            value = self._load_global(name, view)
            if push_null:
                self._push_callable(value)
            else:
                self.stack.append(value)
        elif op in ("STORE_GLOBAL", "STORE_NAME"):
            if op == "STORE_NAME" and not view.module_level:
                raise RecordAbort("STORE_NAME outside module-level code")
            if any(name == ins.arg and owner is None for name, _, owner in self.pins):
                raise RecordAbort(f"{ins.arg} is rebound in the loop")
            self.write_state(StateVar("global", ins.arg), self.pop(), lambda: _lookup(view.globals, ins.arg), pc)
        elif op == "LOAD_ATTR":
            name, method = ins.arg
            owner = self.operand(self.pop())
            if isinstance(owner, VirtualComplex) or (owner.kind is R and type(self.conc(owner)) is complex):
                if method:
                    raise RecordAbort(f"method {name} of a complex number")
                z = self._unbox(owner, self.snapshot_with(pc, [owner]), pc, True)
                self.stack.append(cx.attribute(z, name))
                return
            if method and name == "append" and owner.kind is R and type(self.conc(owner)) is list:
                # the method below its self on every version; list is immutable, so its exact type fixes
                # which function this is
                self.emit("guard_class", [owner, const_ref(list)], self.snapshot_with(pc, [owner]), pc)
                self.stack.extend([const_ref(LIST_APPEND), owner])
                return
            value = self._module_attribute(owner, name)
            if method:
                self._push_callable(value)
            else:
                self.stack.append(value)
        elif op == "PUSH_NULL":
            self.stack.append(const_null())
        elif op == "CALL":
            self._call(ins.arg, pc)
        elif op == "LOAD_CONST":
            self.stack.append(_const(ins.arg))
        elif op == "POP_TOP":
            self.pop()
        elif op == "COPY":
            self.stack.append(self.stack[-ins.arg])
        elif op == "SWAP":
            self.stack[-1], self.stack[-ins.arg] = self.stack[-ins.arg], self.stack[-1]
        elif op == "JUMP":
            self._check_backward(ins.offset, ins.target)
        elif op == "BINARY_OP":
            symbol, _inplace = ins.arg
            b, a = self.operand(self.pop()), self.operand(self.pop())
            snap = self.snapshot_with(pc, [a, b])
            a, b = self._unbox(a, snap, pc, True), self._unbox(b, snap, pc, True)
            if isinstance(a, VirtualComplex) or isinstance(b, VirtualComplex):
                self.stack.append(cx.binary(self, symbol, a, b, snap, pc))
            else:
                self.stack.append(self._binary(symbol, a, b, snap))
        elif op == "COMPARE_OP":
            symbol = ins.arg[0] if isinstance(ins.arg, tuple) else ins.arg
            b, a = self.value(self.pop()), self.value(self.pop())
            snap = self.snapshot_with(pc, [a, b])
            a, b = self._unbox(a, snap, pc), self._unbox(b, snap, pc)
            self.stack.append(self._compare(symbol, a, b, snap))
        elif op in rules.UNARY:
            a = self.operand(self.pop())
            snap = self.snapshot_with(pc, [a])
            a = self._unbox(a, snap, pc, True)
            if isinstance(a, VirtualComplex):
                self.stack.append(cx.unary(self, op, a, snap, pc))
                return
            rule = rules.UNARY[op].get(a.kind)
            if rule is None:
                raise RecordAbort(f"{op} on {a.kind}")
            if rule != "same":
                for name in (rule if isinstance(rule, tuple) else (rule,)):
                    a = self.emit(name, [a], snap, pc)
            self.stack.append(a)
        elif op == "TO_BOOL":
            a = self.value(self.pop())
            self.stack.append(self._truth(a, self.snapshot_with(pc, [a]), pc))
        elif op == "BINARY_SUBSCR":
            index, container = self.value(self.pop()), self.value(self.pop())
            self.stack.append(self._subscr(container, index, self.snapshot_with(pc, [container, index]), pc))
        elif op == "STORE_SUBSCR":
            index, container, value = self.value(self.pop()), self.value(self.pop()), self.operand(self.pop())
            self._store_subscr(value, container, index, self.snapshot_with(pc, [value, container, index]), pc)
        elif op == "LIST_APPEND":
            v = self.operand(self.pop())
            snap = self.snapshot_with(pc, [v])
            lst = self.stack[-ins.arg]
            if isinstance(lst, BaseItem):       # a comprehension's list, made before its loop
                lst = self.read_state(StateVar("base", lst.pos), lambda: view.stack(lst.pos))
            lst = self.value(lst)
            if lst.kind is not R or type(self.conc(lst)) is not list:
                raise RecordAbort("LIST_APPEND to something other than a list")
            self.emit("guard_class", [lst, const_ref(list)], snap, pc)
            self._list_append(lst, [v], snap, pc)
        elif op == "GET_ITER":
            self._get_iter(self.pop(), pc)
        elif op == "BUILD_TUPLE":
            items = [self.pop() for _ in range(ins.arg)][::-1]
            self.stack.append(VirtualTuple(items))
        elif op == "UNPACK_SEQUENCE":
            self._unpack(self.pop(), ins.arg, pc)
        elif op == "IS_OP":
            b, a = self.value(self.pop()), self.value(self.pop())
            if a.kind is not R or b.kind is not R:
                raise RecordAbort("`is` on an unboxed value")
            same = self.emit("ref_eq", [a, b], None, pc)
            self.stack.append(self.emit("bool_not", [same], None, pc) if ins.arg else same)
        else:
            raise RecordAbort(f"unsupported instruction {ins.real_op}")

    def _check_backward(self, src: int, target: int) -> None:
        """A loop trace covers one loop; a bridge may run through enclosing loops back to its header
        (LuaJIT-style: the exit of an inner loop links through the outer loop back into the inner one).
        A loop nested inside the traced one (its header after ours) is never unrolled into a bridge: it is
        left to the interpreter, where it gets hot and compiled on its own; a loop after ours (a sibling in
        the enclosing loop's body) is unrolled."""
        if target > src or target == self.header_pc:
            return
        if self.bridge is None or self.header_pc < target <= self.loop_end:
            raise RecordAbort("inner loop")
        if target < self.header_pc:
            # an enclosing loop: its iterations that never enter ours would be unrolled into the bridge
            self.outer_passes[target] = self.outer_passes.get(target, 0) + 1
            if self.outer_passes[target] > MAX_OUTER_UNROLL:
                raise RecordAbort("bridge unrolls an outer loop")

    def snapshot_with(self, pc: int, operands: list) -> Snapshot:
        """Snapshot before the instruction at pc whose operands were just popped."""
        return self.snapshot(pc, operands)

    def _as_int(self, v, snap, pc):
        return self.emit("bool_to_int", [v], snap, pc) if v.kind is B else v

    def _as_float(self, v, snap, pc, exact=False):
        v = self._as_int(v, snap, pc)
        if v.kind is I:
            return self.emit("int_to_float_exact" if exact else "int_to_float", [v], snap, pc)
        return v

    def _binary(self, symbol: str, a, b, snap: Snapshot):
        pc = snap.pc
        if symbol not in rules.BINARY:
            raise RecordAbort(f"operator {symbol}")
        int_op, float_op = rules.BINARY[symbol]
        if a.kind is B and b.kind is B and symbol in rules.BOOL_BITWISE:
            r = self.emit(int_op, [self._as_int(a, snap, pc), self._as_int(b, snap, pc)], snap, pc)
            return self.emit("int_is_true", [r], snap, pc)
        if F in (a.kind, b.kind):
            if float_op is None:
                raise RecordAbort(f"operator {symbol} on float")
            return self.emit(float_op, [self._as_float(a, snap, pc), self._as_float(b, snap, pc)], snap, pc)
        a, b = self._as_int(a, snap, pc), self._as_int(b, snap, pc)
        if int_op == "pow":
            return self._int_pow(a, b, snap)
        return self.emit(int_op, [a, b], snap, pc)

    def _int_pow(self, a, b, snap: Snapshot):
        pc = snap.pc
        k = self.conc(b)
        if k < 0 or k > rules.MAX_POW_EXPONENT:
            raise RecordAbort("int ** exponent outside 0..64")
        if isinstance(b, Var):     # specialise on the exponent's value
            self.emit("guard_true", [self.emit("int_eq", [b, const_int(k)], snap, pc)], snap, pc)
        result, base = const_int(1), a
        while k:
            if k & 1:
                result = base if (isinstance(result, Const) and result.value == 1) else \
                    self.emit("int_mul_ovf", [result, base], snap, pc)
            k >>= 1
            if k:
                base = self.emit("int_mul_ovf", [base, base], snap, pc)
        return result

    def _compare(self, symbol: str, a, b, snap: Snapshot):
        pc = snap.pc
        int_op, float_op = rules.COMPARE[symbol]
        if F in (a.kind, b.kind):
            return self.emit(float_op, [self._as_float(a, snap, pc, exact=True),
                                        self._as_float(b, snap, pc, exact=True)], snap, pc)
        return self.emit(int_op, [self._as_int(a, snap, pc), self._as_int(b, snap, pc)], snap, pc)

    def _truth(self, v, snap, pc):
        v = self._unbox(v, snap, pc)
        name = rules.TRUTH[v.kind]
        return v if name is None else self.emit(name, [v], snap, pc)

    # ------------------------------------------------------------------ names and calls
    def _load_global(self, name: str, view: FrameView):
        """A global (or builtin) name: a module, a type or a function the trace knows becomes a constant with
        a pin (checked at every entry); anything else is a state variable read from the globals."""
        sv = StateVar("global", name)
        if sv not in self.state:
            try:
                obj = view.globals[name]
            except KeyError:
                try:
                    obj = view.builtins[name]
                except KeyError:
                    raise RecordAbort(f"name {name} is not defined") from None
            c = constant_value(obj)
            if c is not None and c.kind is R:
                self.pins.append((name, obj, None))
                return c
        return self.read_state(sv, lambda: _lookup(view.globals, name))

    def _module_attribute(self, owner, name: str):
        if not (isinstance(owner, Const) and owner.kind is R and type(owner.value) is type(math)):
            raise RecordAbort(f"attribute {name} of a {type(self.conc(owner)).__name__}")
        obj = owner.value.__dict__.get(name, _MISSING_ATTR)
        c = None if obj is _MISSING_ATTR else constant_value(obj)
        if c is None:
            raise RecordAbort(f"attribute {owner.value.__name__}.{name}")
        self.pins.append((name, obj, owner.value))
        return c

    def _push_callable(self, value) -> None:
        """A callable with the NULL CPython pushes beside it (below it on 3.11/3.12, above on 3.13)."""
        self.stack.extend([const_null(), value] if PUSH_NULL_BELOW_CALLABLE else [value, const_null()])

    def _precall(self, argc: int) -> None:
        """3.11's PRECALL: with NULL below a bound method (`g = obj.method` ... `g()`), the interpreter
        replaces the pair by the method's function and its self, which the trace does not model: abort.
        (A method loaded for the call, `obj.method()`, is [method, self] already.)"""
        if len(self.stack) - self.floor < argc + 2:
            raise RecordAbort("call with arguments the trace does not own")
        below, callable_ = self.stack[-(argc + 2)], self.stack[-(argc + 1)]
        if isinstance(below, Const) and below.value is NULL and isinstance(callable_, (Var, Const)) and \
                callable_.kind is R and type(self.conc(callable_)) is types.MethodType:
            raise RecordAbort("call of a bound method")

    def _call(self, argc: int, pc: int) -> None:
        args = [self.operand(self.pop()) for _ in range(argc)][::-1]
        top, below = self.value(self.pop()), self.value(self.pop())
        snap = self.snapshot_with(pc, [below, top] + args)
        if isinstance(below, Const) and below.value is LIST_APPEND and not isinstance(top, Const):
            self.stack.append(self._list_append(top, args, snap, pc))      # a.append(x): below a's method
            return
        callee, null = (top, below) if PUSH_NULL_BELOW_CALLABLE else (below, top)
        if not (isinstance(null, Const) and null.value is NULL):
            raise RecordAbort("method call")
        rule = CALLS.get(callee.value) if isinstance(callee, Const) and callee.kind is R else None
        if rule is None:
            raise RecordAbort("call")
        if callee.value not in COMPLEX_ARGUMENTS and any(isinstance(a, VirtualComplex) for a in args):
            raise RecordAbort(f"{getattr(callee.value, '__name__', 'call')}() of a complex number")
        try:
            self.stack.append(rule(self, args, snap, pc))
        except CallAbort as e:
            raise RecordAbort(str(e)) from None

    def unbox(self, v, snap, pc, allow_complex: bool = False):
        return self._unbox(v, snap, pc, allow_complex)

    def as_int(self, v, snap, pc):
        return self._as_int(v, snap, pc)

    # ------------------------------------------------------------------ objects
    def _unbox(self, v, snap, pc, allow_complex: bool = False):
        """The number inside a REF operand (arithmetic, comparisons, truth tests): guard its exact type, then
        read its value. Other objects abort (their operations are the interpreter's). A complex number
        (allow_complex: where the caller handles VirtualComplex) becomes its two parts."""
        if isinstance(v, VirtualComplex):
            if allow_complex:
                return v
            raise RecordAbort("operand is a complex number")
        if v.kind is not R:
            return v
        obj = self.conc(v)
        t = type(obj)
        if t is complex:
            if not allow_complex:
                raise RecordAbort("operand of type complex")
            if isinstance(v, Const):
                return cx.constant(obj)
            self.emit("guard_class", [v, const_ref(complex)], snap, pc)
            return VirtualComplex(self.emit("complex_real", [v], snap, pc), self.emit("complex_imag", [v], snap, pc))
        if t is float:
            self.emit("guard_class", [v, const_ref(float)], snap, pc)
            return self.emit("float_value", [v], snap, pc)
        if t is int:
            if not -SMALL_INT_BOUND < obj < SMALL_INT_BOUND:
                raise RecordAbort("operand is an int of more than 60 bits")
            self.emit("guard_class", [v, const_ref(int)], snap, pc)
            return self.emit("int_value", [v], snap, pc)
        if t is bool:
            self.emit("guard_class", [v, const_ref(bool)], snap, pc)
            return self.emit("ref_eq", [v, const_ref(True)], snap, pc)
        raise RecordAbort(f"operand of type {t.__name__}")

    def _list_index(self, container, index, snap: Snapshot, pc: int, cls: type = list):
        """Guard that `container` is a list (or a tuple: cls) and `index` an int in range (negative: from the
        end); returns the index as a non-negative int. Out of range, the interpreter raises the IndexError."""
        obj = self.conc(container)
        if container.kind is not R or type(obj) is not cls:
            raise RecordAbort(f"subscript of {type(obj).__name__}")
        index = self._as_int(self._unbox(index, snap, pc), snap, pc)
        if index.kind is not I:
            raise RecordAbort(f"{cls.__name__} index is not an int")
        self.emit("guard_class", [container, const_ref(cls)], snap, pc)
        n = self.emit("list_len" if cls is list else "tuple_len", [container], snap, pc)
        negative = self.emit("int_lt", [index, const_int(0)], snap, pc)
        if self.conc(index) < 0:
            self.emit("guard_true", [negative], snap, pc)
            index = self.emit("int_add", [index, n], snap, pc)
        elif isinstance(negative, Var):
            self.emit("guard_false", [negative], snap, pc)
        self.emit("guard_index", [index, n], snap, pc)
        return index

    def _subscr(self, container, index, snap: Snapshot, pc: int):
        """container[index] for a list or a tuple: the item is a REF (borrowed from the container)."""
        if container.kind is R and type(self.conc(container)) is tuple:
            index = self._list_index(container, index, snap, pc, tuple)
            return self.emit("tuple_getitem", [container, index], snap, pc)
        index = self._list_index(container, index, snap, pc)
        return self.emit("list_getitem", [container, index], snap, pc)

    def _unpack(self, v, n: int, pc: int) -> None:
        """UNPACK_SEQUENCE n: a virtual tuple's items, or the items of a tuple or list object whose exact type
        and length are guarded (another length: the interpreter raises the ValueError). The first item ends
        on top."""
        if isinstance(v, VirtualTuple):
            if len(v.items) != n:
                raise RecordAbort("unpacking a tuple of another length")
            self.stack.extend(reversed(v.items))
            return
        v = self.value(v)
        t = type(self.conc(v))
        if v.kind is not R or t not in (tuple, list):
            raise RecordAbort(f"unpacking a {t.__name__}")
        snap = self.snapshot_with(pc, [v])
        self.emit("guard_class", [v, const_ref(t)], snap, pc)
        size = self.emit("tuple_len" if t is tuple else "list_len", [v], snap, pc)
        self.emit("guard_true", [self.emit("int_eq", [size, const_int(n)], snap, pc)], snap, pc)
        getitem = "tuple_getitem" if t is tuple else "list_getitem"
        items = [self.emit(getitem, [v, const_int(k)], snap, pc) for k in range(n)]
        self.stack.extend(reversed(items))

    # old items a store may release: their deallocation runs no Python code
    RELEASABLE = (float, int, bool, type(None))

    def _store_subscr(self, value, container, index, snap: Snapshot, pc: int) -> None:
        """container[index] = value for a list. Numbers are boxed into new objects; the old item's type is
        guarded to be one whose release runs no Python code, and the old item to be none of the objects the
        trace or its loop may still use (see _maybe_in_use)."""
        index = self._list_index(container, index, snap, pc)
        old = self.emit("list_getitem", [container, index], snap, pc)
        t = type(self.conc(old))
        if t not in self.RELEASABLE:
            raise RecordAbort(f"store over a list item of type {t.__name__}")
        self.emit("guard_class", [old, const_ref(t)], snap, pc)
        defer = self._maybe_in_use(old, t, value, snap, pc) if t in (float, int) else const_bool(False)
        if not (isinstance(defer, Const) and not defer.value):
            self.emit("guard_graveyard", [], snap, pc)
        name, values = self._item_op("list_setitem", value, snap, pc)
        self.emit(name, [container, index] + values + [defer], snap, pc)

    def _list_append(self, lst, args: list, snap: Snapshot, pc: int):
        """lst.append(x) (lst's exact type guarded when the method was loaded): a number is boxed into a new
        object, any other object appended by reference. Returns the call's result, None."""
        if len(args) != 1:
            raise RecordAbort(f"append() with {len(args)} arguments")
        name, values = self._item_op("list_append", self.operand(args[0]), snap, pc)
        self.emit(name, [lst] + values, snap, pc)
        return const_ref(None)

    def _item_op(self, base: str, value, snap: Snapshot, pc: int) -> tuple[str, list]:
        """The variant of a store or append op (`base`) for `value`, and the value's arguments: a complex
        number by its two parts and a float or int unboxed (the op makes the new object), a bool as its
        object, any other object as itself."""
        if isinstance(value, VirtualComplex):
            return base + "_complex", [value.real, value.imag]
        if value.kind is F:
            return base + "_float", [value]
        if value.kind is I:
            return base + "_int", [value]
        if value.kind is B:
            return base, [self.emit("bool_to_ref", [value], snap, pc)]
        return base, [value]

    def _maybe_in_use(self, old, t: type, value, snap: Snapshot, pc: int):
        """A store is about to release `old`, which may free it. Variables and stack items hold objects
        without owning them (a list's item, read by the trace), so the release waits for the end of the run
        (the `defer` flag of the store, a BOOL value) when `old` is any of them: every REF variable of the
        trace (in a bridge: of its loop too, which may read them after the bridge) and on the stack, unless
        its exact type is known to be another one."""
        if self.bridge is not None:
            for sv, kind in list(self.layout.kinds.items()):
                if kind is R and sv.where in ("fast", "global") and sv not in self.state:
                    self.read_state(sv, self._fetcher(sv))
        seen = {id(old), id(value)}
        defer = const_bool(False)
        for v in [v for sv, v in self.state.items() if sv.where in ("fast", "global")] + self.stack[self.floor:]:
            if isinstance(v, Var) and v.kind is R and id(v) not in seen and self.known_class.get(id(v), t) is t:
                seen.add(id(v))
                same = self.emit("ref_eq", [old, v], snap, pc)
                defer = same if isinstance(defer, Const) else self.emit("bool_or", [defer, same], snap, pc)
        return defer

    def _fetcher(self, sv: StateVar):
        view = self.view
        if sv.where == "fast":
            return lambda: view.local(sv.key)
        return lambda: _lookup(view.globals, sv.key)

    # ------------------------------------------------------------------ branches
    def _resolve(self, pc: int, view: FrameView) -> None:
        ins, snap = self.pending
        self.pending = None
        fall = self._fallthrough(ins.offset, ins)
        if ins.op == "FOR_ITER":
            self._for_iter(ins, snap, pc, fall, view)
            return
        tgt = self._arrivals(ins.target)
        if pc in tgt and pc not in fall:
            taken = True
        elif pc in fall and pc not in tgt:
            taken = False
        elif pc in fall:
            taken = None                       # jump to the next instruction: direction is irrelevant
        else:
            raise RecordAbort(f"unexpected control flow to @{pc}")
        if taken:
            self._check_backward(ins.offset, ins.target)
        v = self.value(self.stack[-1])
        if ins.op in ("POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE"):
            is_none = taken == (ins.op == "POP_JUMP_IF_NONE")
            if v.kind is R:
                cond = self.emit("ref_eq", [v, const_ref(None)], snap, ins.offset)
                if isinstance(cond, Var):
                    self.emit("guard_true" if is_none else "guard_false", [cond], snap, ins.offset)
            elif is_none:
                raise RecordAbort("None seen where a number was modelled")
            self.pop()
            return
        cond = self._truth(v, snap, ins.offset)
        if taken is None:
            taken = bool(self.conc(cond)) == (ins.op in ("POP_JUMP_IF_TRUE", "JUMP_IF_TRUE_OR_POP"))
        truthy = taken if ins.op in ("POP_JUMP_IF_TRUE", "JUMP_IF_TRUE_OR_POP") else not taken
        if isinstance(cond, Const):
            if bool(cond.value) != truthy:
                raise RecordAbort("constant condition disagrees with interpreter")
        else:
            if bool(self.conc(cond)) != truthy:
                raise RecordAbort("recorder condition disagrees with interpreter")
            self.emit("guard_true" if truthy else "guard_false", [cond], snap, ins.offset)
        if ins.op.startswith("POP_JUMP") or not taken:
            self.pop()

    def _for_iter(self, ins: Instr, snap: Snapshot, pc: int, fall: set[int], view: FrameView) -> None:
        pos = len(self.stack) - 1
        top = self.stack[-1]
        if not isinstance(top, BaseItem) or pos != self.floor - 1:
            raise RecordAbort("for loop over an iterator the trace does not own")
        if pc not in fall:
            if self.bridge is None or pc not in self._arrivals(ins.target):
                raise RecordAbort(LOOP_LEFT)
            self._for_iter_end(ins, snap, pos)
            return
        try:
            it = view.stack(pos)
        except LookupError:
            raise RecordAbort("loop iterator slot empty") from None
        if type(it) is enumerate:
            self._for_iter_enumerate(ins, snap, pos, it, view)
        elif type(it) is zip:
            self._for_iter_zip(ins, snap, pos, it, view)
        else:
            try:
                view.list_iter_state(it)
            except TypeError:
                self._for_iter_range(ins, snap, pos, it, view)
            else:
                self._for_iter_list(ins, snap, pos, it, view)

    def _for_iter_range(self, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
        names = ("next", "step", "remaining")
        svs = [StateVar("iter", (pos, n)) for n in names]
        if svs[0] not in self.state:
            try:
                state = view.range_iter_state(it)
            except (LookupError, TypeError):
                raise RecordAbort("for loop over something other than range() or a list") from None
            if state[0] is None:
                raise RecordAbort("for loop over something other than range() or a list")
            # the interpreter already advanced the iterator: undo that to get the state before FOR_ITER
            nxt, step, remaining = state
            nxt, remaining = nxt - step, remaining + 1
            for sv, c in zip(svs, (nxt, step, remaining)):
                if not INT64_MIN <= c <= INT64_MAX:
                    raise RecordAbort("range outside int64")
                self._input(sv, I, c)
            snap.state.update({sv: self.state[sv] for sv in svs})
        nxt, step, rem = (self.state[sv] for sv in svs)
        more = self.emit("int_gt", [rem, const_int(0)], snap, ins.offset)
        self.emit("guard_true", [more], snap, ins.offset)
        self.state[svs[0]] = self.emit("int_add", [nxt, step], None, ins.offset)
        self.state[svs[2]] = self.emit("int_sub", [rem, const_int(1)], None, ins.offset)
        self.stack.append(nxt)

    def _for_iter_list(self, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
        """`for x in some_list`: the iterator's index and list are state; each iteration guards the index
        against the list's current length (the interpreter ends the loop) and reads the item."""
        def states():
            index, seq = view.list_iter_state(it)
            if seq is None:
                raise RecordAbort(LOOP_LEFT)
            return [(index, seq)]
        (item,) = self._list_walks(ins, snap, pos, [""], states)
        self.stack.append(item)

    def _iter_fields(self, pos: int) -> set[str]:
        """The fields of the iterator at stack position `pos` the trace or its loop keep as state."""
        return {sv.key[1] for sv in list(self.state) + list(self.layout.slots)
                if sv.where == "iter" and sv.key[0] == pos} - {"fresh"}

    def _iter_field(self, pos: int, name: str):
        """An iterator field for _for_iter_end: the trace's value, or a bridge input from the state buffer
        (its concrete value is unknown here: the interpreter has already dropped the iterator)."""
        sv = StateVar("iter", (pos, name))
        if sv not in self.state:
            if sv not in self.layout.kinds:
                raise RecordAbort("an iterator the trace does not know ends")
            self._input(sv, self.layout.kinds[sv], _UNKNOWN)
        return self.state[sv]

    def _emit_known(self, name: str, args: list, snapshot: Snapshot | None, pc: int, result):
        """Emit an op whose result the recording already knows (`result`) without evaluating it (an argument's
        concrete value may be unknown); where every argument is known, the two must agree."""
        conc = [self.conc(a) for a in args]
        if not any(c is _UNKNOWN for c in conc):
            if OPS[name].evaluate(*conc) != result:
                raise RecordAbort("recorder disagrees with interpreter on a loop's end")
            return self.emit(name, args, snapshot, pc)
        res = self.vars.new(OPS[name].result)
        self.ops.append(Op(name, list(args), res, None, pc))
        self.concrete[id(res)] = result
        return res

    def _for_iter_end(self, ins: Instr, snap: Snapshot, pos: int) -> None:
        """A bridge sees the FOR_ITER of an enclosing (or sibling) loop end: guard that its range or list
        iterator is exhausted, then pop it. The exits after that describe a lower stack (Snapshot.popped);
        the runtime releases the iterator object there."""
        fields = self._iter_fields(pos)
        if fields == {"next", "step", "remaining"}:
            more = self._emit_known("int_gt", [self._iter_field(pos, "remaining"), const_int(0)], snap,
                                    ins.offset, False)
        elif fields == {"index", "seq"}:
            seq = self._iter_field(pos, "seq")
            known = self.conc(seq)
            n = self._emit_known("list_len", [seq], snap, ins.offset, 0 if known is _UNKNOWN else len(known))
            more = self._emit_known("int_lt", [self._iter_field(pos, "index"), n], snap, ins.offset, False)
        else:
            raise RecordAbort("a bridge ends a loop over an enumerate or zip object")
        if isinstance(more, Const):
            if more.value:
                raise RecordAbort("recorder disagrees with interpreter on a loop's end")
        else:
            self.emit("guard_false", [more], snap, ins.offset)
        self.stack.pop()
        self.floor -= 1

    def _get_iter(self, iterable, pc: int) -> None:
        """GET_ITER in a bridge, where an iterator was popped (a loop inside the one the bridge runs through
        starts again): iter(a_list) or iter(range(...)) becomes the state of the iterator at that position,
        marked `fresh`. The runtime makes the iterator object only if an exit needs it."""
        p = len(self.stack)
        if self.bridge is None or p != self.floor or p >= self.base_depth:
            raise RecordAbort("GET_ITER")
        if isinstance(iterable, VirtualRange):
            fields = {"next": iterable.start, "step": iterable.step, "remaining": iterable.length}
        else:
            iterable = self.value(iterable)
            if iterable.kind is not R or type(self.conc(iterable)) is not list:
                raise RecordAbort(f"iter() of {type(self.conc(iterable)).__name__} in a bridge")
            self.emit("guard_class", [iterable, const_ref(list)], self.snapshot_with(pc, [iterable]), pc)
            fields = {"index": const_int(0), "seq": iterable}
        known = self._iter_fields(p)
        if known and known != set(fields):
            raise RecordAbort("iterators of different kinds at one stack position")
        for name, value in fields.items():
            self.state[StateVar("iter", (p, name))] = value
        self.state[StateVar("iter", (p, "fresh"))] = const_int(1)
        self.stack.append(BaseItem(p))
        self.floor = p + 1

    def _list_walks(self, ins: Instr, snap: Snapshot, pos: int, suffixes: list[str], states) -> list:
        """The next item of each of several list iterators advanced together (one of a loop's iterator, or
        the lists of a zip): every index is guarded against its list's current length before any advances
        (else the interpreter runs the FOR_ITER: it ends the loop, or raises as zip(strict=True) does)."""
        svs = [(StateVar("iter", (pos, "index" + s)), StateVar("iter", (pos, "seq" + s))) for s in suffixes]
        if svs[0][0] not in self.state:
            try:
                walks = states()
            except TypeError as e:
                raise RecordAbort(f"for loop over {e}") from None
            for (index_sv, seq_sv), (index, seq) in zip(svs, walks):
                # the interpreter already advanced the iterator: undo that to get the state before FOR_ITER
                self._input(index_sv, I, index - 1)
                self._input(seq_sv, R, seq)
                snap.state.update({index_sv: self.state[index_sv], seq_sv: self.state[seq_sv]})
        for index_sv, seq_sv in svs:
            n = self.emit("list_len", [self.state[seq_sv]], snap, ins.offset)
            self.emit("guard_index", [self.state[index_sv], n], snap, ins.offset)
        items = []
        for index_sv, seq_sv in svs:
            index, seq = self.state[index_sv], self.state[seq_sv]
            items.append(self.emit("list_getitem", [seq, index], snap, ins.offset))
            self.state[index_sv] = self.emit("int_add", [index, const_int(1)], None, ins.offset)
        return items

    def _for_iter_enumerate(self, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
        """`for i, x in enumerate(a_list)`: the count and the list iterator's index and list are state; the
        (count, item) tuple stays virtual (UNPACK_SEQUENCE takes it apart)."""
        count_sv = StateVar("iter", (pos, "count"))

        def states():
            count, index, seq = view.enumerate_state(it)
            self._input(count_sv, I, count - 1)          # before the interpreter's FOR_ITER
            snap.state[count_sv] = self.state[count_sv]
            return [(index, seq)]
        (item,) = self._list_walks(ins, snap, pos, [""], states)
        count = self.state[count_sv]
        # CPython counts in a Python int from Py_ssize_t's maximum on: such a count leaves the trace
        self.state[count_sv] = self.emit("int_add_ovf", [count, const_int(1)], snap, ins.offset)
        self.stack.append(VirtualTuple([count, item]))

    def _for_iter_zip(self, ins: Instr, snap: Snapshot, pos: int, it, view: FrameView) -> None:
        """`for x, y in zip(list1, list2)`: each list iterator's index and list are state; the tuple of items
        stays virtual."""
        try:
            n = len(view.zip_state(it))
        except TypeError as e:
            raise RecordAbort(f"for loop over {e}") from None
        items = self._list_walks(ins, snap, pos, [str(k) for k in range(n)], lambda: view.zip_state(it))
        self.stack.append(VirtualTuple(items))

    # ------------------------------------------------------------------ closing
    def _close(self) -> None:
        if len(self.stack) != self.base_depth or self.floor != self.base_depth:
            raise RecordAbort("value stack differs at the loop header")
        self._carry_kinds()
        self.done = True

    def _carry_kinds(self) -> None:
        """Each variable goes around the loop with the kind the loop's label gives it. One that enters the
        loop as a number (unboxed) but ends the iteration holding an object, e.g. `last = cur` with `cur` an
        item read from a list, is unboxed at the end of the iteration: its exact type is guarded (the exit
        is the loop header, with the object in the variable) and its value read. Any other change of kind
        (a number where the loop holds an object, an int where it holds a float or a bool) aborts."""
        expected = {sv: v.kind for sv, v in self.inputs if sv.where != "stack"} if self.bridge is None else \
            dict(self.layout.kinds)
        snap = None
        for sv, value in list(self.state.items()):
            want = expected.get(sv)
            if want is None or sv.where == "stack" or not isinstance(value, (Var, Const)) or value.kind is want:
                continue
            if value.kind is R and want in (I, F, B) and type(self.conc(value)) is {I: int, F: float, B: bool}[want]:
                if snap is None:
                    snap = self.snapshot(self.header_pc)
                self.state[sv] = self._unbox(value, snap, self.header_pc)
                continue
            what = type(self.conc(value)).__name__ if value.kind is R else str(value.kind)
            raise RecordAbort(f"{sv} is {want} at the loop's start but {what} at the end of an iteration")

    def finish(self, name: str, filename: str) -> Trace:
        """Build the Trace once `step` returned True."""
        assert self.done
        in_vars = {sv: v for sv, v in self.inputs if sv.where != "stack"}
        # every exit must describe every tracked variable: fill in values untouched before that exit
        for op in self.ops:
            if op.snapshot is not None:
                for sv, v in in_vars.items():
                    op.snapshot.state.setdefault(sv, v)
        for pin_name, obj, owner in self.pins:
            self.layout.pin(pin_name, obj, owner)
        if self.bridge is None:
            for sv, v in self.inputs:
                self.layout.add(sv, v.kind)
            label = Op("label", [v for _, v in self.inputs])
            budget = Op("guard_budget", [], None, Snapshot(self.header_pc, dict(in_vars), []), self.header_pc)
            jump = Op("jump", [self.state[sv] for sv, _ in self.inputs])
            ops = [label, budget] + self.ops + [jump]
            return Trace("loop", name, filename, self.header_pc, self.base_depth, list(self.inputs), ops,
                         self.layout, lines=dict(self.lines), recorded=list(self.recorded))
        # a variable the bridge leaves alone keeps the kind it had at the bridge's exit (a bool where the loop
        # holds an int): the loop would read its bits as the loop's kind, so such a bridge cannot jump back
        for sv, v in self.bridge.snapshot.state.items():
            loop_kind = self.layout.kinds.get(sv)
            if sv not in self.state and loop_kind is not None and v.kind is not loop_kind:
                raise RecordAbort(f"{sv} is {v.kind} at this exit but "
                                  f"{loop_kind} in the loop")
        jump_vars, args = [], []
        for sv, v in self.state.items():
            if sv.where == "stack":
                continue
            if in_vars.get(sv) is v:
                continue             # unchanged: the buffer already holds it
            jump_vars.append(sv)
            args.append(v)
        self.layout.extend([(sv, v.kind) for sv, v in zip(jump_vars, args)] +
                           [(sv, v.kind) for sv, v in self.inputs if sv.where != "stack"])
        ops = self.ops + [Op("jump", args)]
        return Trace("bridge", name, filename, self.header_pc, self.base_depth, list(self.inputs), ops,
                     self.layout, jump_vars=jump_vars, start_pc=self.start_pc, lines=dict(self.lines),
                     recorded=list(self.recorded))


_MISSING_ATTR = object()
_UNKNOWN = object()         # concrete value of a bridge input the recording cannot observe
LIST_APPEND = list.append
COMPLEX_ARGUMENTS = (abs, complex, type)     # the calls whose rules take a complex number apart


def _lookup(namespace: dict, name: str):
    try:
        return namespace[name]
    except KeyError:
        raise LookupError(name) from None


def _const(value) -> Const:
    k = kind_of(value)
    if k is I:
        return const_int(value)
    if k is F:
        return const_float(value)
    if k is B:
        return const_bool(value)
    if k is R:
        return const_ref(value)
    raise RecordAbort(f"constant of type {type(value).__name__}")
