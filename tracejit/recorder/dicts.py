"""The recorder's dict protocols: `d[k]`, `k in d`, `len(d)` and `d.get(k[, default])` for an exact dict and
an exact str key, and dict displays with str keys (`{"val": v, "color": c}`, `{}`).

Each is the C function the interpreter calls (PyDict_GetItemWithError, PyDict_Contains), called from the
machine code behind a guard that the dict's keys are all exact strs (CPython's unicode or split key kinds):
then a lookup compares strings only and runs no Python code, where a dict with keys of other types could run
a key's `__eq__`. A value read is borrowed from the dict; a store `d[k] = v` (PyDict_SetItem) keeps the
old value alive in the graveyard until the native run ends, so a value read before stays valid. A missing
key in `d[k]` leaves the trace before the instruction and the interpreter raises the KeyError.

May import: tracejit.ir, tracejit.recorder.frame, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys

from tracejit.ir import Const, Kind, Snapshot, Var, const_ref
from tracejit.ir.ops import MAX_NEW_ITEMS
from tracejit.ir.trace import Value

from .frame import RecordAbort, declined

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import TraceRecorder

R = Kind.REF


def is_dict(rec: TraceRecorder, v) -> bool:
    return getattr(v, "kind", None) is R and type(rec.conc(v)) is dict


def read_as_dict(t) -> bool:
    """A lookup in an object of type `t` is a dict's: an exact dict, or a collections.defaultdict (a C type that
    leaves lookups and get() to dict's: its __missing__, Python code, runs only for a key that is not there,
    which the trace's lookup leaves to the interpreter). The JIT does not import `collections` for this."""
    return t is dict or (t is not None and t.__name__ == "defaultdict" and
                         t is getattr(sys.modules.get("collections"), "defaultdict", None))


def _operands(rec: TraceRecorder, d: Value, key: Value, snap: Snapshot, pc: int, read: bool = False) -> list:
    """A dict operation's operands, an exact str key and (reads: a dict read_as_dict) an exact dict, guarded."""
    if type(rec.conc(key)) is not str or key.kind is not R:
        raise RecordAbort(f"dict key of type {type(rec.conc(key)).__name__}")
    exact = type(rec.conc(d)) if read and read_as_dict(type(rec.conc(d))) else dict
    for v, t in ((d, exact), (key, str)):
        if not isinstance(v, Const):
            rec.emit("guard_class", [v, const_ref(t)], snap, pc)
    not_a_namespace(rec, d, snap, pc)
    return [d, key]


def not_a_namespace(rec: TraceRecorder, d: Value, snap: Snapshot, pc: int) -> None:
    """The dict `d` is neither the frame's globals nor its builtins (`g = globals()`; `g["x"] = v`): the trace
    keeps the globals it assigns in registers until an exit writes them back, and checks the names it pinned only
    at entry, so it may not read or write them through the dict. Aborts if it is; else guards that it is not."""
    view = rec.view
    if view is None:
        return
    for namespace in (view.globals, view.builtins):
        if rec.conc(d) is namespace:
            raise RecordAbort("a dict operation on the globals or the builtins")
        if not isinstance(d, Const):
            rec.emit("guard_false", [rec.emit("ref_eq", [d, const_ref(namespace)], snap, pc)], snap, pc)


def subscr(rec: TraceRecorder, d: Value, key: Value, snap: Snapshot, pc: int) -> Value:
    return rec.emit("dict_getitem_str", _operands(rec, d, key, snap, pc, read=True), snap, pc)


RELEASABLE = (int, float, str, bool, type(None))     # old values whose release runs no Python code


def store(rec: TraceRecorder, value: Value, d: Value, key: Value, snap: Snapshot, pc: int) -> None:
    """d[k] = value for an exact dict with str keys and an exact str key: the old value (None when missing)
    read first, its type guarded to be one whose release nothing can observe (it waits in the graveyard until
    the native run ends: a variable may still hold it), the value boxed if it is a number, PyDict_SetItem."""
    operands = _operands(rec, d, key, snap, pc)
    old = rec.emit("dict_get_str", operands + [const_ref(None)], snap, pc)
    t = type(rec.conc(old))
    if t not in RELEASABLE:
        raise RecordAbort(f"store over a dict value of type {t.__name__}")
    if not isinstance(old, Const):
        rec.emit("guard_class", [old, const_ref(t)], snap, pc)
    rec.emit("guard_graveyard", [], snap, pc)
    rec.emit("dict_setitem_str", operands + [as_object(rec, value, snap, pc), old], snap, pc)


def new_dict(rec: TraceRecorder, keys: list, values: list, snap: Snapshot, pc: int) -> Value:
    """A dict display (BUILD_MAP, BUILD_CONST_KEY_MAP) whose keys are exact strs, made in the machine code in the
    interpreter's order of insertion (new_dict); other keys, or more than MAX_NEW_ITEMS / 2 pairs, abort."""
    if 2 * len(keys) > MAX_NEW_ITEMS:
        raise RecordAbort(f"a dict display of {len(keys)} items")
    args = []
    for k, v in zip(keys, values):
        if k.kind is not R or type(rec.conc(k)) is not str:
            raise RecordAbort(f"a dict display with a key of type {type(rec.conc(k)).__name__}")
        if not isinstance(k, Const):
            rec.emit("guard_class", [k, const_ref(str)], snap, pc)
        args += [k, as_object(rec, v, snap, pc)]
    d = rec.emit("new_dict", args, snap, pc)
    rec.known_class[id(d)] = dict
    return d


def as_object(rec: TraceRecorder, v, snap: Snapshot, pc: int) -> Value:
    """An object for a value: itself, a constant's object, or a number boxed into a new one the trace owns."""
    if not isinstance(v, (Var, Const)):
        raise RecordAbort("storing a value the trace does not model")
    if isinstance(v, Const):
        return v if v.kind is R else const_ref(v.value)
    if v.kind is R:
        return v
    if v.kind is Kind.BOOL:
        return rec.emit("bool_to_ref", [v], snap, pc)
    return rec.emit("box_int" if v.kind is Kind.INT else "box_float", [v], snap, pc)


def contains(rec: TraceRecorder, key: Value, d: Value, snap: Snapshot) -> Value:
    return rec.emit("dict_contains_str", _operands(rec, d, key, snap, snap.pc), snap, snap.pc)


def length(rec: TraceRecorder, d: Value, snap: Snapshot, pc: int) -> Value:
    rec.emit("guard_class", [d, const_ref(dict)], snap, pc)
    not_a_namespace(rec, d, snap, pc)
    return rec.emit("dict_len", [d], snap, pc)


def get(rec: TraceRecorder, d: Value, args: list, snap: Snapshot, pc: int) -> Value:
    """d.get(k) or d.get(k, default) (d's exact type guarded when the method was loaded). Other arities, a key
    that is not an exact str, a default computed in the trace: declined (None) where the generic path can make
    the call (CPython 3.12+), else the recording aborts."""
    if not 1 <= len(args) <= 2:
        return declined(rec, f"get() with {len(args)} arguments")
    key = rec.value(args[0])
    if type(rec.conc(key)) is not str or key.kind is not R:
        return declined(rec, f"dict key of type {type(rec.conc(key)).__name__}")
    default = rec.value(args[1]) if len(args) == 2 else const_ref(None)
    if isinstance(default, Const) and default.kind is not R:
        default = const_ref(default.value)          # a constant number: its object, which the trace holds
    if default.kind is not R:
        return declined(rec, "get() with a default computed in the trace (it would have to be boxed)")
    return rec.emit("dict_get_str", _operands(rec, d, key, snap, pc, read=True) + [default], snap, pc)
