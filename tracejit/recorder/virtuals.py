"""Objects a trace describes but does not allocate: a tuple to be unpacked, a range to be iterated.

The recorder pushes these on its value stack in place of an object. The instruction that takes them apart
consumes them (UNPACK_SEQUENCE, GET_ITER) and nothing is allocated. A tuple or list that BUILD_TUPLE or
BUILD_LIST made also carries `obj`, the result of the new_tuple / new_list op emitted where it was built (with
the state before that instruction as its exit): whatever needs the object itself (storing it, passing it to a
call, an exit of an inlined frame) gets `obj` and marks it `escaped`; the optimizer removes the allocation where
nothing used it (OpDef.removable). Anything else that would need the object aborts the recording. Complex
numbers, which do leave traces as objects, are in complexnum.

May import: tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import dataclass


@dataclass(eq=False)
class VirtualTuple:
    """A tuple the trace has not allocated (BUILD_TUPLE, or the item of a FOR_ITER over enumerate/zip): UNPACK_SEQUENCE
    consumes it. `obj`: BUILD_TUPLE's new_tuple, for whatever needs the object (`escaped` once something used it:
    an exit then gives the frame that object, not a copy); without it such a use aborts."""
    items: list
    obj: object = None
    escaped: bool = False

    def __repr__(self) -> str:
        return f"tuple({', '.join(map(repr, self.items))})"


@dataclass(eq=False)
class VirtualRange:
    """range(start, stop, step) the trace has not allocated (int64 values; `length` as CPython computes it):
    only GET_ITER may consume it (a bridge's, where an enclosing loop starts again; an inner loop's, which makes
    the range and its iterator: `snapshot`, the CALL's, where an exit makes them again)."""
    start: object
    stop: object
    step: object
    length: object
    snapshot: object = None

    def __repr__(self) -> str:
        return f"range({self.start!r}, {self.stop!r}, {self.step!r})"


@dataclass(eq=False)
class VirtualSlice:
    """slice(start, stop[, step]) of BUILD_SLICE (3.11's `s[a:b]`, `s[a:b:c]`) the trace has not allocated: only
    the BINARY_SUBSCR, STORE_SUBSCR or DELETE_SUBSCR right after may consume it, with `snapshot`, the state before
    BUILD_SLICE, for its guards (nothing runs in between, so resuming there is exact). `step`: None when
    BUILD_SLICE had two operands."""
    start: object
    stop: object
    snapshot: object
    step: object = None

    def bounds(self) -> list:
        return [self.start, self.stop] + ([self.step] if self.step is not None else [])

    def __repr__(self) -> str:
        return f"slice({', '.join(map(repr, self.bounds()))})"


@dataclass(eq=False)
class VirtualFunction:
    """3.13's MAKE_FUNCTION followed by SET_FUNCTION_ATTRIBUTE: the function is made (recorder/handlers.py) once
    the last of them has set its defaults and closure (`attrs`: flag -> value), with `snapshot`, the state at
    MAKE_FUNCTION (the code consumed, the attributes still on the stack), for its exit."""
    code: object
    snapshot: object
    attrs: dict

    def __repr__(self) -> str:
        return f"function({self.code!r})"


@dataclass(eq=False)
class VirtualList:
    """[a, b, ...] of BUILD_LIST: `sep.join(...)` right after consumes its items, with `snapshot`, the state before
    BUILD_LIST, for its guards. `obj`: BUILD_LIST's new_list, for everything else (None: that aborts)."""
    items: list
    snapshot: object
    obj: object = None
    escaped: bool = False

    def __repr__(self) -> str:
        return f"[{', '.join(map(repr, self.items))}]"
