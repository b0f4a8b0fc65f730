"""Objects a trace describes but never allocates: a tuple to be unpacked, a range to be iterated.

The recorder pushes these on its value stack in place of an object. Only the instruction that takes them
apart may consume them (UNPACK_SEQUENCE, GET_ITER); anything that would need the object itself (storing it,
an exit that must rebuild the interpreter's stack) aborts the recording. Complex numbers, which do leave
traces as objects, are in complexnum.

May import: tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import dataclass


@dataclass(eq=False)
class VirtualTuple:
    """A tuple the trace has not allocated (BUILD_TUPLE, or the item of a FOR_ITER over enumerate/zip):
    only UNPACK_SEQUENCE may consume it. Anything that would need the object (a variable, an exit) aborts."""
    items: list

    def __repr__(self) -> str:
        return f"tuple({', '.join(map(repr, self.items))})"


@dataclass(eq=False)
class VirtualRange:
    """range(start, stop, step) the trace has not allocated (int64 values; `length` as CPython computes it):
    only GET_ITER in a bridge may consume it."""
    start: object
    stop: object
    step: object
    length: object

    def __repr__(self) -> str:
        return f"range({self.start!r}, {self.stop!r}, {self.step!r})"


@dataclass(eq=False)
class VirtualSlice:
    """slice(start, stop) of BUILD_SLICE (3.11's `s[a:b]`) the trace has not allocated: only BINARY_SUBSCR
    right after may consume it, with `snapshot`, the state before BUILD_SLICE, for its guards (nothing runs
    in between, so resuming there is exact)."""
    start: object
    stop: object
    snapshot: object

    def __repr__(self) -> str:
        return f"slice({self.start!r}, {self.stop!r})"


@dataclass(eq=False)
class VirtualList:
    """[a, b, ...] of BUILD_LIST the trace has not allocated: only `sep.join(...)` right after may consume it,
    with `snapshot`, the state before BUILD_LIST, for its guards. Anything else aborts."""
    items: list
    snapshot: object

    def __repr__(self) -> str:
        return f"[{', '.join(map(repr, self.items))}]"
