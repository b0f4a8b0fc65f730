"""The recorder's list and tuple protocols: indexing (with the exact type, the sign and the bounds guarded),
unpacking, and the list stores (`a[i] = x`, `a.append(x)`) with the rules that keep a store from freeing an
object the trace still uses.

May import: tracejit.ir, tracejit.cpython.methods, tracejit.recorder.frame/virtuals/complexnum/strings/dicts/arrays,
the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.cpython.methods import METH_FASTCALL, c_method
from tracejit.ir import Const, Kind, Snapshot, Var, const_bool, const_int, const_ref
from tracejit.ir.ops import MAX_NEW_ITEMS
from tracejit.ir.trace import Value

from . import arrays, dicts, strings
from .complexnum import VirtualComplex
from .frame import RecordAbort, declined
from .virtuals import VirtualTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import TraceRecorder

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF


LENGTH_OPS = {list: "list_len", tuple: "tuple_len", str: "str_len", arrays.ARRAY: "array_len"}


def slice_of(rec: TraceRecorder, a: Value, t: type, start, stop, snap: Snapshot) -> Value:
    """a[start:stop] of an exact list or tuple (bounds: ints or None, adjusted as strings.slice_of adjusts them):
    list_slice / tuple_slice, a new object the trace owns."""
    pc = snap.pc
    if not isinstance(a, Const):
        rec.emit("guard_class", [a, const_ref(t)], snap, pc)
    n = rec.emit("list_len" if t is list else "tuple_len", [a], snap, pc)
    lo = strings.slice_bound(rec, start, n, const_int(0), snap)
    hi = strings.slice_bound(rec, stop, n, n, snap)
    made = rec.emit("list_slice" if t is list else "tuple_slice", [a, lo, hi], snap, pc)
    rec.known_class[id(made)] = t
    return made


def makeable(items: list) -> bool:
    """The trace can make a tuple or list of `items`: at most MAX_NEW_ITEMS, each one value."""
    return len(items) <= MAX_NEW_ITEMS and all(isinstance(x, (Var, Const)) for x in items)


def made_sequence(rec: TraceRecorder, name: str, items: list, snap: Snapshot, pc: int) -> Var | None:
    """The tuple or list of `items` (new_tuple / new_list, its exit `snap`: the state before the instruction that
    builds it), for whatever needs the object of a VirtualTuple / VirtualList; the optimizer removes it where
    nothing does (OpDef.removable). None where the trace cannot make it (too many items, one that is not a
    value)."""
    if not makeable(items):
        return None
    obj = rec.emit(name, [dicts.as_object(rec, x, snap, pc) for x in items], snap, pc)
    rec.known_class[id(obj)] = tuple if name == "new_tuple" else list
    return obj


def length(rec: TraceRecorder, x, snap: Snapshot, pc: int):
    """The length of an exact list, tuple, str or array (LENGTH_OPS): its type guarded, its size read."""
    t = type(rec.conc(x))
    rec.emit("guard_class", [x, const_ref(t)], snap, pc)
    return rec.emit(LENGTH_OPS[t], [x], snap, pc)


def list_index(rec: TraceRecorder, container, index, snap: Snapshot, pc: int, cls: type = list):
    """Guard that `container` is a list (or a tuple: cls) and `index` an int in range (negative: from the
    end); returns the index as a non-negative int. Out of range, the interpreter raises the IndexError."""
    obj = rec.conc(container)
    if container.kind is not R or type(obj) is not cls:
        raise RecordAbort(f"subscript of {type(obj).__name__}")
    index = rec.as_int(rec.unbox(index, snap, pc), snap, pc)
    if index.kind is not I:
        raise RecordAbort(f"{cls.__name__} index is not an int")
    rec.emit("guard_class", [container, const_ref(cls)], snap, pc)
    n = rec.emit(LENGTH_OPS[cls], [container], snap, pc)
    negative = rec.emit("int_lt", [index, const_int(0)], snap, pc)
    if rec.conc(index) < 0:
        rec.emit("guard_true", [negative], snap, pc)
        index = rec.emit("int_add", [index, n], snap, pc)
    elif isinstance(negative, Var):
        rec.emit("guard_false", [negative], snap, pc)
    rec.emit("guard_index", [index, n], snap, pc)
    return index


def subscr(rec: TraceRecorder, container, index, snap: Snapshot, pc: int):
    """container[index] for a list or a tuple: the item is a REF (borrowed from the container); for a str,
    its character (recorder/strings.py); for a dict with a str key, its value (dicts.py); for an array, its
    raw item (arrays.py)."""
    t = type(rec.conc(container)) if container.kind is R else None
    if t is str:
        return strings.subscr(rec, container, index, snap, pc)
    if dicts.read_as_dict(t):
        return dicts.subscr(rec, container, rec.value(index), snap, pc)
    if t is arrays.ARRAY:
        return arrays.subscr(rec, container, index, snap, pc)
    if t is tuple:
        index = list_index(rec, container, index, snap, pc, tuple)
        return rec.emit("tuple_getitem", [container, index], snap, pc)
    index = list_index(rec, container, index, snap, pc)
    return rec.emit("list_getitem", [container, index], snap, pc)


def unpack(rec: TraceRecorder, v, n: int, pc: int) -> None:
    """UNPACK_SEQUENCE n: a virtual tuple's items, or the items of a tuple or list object whose exact type
    and length are guarded (another length: the interpreter raises the ValueError). The first item ends
    on top."""
    if isinstance(v, VirtualTuple):
        if len(v.items) != n:
            raise RecordAbort("unpacking a tuple of another length")
        rec.stack.extend(reversed(v.items))
        return
    v = rec.value(v)
    t = type(rec.conc(v))
    if v.kind is not R or t not in (tuple, list):
        raise RecordAbort(f"unpacking a {t.__name__}")
    snap = rec.snapshot_with(pc, [v])
    rec.emit("guard_class", [v, const_ref(t)], snap, pc)
    size = rec.emit("tuple_len" if t is tuple else "list_len", [v], snap, pc)
    rec.emit("guard_true", [rec.emit("int_eq", [size, const_int(n)], snap, pc)], snap, pc)
    getitem = "tuple_getitem" if t is tuple else "list_getitem"
    items = [rec.emit(getitem, [v, const_int(k)], snap, pc) for k in range(n)]
    rec.stack.extend(reversed(items))


# old items a store may release: their deallocation runs no Python code
RELEASABLE = (float, int, bool, type(None))


def store_subscr(rec: TraceRecorder, value, container, index, snap: Snapshot, pc: int) -> None:
    """container[index] = value for a list. Numbers are boxed into new objects; the old item's type is
    guarded to be one whose release runs no Python code, and the old item to be none of the objects the
    trace or its loop may still use (see _maybe_in_use). An array.array's item is stored raw (recorder/arrays.py)."""
    if container.kind is R and type(rec.conc(container)) is arrays.ARRAY:
        arrays.store(rec, value, container, index, snap, pc)
        return
    index = list_index(rec, container, index, snap, pc)
    old = rec.emit("list_getitem", [container, index], snap, pc)
    t = type(rec.conc(old))
    if t not in RELEASABLE:
        raise RecordAbort(f"store over a list item of type {t.__name__}")
    rec.emit("guard_class", [old, const_ref(t)], snap, pc)
    defer = _maybe_in_use(rec, old, t, value, snap, pc) if t in (float, int) else const_bool(False)
    if not (isinstance(defer, Const) and not defer.value):
        rec.emit("guard_graveyard", [], snap, pc)
    name, values = _item_op(rec, "list_setitem", value, snap, pc)
    rec.emit(name, [container, index] + values + [defer], snap, pc)


def list_append(rec: TraceRecorder, lst, args: list, snap: Snapshot, pc: int):
    """lst.append(x) (lst's exact type guarded when the method was loaded): a number is boxed into a new
    object, any other object appended by reference. Returns the call's result, None."""
    if len(args) != 1:
        return declined(rec, f"append() with {len(args)} arguments")
    name, values = _item_op(rec, "list_append", rec.operand(args[0]), snap, pc)
    rec.emit(name, [lst] + values, snap, pc)
    return const_ref(None)


def list_pop(rec: TraceRecorder, lst, args: list, snap: Snapshot, pc: int):
    """lst.pop() / lst.pop(i) (lst's exact type guarded when the method was loaded): list.pop's C function from
    the machine code (`list_pop`, `list_pop_at`: an IndexError leaves with the list unchanged). The item, a new
    object the trace owns (its reference was the list's), is the one the interpreter pops. Only where it is an
    int, float, str, bool or None (guarded after the call: the exit there has it on the stack), whose release no
    program can see: the trace releases it through the graveyard, when the run ends (a value read from the list
    before may be the same object); any other item is popped by the call's usual path (generic: its release
    runs where the interpreter's runs, 3.11: the recording aborts). None: not this rule."""
    return _list_method(rec, "pop", lst, args, snap, pc)


def list_insert(rec: TraceRecorder, lst, args: list, snap: Snapshot, pc: int):
    """lst.insert(i, x): list.insert's C function from the machine code (`list_insert`). Returns None."""
    return _list_method(rec, "insert", lst, args, snap, pc)


def _list_method(rec: TraceRecorder, name: str, lst, args: list, snap: Snapshot, pc: int):
    fn = c_method(getattr(list, name), METH_FASTCALL)
    if fn is None or len(args) > (1 if name == "pop" else 2) or (name == "insert" and len(args) != 2):
        return declined(rec, f"{name}() of a list with {len(args)} arguments")
    values = [rec.operand(a) for a in args]
    if any(isinstance(v, VirtualComplex) for v in values) or (values and values[0].kind not in (I, R)) or \
            (values and values[0].kind is R and type(rec.conc(values[0])) is not int):
        return declined(rec, f"{name}() of a list with an index that is not an int")
    # (read through list's own methods: a subclass's instance runs none of its own, attributes.inherited_method)
    items = rec.conc(lst)
    if name == "pop":
        index = rec.conc(values[0]) if values else -1
        if not -list.__len__(items) <= index < list.__len__(items):
            return declined(rec, "pop from an empty list, or an index out of range")
        popped = list.__getitem__(items, index)
        if type(popped) not in dicts.RELEASABLE:
            return None     # (an object whose release the program may see: the call's usual path, see above)
    if values and values[0].kind is R:
        values[0] = rec.unbox(values[0], snap, pc)      # (its type guarded: an __index__ would run Python code)
    objects = [dicts.as_object(rec, v, snap, pc) for v in values]
    if name == "insert":
        rec.emit("list_insert", [lst] + objects + [const_int(fn)], snap, pc)
        return const_ref(None)
    rec.emit("guard_graveyard", [], snap, pc)   # (the item is released through it: OpDef.handed_over)
    result = rec.emit("list_pop_at" if objects else "list_pop", [lst] + objects + [const_int(fn)], snap, pc)
    rec.concrete[id(result)] = popped           # (the op changes the list: not run while recording) ...
    # ... and what the interpreter's call pops, at the next instruction, its exact type guarded there
    rec.pending_values.append(result)
    rec.pending_types.add(id(result))
    return result


def _item_op(rec: TraceRecorder, base: str, value, snap: Snapshot, pc: int) -> tuple[str, list]:
    """The variant of a store or append op (`base`) for `value`, and the value's arguments: a complex
    number by its two parts and a float or int unboxed (the op makes the new object), a bool as its
    object, any other object as itrec."""
    if isinstance(value, VirtualComplex):
        return base + "_complex", [value.real, value.imag]
    if value.kind is F:
        return base + "_float", [value]
    if value.kind is I:
        return base + "_int", [value]
    if value.kind is B:
        return base, [rec.emit("bool_to_ref", [value], snap, pc)]
    return base, [value]


def _maybe_in_use(rec: TraceRecorder, old, t: type, value, snap: Snapshot, pc: int):
    """A store is about to release `old`, which may free it. Variables and stack items hold objects
    without owning them (a list's item, read by the trace), so the release waits for the end of the run
    (the `defer` flag of the store, a BOOL value) when `old` is any of them: every REF variable of the
    trace (in a bridge: of its loop too, which may read them after the bridge), on the stack and in the
    locals of inlined calls, unless its exact type is known to be another one."""
    if rec.bridge is not None:
        for sv, kind in list(rec.layout.kinds.items()):
            if kind is R and sv.where in ("fast", "global") and sv not in rec.state:
                rec.read_state(sv, rec.fetcher(sv))
    seen = {id(old), id(value)}
    defer = const_bool(False)
    for v in rec.live_values():
        if isinstance(v, Var) and v.kind is R and id(v) not in seen and rec.known_class.get(id(v), t) is t:
            seen.add(id(v))
            same = rec.emit("ref_eq", [old, v], snap, pc)
            defer = same if isinstance(defer, Const) else rec.emit("bool_or", [defer, same], snap, pc)
    return defer
