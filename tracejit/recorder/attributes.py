"""Attribute reads of instances whose lookup runs no Python code: `obj.name` where obj's type gets attributes the
usual way (no __getattribute__ or __getattr__ of its own) and the name, if its MRO has it, is a plain class
attribute or a descriptor implemented in C (a function, a slot, a classmethod...): not a property, nor any
other descriptor whose __get__ is Python's. Then PyObject_GetAttr (the interpreter's own lookup: the instance's
dict, then the class) runs no Python code, and the trace calls it directly (`getattr_plain`) instead of taking
the generic path (a call that may run Python code, with the frame written back around it).

What makes it hold in machine code: the type's version tag, guarded before the read (`guard_version` of
`type_of(obj)`: a tag names one class in one state, and any change to the class or its bases clears it); the
instance's own dict may change freely (the lookup reads it every time). A missing attribute exits before the
instruction, and the interpreter raises the AttributeError. (Not covered: an instance dict holding a key of
another type whose hash equals the name's, whose __eq__ the lookup would call.)

May import: tracejit.ir, tracejit.cpython.layout, tracejit.recorder.*, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys
import types

from tracejit.cpython.instances import (HEAPTYPE, attribute_slot, generic_setattr, instance_dict,
                                        instance_values, own_attribute_among,
                                        keys_size, member_offset, read_member, read_slot, storable_slot,
                                        wrapped_callable_offset)
from tracejit.cpython.layout import generic_getattr, type_version
from tracejit.ir import OPS, Const, Kind, Var, const_int, const_ref
from tracejit.ir.ops import GRAVEYARD, HELD, SHARED

from .dicts import RELEASABLE, as_object
from .frame import constant

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracejit.ir import Snapshot

    from .recorder import TraceRecorder

R = Kind.REF
# descriptors whose __get__ is C code: what a class's function, slot, classmethod... gives an instance
C_DESCRIPTORS = frozenset({types.FunctionType, staticmethod, types.MemberDescriptorType,
                           types.GetSetDescriptorType, types.MethodDescriptorType, types.WrapperDescriptorType,
                           types.BuiltinFunctionType, types.ClassMethodDescriptorType})
# (a classmethod too, of a plain function: on 3.12 one wrapping another descriptor calls that one's __get__)
_MISSING = object()


def _class_dict_lookup(t: type, name: str):
    """What t's MRO has for name (the class dicts read directly: no lookup of the program's runs)."""
    for k in t.__mro__:
        d = k.__dict__
        if name in d:
            return d[name]
    return _MISSING


def class_dict_lookup(t: type, name: str):
    """What t's MRO has for name, read from the class dicts directly, or None."""
    found = _class_dict_lookup(t, name)
    return None if found is _MISSING else found


def plain_lookup(t: type, name: str) -> bool:
    """getattr(obj, name) for an instance obj of t runs no Python code."""
    if not generic_getattr(t) or issubclass(t, type):
        return False
    if _class_dict_lookup(t, "__getattr__") is not _MISSING:
        return False
    found = _class_dict_lookup(t, name)
    if found is _MISSING:
        return True
    kind = type(found)
    if _class_dict_lookup(kind, "__get__") is _MISSING:
        return True                     # a plain class attribute
    if kind is classmethod:
        return type(found.__func__) is types.FunctionType
    return kind in C_DESCRIPTORS


def guard_type_version(rec: TraceRecorder, v, tag: int, snap: Snapshot, pc: int) -> None:
    """Guard that v's type has version tag `tag` (its class, unchanged since the recording saw it)."""
    note_class(rec, tag, type(rec.conc(v)))
    rec.emit("guard_version", [rec.emit("type_of", [v], snap, pc), const_int(tag)], snap, pc)


def note_class(rec: TraceRecorder, tag: int, cls) -> None:
    """Remember which class a type version tag the trace guards belongs to (the report names its maps)."""
    if isinstance(cls, type):
        rec.class_names[tag] = cls.__qualname__


def field_key(d, obj, args: list) -> tuple:
    """Which field of which object an op with a `field` (ir.ops) reads or writes: (object id, kind, field)."""
    kind, at, _ = d.field
    return id(obj), kind, args[at].value


def fresh_key(rec: TraceRecorder, owner, name: str) -> tuple:
    """The field key (field_key) of attribute `name` of an instance the trace made (recorder.constructors), which
    fresh_setattr writes."""
    return id(rec.conc(owner)), "attr", name


def plain_value(obj, name: str):
    """obj.name where `read` would read it without running Python code (not a module's, a plain lookup, a class
    with a version tag), else _MISSING (so too where obj has no such attribute: the generic path raises it)."""
    t = type(obj)
    if t is types.ModuleType or not plain_lookup(t, name) or not type_version(t):
        return _MISSING
    try:
        return getattr(obj, name)       # (no Python code runs: plain_lookup)
    except AttributeError:
        return _MISSING


def read(rec: TraceRecorder, owner, name: str, snap: Snapshot, pc: int):
    """owner.name as getattr_plain, or None where that does not apply (the generic path reads it then)."""
    if owner.kind is not R:
        return None
    if id(owner) in rec.fresh:          # made in this inlined call: what its __init__ stored, if it did
        written = rec.written_field(fresh_key(rec, owner, name))
        if written is not None:
            return written
    obj = rec.conc(owner)
    t = type(obj)
    if plain_value(obj, name) is _MISSING:
        return None
    tag = type_version(t)
    guard_type_version(rec, owner, tag, snap, pc)
    slot = _values_slot(rec, obj, name)
    offset = member_offset(t, name) if slot is None and not rec.owned_reads else None
    if slot is not None:
        op, args = "instance_attr", [owner, const_int(slot), const_int(t.__basicsize__), const_ref(name)]
    elif offset is not None:
        op, args = "member_attr", [owner, const_int(offset), const_ref(name)]
    elif _dict_holds(rec, obj, name):
        op, args = "dict_attr", [owner, const_ref(name)]
    else:
        value = _class_value(rec, owner, obj, name, snap, pc)
        return value if value is not None else rec.emit("getattr_plain", [owner, const_ref(name)], snap, pc)
    # written earlier in this inlined call (which the interpreter has not run yet): what was written
    written = rec.written_field(field_key(OPS[op], obj, args))
    return written if written is not None else rec.emit(op, args, snap, pc)


def _class_value(rec: TraceRecorder, owner, obj, name: str, snap: Snapshot, pc: int):
    """obj.name where obj has no attribute of that name and its class has a plain value for it (no __get__ of
    its type: `self.SCALE`; CPython's LOAD_ATTR_NONDESCRIPTOR_WITH_VALUES): the class's version guarded (by the
    caller), then the check that obj has no attribute of its own by that name, as for a method
    (guard_no_own_attr; none for a class whose instances have no dict), then the value as for Cls.name
    (class_attribute: a constant, or the object at its address). None where this does not apply."""
    t = type(obj)
    found = _class_dict_lookup(t, name)
    if rec.owned_reads or found is _MISSING or _class_dict_lookup(type(found), "__get__") is not _MISSING:
        return None
    value = _immediate(found)
    if value is None and not _borrowable(found):
        return None
    guard = _no_own_attr_guard(obj, name)
    if guard is None:
        return None
    if guard:
        rec.emit("guard_no_own_attr", [owner] + guard, snap, pc)
    return value if value is not None else _class_object(rec, rec.emit("type_of", [owner], snap, pc), found, name,
                                                         snap, pc)


def _data_descriptor(t: type, name: str) -> bool:
    """t's MRO has a data descriptor for name (a property, a slot): it comes before the instance's own attribute."""
    found = _class_dict_lookup(t, name)
    return found is not _MISSING and (_class_dict_lookup(type(found), "__set__") is not _MISSING
                                      or _class_dict_lookup(type(found), "__delete__") is not _MISSING)


def _dict_holds(rec: TraceRecorder, obj, name: str) -> bool:
    """obj keeps its attributes in a real dict, whose keys are all exact strs, and name among them, where the
    lookup finds the instance's own attribute first (dict_attr; not after an "owned_reads" hint)."""
    if rec.owned_reads or _data_descriptor(type(obj), name):
        return False
    d = instance_dict(obj)
    return d is not None and all(type(k) is str for k in d) and name in d     # (str keys first: no __eq__ runs)


def _values_slot(rec: TraceRecorder, obj, name: str) -> int | None:
    """The slot of obj's values array its attribute `name` is read from (instance_attr), or None: the lookup
    finds the instance's own attribute first (no data descriptor of the class's MRO comes before it), and the
    trace may borrow what it reads (not after an earlier recording of the loop used such a read after a call
    that may run Python code: RecordAbort's "owned_reads" hint)."""
    if rec.owned_reads or _data_descriptor(type(obj), name):
        return None
    slot = attribute_slot(obj, name)
    if slot is None or read_slot(obj, slot) is not getattr(obj, name):
        return None
    return slot


def write(rec: TraceRecorder, owner, name: str, value, snap: Snapshot, pc: int) -> bool:
    """owner.name = value (True) as instance_set into the instance's values array, where the class has no data
    descriptor for the name, as member_set into a __slots__ member, or as dict_attr_set into the instance's own
    dict (of exact str keys: CPython gives an instance a real dict once its class's shared keys are full, as
    after attributes first set when many instances exist); the attribute must be set now, and the
    class must set attributes the usual way. An old value whose release nothing can observe (RELEASABLE, its type
    guarded) waits in the graveyard; any other must be held elsewhere too (`shared`: the store's check). Else
    False (the generic path stores it)."""
    if owner.kind is not R or rec.owned_reads:
        return False
    obj = rec.conc(owner)
    t = type(obj)
    if not plain_lookup(t, name) or not generic_setattr(t):
        return False
    offset = member_offset(t, name, writable=True)
    slot = storable_slot(obj, name) if offset is None and not _data_descriptor(t, name) else None
    tag = type_version(t)
    if slot is not None:
        read, store, where = "instance_attr", "instance_set", [const_int(slot), const_int(t.__basicsize__)]
        current = read_slot(obj, slot)
    elif offset is not None:
        read, store, where = "member_attr", "member_set", [const_int(offset)]
        try:
            current = read_member(obj, offset)
        except LookupError:
            return False                # unset: the interpreter sets it (a first store)
    elif _dict_holds(rec, obj, name):   # attributes in a real dict (made when the class's shared keys were full)
        read, store, where = "dict_attr", "dict_attr_set", []
        current = dict.__getitem__(instance_dict(obj), name)
    else:
        return False
    key = field_key(OPS[read], obj, [owner] + where + [const_ref(name)])
    # written before in this inlined call (which the interpreter has not run yet): the object stored then
    old = rec.stored_objects.get(key) if rec.written_field(key) is not None else None
    if old is not None:
        current = rec.conc(old)
    if not tag or (rec.written_field(key) is not None and old is None):
        return False
    # over an object of another type (whose release may run a __del__ or a weakref callback, or free what it holds,
    # which must happen at the store) the store is `shared`: it leaves the trace unless the instance's reference is
    # not the object's last (or the object is stored again), and drops it at once (the graveyard would keep the
    # object alive past the point where its other holder lets go of it)
    shared = type(current) not in RELEASABLE
    if shared and (rec.no_shared_stores or _owned_by_trace(rec, current) or (rec.bridge and len(rec.frames) > 1)):
        # the count would include the trace's own reference, released elsewhere; or, in a bridge, inside an
        # inlined call, whose exits after the store would rebuild its frame and grow no bridge (richards' tasks:
        # its scheduler loop's runs got too short and it was dropped)
        return False
    same = isinstance(value, (Var, Const)) and value.kind is R and rec.conc(value) is current    # (x.a = f(x.a))
    holders = _holders(rec, current) if shared and not same else None
    if holders:
        if holders is _UNTRACKED:
            return False
        # locals of inlined calls hold it, as the interpreter's frames would (not the machine code's count): the
        # instance's reference goes to the graveyard, which holds it for them, and each checks, where it lets go of
        # it, that the graveyard's is not the last (generic.dropped), else the interpreter lets go of it there
        rec.held_by_graveyard.update(holders)
    elif shared and not same and not _held_elsewhere(rec, current):
        return False        # its check would fail (at every iteration, most likely): the generic path stores it
    stored = as_object(rec, value, snap, pc)        # (before the read: no allocation between it and the store)
    guard_type_version(rec, owner, tag, snap, pc)
    if old is None:
        old = rec.emit(read, [owner] + where + [const_ref(name)], snap, pc)
    if holders:
        rec.held_by_graveyard.add(id(old))
        rec.emit("guard_graveyard", [], snap, pc)
    elif not shared:
        rec.emit("guard_class", [old, const_ref(type(current))], snap, pc)
        rec.emit("guard_graveyard", [], snap, pc)
    mode = HELD if holders else SHARED if shared else GRAVEYARD
    rec.emit(store, [owner, stored, old] + where + [const_ref(name), const_int(mode)], snap, pc)
    if len(rec.frames) > 1:     # inside an inlined call, later reads of the field are what was written
        rec.slot_values[key] = value
        rec.stored_objects[key] = stored
    return True


_UNTRACKED = {0}       # (_holders: a holder whose letting go the trace does not check)


def _holders(rec: TraceRecorder, obj) -> set[int]:
    """The variables the trace keeps in registers (not in the frame) that hold obj: where the interpreter's frame
    would hold a reference to it, the machine code's count lacks one (`cur = q.head; q.head = cur.next`: a
    `shared` store's check of the old head would fail at every iteration). Their ids, all locals of inlined calls
    that the trace does not own; _UNTRACKED where any other holds it (a local of the loop's frame, which may be
    carried around the loop, a global, a stack item, a value the trace owns)."""
    def holds(v) -> bool:
        return isinstance(v, (Var, Const)) and (v.value is obj if isinstance(v, Const)
                                                else rec.concrete.get(id(v)) is obj)
    # (the loop's own frame keeps its locals as state variables: rec.state)
    if any(holds(v) for v in rec.state.values()) or any(holds(v) for f in rec.frames for v in f.stack):
        return _UNTRACKED
    return {id(v) for f in rec.frames[1:] for v in (f.locals or ()) if holds(v)}


def _owned_by_trace(rec: TraceRecorder, obj) -> bool:
    """A value the trace may own (one it made, or a variable it carries around the loop) is obj."""
    return any(rec.concrete.get(vid) is obj for ids in (rec.made, rec.made_any, rec.input_ids) for vid in ids)


def _held_elsewhere(rec: TraceRecorder, obj) -> bool:
    """Something besides the attribute (and the recorder's own bookkeeping) holds a reference to obj now."""
    mine = sum(1 for v in rec.concrete.values() if v is obj)
    # (not counted: getrefcount's argument, this call's `obj` and the caller's `current`)
    return sys.getrefcount(obj) - mine - 3 > 1


def method(rec: TraceRecorder, owner, name: str, snap: Snapshot, pc: int) -> types.FunctionType | None:
    """obj.name for a call, where name is a Python function of obj's class (LOAD_ATTR_METHOD_WITH_VALUES): the
    function, with guards that the class is unchanged (its version tag) and that obj has no attribute of its own
    by that name (guard_no_own_attr; none is needed where its class gives instances no dict at all, __slots__
    without __dict__); the call gets obj as its first argument and no bound method is made. None
    where this does not apply (the generic path makes the bound method)."""
    if owner.kind is not R:
        return None
    obj = rec.conc(owner)
    t = type(obj)
    if not plain_lookup(t, name):
        return None
    func = _class_dict_lookup(t, name)
    tag = type_version(t)
    if type(func) is not types.FunctionType or not tag:
        return None
    return func if _guard_found_on_class(rec, owner, name, tag, snap, pc) else None


def inherited_method(rec: TraceRecorder, owner, name: str, base: type, methods: dict, snap: Snapshot, pc: int):
    """obj.name for a call, where obj's class is a Python subclass of the builtin type `base` and its lookup of
    name finds base's own method object `methods[name]` (deltablue's `class OrderedCollection(list)` calling
    `append`): that method object, with the guards `method` makes (the class's version tag; no attribute of
    obj's own by that name), so the call's rule for base's method applies (its C function runs on obj's base
    part) and no bound method is made. None where this does not apply."""
    if owner.kind is not R:
        return None
    obj = rec.conc(owner)
    t = type(obj)
    wanted = methods.get(name)
    if wanted is None or t is base or not t.__flags__ & HEAPTYPE or not any(k is base for k in t.__mro__) or \
            not plain_lookup(t, name) or _class_dict_lookup(t, name) is not wanted:
        return None
    tag = type_version(t)
    return wanted if tag and _guard_found_on_class(rec, owner, name, tag, snap, pc) else None


def _guard_found_on_class(rec: TraceRecorder, owner, name: str, tag: int, snap: Snapshot, pc: int) -> bool:
    """Guards that obj.name still finds what its class (version `tag`) has: the class's version, and that obj
    has no attribute of its own by that name: none where its class gives instances no dict, guard_no_own_attr
    where its attributes are in a values array, guard_no_own_attrs (the name looked up in its dict, if one was
    made) where a managed dict has no values array (a list subclass's instances). False, nothing emitted, where
    none of these applies or obj has such an attribute."""
    obj = rec.conc(owner)
    guard = _no_own_attr_guard(obj, name)
    if guard is None and own_attribute_among(obj, (name,)):      # (True too where no managed dict answers)
        return False
    guard_type_version(rec, owner, tag, snap, pc)
    if guard is None:
        rec.emit("guard_no_own_attrs", [owner, Const((name,), R)], snap, pc)
    elif guard:
        rec.emit("guard_no_own_attr", [owner] + guard, snap, pc)
    return True


def _no_own_attr_guard(obj, name: str) -> list | None:
    """What makes sure, while obj's class keeps its version, that obj has no attribute of its own named `name`:
    [] where its class gives instances no dict at all (__slots__ without __dict__: the class alone answers);
    guard_no_own_attr's constant arguments where its attributes are in its values array and its class's shared
    keys do not hold the name (they only grow); None where neither holds (an instance dict, or a name some
    instance has)."""
    t = type(obj)
    if t.__dictoffset__ == 0 and t.__flags__ & HEAPTYPE:
        return []
    v = instance_values()
    size = keys_size(t)
    if v is None or size is None or v.index_of(t, name) is not None or not v.values_address(obj):
        return None
    return [const_int(size), const_int(t.__basicsize__)]


def class_attribute(rec: TraceRecorder, owner, name: str, method: bool, snap: Snapshot, pc: int):
    """cls.name of a class (`owner` holds a class whose metaclass is exactly `type`, which no `__class__`
    assignment can change), where the lookup finds name in the class dicts of cls's MRO and `type` has no
    attribute of that name (type_getattro then runs no Python code and returns what it found, or its
    __get__(None, cls) for a function, a staticmethod or a classmethod). The class's version tag is guarded:
    a tag names one class in one state, so the guard fixes which class it is and what its dicts hold, and the
    trace keeps no reference to the class. Returns (value, self) or None where this does not apply:
    - a plain function, or a staticmethod's function: (the function as a constant, None); a classmethod's,
      for a call (`method`): (the function, owner): called with the class as its first argument, as its bound
      method would (none is made);
    - a small int, None, True or False: (a constant, None);
    - any other object whose type has no __get__: (class_attr, None), the object borrowed at its address (the
      trace keeps no reference; reads after a call that may run Python code are the generic path's, see
      RecordAbort's "owned_reads"); where its class is a Python class, that class's version is guarded too (a
      __get__ added to it later would be called)."""
    if owner.kind is not R or rec.owned_reads:
        return None
    cls = rec.conc(owner)
    if type(cls) is not type or not cls.__flags__ & HEAPTYPE or _class_dict_lookup(type, name) is not _MISSING:
        return None
    found = _class_dict_lookup(cls, name)
    tag = type_version(cls)
    if found is _MISSING or not tag:
        return None
    kind = type(found)
    value = self_arg = None
    wrapped = kind in (staticmethod, classmethod) and type(found.__func__) is types.FunctionType
    if kind is types.FunctionType:
        value = const_ref(found)
    elif wrapped and wrapped_callable_offset() is not None and (method or kind is staticmethod):
        # (a classmethod not called at once is a bound method the program keeps: the generic path makes it)
        value = const_ref(found.__func__)
        if kind is classmethod:
            self_arg = owner
    elif _class_dict_lookup(kind, "__get__") is not _MISSING:
        return None
    else:
        value = _immediate(found)
        if value is None and not _borrowable(found):
            return None
    rec.emit("guard_class", [owner, const_ref(type)], snap, pc)
    note_class(rec, tag, cls)
    rec.emit("guard_version", [owner, const_int(tag)], snap, pc)
    if wrapped:
        # the wrapper's __init__ can replace its function without the class's version changing: read the
        # function it holds now (the wrapper at its address, read at once) and guard that it is this one
        w = _class_object(rec, owner, found, name, snap, pc)
        f = rec.emit("member_attr", [w, const_int(wrapped_callable_offset()), const_ref("__func__")], snap, pc)
        rec.emit("guard_true", [rec.emit("ref_eq", [f, value], snap, pc)], snap, pc)
    if value is None:
        value = _class_object(rec, owner, found, name, snap, pc)
    return value, self_arg


def _immediate(found) -> Const | None:
    """The constant a class attribute holding a small int (CPython's cached objects), None, True or False
    becomes, or None for any other object."""
    t = type(found)
    return constant(found) if found is None or t is bool or (t is int and -5 <= found <= 256) else None


def _borrowable(found) -> bool:
    """A class attribute's object may be read at its address (class_attr, borrowed: no Python code runs in machine
    code between calls that may run it; on 3.11, where allocations collect, the machine code holds collections off
    around its own): where the version of its class, if a Python class's, can be guarded."""
    kind = type(found)
    return not (kind.__flags__ & HEAPTYPE and not type_version(kind))


def _class_object(rec: TraceRecorder, cls, found, name: str, snap: Snapshot, pc: int):
    """class_attr: the object `found` that the class `cls` (a value, its version guarded before) holds as `name`,
    at its address; a Python class's instance also gets its own class's version guarded (a __get__ added to it
    later would be called)."""
    value = rec.emit("class_attr", [cls, const_int(id(found)), const_ref(name)], snap, pc)
    if type(found).__flags__ & HEAPTYPE:
        guard_type_version(rec, value, type_version(type(found)), snap, pc)
    return value


def fixed_truth(rec: TraceRecorder, v, snap: Snapshot, pc: int):
    """bool(v) where v's type alone decides it: None (false), or an instance of a Python class that defines neither
    __bool__ nor __len__ (true, as object's default): a Const, behind a guard on the type (its class's version
    tag: a __bool__ added later fails it). None where the type does not decide."""
    obj = rec.conc(v)
    t = type(obj)
    if obj is None:
        rec.emit("guard_class", [v, const_ref(type(None))], snap, pc)
        return Const(False, Kind.BOOL)
    if not t.__flags__ & HEAPTYPE or issubclass(t, type) or any(
            _class_dict_lookup(t, name) is not _MISSING for name in ("__bool__", "__len__")):
        return None
    # (a heap type's nb_bool / mp_length / sq_length come from those names only, its bases' included)
    tag = type_version(t)
    if not tag:
        return None
    guard_type_version(rec, v, tag, snap, pc)
    return Const(True, Kind.BOOL)
