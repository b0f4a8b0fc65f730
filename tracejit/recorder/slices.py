"""Slices: `s[a:b]`, `s[a:b:c]`, their stores and deletions, as the interpreter does them.

BUILD_SLICE pushes a VirtualSlice (recorder/virtuals.py): no slice object is made where the next instruction
slices an exact list, tuple or str with int or None bounds (list_slice, tuple_slice, the str's, in
lists.py / strings.py). Everywhere else the trace makes the slice object the interpreter makes (`new`: the
slice type called through call_c, which runs no Python code) and hands it on:
- with a step, to the exact list's, tuple's or str's own __getitem__ (call_c: no Python code runs for bounds
  that are ints or None, which the trace knows without a guard);
- to the generic path otherwise (CPython 3.12+): PyObject_GetItem, PyObject_SetItem, PyObject_DelItem, which
  may run Python code (a class's __getitem__, an item's release, the stored value's iteration).

May import: tracejit.ir, tracejit.recorder.* (generic, lists, strings, virtuals), the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.ir import Const, Kind, Snapshot, Var, const_ref

from . import generic, lists, strings
from .frame import RecordAbort
from .virtuals import VirtualSlice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import FrameView, TraceRecorder

R = Kind.REF
PLAIN_BOUNDS = (int, bool, type(None))      # bounds list_slice, tuple_slice and str slicing take


def new(rec: TraceRecorder, bounds: list, snap: Snapshot, pc: int) -> Var:
    """slice(start, stop[, step]) of `bounds` as objects: a new object the trace owns; a failure (MemoryError)
    leaves the trace at `snap`, the instruction that makes it."""
    made = rec.emit("call_c", [const_ref(slice)] + generic.objects(rec, bounds, snap, pc), snap, pc)
    rec.known_class[id(made)] = slice
    return made


def made(rec: TraceRecorder, sl: VirtualSlice) -> Var:
    """The slice object of BUILD_SLICE's VirtualSlice (its exit resumes at BUILD_SLICE: nothing ran since)."""
    return new(rec, sl.bounds(), sl.snapshot, sl.snapshot.pc)


def get(rec: TraceRecorder, container, bounds: list, snap: Snapshot, view: FrameView, pc: int):
    """container[start:stop] or container[start:stop:step] (`bounds`) for the instruction at pc, `snap` the state
    before the slice was built."""
    t = type(rec.conc(container)) if container.kind is R else None
    plain = all(_known_index(b) or (b.kind is R and type(rec.conc(b)) in PLAIN_BOUNDS) for b in bounds)
    if len(bounds) == 2 and plain:
        if t in (list, tuple):
            return lists.slice_of(rec, container, t, *bounds, snap)
        if strings.is_str(rec, container):
            return strings.slice_of(rec, container, *bounds, snap)
    if t in (list, tuple, str) and plain:
        # (an int bound held as an object is unboxed, its type guarded; None held so is not known: generic)
        bounds = [rec.as_int(rec.unbox(b, snap, snap.pc), snap, snap.pc)
                  if b.kind is R and type(rec.conc(b)) in (int, bool) else b for b in bounds]
    if t in (list, tuple, str) and all(_known_index(b) for b in bounds):
        rec.emit("guard_class", [container, const_ref(t)], snap, snap.pc)
        result = rec.emit("call_c", [const_ref(t.__getitem__), container, new(rec, bounds, snap, snap.pc)], snap,
                          snap.pc)
        rec.known_class[id(result)] = t
        return result
    if not rec.generic_calls:
        raise RecordAbort("a slice of another object or with other bounds (generic calls are off, or need "
                          "CPython 3.12+)")
    args = generic.objects(rec, [container, new(rec, bounds, snap, snap.pc)], snap, snap.pc)
    return generic.call(rec, "PyObject_GetItem", args, pc, view)


def store(rec: TraceRecorder, container, sl: Var, value, snap: Snapshot, view: FrameView, pc: int) -> None:
    """container[sl] = value for the instruction at pc (`sl` the slice object new or made gave; `snap` the state
    before the instruction, its operands on the stack): PyObject_SetItem."""
    args = generic.objects(rec, [container, sl, value], snap, pc)
    generic.call(rec, "PyObject_SetItem", args, pc, view, pushed=False)


def _known_index(v) -> bool:
    """A slice bound whose object's type the trace knows without a guard: an int it computes, an int or None
    constant (slicing with it runs no __index__)."""
    if isinstance(v, Const):
        return type(v.value) in PLAIN_BOUNDS
    return v.kind in (Kind.INT, Kind.BOOL)
