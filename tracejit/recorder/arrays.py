"""The recorder's array.array protocols: `a[i]`, `a[i] = x`, `len(a)` and the items of `for x in a`.

An array holds raw C values, not objects, so its items are read straight into registers as ints or doubles and
stored back as raw values: no object is made and no reference count changes. The array's type code is
guarded (guard_array_code: an array's type code never changes) and fixes the item's width, signedness or
float format (tracejit.ir.ops.ARRAY_ITEMS). A store of an int outside the item's range leaves the trace before
the instruction (the interpreter raises the OverflowError); a float into an int array aborts the recording
(the interpreter raises a TypeError there).

May import: tracejit.ir, tracejit.cpython.layout, tracejit.recorder.frame/lists, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys

from tracejit.cpython.layout import with_arrays
from tracejit.ir import Const, Kind, Snapshot, const_int, const_ref
from tracejit.ir.ops import ARRAY_ITEMS
from tracejit.ir.trace import Value

from .frame import RecordAbort

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import TraceRecorder

I, F, B, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF
# the array layout, checked when the recorder loads (left out of start-up's check: cpython.layout.with_arrays);
# with a mismatch no array operation is recorded, nor in a program that had not imported `array` by then (the JIT
# does not import it, nor `collections` with it): ARRAY is then a class no object is an instance of
LAYOUT_PROBLEM = with_arrays()


class _NoArrays:
    """Stands for array.array where the recorder records no array operation."""


ARRAY = sys.modules["array"].array if LAYOUT_PROBLEM is None else _NoArrays


def _storage(rec: TraceRecorder, a: Value, snap: Snapshot | None, pc: int) -> str:
    """Guard a's exact type and type code; the suffix of its item ops."""
    if LAYOUT_PROBLEM:
        raise RecordAbort(LAYOUT_PROBLEM)
    code = rec.conc(a).typecode
    if code not in ARRAY_ITEMS:
        raise RecordAbort(f"array of type code {code!r}")
    rec.emit("guard_class", [a, const_ref(ARRAY)], snap, pc)
    rec.emit("guard_array_code", [a, const_int(ord(code))], snap, pc)
    return ARRAY_ITEMS[code][0]


def item(rec: TraceRecorder, a: Value, index: Value, snap: Snapshot | None, pc: int) -> Value:
    """Item `index` (guarded in range) of array a, unboxed."""
    return rec.emit(f"array_get_{_storage(rec, a, snap, pc)}", [a, index], snap, pc)


def subscr(rec: TraceRecorder, a: Value, index, snap: Snapshot, pc: int) -> Value:
    from .lists import list_index
    return item(rec, a, list_index(rec, a, index, snap, pc, ARRAY), snap, pc)


def store(rec: TraceRecorder, value, a: Value, index, snap: Snapshot, pc: int) -> None:
    """a[i] = value: an int (or bool) into an int array, an int, bool or float into a float array."""
    from .lists import list_index
    sfx = _storage(rec, a, snap, pc)
    i = list_index(rec, a, index, snap, pc, ARRAY)
    v = rec.unbox(value, snap, pc)
    if v.kind is R or isinstance(v, Const) and v.kind is R:
        raise RecordAbort(f"storing a {type(rec.conc(value)).__name__} into an array")
    if sfx.startswith("f"):
        v = rec.as_float(v, snap, pc, exact=True)
    elif v.kind is F:
        raise RecordAbort("storing a float into an int array")
    else:
        v = rec.as_int(v, snap, pc)
    rec.emit(f"array_set_{sfx}", [a, i, v], snap, pc)
