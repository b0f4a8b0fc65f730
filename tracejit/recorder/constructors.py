"""Constructors inlined: `Point(x, y)` of a plain Python class becomes the instance's allocation and the class's
`__init__` recorded inline, as `type.__call__` would run them, with no frame and no bound method.

What `type.__call__(cls, *args)` does for a class without `__new__` of its own: object's tp_new makes the
instance (`new_instance`: no attribute set yet), then `cls.__init__(obj, *args)` runs and must return None.
The trace does the same, under a guard on the class's version tag (a class whose `__init__`, `__new__`,
`__del__`, `__setattr__` or bases change gets a new tag), with the inlined `__init__` pinned as any inlined
function is (inline.py). Applies to a class held in a constant or a variable (guarded: exactly a type, with
its version tag) that is an instance of `type` itself (no metaclass), not abstract, inherits object's `__new__`
and `__setattr__`, has no `__del__` (releasing an instance runs no Python code of its class) and whose
`__init__` is a Python function the recorder can inline.

Until the call returns, the instance is fresh: nothing but the trace has seen it. The stores `__init__` makes
into it are invisible to the program: the first store of a name is `member_init` (a `__slots__` member) or
`instance_init` (a name of the class's shared keys: its slot of the values array and its place in the array's
insertion order, as CPython's store of a new attribute writes them); any other is `fresh_setattr`
(PyObject_SetAttr, which runs no Python code for such a class and a name with no data descriptor but the
class's own `__slots__` members). So an exit inside `__init__` still restarts the call (the instance is
dropped; the interpreter calls the class again), and what the call reads afterwards of other objects is still
known. What `__init__` reads back of the instance is what it
stored (`TraceRecorder.slot_values`). The recorder's own model of the instance while it records `__init__`
(before the interpreter ran it) is a blank instance it made of the class (`new_instance`'s semantics), never
seen by the program; at the next instruction of the loop's frame the value is bound to the real instance the
interpreter made (`TraceRecorder.bind_fresh`).

May import: tracejit.ir, tracejit.cpython.layout, tracejit.recorder.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import types

from tracejit.cpython.instances import HEAPTYPE, generic_setattr, has_values, instance_values, member_offset
from tracejit.cpython.layout import generic_getattr, inherits_object_new, type_version
from tracejit.ir import Const, Kind, const_int, const_ref

from . import attributes, inline
from .attributes import _MISSING, _class_dict_lookup, _data_descriptor, fresh_key
from .dicts import as_object
from .frame import RecordAbort

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracejit.ir import Snapshot

    from .recorder import FrameView, TraceRecorder

ABSTRACT = 1 << 20                  # Py_TPFLAGS_IS_ABSTRACT: object's tp_new refuses to make an instance


def refusal(cls: type) -> str | None:
    """Why `cls(...)` is not inlined (the generic path calls the class), or None."""
    if type(cls) is not type or not cls.__flags__ & HEAPTYPE:
        return "a call of a class with a metaclass or of a builtin type"
    if cls.__flags__ & ABSTRACT:
        return "a call of an abstract class"
    if not inherits_object_new(cls):
        return "a call of a class with __new__"
    if not (generic_getattr(cls) and generic_setattr(cls)) or \
            _class_dict_lookup(cls, "__getattr__") is not _MISSING:
        return "a call of a class with __getattribute__, __getattr__ or __setattr__"
    if _class_dict_lookup(cls, "__del__") is not _MISSING:
        return "a call of a class with __del__"
    if type(_class_dict_lookup(cls, "__init__")) is not types.FunctionType:
        return "a call of a class whose __init__ is not a Python function"
    return None


def call(rec: TraceRecorder, callee, args: list, kw_names: tuple, snap: Snapshot, pc: int, view: FrameView):
    """`cls(*args)` for the class `callee` holds, inlined (see the module docstring); returns the new instance, or
    None where this does not apply (the caller takes the generic path)."""
    cls = rec.conc(callee)
    if refusal(cls) is not None:
        return None
    init = _class_dict_lookup(cls, "__init__")
    if inline.refusal(rec, init, view) is not None or init.__code__.co_freevars:
        return None
    tag = type_version(cls)
    if not tag:
        return None
    if not isinstance(callee, Const):
        # a variable (a global the trace does not pin): a type, then by its version tag (which no other class ever
        # has) this class as it was recorded; the trace holds no reference to the class
        rec.emit("guard_class", [callee, const_ref(type)], snap, pc)
    attributes.note_class(rec, tag, cls)
    rec.emit("guard_version", [callee, const_int(tag)], snap, pc)
    obj = rec.emit("new_instance", [callee], snap, pc)
    rec.fresh.add(id(obj))
    rec.known_class[id(obj)] = cls
    # exits inside __init__ restart the call (no exact frame chain: the interpreter would not resume __init__ as
    # a frame returning the instance)
    result = inline.call(rec, Const(init, Kind.REF), init, [obj] + args, kw_names, snap, None, pc, view)
    if not (isinstance(result, Const) and result.value is None):
        raise RecordAbort("an __init__ that may return something else than None")
    rec.pending_fresh.append(obj)
    return obj


def store(rec: TraceRecorder, owner, name: str, value, snap: Snapshot, pc: int) -> bool:
    """owner.name = value where owner is a fresh instance (made by new_instance in this inlined call): True when
    recorded as fresh_setattr; False where a descriptor of the class's (a property...) would take the store (the
    caller then takes its other paths)."""
    cls = rec.known_class.get(id(owner))
    if cls is None or not isinstance(name, str):
        return False
    if _data_descriptor(cls, name) and member_offset(cls, name, writable=True) is None:
        return False                    # a property, a __slots__ member of another class...
    if cls.__dictoffset__ == 0 and member_offset(cls, name, writable=True) is None:
        return False                    # no __dict__ and no such member: the interpreter raises AttributeError
    key = fresh_key(rec, owner, name)
    stored = as_object(rec, value, snap, pc)
    first = key not in rec.slot_values
    offset = member_offset(cls, name, writable=True) if first else None
    index = _shared_index(cls, name) if first and offset is None else None
    if offset is not None:              # a __slots__ member, empty in a new object
        rec.emit("member_init", [owner, stored, const_int(offset), const_ref(name)], snap, pc)
    elif index is not None:             # a name of the class's shared keys: its slot of the values array
        rec.emit("instance_init", [owner, stored, const_int(index), const_int(cls.__basicsize__), const_ref(name)],
                 snap, pc)
    else:
        rec.emit("fresh_setattr", [owner, stored, const_ref(name)], snap, pc)
    rec.slot_values[key] = value
    return True


def _shared_index(cls: type, name: str) -> int | None:
    """The slot of `name` in the values array of cls's instances (its index in the class's shared keys, which
    only grow), or None: not there yet, or the version keeps no values array (the C store then)."""
    v = instance_values()
    return v.index_of(cls, name) if v is not None and has_values(cls) else None
