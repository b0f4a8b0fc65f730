"""The recorder's opcode handlers: one function per canonical opcode (the bytecode layer's names), in one
table, HANDLERS. A handler records one instruction: it pops its operands from the recorder's abstract value
stack, emits ops and guards through `rec.emit`, and pushes its results. The recorder checks every handler
against the stack effect the bytecode layer declares for the instruction (cpython.bytecode.stack_effect), so a
handler and the interpreter can never disagree on the stack's shape. An opcode without a handler aborts the
recording with "unsupported instruction". Branches (POP_JUMP_*, FOR_ITER) are not here: the recorder resolves
them when it sees where the interpreter went (recorder._resolve, iterators.for_iter).

May import: tracejit.ir, tracejit.cpython (bytecode; layout and methods, for a bound built-in method's reads),
tracejit.recorder.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import gc
import math
import sys
import types

from tracejit.cpython import layout, methods
from tracejit.cpython.bytecode import PUSH_NULL_BELOW_CALLABLE, Instr
from tracejit.ir import NULL, Const, Kind, Snapshot, StateVar, Var, const_int, const_null, const_ref
from tracejit.ir.ops import MAX_NEW_ITEMS, SAFE_TYPES

from . import complexnum as cx
from . import arrays, attributes, constructors, dicts, generic, inline, iterators, lists, operators, randoms, rules, \
    slices, strings
from .calls import CallAbort, constant_value, rule_of
from .complexnum import VirtualComplex
from .frame import BaseItem, RecordAbort, constant, fast_var, lookup
from .virtuals import VirtualFunction, VirtualList, VirtualSlice, VirtualTuple

TYPE_CHECKING = False           # typing is not imported at run time (annotations are strings)
if TYPE_CHECKING:
    from typing import Callable

    from .recorder import FrameView, TraceRecorder

    Handler = Callable[[TraceRecorder, Instr, FrameView], None]

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF

HANDLERS: dict[str, Handler] = {}

_MISSING_ATTR = object()
# methods of immutable builtin types compiled where they are called: (type, name) -> the method object that
# LOAD_ATTR pushes below self, and the method object -> its rule (the recorder, self, arguments, snapshot, pc)
BOUND_METHODS = {(list, "append"): list.append, (list, "pop"): list.pop, (list, "insert"): list.insert,
                 (dict, "get"): dict.get,
                 **{(str, name): getattr(str, name) for name in strings.STR_METHODS}}
METHOD_RULES = {list.append: lists.list_append, list.pop: lists.list_pop, list.insert: lists.list_insert,
                dict.get: dicts.get,
                **{getattr(str, name): (lambda name: lambda rec, s, args, snap, pc:
                                        strings.method(rec, name, s, args, snap, pc))(name)
                   for name in strings.STR_METHODS}}
# a Python subclass of list whose class leaves these to list's (attributes.inherited_method): the same rules
_LIST_METHODS = {name: method for (t, name), method in BOUND_METHODS.items() if t is list}
# looked up by identity (a constant below a callable may be any object: no __eq__ of the program's runs here)
_METHOD_RULES_BY_ID = {id(m): (m, rule) for m, rule in METHOD_RULES.items()}


def _method_rule(below) -> Callable | None:
    """The rule of the method object `below` (a constant pushed below its self), or None."""
    if not isinstance(below, Const):
        return None
    method, rule = _METHOD_RULES_BY_ID.get(id(below.value), (None, None))
    return rule if method is below.value else None
COMPLEX_ARGUMENTS = (abs, complex, type)     # the calls whose rules take a complex number apart
# functions that count or list an object's references (the module objects live as long as the process)
_COUNTS_REFERENCES = {id(f) for f in (sys.getrefcount, gc.get_referrers, gc.get_referents)}


def handles(*ops: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of canonical opcodes `ops`."""
    def register(fn: Handler) -> Handler:
        for op in ops:
            assert op not in HANDLERS, op
            HANDLERS[op] = fn
        return fn
    return register


def _fast(rec: TraceRecorder, ins: Instr) -> StateVar:
    return fast_var(rec.code, ins.arg)


@handles("NOP", "RESUME", "CACHE")
def nop(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    if ins.real_op == "PRECALL":        # 3.11's PRECALL is a canonical NOP with a check of its own
        _precall(rec, ins.oparg)


@handles("LOAD_FAST")
def load_fast(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    local = rec.frame.locals
    if local is None:                   # the loop's frame: its locals are state variables
        rec.stack.append(rec.read_state(_fast(rec, ins), lambda: view.local(ins.arg)))
    elif local[ins.arg] is None:
        raise RecordAbort(f"local {rec.frame.code.co_varnames[ins.arg]} of an inlined call is unbound")
    else:
        rec.stack.append(local[ins.arg])


@handles("STORE_FAST")
def store_fast(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """A local's new value; the release of its old one, where the trace may own that, is checked first
    (generic.dropped)."""
    local = rec.frame.locals
    value = rec.pop()
    if local is None:
        sv = _fast(rec, ins)
        if sv not in rec.state:         # its value from before the iteration (a variable the loop may own)
            try:
                old = view.local(ins.arg)
            except LookupError:
                old = None
            if old is not None and type(old) not in SAFE_TYPES:
                rec.read_state(sv, lambda: old)
        if sv in rec.state:
            generic.dropped(rec, rec.state[sv], ins.offset, [value])
        rec.write_state(sv, value, lambda: view.local(ins.arg), ins.offset)
    else:
        generic.dropped(rec, local[ins.arg], ins.offset, [value])
        local[ins.arg] = value


@handles("LOAD_GLOBAL", "LOAD_NAME")
def load_global(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    name, push_null = ins.arg if isinstance(ins.arg, tuple) else (ins.arg, False)
    if ins.op == "LOAD_NAME" and not view.module_level:
        raise RecordAbort("LOAD_NAME outside module-level code")
    value = _load_global(rec, name, view)
    if push_null:
        _push_callable(rec, value)
    else:
        rec.stack.append(value)


@handles("STORE_GLOBAL", "STORE_NAME")
def store_global(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    if ins.op == "STORE_NAME" and not view.module_level:
        raise RecordAbort("STORE_NAME outside module-level code")
    rec.note_write()
    rec.writes_globals = True
    if any(name == ins.arg and owner is None for name, _, owner in rec.pins) or \
            any(pin.name == ins.arg and pin.owner is None for pin in rec.layout.pins):     # a bridge: the loop's
        raise RecordAbort(f"{ins.arg} is rebound in the loop")
    rec.write_state(StateVar("global", ins.arg), rec.pop(), lambda: lookup(view.globals, ins.arg), ins.offset)


@handles("LOAD_ATTR")
def load_attr(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    pc = ins.offset
    name, method = ins.arg
    owner = rec.operand(rec.pop())
    # one snapshot for every guard below: they all leave before this instruction with owner pushed back, and
    # none of the ways tried before the one that applies changes the frame's state (guards only)
    snap = rec.snapshot_with(pc, [owner])
    if isinstance(owner, VirtualComplex) or (owner.kind is R and type(rec.conc(owner)) is complex):
        if method:
            raise RecordAbort(f"method {name} of a complex number")
        z = rec.unbox(owner, snap, pc, True)
        rec.stack.append(cx.attribute(z, name))
        return
    t = type(rec.conc(owner)) if owner.kind is R else None
    method_object = BOUND_METHODS.get((dict if dicts.read_as_dict(t) and name == "get" else t, name)) \
        if method and t is not None else None
    if method_object is not None:
        # the method below its self on every version; list and dict are immutable types, so the exact type
        # fixes which function this is
        rec.emit("guard_class", [owner, const_ref(type(rec.conc(owner)))], snap, pc)
        rec.stack.extend([const_ref(method_object), owner])
        return
    if method and owner.kind is R and not isinstance(owner, Const):
        method_object = attributes.inherited_method(rec, owner, name, list, _LIST_METHODS,
                                                    snap, pc)
        if method_object is not None:   # a list subclass's append/pop/insert: list's, guarded on the class
            rec.stack.extend([const_ref(method_object), owner])
            return
    found = attributes.class_attribute(rec, owner, name, method, snap, pc)
    if found is not None:               # an attribute of a class: a constant, or its object at a fixed address
        value, self_arg = found
        if self_arg is not None:
            # a classmethod's function and the class as its self, where the interpreter pushed its bound
            # method with the NULL beside it: CALL calls either pair the same way (an exit may leave this one)
            rec.stack.extend([value, self_arg])
            rec.unchecked_top = True
        elif method:
            _push_callable(rec, value)
        else:
            rec.stack.append(value)
        return
    if method and owner.kind is R and not isinstance(owner, Const):
        func = randoms.method(rec, owner, name, snap, pc)
        if func is not None:            # rnd.randrange(...): a method of random.Random, run as an op at the call
            rec.stack.extend([const_ref(func), owner])
            return
        func = attributes.method(rec, owner, name, snap, pc)
        if func is not None:            # [function, self], as the interpreter pushes a method found on the type
            rec.stack.extend([const_ref(func), owner])
            return
    value = None
    pinnable = _pinnable(owner, name)
    if not pinnable and not method:
        value = operators.property_get(rec, owner, name, snap, pc, view)
        if value is not None:           # a property's getter, inlined
            rec.stack.append(value)
            return
        value = attributes.read(rec, owner, name, snap, pc)
    if value is None:
        if pinnable or not rec.generic_calls:
            value = _module_attribute(rec, owner, name)
        else:
            # any other attribute: PyObject_GetAttr (a method comes bound: the call gets no self)
            value = generic.call(rec, "PyObject_GetAttr", [owner, const_ref(name)], pc, view, method)
    if method:
        _push_callable(rec, value)
    else:
        rec.stack.append(value)


@handles("STORE_ATTR")
def store_attr(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """obj.name = value: into the instance's values array where the attribute is there (attributes.write), else
    PyObject_SetAttr (the generic path: a __setattr__, a property's setter or the release of the old value may
    run Python code)."""
    owner, value = rec.value(rec.pop()), rec.operand(rec.pop())
    snap = rec.snapshot_with(ins.offset, [value, owner])
    if id(owner) in rec.fresh and constructors.store(rec, owner, ins.arg, value, snap, ins.offset):
        return
    if attributes.write(rec, owner, ins.arg, value, snap, ins.offset):
        return
    if not rec.generic_calls:
        raise RecordAbort("unsupported instruction STORE_ATTR")
    args = generic.objects(rec, [owner, const_ref(ins.arg), value], snap, ins.offset)
    generic.call(rec, "PyObject_SetAttr", args, ins.offset, view, pushed=False)


@handles("PUSH_NULL")
def push_null(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    rec.stack.append(const_null())


@handles("CALL")
def call(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    kw_names, rec.kw_names = rec.kw_names, None
    if kw_names is None:
        _call(rec, ins.arg, ins.offset, view)
    else:       # an exit must run KW_NAMES again: the interpreter keeps the names outside the value stack
        _call(rec, ins.arg, kw_names[1], view, kw_names[0], call_pc=ins.offset)


@handles("KW_NAMES")
def kw_names(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """3.11/3.12: the names of the next CALL's keyword arguments (and where they were set)."""
    rec.kw_names = (ins.arg, ins.offset)


@handles("CALL_KW")
def call_kw(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """3.13: CALL with the tuple of keyword names on top of the arguments."""
    names = rec.value(rec.pop())
    if not (isinstance(names, Const) and type(names.value) is tuple):
        raise RecordAbort("keyword names that are not a constant")
    _call(rec, ins.arg, ins.offset, view, names.value, [names])


@handles("COPY_FREE_VARS")
def copy_free_vars(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """An inlined closure's first instruction: its cells, read from the function called (recorder/inline.py)."""
    frame = rec.frame
    if frame.locals is None:
        raise RecordAbort("COPY_FREE_VARS in the loop's frame")
    cells = rec.emit("func_closure", [frame.function], rec.snapshot(ins.offset), ins.offset)
    first = frame.code.co_nlocals
    for k in range(ins.arg):
        frame.locals[first + k] = rec.emit("tuple_getitem", [cells, const_int(k)], None, ins.offset)


@handles("LOAD_DEREF")
def load_deref(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """A cell's contents (an empty cell leaves the trace, and the interpreter raises the NameError): in an
    inlined closure, a free variable's cell read from the function; in the loop's frame, a cell variable or a
    free variable whose cell the frame's slot holds (a state variable like any fast local: the machine code
    never rebinds it; what the cell holds is read where the instruction is)."""
    local = rec.frame.locals
    snap = rec.snapshot(ins.offset)
    if local is None:
        cell = _frame_cell(rec, ins, view, snap)
        rec.stack.append(rec.emit("cell_contents", [cell], snap, ins.offset))
        return
    if ins.oparg >= len(local) or local[ins.oparg] is None:
        raise RecordAbort("LOAD_DEREF of a cell the inlined call made")
    rec.stack.append(rec.emit("cell_contents", [local[ins.oparg]], snap, ins.offset))


@handles("STORE_DEREF")
def store_deref(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """A new value for a cell of the loop's frame (a cell variable, or a free variable whose cell the frame's
    slot holds: `nonlocal total; total += x`). Over contents whose release nothing can observe (an int, a float,
    a str, a bool, None: their exact type guarded) the machine code stores the value (a number boxed) and the
    old contents wait in the graveyard; over anything else, or an empty cell, PyCell_Set on the generic path
    (the release may run a __del__)."""
    pc = ins.offset
    value = rec.operand(rec.pop())
    if rec.frame.locals is not None:
        raise RecordAbort("STORE_DEREF inside an inlined call")
    snap = rec.snapshot_with(pc, [value])
    cell = _frame_cell(rec, ins, view, snap)
    try:
        t = type(rec.conc(cell).cell_contents)
    except ValueError:
        t = None
    if t in dicts.RELEASABLE:
        old = rec.emit("cell_contents", [cell], snap, pc)
        rec.emit("guard_class", [old, const_ref(t)], snap, pc)
        rec.emit("guard_graveyard", [], snap, pc)
        rec.emit("cell_set", [cell, dicts.as_object(rec, value, snap, pc), old], snap, pc)
        return
    generic.call(rec, "PyCell_Set", generic.objects(rec, [cell, value], snap, pc), pc, view, pushed=False)


@handles("LOAD_CLOSURE")
def load_closure(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """The cell object of fast-locals slot ins.oparg (3.11/3.12; 3.13 loads it with LOAD_FAST), for the closure
    of a function MAKE_FUNCTION makes: in the loop's frame the slot's state variable, its type guarded; in an
    inlined call, the cell its COPY_FREE_VARS read (a cell the inlined call made itself aborts)."""
    local = rec.frame.locals
    if local is None:
        rec.stack.append(_frame_cell(rec, ins, view, rec.snapshot(ins.offset)))
    elif ins.oparg >= len(local) or local[ins.oparg] is None:
        raise RecordAbort("LOAD_CLOSURE of a cell the inlined call made")
    else:
        rec.stack.append(local[ins.oparg])


@handles("MAKE_FUNCTION")
def make_function(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """A function object of a constant code object (a lambda, a nested def, a generator expression): what the
    interpreter's MAKE_FUNCTION makes, made the same way (new_function: PyFunction_New with the frame's globals,
    then the defaults and the closure written into it; no Python code runs, no audit event is raised, as
    types.FunctionType would). Keyword-only defaults and annotations abort. 3.13 sets the defaults and the
    closure with SET_FUNCTION_ATTRIBUTE after MAKE_FUNCTION: a VirtualFunction until the last of them."""
    pc = ins.offset
    flags = ins.oparg or 0
    if flags & 0x06:
        raise RecordAbort("MAKE_FUNCTION with annotations or keyword-only defaults")
    code = rec.pop()
    if not (isinstance(code, Const) and type(code.value) is types.CodeType):
        raise RecordAbort("MAKE_FUNCTION of a code object that is not a constant")
    after = rec.next_instr(pc)
    if after is not None and after.op == "SET_FUNCTION_ATTRIBUTE":
        rec.stack.append(VirtualFunction(code, rec.snapshot_with(pc, [code]), {}))
        return
    closure = rec.value(rec.pop()) if flags & 0x08 else None
    defaults = rec.value(rec.pop()) if flags & 0x01 else None
    below = [v for v in (defaults, closure) if v is not None]
    rec.stack.append(_make_function(rec, code, defaults, closure, rec.snapshot_with(pc, below + [code]), pc, view))


@handles("SET_FUNCTION_ATTRIBUTE")
def set_function_attribute(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """3.13: the defaults (1) or the closure (8) of the function MAKE_FUNCTION just made (a VirtualFunction); the
    function is made at the last of these (see make_function). Other attributes abort."""
    func, attr = rec.pop(), rec.pop()
    if not isinstance(func, VirtualFunction) or ins.oparg not in (0x01, 0x08) or ins.oparg in func.attrs:
        raise RecordAbort(f"SET_FUNCTION_ATTRIBUTE {ins.oparg}")
    func.attrs[ins.oparg] = rec.value(attr)
    after = rec.next_instr(ins.offset)
    if after is not None and after.op == "SET_FUNCTION_ATTRIBUTE":
        rec.stack.append(func)
        return
    rec.stack.append(_make_function(rec, func.code, func.attrs.get(0x01), func.attrs.get(0x08), func.snapshot,
                                    func.snapshot.pc, view))


def _make_function(rec: TraceRecorder, code: Const, defaults, closure, snap: Snapshot, pc: int, view: FrameView):
    """new_function(code, globals, defaults, closure) (`snap`: the state at MAKE_FUNCTION, its exit): the
    globals of the frame whose code it runs in."""
    if code.value.co_freevars and closure is None:
        raise RecordAbort("MAKE_FUNCTION of a closure without its cells")
    for v in (defaults, closure):
        if v is None:
            continue
        if v.kind is not R or type(rec.conc(v)) is not tuple:
            raise RecordAbort("MAKE_FUNCTION of defaults or a closure that is not a tuple")
        rec.emit("guard_class", [v, const_ref(tuple)], snap, pc)
    namespace = view.globals if rec.frame.function is None else rec.conc(rec.frame.function).__globals__
    none = const_ref(None)
    made = rec.emit("new_function", [code, const_ref(namespace), none if defaults is None else defaults,
                                     none if closure is None else closure], snap, pc)
    rec.known_class[id(made)] = types.FunctionType
    rec.made_alike.add(id(made))
    return made


def _frame_cell(rec: TraceRecorder, ins: Instr, view: FrameView, snap: Snapshot):
    """The cell in the loop frame's slot ins.oparg (a state variable like any fast local: the machine code never
    rebinds it), its type guarded."""
    cell = rec.read_state(StateVar("fast", ins.oparg, _slot_name(rec.code, ins.oparg)), lambda: view.local(ins.oparg))
    if getattr(cell, "kind", None) is not R or type(rec.conc(cell)) is not types.CellType:
        raise RecordAbort(f"{ins.op} of a slot that holds no cell")
    rec.emit("guard_class", [cell, const_ref(types.CellType)], snap, ins.offset)
    return cell


def _slot_name(code, index: int) -> str:
    """The name of fast-locals slot `index` (a cell or free variable's too), for the text form."""
    try:
        return code._varname_from_oparg(index)
    except (AttributeError, IndexError, ValueError):
        return ""


@handles("LOAD_CONST")
def load_const(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    rec.stack.append(constant(ins.arg))


@handles("POP_TOP")
def pop_top(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """The item is dropped (where the trace may own it, its release is checked first: generic.dropped)."""
    value = rec.pop()
    generic.dropped(rec, value, ins.offset, [value])


@handles("COPY")
def copy(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    rec.stack.append(rec.stack[-ins.arg])


@handles("SWAP")
def swap(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    rec.stack[-1], rec.stack[-ins.arg] = rec.stack[-ins.arg], rec.stack[-1]


@handles("JUMP")
def jump(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    rec.check_backward(ins.offset, ins.target)


@handles("RETURN_VALUE", "RETURN_CONST")
def return_value(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """A return of the loop's own frame (an inlined function's returns end it in inline._run): the recorded
    iteration leaves the loop. By chance in a loop's recording (a search that found its key: recorded again),
    always in a bridge from an exit that leads there (the exit stays an exit)."""
    if rec.bridge is not None:
        raise RecordAbort("a bridge that leaves the loop by a return")
    raise RecordAbort(iterators.LOOP_LEFT)


@handles("BINARY_OP")
def binary_op(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    pc = ins.offset
    symbol, inplace = ins.arg
    raw = rec.pop()
    b, a = rec.operand(raw), rec.operand(rec.pop())
    snap = rec.snapshot_with(pc, [a, b])
    if symbol == "%" and isinstance(a, Const) and type(a.value) is str:
        made = strings.percent_format(rec, a.value, raw if isinstance(raw, VirtualTuple) else b, snap)
        if made is not None:            # "v%d" % i: the pieces made and joined, as an f-string's
            rec.stack.append(made)
            return
    if not (rec.unboxable(a) and rec.unboxable(b)) and \
            not (symbol == "+" and strings.is_str(rec, a) and strings.is_str(rec, b)):
        made = operators.binary(rec, a, b, symbol, inplace, snap, pc, view)
        if made is not None:            # a method of a Python class (__add__...), inlined
            rec.stack.append(made)
            return
        args = generic.objects(rec, [a, b], snap, pc)
        name = generic.binary_function(symbol, inplace)
        if name.endswith("Power"):
            args.append(const_ref(None))
        rec.stack.append(generic.call(rec, name, args, pc, view))
        return
    if symbol == "+" and strings.is_str(rec, a) and strings.is_str(rec, b):
        rec.stack.append(strings.concat(rec, a, b, snap))
        return
    a, b = rec.unbox(a, snap, pc, True), rec.unbox(b, snap, pc, True)
    if isinstance(a, VirtualComplex) or isinstance(b, VirtualComplex):
        rec.stack.append(cx.binary(rec, symbol, a, b, snap, pc))
    else:
        rec.stack.append(_binary(rec, symbol, a, b, snap))


@handles("COMPARE_OP")
def compare_op(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    pc = ins.offset
    symbol, to_bool = ins.arg if isinstance(ins.arg, tuple) else (ins.arg, False)
    b, a = rec.value(rec.pop()), rec.value(rec.pop())
    snap = rec.snapshot_with(pc, [a, b])
    both_str = strings.is_str(rec, a) and strings.is_str(rec, b)
    if not both_str and not (rec.unboxable(a) and rec.unboxable(b)):
        made = operators.compare(rec, a, b, symbol, to_bool, snap, pc, view)
        if made is not None:            # a comparison method of a Python class (__lt__...), inlined
            rec.stack.append(made)
            return
        # (3.13 in a condition: the result converted to a bool)
        args = generic.objects(rec, [a, b], snap, pc) + [const_int(generic.COMPARE[symbol]), const_int(int(to_bool))]
        rec.stack.append(generic.call(rec, "PyObject_RichCompare", args, pc, view))
        return
    if strings.is_str(rec, a) or strings.is_str(rec, b):
        rec.stack.append(strings.compare(rec, rules.COMPARE[symbol][0], a, b, snap))
        return
    a, b = rec.unbox(a, snap, pc), rec.unbox(b, snap, pc)
    rec.stack.append(_compare(rec, symbol, a, b, snap))


@handles(*rules.UNARY)
def unary(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    pc = ins.offset
    a = rec.operand(rec.pop())
    snap = rec.snapshot_with(pc, [a])
    if ins.op != "UNARY_NOT" and not rec.unboxable(a):
        made = operators.unary(rec, a, ins.op, snap, pc, view)
        if made is not None:            # `-v` of a class with __neg__: the method inlined
            rec.stack.append(made)
            return
        # `-obj`, `~obj`, `+obj` of what the trace does not compute with: the interpreter's PyNumber function
        rec.stack.append(generic.call(rec, generic.UNARY[ins.op], generic.objects(rec, [a], snap, pc), pc, view))
        return
    if ins.op == "UNARY_NOT" and a.kind is R and not isinstance(a, VirtualComplex):
        rec.stack.append(rec.emit("bool_not", [rec.truth(a, snap, pc)], snap, pc))   # (truth: a str, a dict...)
        return
    a = rec.unbox(a, snap, pc, True)
    if isinstance(a, VirtualComplex):
        rec.stack.append(cx.unary(rec, ins.op, a, snap, pc))
        return
    rule = rules.UNARY[ins.op].get(a.kind)
    if rule is None:
        raise RecordAbort(f"{ins.op} on {a.kind}")
    if rule != "same":
        for name in (rule if isinstance(rule, tuple) else (rule,)):
            a = rec.emit(name, [a], snap, pc)
    rec.stack.append(a)


@handles("TO_BOOL")
def to_bool(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    a = rec.value(rec.pop())
    snap = rec.snapshot_with(ins.offset, [a])

    def is_true():          # an object whose truth the trace does not know (__bool__, __len__, a set...)
        return generic.call(rec, "PyObject_IsTrue", generic.objects(rec, [a], snap, ins.offset), ins.offset, view)
    rec.stack.append(rec.truth(a, snap, ins.offset, is_true))


@handles("BINARY_SUBSCR")
def binary_subscr(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    if isinstance(rec.stack[-1], VirtualSlice):
        sl, container = rec.pop(), rec.value(rec.pop())
        rec.stack.append(slices.get(rec, container, sl.bounds(), sl.snapshot, view, ins.offset))
        return
    t, k = rec.stack[-2], rec.stack[-1]
    if isinstance(t, VirtualTuple) and isinstance(k, Const) and type(k.value) is int and \
            -len(t.items) <= k.value < len(t.items):
        rec.pop(), rec.pop()                # t[k] of a tuple the trace has not made: its item (nothing to check)
        rec.stack.append(t.items[k.value])
        return
    index, container = rec.pop(), rec.value(rec.pop())
    if not rebuildable_tuple(index):    # (G[x, y]: only a Python class's inlined __getitem__ takes the tuple)
        index = rec.value(index)
    snap = rec.snapshot_with(ins.offset, [container, index])
    if type(index) is VirtualTuple or not _subscript_specialized(rec, container, index):
        made = operators.subscript(rec, container, index, None, snap, ins.offset, view)
        if made is not None:            # the __getitem__ of a Python class, inlined
            rec.stack.append(made)
            return
        args = generic.objects(rec, [container, rec.value(index)], snap, ins.offset)     # (the tuple: aborts)
        rec.stack.append(generic.call(rec, "PyObject_GetItem", args, ins.offset, view))
        return
    rec.stack.append(lists.subscr(rec, container, index, snap, ins.offset))


@handles("BINARY_SLICE")
def binary_slice(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    stop, start, container = rec.value(rec.pop()), rec.value(rec.pop()), rec.value(rec.pop())
    snap = rec.snapshot_with(ins.offset, [container, start, stop])
    rec.stack.append(slices.get(rec, container, [start, stop], snap, view, ins.offset))


@handles("STORE_SLICE")
def store_slice(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """container[start:stop] = value (3.12+): slices.store."""
    stop, start, container, value = rec.value(rec.pop()), rec.value(rec.pop()), rec.value(rec.pop()), \
        rec.operand(rec.pop())
    snap = rec.snapshot_with(ins.offset, [value, container, start, stop])
    if not rec.generic_calls:
        raise RecordAbort("unsupported instruction STORE_SLICE")
    slices.store(rec, container, slices.new(rec, [start, stop], snap, ins.offset), value, snap, view, ins.offset)


@handles("DELETE_SUBSCR")
def delete_subscr(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """del container[index] (a slice too: BUILD_SLICE's, made here): PyObject_DelItem (the generic path: the item
    it drops, a __delitem__, a key's __eq__ may run Python code)."""
    if not rec.generic_calls:
        raise RecordAbort("unsupported instruction DELETE_SUBSCR")
    index = rec.pop()
    if isinstance(index, VirtualSlice):
        container = rec.value(rec.pop())
        index = slices.made(rec, index)
    else:
        index, container = rec.value(index), rec.value(rec.pop())
    snap = rec.snapshot_with(ins.offset, [container, index])
    args = generic.objects(rec, [container, index], snap, ins.offset)
    generic.call(rec, "PyObject_DelItem", args, ins.offset, view, pushed=False)


@handles("BUILD_LIST")
def build_list(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    items = [rec.pop() for _ in range(ins.oparg)][::-1]
    snap = rec.snapshot_with(ins.offset, items)
    rec.stack.append(VirtualList(items, snap, lists.made_sequence(rec, "new_list", items, snap, ins.offset)))


@handles("LIST_EXTEND")
def list_extend(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """`[0, 0, 0]` (BUILD_LIST 0, LOAD_CONST of a tuple, LIST_EXTEND 1): the list BUILD_LIST began, right below
    the tuple of constants, becomes one of all the items, made by a new_list whose exit resumes at that BUILD_LIST
    (only a LOAD_CONST ran in between); the first one, now unused, is removed. `[*a, *b]` and `f(x, *a)` of an
    exact list or tuple: list.extend through call_c_in_place (it runs no Python code for them), the list made
    where it was virtual; other iterables abort (their iteration may run Python code, and the interpreter words a TypeError
    of its own)."""
    items, lst = rec.stack[-1], rec.stack[-ins.arg - 1]
    if ins.arg == 1 and isinstance(items, Const) and type(items.value) is tuple and \
            isinstance(lst, VirtualList) and lst.obj is not None and not lst.escaped and \
            len(lst.items) + len(items.value) <= MAX_NEW_ITEMS:
        rec.pop(), rec.pop()
        every = lst.items + [constant(v) for v in items.value]
        made = lists.made_sequence(rec, "new_list", every, lst.snapshot, ins.offset)
        rec.stack.append(VirtualList(every, lst.snapshot, made))
        return
    pc = ins.offset
    it = rec.value(rec.pop())
    t = type(rec.conc(it)) if it.kind is R else None
    if t not in (list, tuple):
        raise RecordAbort(f"LIST_EXTEND of a {t.__name__ if t is not None else 'number'}")
    target = rec.stack[-ins.arg] = rec.value(rec.stack[-ins.arg])      # the list as an object from here on
    snap = rec.snapshot_with(pc, [it])
    rec.emit("guard_class", [it, const_ref(t)], snap, pc)
    rec.emit("guard_class", [target, const_ref(list)], snap, pc)
    rec.emit("call_c_in_place", [const_ref(list.extend), target, it], snap, pc)
    # (the interpreter extends its list; the recorder's value of it, which may be that very object, is replaced)
    rec.concrete[id(target)] = [*rec.conc(target), *rec.conc(it)]


@handles("CALL_INTRINSIC_1", "LIST_TO_TUPLE")
def call_intrinsic_1(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """INTRINSIC_LIST_TO_TUPLE (3.11: LIST_TO_TUPLE; `f(x, *a)` turns the list it built into the call's tuple):
    tuple(list) through call_c, which runs no Python code for an exact list. (INTRINSIC_UNARY_POSITIVE is
    UNARY_POSITIVE: see cpython/bytecode.py.) The others abort."""
    if ins.op == "CALL_INTRINSIC_1" and ins.arg != "INTRINSIC_LIST_TO_TUPLE":
        raise RecordAbort(f"unsupported instruction CALL_INTRINSIC_1 ({ins.arg})")
    pc = ins.offset
    lst = rec.value(rec.pop())
    rec.stack.append(_as_tuple(rec, lst, rec.snapshot_with(pc, [lst]), pc, "LIST_TO_TUPLE"))


def _as_tuple(rec: TraceRecorder, seq, snap: Snapshot, pc: int, what: str):
    """An exact list or tuple (its type guarded) as a tuple: a list through call_c of tuple(), which runs no
    Python code for it (the interpreter's PySequence_Tuple / PyList_AsTuple). Anything else aborts (`what`
    names the instruction in the reason)."""
    t = type(rec.conc(seq)) if seq.kind is R else None
    if t not in (list, tuple):
        raise RecordAbort(f"{what} of a {t.__name__ if t is not None else 'number'}")
    rec.emit("guard_class", [seq, const_ref(t)], snap, pc)
    if t is tuple:
        return seq
    made = rec.emit("call_c", [const_ref(tuple), seq], snap, pc)
    rec.known_class[id(made)] = tuple
    return made


@handles("CALL_FUNCTION_EX")
def call_function_ex(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """`f(*args)` (no `**`): on the generic path, PyObject_CallObject(f, args) of an exact tuple, or of the tuple
    call_c makes of an exact list (as the interpreter's PySequence_Tuple does); other iterables abort (the
    interpreter words the TypeError of a non-iterable itself). Its stack: the callable and a NULL, then args."""
    if ins.arg & 1:
        raise RecordAbort("a call with ** arguments")
    pc = ins.offset
    args = rec.value(rec.pop())
    top, below = rec.value(rec.pop()), rec.value(rec.pop())
    func, null = (top, below) if PUSH_NULL_BELOW_CALLABLE else (below, top)
    if not (isinstance(null, Const) and null.value is NULL) or func.kind is not R:
        raise RecordAbort("CALL_FUNCTION_EX of a method with its self")
    args = _as_tuple(rec, args, rec.snapshot_with(pc, [below, top, args]), pc, "a call with *args")
    rec.stack.append(generic.call(rec, "PyObject_CallObject", [func, args], pc, view))


@handles("BUILD_SLICE")
def build_slice(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """The slice object is not made here (VirtualSlice): the BINARY_SUBSCR right after slices lists, tuples and
    strs itself, and makes it where the generic path takes it (as the stores and deletions do)."""
    bounds = [rec.value(rec.pop()) for _ in range(ins.arg)][::-1]
    rec.stack.append(VirtualSlice(*bounds[:2], rec.snapshot_with(ins.offset, bounds), *bounds[2:]))


@handles("FORMAT_VALUE", "FORMAT_SIMPLE", "CONVERT_VALUE")
def format_value(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """f"{v}" and f"{v!s}" (3.11/3.12: FORMAT_VALUE's flags; 3.13: FORMAT_SIMPLE, CONVERT_VALUE 1) of an exact
    str or int; a format spec, !r and !a abort."""
    flags = ins.oparg or 0
    if ins.op == "FORMAT_VALUE":
        if flags & 4:
            raise RecordAbort("a format spec")
        flags &= 3
    if flags not in (0, 1):
        raise RecordAbort("!r or !a in an f-string")
    v = rec.value(rec.pop())
    rec.stack.append(strings.to_str(rec, v, rec.snapshot_with(ins.offset, [v])))


@handles("BUILD_STRING")
def build_string(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    pieces = [rec.value(rec.pop()) for _ in range(ins.oparg)][::-1]
    rec.stack.append(strings.build(rec, pieces, rec.snapshot_with(ins.offset, pieces)))


@handles("STORE_SUBSCR")
def store_subscr(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    if isinstance(rec.stack[-1], VirtualSlice):
        # container[a:b:c] = value (3.11: container[a:b] too): the slice object, then the generic path
        sl, container, value = rec.pop(), rec.value(rec.pop()), rec.operand(rec.pop())
        if not rec.generic_calls:
            raise RecordAbort("a store into a slice (generic calls are off, or need CPython 3.12+)")
        made = slices.made(rec, sl)
        slices.store(rec, container, made, value, rec.snapshot_with(ins.offset, [value, container, made]), view,
                     ins.offset)
        return
    index, container, value = rec.pop(), rec.value(rec.pop()), rec.operand(rec.pop())
    if not rebuildable_tuple(index):    # (G[x, y] = v: only a Python class's inlined __setitem__ takes the tuple)
        index = rec.value(index)
    snap = rec.snapshot_with(ins.offset, [value, container, index])
    specialized = type(index) is not VirtualTuple and _subscript_specialized(rec, container, index, store=True)
    if not specialized and operators.subscript(rec, container, index, value, snap, ins.offset, view) is not None:
        return                          # the __setitem__ of a Python class, inlined (its result dropped)
    index = rec.value(index)            # (the tuple goes no further: aborts)
    if rec.generic_calls and not specialized:
        args = generic.objects(rec, [container, index, value], snap, ins.offset)
        generic.call(rec, "PyObject_SetItem", args, ins.offset, view, pushed=False)
        return
    if dicts.is_dict(rec, container):
        dicts.store(rec, value, container, index, snap, ins.offset)
    else:
        lists.store_subscr(rec, value, container, index, snap, ins.offset)


@handles("LIST_APPEND")
def list_append(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    pc = ins.offset
    v = rec.operand(rec.pop())
    snap = rec.snapshot_with(pc, [v])
    lst = _comprehension_target(rec, ins, view, list, snap)
    lists.list_append(rec, lst, [v], snap, pc)


def _comprehension_target(rec: TraceRecorder, ins: Instr, view: FrameView, t: type, snap: Snapshot):
    """The list or dict (`t`) LIST_APPEND / MAP_ADD adds to, `ins.arg` deep on the stack once its operands are
    popped (a comprehension's, made before its loop: a base stack item), its exact type guarded."""
    target = rec.stack[-ins.arg]
    if isinstance(target, BaseItem):
        target = rec.read_state(StateVar("base", target.pos), lambda: view.stack(target.pos))
    target = rec.value(target)
    if target.kind is not R or type(rec.conc(target)) is not t:
        raise RecordAbort(f"{ins.op} to something other than a {t.__name__}")
    rec.emit("guard_class", [target, const_ref(t)], snap, ins.offset)
    return target


@handles("GET_ITER")
def get_iter(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    after = rec.next_instr(ins.offset)
    if len(rec.frames) > 1:
        if after is not None and after.op == "FOR_ITER" and rec.unroll:    # an inner loop, unrolled
            inline.unrolling(rec, iterators.inner_iterator, rec.pop(), ins.offset)
            return
        # (the next recording calls the outermost inlined function instead)
        raise RecordAbort(inline.LOOP_INLINED, ("not_inlined", rec.frames[1].code))
    if after is not None and after.op == "FOR_ITER":    # a loop starts: in a bridge, its iterator's state
        iterators.get_iter(rec, rec.pop(), ins.offset)
    else:                                           # an iterator handed on (to a generator expression)
        rec.stack.append(iterators.iterator_object(rec, rec.pop(), ins.offset, view))


@handles("BUILD_MAP")
def build_map(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    items = [rec.value(rec.pop()) for _ in range(2 * ins.arg)][::-1]
    snap = rec.snapshot_with(ins.offset, items)
    rec.stack.append(dicts.new_dict(rec, items[0::2], items[1::2], snap, ins.offset))


@handles("BUILD_CONST_KEY_MAP")
def build_const_key_map(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    keys = rec.pop()
    values = [rec.value(rec.pop()) for _ in range(ins.arg)][::-1]
    if not isinstance(keys, Const) or type(keys.value) is not tuple or len(keys.value) != ins.arg:
        raise RecordAbort("BUILD_CONST_KEY_MAP without a tuple of keys")
    snap = rec.snapshot_with(ins.offset, values + [keys])
    rec.stack.append(dicts.new_dict(rec, [constant(k) for k in keys.value], values, snap, ins.offset))


@handles("MAP_ADD")
def map_add(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    """`{k: v for ...}`: d[k] = v into the comprehension's dict (made before its loop), as a str-keyed dict
    store (dicts.store) or, for other keys, on the generic path (PyObject_SetItem: an exact dict's own store)."""
    pc = ins.offset
    value, key = rec.operand(rec.pop()), rec.value(rec.pop())
    snap = rec.snapshot_with(pc, [key, value])
    d = _comprehension_target(rec, ins, view, dict, snap)
    if strings.is_str(rec, key):
        dicts.store(rec, value, d, key, snap, pc)
    elif rec.generic_calls:
        generic.call(rec, "PyObject_SetItem", generic.objects(rec, [d, key, value], snap, pc), pc, view, pushed=False)
    else:
        raise RecordAbort(f"dict key of type {type(rec.conc(key)).__name__}")


@handles("BUILD_TUPLE")
def build_tuple(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    items = [rec.pop() for _ in range(ins.arg)][::-1]
    made = None
    if lists.makeable(items):           # (its snapshot aborts where an item is not one value)
        try:
            made = lists.made_sequence(rec, "new_tuple", items, rec.snapshot_with(ins.offset, items), ins.offset)
        except RecordAbort:         # (no exit can be taken here: the tuple is taken apart, or the use aborts)
            made = None
    rec.stack.append(VirtualTuple(items, made))


@handles("UNPACK_SEQUENCE")
def unpack_sequence(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    lists.unpack(rec, rec.pop(), ins.arg, ins.offset)


@handles("CONTAINS_OP")
def contains_op(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    container, item = rec.value(rec.pop()), rec.value(rec.pop())
    snap = rec.snapshot_with(ins.offset, [item, container])
    if strings.is_str(rec, container) and strings.is_str(rec, item):
        found = strings.contains(rec, item, container, snap)
    elif dicts.is_dict(rec, container) and strings.is_str(rec, item):
        found = dicts.contains(rec, item, container, snap)
    elif (found := operators.contains(rec, item, container, snap, ins.offset, view)) is not None:
        pass                    # a class's __contains__, inlined
    else:       # the interpreter's PySequence_Contains(container, item), `not in` inverting its result
        args = generic.objects(rec, [container, item], snap, ins.offset) + [const_int(int(bool(ins.arg)))]
        rec.stack.append(generic.call(rec, "PySequence_Contains", args, ins.offset, view))
        return
    rec.stack.append(rec.emit("bool_not", [found], None, ins.offset) if ins.arg else found)


@handles("IS_OP")
def is_op(rec: TraceRecorder, ins: Instr, view: FrameView) -> None:
    b, a = rec.value(rec.pop()), rec.value(rec.pop())
    if a.kind is not R or b.kind is not R:
        raise RecordAbort("`is` on an unboxed value")
    same = rec.emit("ref_eq", [a, b], None, ins.offset)
    rec.stack.append(rec.emit("bool_not", [same], None, ins.offset) if ins.arg else same)


# ------------------------------------------------------------------ arithmetic, names and calls


def _binary(rec: TraceRecorder, symbol: str, a, b, snap: Snapshot):
    pc = snap.pc
    if symbol not in rules.BINARY:
        raise RecordAbort(f"operator {symbol}")
    int_op, float_op = rules.BINARY[symbol]
    if a.kind is B and b.kind is B and symbol in rules.BOOL_BITWISE:
        r = rec.emit(int_op, [rec.as_int(a, snap, pc), rec.as_int(b, snap, pc)], snap, pc)
        return rec.emit("int_is_true", [r], snap, pc)
    if F in (a.kind, b.kind):
        if float_op is None:
            raise RecordAbort(f"operator {symbol} on float")
        return rec.emit(float_op, [rec.as_float(a, snap, pc), rec.as_float(b, snap, pc)], snap, pc)
    a, b = rec.as_int(a, snap, pc), rec.as_int(b, snap, pc)
    if int_op == "pow":
        return _int_pow(rec, a, b, snap)
    return rec.emit(int_op, [a, b], snap, pc)


def _int_pow(rec: TraceRecorder, a, b, snap: Snapshot):
    pc = snap.pc
    k = rec.conc(b)
    if k < 0 or k > rules.MAX_POW_EXPONENT:
        raise RecordAbort("int ** exponent outside 0..64")
    if isinstance(b, Var):     # specialise on the exponent's value
        rec.emit("guard_true", [rec.emit("int_eq", [b, const_int(k)], snap, pc)], snap, pc)
    result, base = const_int(1), a
    while k:
        if k & 1:
            result = base if (isinstance(result, Const) and result.value == 1) else \
                rec.emit("int_mul_ovf", [result, base], snap, pc)
        k >>= 1
        if k:
            base = rec.emit("int_mul_ovf", [base, base], snap, pc)
    return result


def _compare(rec: TraceRecorder, symbol: str, a, b, snap: Snapshot):
    pc = snap.pc
    int_op, float_op = rules.COMPARE[symbol]
    if F in (a.kind, b.kind):
        return rec.emit(float_op, [rec.as_float(a, snap, pc, exact=True),
                                    rec.as_float(b, snap, pc, exact=True)], snap, pc)
    return rec.emit(int_op, [rec.as_int(a, snap, pc), rec.as_int(b, snap, pc)], snap, pc)


def _load_global(rec: TraceRecorder, name: str, view: FrameView):
    """A global (or builtin) name: a module, a type or a function the trace knows becomes a constant with
    a pin (checked at every entry); anything else is a state variable read from the globals, and so is a name
    the loop keeps as a state variable (a bridge: the loop may assign it, and a pin is checked only at entry)."""
    sv = StateVar("global", name)
    if sv not in rec.state and sv not in rec.layout.kinds:
        try:
            obj = view.globals[name]
        except KeyError:
            try:
                obj = view.builtins[name]
            except KeyError:
                raise RecordAbort(f"name {name} is not defined") from None
        c = constant_value(obj)
        if c is not None and c.kind is R:
            rec.pins.append((name, obj, None))
            return c
    return rec.read_state(sv, lambda: lookup(view.globals, name))


def _pinnable(owner, name: str) -> bool:
    """A module's attribute the trace can hold as a constant (a function, a class, a module...)."""
    if not (isinstance(owner, Const) and owner.kind is R and type(owner.value) is type(math)):
        return False
    obj = owner.value.__dict__.get(name, _MISSING_ATTR)
    return obj is not _MISSING_ATTR and constant_value(obj) is not None


def _module_attribute(rec: TraceRecorder, owner, name: str):
    if not (isinstance(owner, Const) and owner.kind is R and type(owner.value) is type(math)):
        raise RecordAbort(f"attribute {name} of a {type(rec.conc(owner)).__name__}")
    obj = owner.value.__dict__.get(name, _MISSING_ATTR)
    c = None if obj is _MISSING_ATTR else constant_value(obj)
    if c is None:
        raise RecordAbort(f"attribute {owner.value.__name__}.{name}")
    rec.pins.append((name, obj, owner.value))
    return c


def _push_callable(rec: TraceRecorder, value) -> None:
    """A callable with the NULL CPython pushes beside it (below it on 3.11/3.12, above on 3.13)."""
    rec.stack.extend([const_null(), value] if PUSH_NULL_BELOW_CALLABLE else [value, const_null()])


def _precall(rec: TraceRecorder, argc: int) -> None:
    """3.11's PRECALL: with NULL below a bound method (`g = obj.method` ... `g()`), the interpreter
    replaces the pair by the method's function and its self, which the trace does not model: abort.
    (A method loaded for the call, `obj.method()`, is [method, self] already.)"""
    if len(rec.stack) - rec.floor < argc + 2:
        raise RecordAbort("call with arguments the trace does not own")
    below, callable_ = rec.stack[-(argc + 2)], rec.stack[-(argc + 1)]
    if isinstance(below, Const) and below.value is NULL and isinstance(callable_, (Var, Const)) and \
            callable_.kind is R and type(rec.conc(callable_)) is types.MethodType and \
            not (isinstance(callable_, Const) and randoms.bound(callable_.value) is not None):
        # (a bound method of random's that the trace holds as a constant: CALL calls either pair the same way)
        raise RecordAbort("call of a bound method")


_SUBSCRIPTED = (list, tuple, str, arrays.ARRAY)      # read at an int index by the trace itself
_STORED = (list, arrays.ARRAY)                       # ... and stored into


def rebuildable_tuple(v) -> bool:
    """v is a tuple the trace did not allocate whose items are values: an exit can make it from them
    (Snapshot.tuples_at), so it may sit on the loop frame's stack at a guard; a subscript's index (`G[x, y]`)
    of this kind goes on to an inlined __getitem__ / __setitem__ (a local of the callee, which unpacks it)."""
    return isinstance(v, VirtualTuple) and all(isinstance(x, (Var, Const)) for x in v.items)


def _subscript_specialized(rec: TraceRecorder, container, index, store: bool = False) -> bool:
    """container[index] (or, `store`, container[index] = v) the trace does itself: an item of a list, tuple, str
    or array (stores: of a list or an array) at an int, a dict's value at a str key."""
    if container.kind is not R:
        return True                     # (aborts: not subscriptable)
    t = type(rec.conc(container))
    k = type(rec.conc(index)) if index.kind is R else int
    return (t in (_STORED if store else _SUBSCRIPTED) and k in (int, bool)) or \
        ((t is dict or not store and dicts.read_as_dict(t)) and k is str)


def _generic_call(rec: TraceRecorder, callable_and_args: list, snap: Snapshot, pc: int, view: FrameView,
                  kw_names: tuple = ()):
    """callable(args...) through PyObject_Vectorcall (the function, a bound method's function and its self...),
    the last len(kw_names) arguments by keyword."""
    first = callable_and_args[0]
    if getattr(first, "kind", None) is R and id(rec.conc(first)) in _COUNTS_REFERENCES:
        # the trace owns what it still uses across the call: one reference more than the interpreter has
        raise RecordAbort(f"a call of {rec.conc(first).__name__}, which sees the trace's own references")
    if len(callable_and_args) - 1 > generic.MAX_ARGUMENTS:
        raise RecordAbort(f"a call with more than {generic.MAX_ARGUMENTS} arguments")
    args = generic.objects(rec, callable_and_args, snap, pc) + [const_ref(kw_names or None)]
    return generic.call(rec, "PyObject_Vectorcall", args, pc, view)


def _bound_method_call(rec: TraceRecorder, callee, bound, args: list, snap: Snapshot, pc: int):
    """A call of a built-in method bound to its object (`append = items.append`, then `append(x)`), where the
    object is an exact list, dict or str and the method one whose rule compiles it (METHOD_RULES): the method's
    type guarded, then the object read from it (c_method_self, which checks that it is still that method of that
    type), its type guarded, and the rule applied to it as to `items.append(x)`. The trace holds neither the
    method nor its object (a guard against the method as a constant would keep both alive). None: not such a call,
    or the rule declined it (the call's usual path)."""
    owner = bound.__self__
    method = BOUND_METHODS.get((type(owner), bound.__name__))
    definition = methods.method_def(method) if method is not None else None
    if definition is None or layout.bound_method_def(bound) != definition:
        return None
    rec.emit("guard_class", [callee, const_ref(types.BuiltinMethodType)], snap, pc)
    obj = rec.emit("c_method_self", [callee, const_int(definition)], snap, pc)
    rec.emit("guard_class", [obj, const_ref(type(owner))], snap, pc)
    return METHOD_RULES[method](rec, obj, args, snap, pc)


def _caller_at_call(rec: TraceRecorder, pc: int, snap: Snapshot, operands: list) -> Snapshot | None:
    """The exact snapshot of the calling frame stopped at its CALL (with `operands`, the callable and its
    arguments, on its stack): `snap` in the loop's frame; inside an inlined call, the chain through it (None if
    the callee's stack holds what an exit cannot rebuild: its exits then cannot resume it mid-body)."""
    if len(rec.frames) == 1:
        return snap
    try:
        return rec.exact_snapshot(pc, tuple(operands))
    except RecordAbort:
        return None


def _made_tuple(v) -> bool:
    """v is a tuple the trace has not needed as an object yet, which an exit can make of its items: one
    BUILD_TUPLE made (VirtualTuple.obj, made where it escapes) or one a bridge starts with (rebuildable_tuple)."""
    return isinstance(v, VirtualTuple) and (v.obj is not None or rebuildable_tuple(v))


def _inlinable(rec: TraceRecorder, below, top, view: FrameView) -> bool:
    """The call's callable is a Python function the trace inlines as it stands (a method with self, or a function
    called with NULL beside it), which receives a tuple argument as it is."""
    if isinstance(below, Const) and type(below.value) is types.FunctionType and not isinstance(top, Const):
        func = below.value              # [function, self]: a method
    else:
        callee, null = (top, below) if PUSH_NULL_BELOW_CALLABLE else (below, top)
        if not (isinstance(null, Const) and null.value is NULL) or callee.kind is not R:
            return False
        func = rec.conc(callee)
    return type(func) is types.FunctionType and not func.__code__.co_freevars and \
        inline.refusal(rec, func, view) is None


def _escaped(rec: TraceRecorder, args: list, callee_value) -> list:
    """The arguments as values: a tuple the trace has not made yet is needed now, except by isinstance()."""
    if not any(_made_tuple(a) for a in args):
        return args
    if isinstance(callee_value, Const) and callee_value.value is isinstance and args and _made_tuple(args[0]):
        return [args[0]] + [rec.operand(a) for a in args[1:]]
    return [rec.operand(a) for a in args]


def _call(rec: TraceRecorder, argc: int, pc: int, view: FrameView, kw_names: tuple = (), after: list = (),
          call_pc: int | None = None) -> None:
    """A call with argc arguments, the last len(kw_names) by keyword; its exits resume at `pc` with the callable,
    the arguments and `after` (3.13's tuple of keyword names) on the stack. `call_pc`: the CALL's own offset
    where it is not `pc` (3.12: pc is its KW_NAMES'), where an exception of a generic call is raised."""
    call_pc = pc if call_pc is None else call_pc
    raw = [rec.pop() for _ in range(argc)][::-1]
    top, below = rec.value(rec.pop()), rec.value(rec.pop())
    if raw and isinstance(raw[-1], VirtualList) and isinstance(below, Const) and below.value is str.join:
        # sep.join([...]) with the list just built: the exits resume at its BUILD_LIST (VirtualList)
        args = [rec.operand(a) for a in raw[:-1]] + raw[-1:]
        snap = raw[-1].snapshot
    else:
        # a tuple the trace has not made stays so for a Python function it inlines (which may only take it apart)
        # and for isinstance(); any other call needs the object (_escaped, below)
        args = [a if _made_tuple(a) else rec.operand(a) for a in raw]
        snap = rec.snapshot_with(pc, [below, top] + args + list(after))
    operands = [below, top] + args + list(after)
    if not _inlinable(rec, below, top, view):
        args = _escaped(rec, args, callee_value=(top if PUSH_NULL_BELOW_CALLABLE else below))
    method_rule = _method_rule(below)
    if method_rule is not None and (not isinstance(top, Const) or type(top.value) is str):
        if kw_names:                    # list.append, dict.get take no keywords: the interpreter raises the TypeError
            raise RecordAbort("call with keyword arguments")
        value = method_rule(rec, top, args, snap, pc)                # a.append(x): below a's method
        if value is not None:
            rec.stack.append(value)
            return
        method_rule = None              # (the rule declined this call: its usual path, below)
    callee, null = (top, below) if PUSH_NULL_BELOW_CALLABLE else (below, top)
    if isinstance(below, Const) and below.kind is R and randoms.is_method(below.value) and \
            isinstance(top, (Var, Const)) and top.kind is R and not (isinstance(top, Const) and top.value is NULL):
        value = randoms.call(rec, below.value, top, args, kw_names, snap, pc)
        if value is not None:           # [method, rnd] (randoms.method): the op that computes the call
            rec.stack.append(value)
            return
    if isinstance(callee, Const) and callee.kind is R and randoms.bound(callee.value) is not None:
        value = randoms.bound_call(rec, callee.value, args, kw_names, snap, pc)
        if value is not None:           # random.randrange(...): the module's hidden instance's method
            rec.stack.append(value)
            return
    if isinstance(below, Const) and type(below.value) is types.FunctionType and not isinstance(top, Const):
        # [function, self]: a method of a Python class (attributes.method), inlined with self as its first argument
        refused = inline.refusal(rec, below.value, view)
        if refused is None and not below.value.__code__.co_freevars:
            rec.stack.append(inline.call(rec, below, below.value, [top] + args, kw_names, snap,
                                         _caller_at_call(rec, pc, snap, operands), pc, view, resumable=True))
            return
        if not rec.generic_calls:
            raise RecordAbort(refused or "call of a method that uses super() or __class__")
        # called with self as its first argument (inside an inlined call this aborts with the hint to call that
        # function instead: generic.call)
        rec.stack.append(_generic_call(rec, [below, top] + args, snap, call_pc, view, kw_names))
        return
    if not (isinstance(null, Const) and null.value is NULL):
        if len(rec.frames) > 1 or method_rule is not None:
            raise RecordAbort("method call")
        # [method, self] (a method LOAD_ATTR found on the type): method(self, args...)
        rec.stack.append(_generic_call(rec, [below, top] + args, snap, call_pc, view, kw_names))
        return
    func = rec.conc(callee) if callee.kind is R else None
    if type(func) is types.BuiltinMethodType and not kw_names:
        value = _bound_method_call(rec, callee, func, args, snap, pc)
        if value is not None:           # `pop = items.pop` before the loop, `pop()` in it: list.pop's rule
            rec.stack.append(value)
            return
    # a function constant is pinned (a module's top-level function) or guarded by its class's version (a class
    # attribute: attributes.class_attribute); a variable holding one is guarded on its code (inline.call)
    if type(func) is types.FunctionType and isinstance(callee, (Var, Const)):
        refused = inline.refusal(rec, func, view)
        if refused is None:
            rec.stack.append(inline.call(rec, callee, func, args, kw_names, snap,
                                         _caller_at_call(rec, pc, snap, operands), pc, view, resumable=True))
            return
        if not rec.generic_calls:
            raise RecordAbort(refused)
        if len(rec.frames) > 1:         # the next recording calls the outermost inlined function instead
            raise RecordAbort(refused, ("not_inlined", rec.frames[1].code))
        # a function the trace cannot inline (keyword-only parameters, cells, a generator...): generic, below
    if callee.kind is R and isinstance(callee, (Var, Const)) and not kw_names and \
            (made := operators.call(rec, callee, args, snap, pc, view)) is not None:
        rec.stack.append(made)          # f(x) of an instance whose class defines __call__: the method inlined
        return
    if callee.kind is R and type(func) is type:
        made = constructors.call(rec, callee, args, kw_names, snap, pc, view)
        if made is not None:            # Point(x, y): the instance made and its __init__ inlined
            rec.stack.append(made)
            return
    rule = rule_of(callee.value) if isinstance(callee, Const) and callee.kind is R else None
    if rule is None or kw_names:        # (the rules take no keywords)
        if not rec.generic_calls:
            raise RecordAbort("call" if not kw_names else "call with keyword arguments")
        rec.stack.append(_generic_call(rec, [callee] + args, snap, call_pc, view, kw_names))
        return
    if callee.value not in COMPLEX_ARGUMENTS and any(isinstance(a, VirtualComplex) for a in args):
        raise RecordAbort(f"{getattr(callee.value, '__name__', 'call')}() of a complex number")
    try:
        rec.stack.append(rule(rec, args, snap, pc))
    except CallAbort as e:
        # a form the rule does not compile (sum() of a generator): the generic path makes the call as it is (what
        # the rule emitted before it declined, guards at the call, stays correct, or is dead)
        if not rec.generic_calls or any(isinstance(a, VirtualComplex) for a in args):
            raise RecordAbort(str(e)) from None
        rec.stack.append(_generic_call(rec, [callee] + args, snap, call_pc, view, kw_names))
