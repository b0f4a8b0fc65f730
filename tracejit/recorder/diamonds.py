"""Branches over numbers without a guard: a small `if`/`else` whose arms only compute numbers into locals is
recorded as both arms computed and, for each local they write, a select (x86 cmov) on the condition.

A tracing JIT follows the way the program went and guards the other way: a branch the program takes half the
time fails its guard half the time, and each of its ways grows a bridge, a copy of the rest of the loop
(SciMark's Monte Carlo, `if k < 0: k += self.m1` twice per iteration: 24 bridges). Where neither arm can do
anything but compute numbers, the trace may compute both arms whatever the condition says and keep, for each
local, the value of the arm the condition picks: one path, no guard, no bridge. PyPy and LuaJIT do not do this
(their bridges are cheaper); compilers of static languages call it if-conversion.

Which branches (read off the canonical bytecode, `find`): a forward POP_JUMP_IF_TRUE / POP_JUMP_IF_FALSE whose
fall-through runs straight to its target (`if c: <arm>`), or ends with a forward JUMP over a block that runs
straight to that jump's target (`if c: <arm> else: <arm>`), or, at the end of the loop's body, both arms end by
jumping back to the loop's header (CPython copies the back-edge into each); each arm at most MAX_ARM instructions of
LOAD_FAST, LOAD_CONST, STORE_FAST, LOAD_GLOBAL / LOAD_NAME, STORE_GLOBAL / STORE_NAME (the loop's own frame:
module-level code, `global`), BINARY_OP (+ - * on numbers, & | ^ on ints and bools), UNARY_NEGATIVE and
LOAD_ATTR of a plain attribute (no property, no __getattr__), leaving the stack as it found it. Then a dry run
on the concrete values (`_dry_run`) checks that both arms only see exact ints (int64), floats and bools, and
that each local written ends with the same type on both ways, as it had before: the trace's kind of it is one.

What the trace computes: the arms' ops (through the recorder's own handlers, so every specialization applies),
each guard among them (an int's overflow, an attribute's class version) exiting at the branch instruction
itself, with the condition back on the stack: the interpreter takes the branch again and runs the arm it picks.
Nothing an arm does is seen outside the trace (no store, no call: checked on the ops it made), so computing the
arm the program does not take changes nothing. A recording whose conversion fails after its ops were made
aborts with a hint (`guarded_branches`): the loop's next recording guards that branch as before.

In the loop's own frame the interpreter then runs the arm it takes while the recorder only follows it
(TraceRecorder.arms_to_skip); in an inlined call the recorder goes on at the join.

May import: tracejit.ir, tracejit.cpython, the recorder's sibling modules, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import types

from tracejit.cpython.instances import member_offset
from tracejit.ir import OPS, Const, Kind, StateVar, Var
from tracejit.plaindata import dataclass

from .attributes import _MISSING, class_dict_lookup, plain_value
from .frame import NOOPS, RecordAbort, fast_var, kind_of, lookup

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracejit.ir import Snapshot
    from tracejit.cpython.bytecode import Instr
    from .frame import AbstractFrame
    from .recorder import FrameView, TraceRecorder

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF

MAX_ARM = 16            # instructions in one arm: both arms run on every pass, the one not taken for nothing
CONDITIONAL = ("POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE")
ARM_OPS = {"LOAD_FAST", "LOAD_CONST", "STORE_FAST", "BINARY_OP", "UNARY_NEGATIVE", "LOAD_ATTR", "LOAD_GLOBAL",
           "LOAD_NAME", "STORE_GLOBAL", "STORE_NAME"} | NOOPS
GLOBAL_LOADS, GLOBAL_STORES = ("LOAD_GLOBAL", "LOAD_NAME"), ("STORE_GLOBAL", "STORE_NAME")
NUMBERS = (int, float, bool)
SELECTS = {I: "int_select", B: "bool_select", F: "float_select"}
_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
_BITWISE = {"&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b}
_UNBOUND = object()     # a local the dry run cannot use (unbound, or not a value the trace models as a number)


@dataclass(frozen=True)
class Diamond:
    """The arms of a convertible branch: the offsets of the instructions on its fall-through way and on its
    jump's way (empty for `if c: <arm>` without else), and the join where both ways meet."""
    fall: tuple[int, ...]
    target: tuple[int, ...]
    join: int

    @property
    def offsets(self) -> tuple[int, ...]:
        return self.fall + self.target


@dataclass(frozen=True)
class BranchAt:
    """A branch of a code object (the `guarded_branches` hint: one whose conversion failed)."""
    code: types.CodeType
    pc: int

    def __str__(self) -> str:
        return f"{self.code.co_name}@{self.pc}"


def find(frame: AbstractFrame, ins: Instr, header: int | None = None) -> Diamond | None:
    """The diamond the conditional jump `ins` opens in the frame's code, or None (see the module's doc).
    `header`: the loop's header, where both arms may end by jumping back (CPython copies a loop's back-edge
    into both arms of an if/else that ends its body), in the loop's own frame."""
    if ins.op not in CONDITIONAL or ins.target is None or ins.target <= ins.offset:
        return None
    instrs, nxt = frame.instrs, frame.next_offset
    fall, jump = _straight(instrs, nxt, nxt.get(ins.offset), ins.target)
    if fall is None:
        return None
    if jump is None:
        return Diamond(fall, (), ins.target)
    if jump > ins.target:
        target, end_jump = _straight(instrs, nxt, ins.target, jump)
        if target is not None and end_jump is None:
            return Diamond(fall, target, jump)
    elif jump == header:
        target, end_jump = _straight(instrs, nxt, ins.target, None)
        if target is not None and end_jump == header:
            return Diamond(fall, target, header)
    return None


def _straight(instrs: dict, nxt: dict, pc: int | None, end: int | None) -> tuple[tuple | None, int | None]:
    """The offsets from pc on while the code runs straight (allowed ops only), up to `end` or a JUMP (the last
    offset), else None; and the JUMP's target (None: the run falls into `end`)."""
    out, count = [], 0
    while pc != end:
        at = instrs.get(pc)
        if pc is None or (end is not None and pc > end) or not at:
            return None, None
        out.append(pc)
        for ins in at:
            count += 1
            if count > MAX_ARM + 1:
                return None, None
            if ins.op == "JUMP" and ins is at[-1] and ins.target is not None:
                return tuple(out), ins.target
            if ins.op not in ARM_OPS or (ins.op == "BINARY_OP" and ins.arg[0] not in _ARITH | _BITWISE):
                return None, None
        pc = nxt.get(pc)
    return tuple(out), None


def convert(rec: TraceRecorder, ins: Instr, snap: Snapshot, view: FrameView, taken: bool | None = None):
    """Record the branch `ins` (its condition on top of the stack, `snap` the state before it) as both its arms
    and a select per local they write, if it opens a diamond that qualifies: returns the Diamond (the caller
    goes on at its join), or None (the caller guards the branch as usual). `taken`: the way the interpreter
    went (the loop's frame; None in an inlined call, which the recorder runs ahead of the interpreter)."""
    frame = rec.frame
    if BranchAt(frame.code, ins.offset) in rec.guarded_branches:
        return None
    shape = find(frame, ins, rec.header_pc if frame.locals is None else None)
    if shape is None:
        return None
    written = _dry_run(rec, frame, shape, view)
    if written is None:
        return None
    v = rec.stack[-1]
    if not isinstance(v, (Var, Const)) or v.kind is R:
        return None
    cond = rec.truth(v, snap, ins.offset)
    if isinstance(cond, Const):
        return None
    jumps_if = ins.op == "POP_JUMP_IF_TRUE"
    if taken is not None and bool(rec.conc(cond)) != (taken == jumps_if):
        raise RecordAbort("recorder condition disagrees with interpreter")
    try:
        _record_both(rec, frame, ins, snap, view, shape, written, cond, jumps_if)
    except RecordAbort as e:
        raise RecordAbort(f"{e} (computing both arms of the branch at @{ins.offset})",
                          ("guarded_branches", BranchAt(frame.code, ins.offset))) from None
    return shape


def _record_both(rec: TraceRecorder, frame: AbstractFrame, ins: Instr, snap: Snapshot, view: FrameView,
                 shape: Diamond, written: list[int | str], cond, jumps_if: bool) -> None:
    rec.pop()                           # the condition
    first = len(rec.ops)
    before = {k: _read_local(rec, frame, view, k) for k in written}
    ends = []
    rec.fixed_snapshot = snap           # every guard of an arm exits at the branch
    try:
        for arm in (shape.fall, shape.target):
            for k, value in before.items():
                _set_local(rec, frame, k, value)
            for pc in arm:
                for i in frame.instrs[pc]:
                    if i.op not in NOOPS and i.op != "JUMP":
                        rec.execute(i, view)
            ends.append({k: _get_local(rec, frame, k) for k in written})
    finally:
        rec.fixed_snapshot = None
    for op in rec.ops[first:]:
        d = OPS[op.name]
        if d.writes_heap or d.calls_out or d.new_ref or not (d.pure or d.guard):
            raise RecordAbort(f"an arm does more than compute numbers ({op.name})")
    when_true, when_false = (ends[1], ends[0]) if jumps_if else (ends[0], ends[1])
    for k in written:
        a, b = when_true[k], when_false[k]
        if a is not b:
            if not isinstance(a, (Var, Const)) or not isinstance(b, (Var, Const)):
                raise RecordAbort("an arm leaves a local with a value the trace does not model")
            if a.kind is R or b.kind is R:      # the number an arm did not compute is still an object
                a, b = rec.unbox(a, snap, ins.offset), rec.unbox(b, snap, ins.offset)
            if a.kind is not b.kind or a.kind not in SELECTS:
                raise RecordAbort("the arms leave a local with values of different kinds")
            a = rec.emit(SELECTS[a.kind], [cond, a, b], None, ins.offset)
        _set_local(rec, frame, k, a)


def _dry_run(rec: TraceRecorder, frame: AbstractFrame, shape: Diamond, view: FrameView) -> list[int | str] | None:
    """Run both arms on the concrete values: the variables they write (a local by its index, a global of the
    loop's frame by its name; each a number of one type before and after either arm), or None where an arm would
    see anything else, overflow int64, read an attribute that is not a plain one, or (an inlined call) store a
    global."""
    known: dict[int, object] = {}

    def current(k: int):
        if k not in known:
            known[k] = _concrete_local(rec, frame, view, k)
        return known[k]

    ends = []
    for arm in (shape.fall, shape.target):
        env: dict[int, object] = {}
        stack: list = []
        for pc in arm:
            for ins in frame.instrs[pc]:
                op = ins.op
                if op in NOOPS or op == "JUMP":
                    continue
                if op == "LOAD_FAST":
                    value = env[ins.arg] if ins.arg in env else current(ins.arg)
                elif op in GLOBAL_LOADS:
                    name, push_null = ins.arg if isinstance(ins.arg, tuple) else (ins.arg, False)
                    value = _UNBOUND if push_null else env[name] if name in env else current(name)
                elif op in GLOBAL_STORES:
                    if frame.locals is not None:    # (an inlined call's global store: left to a guard)
                        return None
                    env[ins.arg] = stack.pop()
                    continue
                elif op == "LOAD_CONST":
                    value = ins.arg if type(ins.arg) in NUMBERS else _UNBOUND
                elif op == "STORE_FAST":
                    env[ins.arg] = stack.pop()
                    continue
                elif op == "BINARY_OP":
                    b = stack.pop()
                    value = _binary(ins.arg[0], stack.pop(), b)
                elif op == "UNARY_NEGATIVE":
                    a = stack.pop()
                    value = _number(-a) if type(a) in NUMBERS else _UNBOUND
                elif op == "LOAD_ATTR":
                    value = _plain_attribute(stack.pop(), ins.arg)
                else:
                    return None
                if value is _UNBOUND:
                    return None
                stack.append(value)
        if stack:
            return None
        ends.append(env)
    written = sorted(set(ends[0]) | set(ends[1]), key=str)
    for k in written:
        was = current(k)
        if type(was) not in NUMBERS or any(type(env.get(k, was)) is not type(was) for env in ends) \
                or _kept_as_object(rec, frame, k):
            return None
    return written


def _binary(symbol: str, a, b):
    if type(a) not in NUMBERS or type(b) not in NUMBERS:
        return _UNBOUND
    if symbol in _ARITH:
        return _number(_ARITH[symbol](a, b))
    if symbol in _BITWISE and type(a) is not float and type(b) is not float:
        return _number(_BITWISE[symbol](a, b))
    return _UNBOUND


def _number(value):
    """value where the trace holds it unboxed (an int in int64, a float, a bool), else _UNBOUND."""
    return value if kind_of(value) in SELECTS else _UNBOUND


def _plain_attribute(obj, arg) -> object:
    """obj.name where reading it runs no Python code and the trace reads it as a field (the instance's own
    attribute, a __slots__ member, a plain value of its class): a number, else _UNBOUND."""
    name, method = arg
    if method or type(name) is not str:
        return _UNBOUND
    value = plain_value(obj, name)
    t = type(obj)
    found = class_dict_lookup(t, name)
    if value is _MISSING or found is not None and class_dict_lookup(type(found), "__get__") is not None \
            and member_offset(t, name) is None:
        return _UNBOUND                 # (a descriptor of a C type, read by a call, not a __slots__ member)
    return value if type(value) in NUMBERS else _UNBOUND


def _state_var(frame: AbstractFrame, k: int | str) -> StateVar:
    """The state variable of a place an arm writes: a local by its index, a global (the loop's frame) by name."""
    return StateVar("global", k) if isinstance(k, str) else fast_var(frame.code, k)


def _fetch(frame: AbstractFrame, view: FrameView, k: int | str):
    """What the frame holds in place k now (LookupError: unbound; a global: the module's, not a builtin)."""
    if isinstance(k, str):
        return lookup(view.globals, k)
    return view.local(k)


def _concrete_local(rec: TraceRecorder, frame: AbstractFrame, view: FrameView, k: int | str):
    """What local (or global) k holds now (before the branch), or _UNBOUND: unbound, or (in the loop's frame) a
    number the loop keeps as an object whatever it holds (RecordAbort's "boxed" hint, a bridge's kind at its
    exit)."""
    if frame.locals is not None and not isinstance(k, str):     # an inlined frame's local
        v = frame.locals[k] if k < len(frame.locals) else None
    else:
        sv = _state_var(frame, k)
        v = rec.state.get(sv)
        if v is None:
            try:
                value = _fetch(frame, view, k)
            except LookupError:
                return _UNBOUND
            if type(value) in NUMBERS and (sv in rec.boxed or rec.held_kind(sv) is R):
                return _UNBOUND
            return value
    return rec.conc(v) if isinstance(v, (Var, Const)) else _UNBOUND


def _kept_as_object(rec: TraceRecorder, frame: AbstractFrame, k: int | str) -> bool:
    """The loop's frame holds a number in local k as an object now (a list's item, an attribute): after a select
    it would hold an unboxed one on the loop's main way, and the exits and bridges after the branch would find it
    of another kind than the loop keeps it as (where it did not before, on a way that does not write it)."""
    if frame.locals is not None and not isinstance(k, str):
        return False
    v = rec.state.get(_state_var(frame, k))
    return isinstance(v, (Var, Const)) and v.kind is R


def _read_local(rec: TraceRecorder, frame: AbstractFrame, view: FrameView, k: int | str):
    if frame.locals is not None:
        return frame.locals[k]
    return rec.read_state(_state_var(frame, k), lambda: _fetch(frame, view, k))


def _get_local(rec: TraceRecorder, frame: AbstractFrame, k: int | str):
    return frame.locals[k] if frame.locals is not None else rec.state[_state_var(frame, k)]


def _set_local(rec: TraceRecorder, frame: AbstractFrame, k: int | str, value) -> None:
    if frame.locals is not None:
        frame.locals[k] = value
    else:
        rec.state[_state_var(frame, k)] = value
