"""TraceRecorder: turns one observed loop iteration (or a bridge path) into a typed SSA trace with guards.

The hooks call `step(pc, frame_view)` before the interpreter executes the instruction at `pc` of the loop's
frame. The recorder keeps a stack of abstract frames (frame.AbstractFrame: code, instructions, an abstract value
stack of IR values), each value with the concrete Python value it had (computed with the op table's exact
semantics and cross-checked against the real frame), and records each instruction with the handler the table
`handlers.HANDLERS` has for its canonical opcode. Control flow is taken from the real instruction stream: a
conditional jump becomes a guard on the direction the interpreter took. Each guard carries a Snapshot of the
interpreter state before its instruction (linked to its callers' snapshots), so a failing guard resumes exactly
there. Anything outside the supported subset raises RecordAbort with a readable reason.

This module keeps what every handler shares: state variables and their values, `emit`, snapshots, unboxing and
truth tests, the driving loop (`step`), branches and closing the trace. The protocols live beside it: iterators
(iterators.py), lists (lists.py), builtin calls (calls.py), complex numbers (complexnum.py).

May import: tracejit.ir, tracejit.cpython.bytecode, tracejit.recorder.*, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import types

from tracejit.plaindata import dataclass

from tracejit.cpython.bytecode import TRACE_SKIPS_AFTER_EXTENDED_ARG, Instr, back_edges, describe_instr, \
    reaching, stack_effect
from tracejit.ir import (NULL, OPS, Const, GuardFailed, InlinedFunction, Kind, Op, Snapshot, StateLayout, StateVar,
                         Trace, Var, VarFactory, const_ref, stack_var)
from tracejit.ir.ops import SMALL_INT_BOUND, calls_python
from tracejit.ir.trace import Value

from . import complexnum as cx
from . import attributes, diamonds, dicts, generic, inline, iterators, operators, rules
from .complexnum import ComplexAbort, VirtualComplex, complex_parts
from .dicts import as_object
from .frame import BRANCHES, NOOPS, UNBOUND, AbstractFrame, BaseItem, RecordAbort, kind_of, lookup, same_value
from .handlers import HANDLERS, rebuildable_tuple
from .iterators import LOOP_LEFT
from .lists import LENGTH_OPS, length
from .virtuals import VirtualList, VirtualRange, VirtualSlice, VirtualTuple

TYPE_CHECKING = False           # typing is not imported at run time: FrameView is a plain class there
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object

__all__ = ["LOOP_LEFT", "BaseItem", "BridgeStart", "FrameView", "RecordAbort", "TraceRecorder", "kind_of"]

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF
# reads that no store into a list's or an array's items or a cell can change (TraceRecorder._read_unaffected;
# guard_graveyard reads the JIT's own count; a function's closure and the cells of an inlined call's free variables
# only a `nonlocal` assignment changes, which no inlined call makes); after a store into a dict (it may be an
# instance's own, `vars(obj)`), only DICT_WRITES_UNSEEN
ITEM_WRITES_UNSEEN = frozenset({"type_of", "instance_attr", "member_attr", "class_attr", "guard_no_own_attr",
                                "guard_graveyard", "func_closure", "cell_contents"})
DICT_WRITES_UNSEEN = ITEM_WRITES_UNSEEN - {"instance_attr", "guard_no_own_attr"}

MAX_OUTER_UNROLL = 16   # iterations of an enclosing loop a bridge may run through before it aborts
# a bridge of a loop with calls that may run Python code, inlining a function or pinning a module attribute the
# loop's traces compiled before it do not check after those calls (a call could replace what only it relies on)
BRIDGE_ASSUMES_MORE = "a bridge that inlines or pins what its loop's checks after calls do not cover"
NO_WAY_BACK = "a bridge from an exit with no path back to the loop's header"     # (not recorded: the exit stays one)
# the new objects the recorder computes itself are copies of the interpreter's, compared by value only when
# that runs none of the program's code (_plain_value)
_SCALARS = (str, int, float, bool, bytes, type(None))


def _plain_value(v) -> bool:
    """v compares by value without running the program's code: a scalar, or a tuple or list of scalars."""
    t = type(v)
    return t in _SCALARS or (t in (tuple, list) and all(type(x) in _SCALARS for x in v))


def _same_items(a, b) -> bool:
    """a and b are tuples or lists of the same items, or dicts of the same keys and values in the same order: the
    same objects, or scalars of the same value (a number the trace boxed is its own object)."""
    def same(x, y) -> bool:         # (a tuple, list or dict inside: one the trace made too, compared the same way)
        return x is y or (type(x) is type(y) and (type(x) in _SCALARS and same_value(x, y) or _same_items(x, y)))
    if type(a) is dict:
        return len(a) == len(b) and all(same(k, j) and same(v, w) for (k, v), (j, w) in zip(a.items(), b.items()))
    return type(a) in (tuple, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))


def _held_values(v) -> list:
    """v, or for a tuple or list the trace has not made (or made: its object may be released before its last
    item is read), its items, each of them: every value it still reads."""
    if not isinstance(v, (VirtualTuple, VirtualList)):
        return [v]
    out = [v.obj] if v.obj is not None and v.escaped else []
    for x in v.items:
        out += _held_values(x)
    return out


def _made_object(v):
    """v, or for a tuple or list BUILD_TUPLE / BUILD_LIST made, that object (now used: `escaped`)."""
    if isinstance(v, (VirtualTuple, VirtualList)) and v.obj is not None:
        v.escaped = True
        return v.obj
    return v


def _same_bound_method(a, b) -> bool:
    """a and b are bound methods of one function and one object (each attribute read makes a new one)."""
    return type(a) is types.MethodType and a.__func__ is b.__func__ and a.__self__ is b.__self__


class FrameView(Protocol):
    """What the recorder reads of the live frame (tracejit.runtime.recording.FrameView provides it)."""

    def local(self, index: int) -> object: ...        # LookupError when unbound
    def stack(self, pos: int) -> object: ...          # item at depth `pos` (0 = bottom)
    def range_iter_state(self, it) -> tuple[int, int, int]: ...      # TypeError: not a range iterator
    def list_iter_state(self, it) -> tuple[int, list | None]: ...   # TypeError: not a list iterator
    def seq_iter_state(self, it) -> tuple[int, object]: ...            # TypeError: not a str/tuple/array iterator
    def dict_iter_state(self, it, kind: str) -> tuple[int, int, dict]: ...   # TypeError: not such an iterator
    globals: dict
    builtins: dict
    module_level: bool                                # code uses LOAD_NAME in a namespace that is globals


@dataclass
class BridgeStart:
    """What a bridge recording starts from: the loop's layout and the failing guard's snapshot of the loop's
    frame. For a guard inside inlined calls, `snapshot` is the loop's frame stopped at its outermost CALL,
    `chain` the guard's whole snapshot (innermost frame first, linked to its callers) and `rebuilt` the
    objects the exit rebuilds those frames with (runtime.resume.ResumeFrame, outermost first): the
    recording resumes the inlined frames where the guard stopped them (inline.resume_chain)."""
    layout: StateLayout
    snapshot: Snapshot
    chain: Snapshot | None = None
    rebuilt: list | None = None


class TraceRecorder:
    def __init__(self, code, header_pc: int, base_depth: int, *, trace_limit: int = 2000,
                 bridge: BridgeStart | None = None, inline_depth: int = inline.MAX_INLINE_DEPTH,
                 exact_callee_exits: bool = True, generic_calls: bool = False, cost_model: bool = True,
                 hints: dict | None = None, left: int | None = None, unroll: int = 0):
        self.code = code
        self.header_pc = header_pc
        self.base_depth = base_depth
        self.trace_limit = trace_limit
        self.bridge = bridge
        # the frames being recorded, the loop's own at the bottom (an inlined call pushes one)
        self.frames = [AbstractFrame(code, base_depth - (bridge.snapshot.popped if bridge else 0))]
        self.vars = VarFactory()
        self.ops: list[Op] = []
        self.inputs: list[tuple[StateVar, Var]] = []
        self.state: dict[StateVar, object] = {}
        self.concrete: dict[int, object] = {}
        self.layout = bridge.layout if bridge else StateLayout()
        self.pending: tuple[Instr, Snapshot] | None = None
        self.expected: set[int] | None = None
        self.count = 0
        self.done = False
        self.lines: dict[int, int] = {}
        # the instructions recorded, in order: (pc, prefix, Instr), their text (Trace.recorded) made when the trace
        # is finished (a recording that aborts formats nothing)
        self.recorded: list[tuple[int, str, Instr]] = []
        self.pins: list[tuple[str, object, object]] = []    # (name, object, owner module or None)
        self.known_class: dict[int, type] = {}              # REF value -> its exact type, where guarded
        self.char_codes: dict[int, Value] = {}              # one-character str value -> its code point (strings)
        self.made: set[int] = set()                         # values of new_ref ops (new objects the trace owns)
        self.made_any: set[int] = set()                     # ... of those of any type (ops.any_type; generic.dropped)
        self.input_ids: set[int] = set()                    # the inputs' variables (generic.dropped)
        # variables of inlined calls whose object's reference an attribute store gave the graveyard, which holds it
        # for them (attributes.write; generic.dropped checks where they let go of it)
        self.held_by_graveyard: set[int] = set()
        # made values whose object the interpreter makes the same way from the same operands (an iterator, a
        # function): the interpreter's, of the same type, is taken as theirs at the next instruction (_check_stack)
        self.made_alike: set[int] = set()
        self.max_inline_depth = inline_depth                # calls inlined inside one another, at most
        self.inline_depth = 0                               # the most frames inlined at once (inline.py)
        self.inlined: dict[int, InlinedFunction] = {}       # id -> each function inlined, as it was (inline.py)
        self.inline_wrote = False                           # the current outermost inlined call wrote
        self.inline_wrote_heap = False                      # ... into an object (not only a global)
        # ... into instances' fields: field (attributes.field_key) -> the value written
        self.slot_values: dict = {}
        self.item_writes = False                            # ... elsewhere (list or array items, dicts, cells)
        self.dict_writes = False                            # ... into a dict
        self.stored_objects: dict = {}                      # ... the objects those stores stored (attributes.write)
        self.writes = 0                                     # heap writes recorded so far (exact snapshots)
        self.snapshot_writes: dict[int, tuple[Snapshot, int]] = {}    # id -> (exact snapshot, writes before it)
        # exits inside inlined calls may resume the callee mid-body (runtime/resume.py), when the hooks can
        # redirect a new frame; without that, no exit may follow a write an inlined call made
        self.exact_callee_exits = exact_callee_exits
        # instructions the trace does not specialize may call the C API function the interpreter calls, which
        # may run Python code (generic.py); the result is read from the frame when the instruction has run
        self.generic_calls = generic_calls
        self.cost_model = cost_model                        # abort traces slower than the interpreter (generic.py)
        # inner `for` loops unrolled into the trace (iterators.inner_iterator): the iterators the trace made for
        # them, by id, and the iterations each has had so far (at most `unroll`)
        self.unroll = unroll
        self.inner_iters: dict[int, int] = {}
        # a bridge unrolls the inner loops it meets only if it continues one its loop's trace unrolled (it took
        # over that loop's iterator: iterators._adopt_inner): another shape of the same inner loops. A bridge from
        # any other exit would unroll inner loops the loop's trace never ran, a path whose cost nothing says it
        # pays (pyperformance go: 12 more compiled bridges, 5% slower)
        self.unrolls_in_bridge = False
        self.left = left                # iterations left in the loop's first counted run, if known (generic.pays_back)
        self.pays_back_from = 0         # after a LITTLE_LEFT abort: the iterations left that would have paid
        hints = hints or {}                                 # learnt from earlier recordings (frame.RETRY_HINTS)
        self.not_inlined = hints.get("not_inlined", frozenset())    # code of functions called, not inlined
        self.boxed = hints.get("boxed", frozenset())        # loop variables kept as objects whatever they hold
        self.owned_reads = hints.get("owned_reads", frozenset())    # non-empty: attributes are read as owned
        # non-empty: attribute stores over objects of any type take the generic path (optimizer.refcounts,
        # check_shared_stores: a shared store's check would count a reference the graveyard keeps)
        self.no_shared_stores = bool(hints.get("no_shared_stores"))
        self.guarded_branches = hints.get("guarded_branches", frozenset())  # branches not made selects (diamonds)
        self.fixed_snapshot: Snapshot | None = None     # while both arms of a branch are recorded: the branch's
        self.arms_to_skip: tuple | None = None          # (join, offsets of both arms) the interpreter runs next
        self.pending_result = None                          # (result, versions before) of such a call
        self.pending_values: list = []      # results of ops the interpreter computes too (randoms): read at the next
        self.pending_types: set = set()     # ids of those whose exact type is guarded there (a popped list item)
        # instances made by inlined constructors (constructors.py): ids of those nothing but the trace has seen
        # yet, and those whose real object the next instruction of the loop's frame shows (bind_fresh)
        self.fresh: set[int] = set()
        self.pending_fresh: list[Var] = []
        self.writes_globals = False                         # STORE_GLOBAL recorded
        self.class_names: dict[int, str] = {}               # type version tag -> the class's name (the report's maps)
        self.unchecked_top = False                          # the stack's top differs from the frame's (generic.py)
        self.generic_context = None                         # (globals, builtins) constants of the trace
        self.kw_names: tuple | None = None                  # KW_NAMES (3.11/3.12): (names, offset) for the next CALL
        self.view: FrameView | None = None
        self.outer_passes: dict[int, int] = {}               # bridge: back-edges taken per enclosing loop
        self.start_pc = bridge.snapshot.pc if bridge else header_pc
        ends = [src for src, h in back_edges(code) if h == header_pc]
        self.loop_end = max(ends) if ends else max(self.frame.order)     # last offset of the loop's body
        # a bridge: the loop frame's offsets from which control can come back to the header, where a bridge
        # closes; from any other a return or a raise ends the recording. Checked at its exit's instruction and
        # on its way up to the next branch (step: the exit of a branch resumes at the branch, which goes either
        # way; the branches after it decide by this pass's values, as in a loop's recording). An exit inside
        # inlined calls resumes its root frame at its call (`start_pc`): the frame goes on from there.
        self.way_back = reaching(code, header_pc) if bridge else None
        if bridge and self.start_pc not in self.way_back:
            raise RecordAbort(NO_WAY_BACK)
        # a bridge from an exit inside inlined calls: the frames to resume, outermost first (inline.ResumedFrame)
        self.resume_chain: list = []
        # a bridge from inside inlined calls: the parent trace's value (id) at the exit -> the bridge's input for it
        self.exit_inputs: dict[int, Var] = {}
        # a bridge: where each of its exit's stack entries is on the frame's stack (position, index in a tuple
        # the exit makes of its items, or None)
        self.bridge_stack_at: dict[int, tuple[int, int | None]] = {}
        if bridge:
            tuples = dict(bridge.snapshot.tuples_at)
            pos, items = 0, None
            for k, v in enumerate(bridge.snapshot.stack):
                if k in tuples:
                    items, end = [], k + tuples[k]
                # a constant at the exit (a callable, the NULL beside it) stays that constant
                value = v if isinstance(v, Const) else self.new_input(stack_var(k), v.kind, None)
                self.exit_inputs.setdefault(id(v), value)
                if items is None:
                    self.stack.append(value)
                    self.bridge_stack_at[k] = (pos, None)
                    pos += 1
                    continue
                self.bridge_stack_at[k] = (pos, len(items))
                items.append(value)
                if k + 1 == end:            # a tuple the exit makes of its items (Snapshot.tuples_at): still not
                    self.stack.append(VirtualTuple(items))      # made here, taken apart by what the bridge runs
                    pos, items = pos + 1, None
            if bridge.chain is not None:
                self.resume_chain = inline.resumed_frames(self, bridge.chain, bridge.rebuilt)

    # ------------------------------------------------------------------ the frame being recorded
    @property
    def frame(self) -> AbstractFrame:
        return self.frames[-1]

    @property
    def stack(self) -> list:
        """The abstract value stack of the frame being recorded."""
        return self.frames[-1].stack

    @property
    def floor(self) -> int:
        return self.frames[-1].floor

    @floor.setter
    def floor(self, value: int) -> None:
        self.frames[-1].floor = value

    @property
    def instrs(self):
        return self.frames[-1].instrs

    # ------------------------------------------------------------------ values
    def new_input(self, sv: StateVar, kind: Kind, concrete) -> Var:
        var = self.vars.new(kind)
        self.inputs.append((sv, var))
        self.input_ids.add(id(var))
        self.concrete[id(var)] = concrete
        if not sv.exit_place:
            self.state[sv] = var
        return var

    def conc(self, v):
        if isinstance(v, Const):
            return v.value
        if isinstance(v, VirtualComplex):       # only complex-aware code may look inside one
            raise RecordAbort("operand is a complex number")
        value = self.concrete[id(v)]
        if value is UNBOUND:
            raise RecordAbort("an instance made in an inlined call, used after the call")
        return value

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
                return VirtualComplex(self.new_input(parts[0], F, value.real), self.new_input(parts[1], F, value.imag))
            if self.bridge and parts[0] in self.layout.kinds:
                raise RecordAbort(f"{sv} is complex in the loop but {type(value).__name__} here")
        kind = kind_of(value)
        if kind is None:
            raise RecordAbort(f"{sv} holds {type(value).__name__}" +
                              (" outside int64" if type(value) is int else ""))
        held = self.held_kind(sv)
        if held is not None:
            if held is R:
                kind = R                    # the loop keeps this variable as an object, whatever it holds
            elif held is not kind:
                raise RecordAbort(f"{sv} changed kind in bridge")
        elif sv in self.boxed:
            kind = R                        # it held numbers of different types in the loop (_carry_kinds)
        return self.new_input(sv, kind, value)

    def held_kind(self, sv: StateVar) -> Kind | None:
        """In a bridge, the kind of what the state buffer holds for `sv` at the bridge's exit: the snapshot's kind
        there, which may differ from the loop's (an exit where a variable the loop keeps as an object holds an
        unboxed int: ExitInfo.kinds). None outside bridges or for a variable the loop does not keep."""
        if not self.bridge or sv not in self.layout.kinds:
            return None
        at_exit = self.bridge.snapshot.state.get(sv)
        return at_exit.kind if isinstance(at_exit, (Var, Const)) else self.layout.kinds[sv]

    def write_state(self, sv: StateVar, value, fetch, pc: int = -1) -> None:
        parts = complex_parts(sv) if sv.where in ("fast", "global") else None
        if parts and not (sv in self.state or (self.bridge and sv in self.layout.kinds)):
            if isinstance(value, VirtualComplex) or (isinstance(value, (Var, Const)) and value.kind is R and
                                                     type(self.conc(value)) is complex):
                self._write_complex(sv, parts, self.unbox(value, self.snapshot_with(pc, [value]), pc, True), fetch)
                return
            if parts[0] in self.state or (self.bridge and parts[0] in self.layout.kinds):
                raise RecordAbort(f"{sv} stops being a complex number in the loop")
        value = _made_object(value)         # (the tuple or list BUILD_TUPLE / BUILD_LIST made)
        if not isinstance(value, (Var, Const)):
            raise RecordAbort("storing a tuple the trace did not allocate" if isinstance(value, VirtualTuple)
                              else "storing a value the trace does not model")
        if sv not in self.state and sv.where != "stack":
            # a variable written before it is read still needs its previous value in earlier exits
            unbound = False
            try:
                current = fetch()
            except LookupError:
                current, unbound = None, True
            held = self.held_kind(sv)
            if held is not None:
                # a bridge: earlier exits write back the value the buffer holds, read as what it is there
                if held is not R and kind_of(current) is not held:
                    raise RecordAbort(f"{sv} is {held} at the bridge's exit but holds {type(current).__name__}")
                self.new_input(sv, held, current)
            else:
                # the input is what the variable held before (`x = int(x)` after `x = a / b`: an int at the
                # loop's start, a float in between); _carry_kinds checks the kind it ends the iteration with.
                # A REF can hold any object; a variable read nowhere before (unbound) only as what is stored
                kind = R if value.kind is R and kind_of(current) is not None else kind_of(current)
                if kind is None or (kind is not value.kind and (unbound or sv.where != "fast")):
                    raise RecordAbort(f"{sv} changes type in the loop")
                self.new_input(sv, kind, current)
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
            self.new_input(parts[0], F, current.real)
            self.new_input(parts[1], F, current.imag)
        self.state[parts[0]], self.state[parts[1]] = value.real, value.imag

    def emit(self, name: str, args: list, snapshot: Snapshot | None, pc: int, unknown: bool = False):
        """Record op `name` (its concrete result computed by its semantics; `unknown`: not computed, an op
        downstream of a value the interpreter is still to compute, resolved by `pending_values`)."""
        d = OPS[name]
        if name == "guard_class" and isinstance(args[1], Const) and self.known_class.get(id(args[0])) is args[1].value:
            return None                 # guarded already: it cannot fail here (no Python code runs in between)
        if len(self.frames) > 1:
            # an exit in a callee before its first write restarts the call; after it, the exit resumes the
            # callee where it was (an exact snapshot of the frame chain), which needs a snapshot taken after
            # the write; and the callee is recorded before the interpreter runs it, so what it reads after
            # its write is not known
            if d.guard and self.inline_wrote:
                known = self.snapshot_writes.get(id(snapshot))
                if known is None or known[1] != self.writes:
                    raise RecordAbort("a guard after an inlined call wrote to an object")
            if d.reads_heap and self.inline_wrote_heap and not self._read_unaffected(name, args):
                raise RecordAbort("an inlined call reads an object after it wrote one")
            if d.writes_heap and id(args[0]) not in self.fresh:     # (a fresh instance: no one sees the write)
                self.inline_wrote_heap = True
                if d.field is None:
                    self.item_writes = True
                    self.dict_writes = self.dict_writes or name.startswith("dict_")
                self.note_write()
            pc = self.frame.call_pc     # an op of an inlined call belongs to the loop's CALL instruction
        concrete = self.concrete
        conc_args, constant = [], True
        for a in args:
            if type(a) is Var and concrete.get(id(a), UNBOUND) is not UNBOUND:
                conc_args.append(concrete[id(a)])       # (conc's common case, inline)
                constant = False
            else:
                conc_args.append(self.conc(a))
                constant = constant and isinstance(a, Const)
        try:
            # a store is the interpreter's to make (it executes the recorded instruction right after this)
            result = None if d.writes_heap or unknown else d.evaluate(*conc_args)
        except GuardFailed as e:
            raise RecordAbort(f"{name} fails while recording ({e})") from None
        if constant and d.result is not Kind.VOID and not d.reads_heap and not unknown and d.folds_to(result):
            # (a new str or tuple of constants stays an op: the interpreter's is another object, which the stack
            # check compares by value only with what an op made)
            return Const(result, d.result)        # fold at record time; the guard cannot fail
        if name == "guard_class" and isinstance(args[1], Const):
            self.known_class[id(args[0])] = args[1].value
        res = self.vars.new(d.result) if d.result is not Kind.VOID else None
        op = Op(name, list(args), res, snapshot if d.guard else None, pc, frame=self.frame.path)
        self.ops.append(op)
        if res is not None:
            self.concrete[id(res)] = result
            if d.new_ref:
                self.made.add(id(res))
                if d.any_type:
                    self.made_any.add(id(res))
        return res

    def _read_unaffected(self, name: str, args: list) -> bool:
        """A read inside an inlined call after it wrote, whose result the recording still knows. Writes of
        instances' attributes (slot_values: fields of the op table's `field` column) no read but an attribute's
        sees (a list's items, a type, a cell are elsewhere), and this read is not of an attribute the call wrote
        (getattr_plain could be any attribute). Other writes (item_writes: a list's or an array's items, a dict,
        a cell) no read sees but one of the same kind: an object's type and an attribute in its values array, a
        `__slots__` member or its class are elsewhere (ITEM_WRITES_UNSEEN), but a dict may be an instance's own
        (DICT_WRITES_UNSEEN). (A read the recording sees wrong records a path its guards then leave.)"""
        if name == "getattr_plain" or (self.item_writes and name not in ITEM_WRITES_UNSEEN) or \
                (self.dict_writes and name not in DICT_WRITES_UNSEEN):
            return False
        d = OPS[name]
        return d.field is None or attributes.field_key(d, self.conc(args[0]), args) not in self.slot_values

    def written_field(self, key: tuple):
        """What the current inlined call wrote into the field `key` (attributes.field_key), or None."""
        return self.slot_values.get(key) if self.slot_values else None

    def note_write(self) -> None:
        """A write the program can see (an object's or a global's): inside an inlined call, exits after it
        rebuild the frames (exact snapshots taken after it) instead of restarting the call."""
        self.writes += 1
        if len(self.frames) > 1:
            self.inline_wrote = True

    def snapshot(self, pc: int, operands: tuple = ()) -> Snapshot:
        """The interpreter's state before the instruction at pc (with `operands`, which it popped, pushed
        back). A complex number on the stack takes two entries (Snapshot.complex_at). Inside an inlined call:
        the snapshot that restarts the call until the call writes, then the exact chain of frames (inline.py).
        While both arms of a branch are recorded (diamonds.py): the branch's, whatever pc is."""
        if self.fixed_snapshot is not None:
            return self.fixed_snapshot
        if self.frame.restart is not None:
            if self.inline_wrote and self.exact_callee_exits:
                return self.exact_snapshot(pc, operands)
            return self.frame.restart
        return self._root_snapshot(pc, operands)

    def exact_snapshot(self, pc: int, operands: tuple = ()) -> Snapshot:
        """The state before the instruction at pc as a chain of frames: inside an inlined call, the callee at
        pc (its locals and stack), each caller stopped at its CALL, and the loop's frame at the outermost CALL
        with its state variables as they are now (a callee may have assigned a global)."""
        if len(self.frames) == 1:
            return self._root_snapshot(pc, operands)
        parent = None
        for k, callee in enumerate(self.frames[1:]):
            at = callee.parent          # the caller, stopped at the CALL of this callee
            if at is None:
                # (a method the interpreter calls from C: an operator's, a protocol's, a constructor's __init__;
                # the next recording calls the outermost inlined function instead)
                raise RecordAbort("an exit inside an inlined call would need a caller's stack it cannot rebuild",
                                  ("not_inlined", self.frames[1].code))
            if k == 0:
                parent = Snapshot(at.pc, dict(self.state), at.stack, at.complex_at, at.popped,
                                  tuples_at=at.tuples_at)
            else:
                parent = Snapshot(at.pc, at.state, at.stack, (), 0, at.code, parent)
        frame = self.frame
        names = frame.code.co_varnames
        state = {StateVar("fast", i, names[i]): v for i, v in enumerate(frame.locals[:frame.code.co_nlocals])
                 if v is not None}
        state = {sv: _made_object(v) for sv, v in state.items()}
        stack = [_made_object(v) for v in list(frame.stack) + list(operands)]
        for v in list(state.values()) + stack:
            if not isinstance(v, (Var, Const)):
                raise RecordAbort(f"an exit inside an inlined call would need a {type(v).__name__}")
        snap = Snapshot(pc, state, stack, code=frame.code, parent=parent)
        self.snapshot_writes[id(snap)] = (snap, self.writes)
        return snap

    def _root_snapshot(self, pc: int, operands: tuple = ()) -> Snapshot:
        stack, at, tuples = [], [], []
        for v in self.stack[self.floor:] + list(operands):
            if isinstance(v, BaseItem):
                raise RecordAbort("base stack item moved")
            if isinstance(v, (VirtualTuple, VirtualList)) and (v.escaped or isinstance(v, VirtualList)):
                v = _made_object(v)         # the object the trace made (an exit gives the frame that one)
            if rebuildable_tuple(v):
                tuples.append((len(stack), len(v.items)))      # the exit makes it (Snapshot.tuples_at)
                stack += v.items
                continue
            if isinstance(v, (VirtualTuple, VirtualRange, VirtualSlice, VirtualList)):
                raise RecordAbort(f"an exit would need a {type(v).__name__[7:].lower()} the trace did not allocate")
            if isinstance(v, VirtualComplex):
                at.append(len(stack))
                stack += [v.real, v.imag]
            else:
                stack.append(v)
        return Snapshot(pc, dict(self.state), stack, complex_at=tuple(at), popped=self.base_depth - self.floor,
                        parent=self.frame.parent, tuples_at=tuple(tuples))

    def live_values(self) -> list:
        """Every value the recording still holds: the loop's variables, and each frame's stack (above the
        loop's own items) and, for an inlined frame, its locals."""
        out = [v for sv, v in self.state.items() if sv.where in ("fast", "global")]
        for frame in self.frames:
            out += frame.stack[frame.floor:] + [v for v in frame.locals or () if v is not None]
        return [x for v in out for x in _held_values(v)]

    def pop(self):
        if len(self.stack) <= self.floor and not isinstance(self.stack[-1], (Var, Const)):
            raise RecordAbort("popped below the loop's base stack")
        return self.stack.pop()

    def value(self, v):
        if not isinstance(v, (Var, Const)):
            if isinstance(v, VirtualComplex):
                raise RecordAbort("operand is a complex number")
            if isinstance(v, (VirtualList, VirtualTuple)):
                if v.obj is not None:       # made by BUILD_TUPLE / BUILD_LIST: the object is needed now
                    return _made_object(v)
                raise RecordAbort(f"operand is a {type(v).__name__[7:].lower()} the trace did not allocate")
            raise RecordAbort("operand is not a modelled value")
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
                    at, item = self.bridge_stack_at[sv.key]
                    real = view.stack(self.floor + at)
                    if item is not None:
                        if type(real) is not tuple or item >= len(real):
                            raise RecordAbort("bridge stack input is not the tuple its exit made")
                        real = real[item]
                    if var.kind is not R and kind_of(real) is not var.kind:
                        raise RecordAbort("bridge stack input changed kind")
                    self.concrete[id(var)] = real
        self.view = view
        if (self.pending_values or self.pending_fresh) and self.expected is not None and pc not in self.expected:
            # (the call raised: the stack slots where its result would be are not the frame's now)
            raise RecordAbort(f"unexpected control flow to @{pc}")
        if self.pending_values:
            self._resolve_values(view, pc)
        if self.pending_result is not None:
            generic.resolve(self, pc, view)
        if self.pending_fresh:
            self.bind_fresh(view)
        if self.pending is not None:
            self._resolve(pc, view)
        elif self.expected is not None and pc not in self.expected:
            raise RecordAbort(f"unexpected control flow to @{pc}")
        if self.count and pc == self.header_pc:
            self._close()
            return True
        if self.way_back is not None and self.count:
            if pc not in self.way_back:
                raise RecordAbort(NO_WAY_BACK)
            if any(i.op in BRANCHES for i in self.instrs.get(pc, ())):
                self.way_back = None        # (the branches from here on go where this pass's values take them)
        return self._record_at(pc, view)

    def _resolve_values(self, view: FrameView, pc: int) -> None:
        """At the loop frame's instruction after a call an op computes as the interpreter does (a random number:
        recorder/randoms.py; the op cannot be run while recording, it would draw the number twice): its value is
        the one the interpreter's call left on the stack."""
        for v in self.pending_values:
            pos = self.stack_position(v)
            try:
                real = view.stack(pos) if pos is not None else None
            except LookupError:
                real = None
            if pos is None or (v.kind is not Kind.REF and kind_of(real) is not v.kind):
                raise RecordAbort("the result of a call computed by an op is not where the interpreter left it")
            self.concrete[id(v)] = real
            if id(v) in self.pending_types:
                # (its exit: this instruction, the object on the stack, as the interpreter's call left it)
                self.emit("guard_class", [v, Const(type(real), Kind.REF)], self.snapshot(pc), pc)
        self.pending_values = []
        self.pending_types = set()

    def stack_position(self, v) -> int | None:
        """Where the frame's abstract stack holds v (the topmost place), or None."""
        return next((k for k in range(len(self.stack) - 1, -1, -1) if self.stack[k] is v), None)

    def bind_fresh(self, view: FrameView) -> None:
        """At the loop frame's first instruction after an inlined constructor: each instance it made is the real
        one the interpreter made, where the stack holds it (its class checked); one the stack does not hold can no
        longer be known (UNBOUND: a recording that uses it aborts)."""
        for obj in self.pending_fresh:
            self.fresh.discard(id(obj))
            pos = self.stack_position(obj)
            try:
                real = view.stack(pos) if pos is not None else UNBOUND
            except LookupError:
                real = UNBOUND
            self.concrete[id(obj)] = real if type(real) is type(self.concrete[id(obj)]) else UNBOUND
        self.pending_fresh = []

    def _record_at(self, pc: int, view: FrameView) -> bool:
        if self.arms_to_skip is not None:
            # the interpreter runs the arm of a branch whose both arms the trace computes (diamonds.py)
            join, offsets = self.arms_to_skip
            if pc != join:
                if pc not in offsets:
                    raise RecordAbort(f"unexpected control flow to @{pc}")
                self.expected = self._fallthrough(pc, self.instrs[pc][-1])
                return False
            self.arms_to_skip = None
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
        self.recorded.extend((pc, "", ins) for ins in instrs)
        self._check_stack(view)
        for ins in instrs:
            if ins.op in BRANCHES:
                self.pending = (ins, self.snapshot(pc))
                self.expected = None
                return False
            try:
                self.execute(ins, view)
            except ComplexAbort as e:
                raise RecordAbort(str(e)) from None
        if TRACE_SKIPS_AFTER_EXTENDED_ARG and instrs[-1].real_op == "EXTENDED_ARG":
            nxt = self.frame.next_offset.get(pc)
            if nxt is not None:         # 3.11 reports no event for the instruction after an EXTENDED_ARG
                return self._record_at(nxt, view)
        self.expected = self._fallthrough(pc, instrs[-1])
        return False

    def _recorded_text(self) -> list[tuple[int, str]]:
        """Trace.recorded: each instruction recorded as text (an inlined call's under its CALL, indented)."""
        return [(pc, prefix + describe_instr(ins, 0, 40)) for pc, prefix, ins in self.recorded]

    def _extended_arg_before(self, pc: int, target: int) -> bool:
        """pc is an EXTENDED_ARG prefix of the instruction at `target` (a frame resumed at `target` starts at
        its prefix; 3.11 reports no event for the instruction itself)."""
        while pc != target:
            instrs = self.instrs.get(pc)
            if not instrs or instrs[-1].real_op != "EXTENDED_ARG":
                return False
            pc = self.frame.next_offset.get(pc)
        return pc == target

    def _fallthrough(self, pc: int, ins: Instr) -> set[int]:
        """Offsets the next event may report after `ins` falls through (or jumps, for JUMP)."""
        return self.arrivals(ins.target if ins.op == "JUMP" else self.frame.next_offset.get(pc))

    def next_instr(self, pc: int) -> Instr | None:
        """The instruction the current frame runs after the one at pc falls through, past no-ops (an
        EXTENDED_ARG prefix); None at the end of the code."""
        nxt = self.frame.next_offset.get(pc)
        while nxt is not None:
            instrs = self.instrs.get(nxt)
            if not instrs:
                return None
            if instrs[0].op not in NOOPS:
                return instrs[0]
            nxt = self.frame.next_offset.get(nxt)
        return None

    def arrivals(self, nxt: int | None) -> set[int]:
        """`nxt`, plus the offsets after it while it is a no-op whose event the interpreter may skip."""
        out = set()
        while nxt is not None:
            out.add(nxt)
            if not self.instrs.get(nxt) or self.instrs[nxt][0].op not in NOOPS:
                break
            nxt = self.frame.next_offset.get(nxt)
        return out

    def _check_stack(self, view: FrameView) -> None:
        """Cross-check the concrete value of the top modelled stack item against the real frame."""
        if self.unchecked_top:
            self.unchecked_top = False
            return
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
        if mine is real:
            return
        if id(top) in self.made and type(real) is type(mine) and (id(top) in self.made_alike or
                _plain_value(mine) and mine == real or _same_bound_method(mine, real) or _same_items(mine, real)):
            self.concrete[id(top)] = real   # a new object: the recorder's is a copy; the interpreter's counts
            return
        if not same_value(mine, real):      # (objects: the same object)
            raise RecordAbort(f"recorder value {mine!r} differs from interpreter value {real!r}")

    # ------------------------------------------------------------------ instructions
    def execute(self, ins: Instr, view: FrameView) -> None:
        """Record one instruction with its handler; the handler must change the stack as the bytecode layer
        says the instruction does."""
        handler = HANDLERS.get(ins.op)
        if handler is None:
            raise RecordAbort(f"unsupported instruction {ins.real_op}")
        depth = len(self.stack)
        resuming = len(self.resume_chain)
        handler(self, ins, view)
        if resuming and len(self.resume_chain) == resuming and ins.op not in NOOPS and ins.op != "KW_NAMES":
            # a bridge from inside inlined calls: the frame's first instruction (after a KW_NAMES) is the CALL
            # that continues the next inlined frame
            raise RecordAbort("a bridge inside an inlined call that is not made here")
        if len(self.stack) - depth != stack_effect(ins, False):
            raise AssertionError(f"the recorder's {ins.op} changed the stack by {len(self.stack) - depth}, "
                                 f"the interpreter by {stack_effect(ins, False)}")

    def unrolls(self, target: int) -> bool:
        """The backward jump to `target` goes on with the next iteration of an inner `for` loop the trace unrolls:
        its FOR_ITER is there (past no-ops) and the iterator on top of the stack is one the trace made for it
        (iterators.inner_iterator, which counts its iterations), or, in a bridge that starts inside such a loop's
        body, the loop trace's (iterators.INNER_WALKS: its FOR_ITER takes it over)."""
        top = self.stack[-1] if self.stack else None
        if type(top) is not Var or (id(top) not in self.inner_iters and
                                    not iterators.adoptable(self, top, len(self.stack) - 1)):
            return False
        for at in self.arrivals(target):
            instrs = self.instrs.get(at)
            if instrs and instrs[0].op == "FOR_ITER":
                return True
        return False

    def check_backward(self, src: int, target: int) -> None:
        """A loop trace covers one loop; a bridge may run through enclosing loops back to its header
        (LuaJIT-style: the exit of an inner loop links through the outer loop back into the inner one).
        A loop nested inside the traced one (its header after ours) is never unrolled into a bridge: it is
        left to the interpreter, where it gets hot and compiled on its own; a loop after ours (a sibling in
        the enclosing loop's body) is unrolled."""
        if target > src or target == self.header_pc or self.unrolls(target):
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

    def as_int(self, v, snap, pc):
        return self.emit("bool_to_int", [v], snap, pc) if v.kind is B else v

    def as_float(self, v, snap, pc, exact=False):
        v = self.as_int(v, snap, pc)
        if v.kind is I:
            return self.emit("int_to_float_exact" if exact else "int_to_float", [v], snap, pc)
        return v

    def truth(self, v, snap, pc, otherwise=None):
        """The truth of v as a bool value. `otherwise()`: what to do for an object whose truth the trace does
        not know (3.13's TO_BOOL: the generic path's PyObject_IsTrue), else such an object aborts."""
        t = type(self.conc(v)) if getattr(v, "kind", None) is R else None
        if t in LENGTH_OPS:         # a str, list, tuple or array: true when not empty
            return self.emit("int_is_true", [length(self, v, snap, pc)], snap, pc)
        if t is dict:               # a dict: true when not empty
            return self.emit("int_is_true", [dicts.length(self, v, snap, pc)], snap, pc)
        if t is not None and not isinstance(v, Const):
            # None, or an instance whose class defines neither __bool__ nor __len__: its type fixes the answer
            fixed = attributes.fixed_truth(self, v, snap, pc)
            if fixed is not None:
                return fixed
            if self.view is not None:   # a class's __bool__ (or __len__), inlined
                found = operators.truth(self, v, snap, pc, self.view)
                if found is not None:
                    return found
        if otherwise is not None and t is not None and t not in (int, float, bool):
            return otherwise()
        v = self.unbox(v, snap, pc)
        name = rules.TRUTH[v.kind]
        return v if name is None else self.emit(name, [v], snap, pc)

    # ------------------------------------------------------------------ objects
    def unboxable(self, v) -> bool:
        """The trace computes with v itself (a number `unbox` takes, a complex number in two parts): no generic
        call, no rule declining it."""
        if isinstance(v, VirtualComplex) or (isinstance(v, (Var, Const)) and v.kind is not R):
            return True
        obj = self.conc(v)
        t = type(obj)
        return t in (float, bool, complex) or (t is int and -SMALL_INT_BOUND < obj < SMALL_INT_BOUND)

    def unbox(self, v, snap, pc, allow_complex: bool = False):
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
                raise RecordAbort("operand is an int that does not fit in 64 bits")
            self.emit("guard_class", [v, const_ref(int)], snap, pc)
            return self.emit("int_value", [v], snap, pc)
        if t is bool:
            self.emit("guard_class", [v, const_ref(bool)], snap, pc)
            return self.emit("ref_eq", [v, const_ref(True)], snap, pc)
        raise RecordAbort(f"operand of type {t.__name__}")


    def fetcher(self, sv: StateVar):
        view = self.view
        if sv.where == "fast":
            return lambda: view.local(sv.key)
        return lambda: lookup(view.globals, sv.key)

    # ------------------------------------------------------------------ branches
    def _resolve(self, pc: int, view: FrameView) -> None:
        ins, snap = self.pending
        self.pending = None
        fall = self._fallthrough(ins.offset, ins)
        if ins.op == "FOR_ITER":
            iterators.for_iter(self, ins, snap, pc, fall, view)
            return
        tgt = self.arrivals(ins.target)
        if pc in tgt and pc not in fall:
            taken = True
        elif pc in fall and pc not in tgt:
            taken = False
        elif pc in fall:
            taken = None                       # jump to the next instruction: direction is irrelevant
        else:
            raise RecordAbort(f"unexpected control flow to @{pc}")
        shape = diamonds.convert(self, ins, snap, view, taken) if taken is not None else None
        if shape is not None:
            self.record_arms(shape, lambda at, i: (at, "", i))
            self.arms_to_skip = (shape.join, frozenset(shape.offsets))
            return
        if taken:
            self.check_backward(ins.offset, ins.target)
        self.branch(ins, snap, taken)

    def record_arms(self, shape, entry) -> None:
        """The instructions of both arms of a branch the trace computes as selects (diamonds.py), in the
        recorded listing (`entry(offset, instr)`: its row) and counted against the trace's length."""
        for at in shape.offsets:
            for i in self.frame.instrs[at]:
                self.count += 1
                self.recorded.append(entry(at, i))
            if self.frame.locals is None and self.frame.instrs[at][0].line:
                self.lines[at] = self.frame.instrs[at][0].line
        if self.count > self.trace_limit:
            raise RecordAbort("trace too long")

    def branch(self, ins: Instr, snap: Snapshot, taken: bool | None) -> bool:
        """Record the conditional jump `ins` going the way `taken` says (None: the way its condition's concrete
        value says; also where both ways lead to the same instruction): a guard on that direction, and the
        pop. Returns whether the jump is taken."""
        v = self.value(self.stack[-1])
        if ins.op in ("POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE"):
            if taken is None:
                taken = (v.kind is R and self.conc(v) is None) == (ins.op == "POP_JUMP_IF_NONE")
            is_none = taken == (ins.op == "POP_JUMP_IF_NONE")
            if v.kind is R:
                cond = self.emit("ref_eq", [v, const_ref(None)], snap, ins.offset)
                if isinstance(cond, Var):
                    self.emit("guard_true" if is_none else "guard_false", [cond], snap, ins.offset)
            elif is_none:
                raise RecordAbort("None seen where a number was modelled")
            self.pop()
            return taken
        cond = self.truth(v, snap, ins.offset)
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
        return taken


    # ------------------------------------------------------------------ closing
    def _close(self) -> None:
        if len(self.stack) != self.base_depth or self.floor != self.base_depth:
            raise RecordAbort("value stack differs at the loop header")
        if self.cost_model:
            generic.worth_compiling(self)
        if self.left is not None:
            generic.pays_back(self)
        self._carry_kinds()
        self.done = True

    def _carry_kinds(self) -> None:
        """Each variable goes around the loop with the kind the loop's label gives it. One that enters the
        loop as a number (unboxed) but ends the iteration holding an object, e.g. `last = cur` with `cur` an
        item read from a list, is unboxed at the end of the iteration: its exact type is guarded (the exit
        is the loop header, with the object in the variable) and its value read. A local the loop keeps as an
        object that ends the iteration holding a number gets the number boxed (a new object the loop owns). Any
        other change of kind (an int where it holds a float or a bool) aborts."""
        expected = {sv: v.kind for sv, v in self.inputs if sv.where != "stack"} if self.bridge is None else \
            dict(self.layout.kinds)
        snap = None
        for sv, value in list(self.state.items()):
            want = expected.get(sv)
            if want is None or sv.where == "stack" or not isinstance(value, (Var, Const)) or value.kind is want:
                continue
            if want is R and value.kind in (I, F, B) and sv.where == "fast":
                # a number where the loop keeps an object (a "boxed" variable: `best = -1`, later a float score)
                if snap is None:
                    snap = self.snapshot(self.header_pc)
                self.state[sv] = as_object(self, value, snap, self.header_pc)
                continue
            if value.kind is R and want in (I, F, B) and type(self.conc(value)) is {I: int, F: float, B: bool}[want]:
                if snap is None:
                    snap = self.snapshot(self.header_pc)
                self.state[sv] = self.unbox(value, snap, self.header_pc)
                continue
            what = type(self.conc(value)).__name__ if value.kind is R else str(value.kind)
            # an object of another type (min = inf, then an int read from a list): the loop keeps it as an object
            hint = ("boxed", sv) if value.kind is R and self.bridge is None and sv.where == "fast" else None
            raise RecordAbort(f"{sv} is {want} at the loop's start but {what} at the end of an iteration", hint)

    def _run_least(self) -> dict[StateVar, int]:
        """For each range iterator the loop walks, the least value of its run as recorded (Trace.run_least)."""
        values = {sv: self.conc(v) for sv, v in self.inputs if sv.where == "iter"}
        out = {}
        for sv, first in values.items():
            if sv.key[1] == "next":
                step = values.get(StateVar("iter", (sv.key[0], "step")))
                left = values.get(StateVar("iter", (sv.key[0], "remaining")))
                if type(step) is int and type(left) is int and left > 0:
                    out[sv] = min(first, first + (left - 1) * step)
        return out

    def finish(self, name: str, filename: str) -> Trace:
        """Build the Trace once `step` returned True."""
        assert self.done
        # a call's sync writes back the frame's fast locals, not the globals: in a loop one of whose traces
        # assigns a global, no trace may call what may run Python code (that code would see the global as it
        # was at entry, and the graveyard released before the call could free the object the loop holds there)
        if (self.writes_globals or self.layout.writes_globals) and (self.layout.calls_python or
                                                                    calls_python(self.ops)):
            raise RecordAbort(generic.GLOBALS_AND_CALLS)
        if self.bridge is not None and self.layout.calls_python:
            # the loop's traces compiled before this bridge check, after their calls that may run Python code, the
            # functions they inline and the names they pin (generic.namespaces); not what only this bridge assumes
            pinned = {(id(p.owner), p.name) for p in self.layout.pins}
            if any(key not in self.layout.inlined for key in self.inlined) or \
                    any((id(owner), name) not in pinned for name, _, owner in self.pins):
                raise RecordAbort(BRIDGE_ASSUMES_MORE)
        self.ops = generic.recheck_after_calls(self, self.ops)
        in_vars = {sv: v for sv, v in self.inputs if not sv.exit_place}
        # every exit must describe every tracked variable: fill in values untouched before that exit
        for op in self.ops:
            if op.snapshot is not None:
                root = op.snapshot.frames()[0]
                for sv, v in in_vars.items():
                    root.state.setdefault(sv, v)
        for pin_name, obj, owner in self.pins:
            self.layout.pin(pin_name, obj, owner)
        self.layout.inline(list(self.inlined.values()), self.inline_depth)
        if self.bridge is None:
            for sv, v in self.inputs:
                self.layout.add(sv, v.kind)
            label = Op("label", [v for _, v in self.inputs])
            budget = Op("guard_budget", [], None, Snapshot(self.header_pc, dict(in_vars), []), self.header_pc)
            jump = Op("jump", [self.state[sv] for sv, _ in self.inputs])
            ops = [label, budget] + self.ops + [jump]
            return Trace("loop", name, filename, self.header_pc, self.base_depth, list(self.inputs), ops,
                         self.layout, lines=dict(self.lines), recorded=self._recorded_text(),
                         class_names=dict(self.class_names), run_least=self._run_least())
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
                           [(sv, v.kind) for sv, v in self.inputs if not sv.exit_place])
        ops = self.ops + [Op("jump", args)]
        return Trace("bridge", name, filename, self.header_pc, self.base_depth, list(self.inputs), ops,
                     self.layout, jump_vars=jump_vars, start_pc=self.start_pc, lines=dict(self.lines),
                     recorded=self._recorded_text(), class_names=dict(self.class_names))
