"""The recorder's abstract frame and the plain values it is made of.

An AbstractFrame is the recorder's model of one interpreter frame while it records: the code object, its
instructions, and the abstract value stack (IR values, each standing for the object the real frame holds
there). The recorder keeps a stack of them (`TraceRecorder.frames`, the loop's own frame at the bottom): an
inlined call is a push of a frame and its return a pop. Each frame also knows the snapshot of its caller,
stopped at its call, which every snapshot taken inside it links to as its parent (ir.Snapshot.parent).

May import: tracejit.ir, tracejit.cpython.bytecode, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import math

from tracejit.cpython.bytecode import Instr, instructions_at
from tracejit.ir import Const, Kind, Snapshot, StateVar, const_bool, const_float, const_int, const_ref
from tracejit.ir.ops import INT64_MAX, INT64_MIN

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF


# conditional jumps: the recorder follows the way the interpreter went (inlined calls: the way the concrete
# condition says) and guards it
BRANCHES = frozenset({"POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE",
                      "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP", "FOR_ITER"})

# instructions that do nothing the recorder models (the interpreter may skip their events)
NOOPS = {"NOP", "RESUME", "EXTENDED_ARG", "CACHE", "PRECALL"}

# the concrete value of a value the recorder no longer knows (an instance an inlined constructor made, after the
# call; an object the program dropped, which the recorder let go of): a recording that uses it aborts
UNBOUND = object()


class RecordAbort(Exception):
    """The recording cannot continue; the message says why (shown in stats and the events log). `hint`: what a
    new recording should do otherwise to get past this, (name, item) with name a key of RETRY_HINTS:
    ("not_inlined", the code of a function the loop's frame called and the trace inlined, which it should call
    instead, on the generic path: what failed happened inside it and could be done outside it), ("boxed", a
    loop variable it should keep as an object: it holds numbers of different types in the loop), ("owned_reads",
    the name of a field-reading op, an instance's attribute, whose borrowed result the trace used after a call that
    may run Python code: it should read attributes as references of its own; see
    tracejit.optimizer.refcounts.check_calls_keep_alive), ("guarded_branches", a diamonds.BranchAt whose arms it
    should not compute both of: it guards that branch). `final`: the loop's own code decides this, so a new
    recording would abort the same way (the loop is given up at once)."""

    def __init__(self, message: str, hint: tuple | None = None, final: bool = False) -> None:
        super().__init__(message)
        self.hint = hint
        self.final = final


def declined(rec, reason: str) -> None:
    """A form of a call that a rule does not compile (another arity, an argument of another type): None, the rule
    declines it, where the call's usual path, the generic one (CPython 3.12+), computes or raises as the
    interpreter does; else the recording aborts with `reason`."""
    if not rec.generic_calls:
        raise RecordAbort(reason)
    return None


# what a recording may be told to do otherwise, learnt from the loop's aborted recordings (RecordAbort.hint):
# the most items of each kind one loop collects
RETRY_HINTS = {"not_inlined": 4, "boxed": 4, "owned_reads": 1, "guarded_branches": 8, "no_shared_stores": 1}


class BaseItem:
    """A value-stack item that was on the stack at the loop header (not produced by the trace)."""

    def __init__(self, pos: int):
        self.pos = pos

    def __repr__(self) -> str:
        return f"<base {self.pos}>"


class AbstractFrame:
    """One frame being recorded: its code, instructions and abstract value stack.

    stack: the value stack from the bottom of the frame's; in the loop's frame, items below `floor` are the
    loop's own (BaseItem): a bridge lowers the floor when an iterator below the loop's base depth is exhausted
    (popped) and raises it again when GET_ITER puts a new iterator there.
    parent: the caller's snapshot at its call (None: the loop's own frame).
    An inlined frame (recorder/inline.py) also has `locals`, its fast locals as values (None: unbound; the
    loop's own frame keeps its locals as state variables and has None here), `restart`, the snapshot its exits
    take (the loop frame's state at the outermost inlined CALL), `call_pc`, that CALL's offset, and `path`, the
    inlined functions' names from the outermost ("f/g"; the loop's frame: "").
    """

    def __init__(self, code, floor: int = 0, parent: Snapshot | None = None):
        self.code = code
        self.instrs: dict[int, list[Instr]] = instructions_at(code)
        order = sorted(self.instrs)
        self.order = order
        self.next_offset = {a: b for a, b in zip(order, order[1:])}
        self.floor = floor
        self.stack: list = [BaseItem(i) for i in range(floor)]
        self.parent = parent
        self.locals: list | None = None
        self.function = None                # an inlined frame: the value called (its closure's cells)
        self.restart: Snapshot | None = None
        self.call_pc = -1
        self.path = ""

    def __repr__(self) -> str:
        return f"<frame {self.code.co_name} depth {len(self.stack)}>"


def fast_var(code, index: int) -> StateVar:
    """The state variable of the loop frame's fast local `index`, named as in co_varnames."""
    names = code.co_varnames
    return StateVar("fast", index, names[index] if index < len(names) else "")


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


def lookup(namespace: dict, name: str):
    """namespace[name], raising LookupError (what the recorder's fetch functions raise for "unbound")."""
    try:
        return namespace[name]
    except KeyError:
        raise LookupError(name) from None


def constant(value) -> Const:
    """The IR constant of a code object's constant (LOAD_CONST)."""
    k = kind_of(value)
    if k is I:
        return const_int(value)
    if k is F:
        return const_float(value)
    if k is B:
        return const_bool(value)
    if k is R or type(value) is int:    # (an int beyond int64: an object, whose arithmetic is the generic path's)
        return const_ref(value)
    raise RecordAbort(f"constant of type {type(value).__name__}")
