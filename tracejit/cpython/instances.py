"""Where an instance of a Python class keeps its attributes: CPython's maps, per version, checked at first use.

An instance of an ordinary class keeps its attributes in a values array; the names live once, in its class's
shared keys (PyHeapTypeObject.ht_cached_keys, a split PyDictKeysObject): the map from a name to its index.
Shared keys only grow (a deleted attribute leaves its slot NULL), so a name's index is fixed for the class's life,
and the class's version tag (guarded by the trace) fixes the class itself. Where the array is:

- 3.11: a pointer at obj - 32 (`_PyObject_ValuesPointer`), NULL once the instance has a real dict;
- 3.12: the word at obj - 24 (`_PyDictOrValues`): the array's address - 1 (odd) while it is in use, else a dict;
- 3.13: inline after the object's fixed part (obj + tp_basicsize), behind an 8-byte header whose byte 3 says
  whether it is `valid` (a dict made from the instance shares the array and keeps it valid).

CPython's own LOAD_ATTR_INSTANCE_VALUE is the same read: the type-version guard, the array-in-use check and the
indexed load, NULL meaning "not here" (Python/bytecodes.c). `instance_values()` gives the running version's
InstanceValues once its self-check passed (None: attributes are read the slower, general way).

May import: tracejit.cpython.layout, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import types

from .layout import LAYOUTS, NULL_SLOT, TYPE_GETATTRO, VERSION, _rd, _rdp, dict_keys_kind, memory_words, ref_at, \
    type_version

DICT_KEYS_GENERAL = 0                # a dict's keys kind (dk_kind) that may hold keys other than exact strs

DICT_KEYS_SPLIT = 2                 # PyDictKeysObject.dk_kind of shared keys
KEYS_KIND, KEYS_LOG2_INDEX_BYTES, KEYS_NENTRIES, KEYS_INDICES = 10, 9, 24, 32     # PyDictKeysObject's fields
UNICODE_ENTRY = 16                  # PyDictUnicodeEntry: me_key, me_value
HEAPTYPE = 1 << 9                   # Py_TPFLAGS_HEAPTYPE: a class made by a class statement or type()
ORDER_SIZE_BEFORE = 2               # 3.11/3.12: the insertion order's count, bytes before the values array
ORDER_CAPACITY_INLINE, ORDER_SIZE_INLINE = 0, 1     # 3.13: the inline header's capacity and count bytes
TYPE_SETATTRO = TYPE_GETATTRO + 8   # PyTypeObject.tp_setattro


class InstanceValues:
    """Where one CPython version keeps an instance's values array (see the module docstring). `kind`: "pointer"
    (3.11), "tagged" (3.12) or "inline" (3.13); `word`: the offset of the pointer / tagged word from the object
    (pointer, tagged); `valid`, `items`: the offsets of the valid byte and of the first value from the array's
    start (inline, which starts at tp_basicsize); `flag`: the tp_flags bit of types whose instances have one
    (Py_TPFLAGS_MANAGED_DICT on 3.11/3.12, Py_TPFLAGS_INLINE_VALUES on 3.13); `dict_word`: the offset of the
    instance's dict pointer (NULL until the instance has a dict; tagged: the same word as the values', even when it
    holds a dict; inline: a dict made may share the array, and stores must then go through it)."""
    __slots__ = ("kind", "word", "valid", "items", "flag", "dict_word", "keys_offset")
    keys_nentries = KEYS_NENTRIES       # (the same on every version: PyDictKeysObject.dk_nentries)
    order_size_before = ORDER_SIZE_BEFORE   # the insertion order (insertion_order): 3.11/3.12's count byte
    order_capacity, order_size = ORDER_CAPACITY_INLINE, ORDER_SIZE_INLINE  # 3.13's header bytes

    def __init__(self, kind: str, word: int, valid: int, items: int, flag: int, dict_word: int = 0,
                 keys_offset: int = -1) -> None:
        self.kind, self.word, self.valid, self.items, self.flag = kind, word, valid, items, flag
        self.dict_word = dict_word
        # PyHeapTypeObject.ht_cached_keys: found next to ht_qualname by the self-check (_find_keys_offset)
        self.keys_offset = keys_offset

    def values_address(self, obj) -> int:
        """The address of obj's first value, 0 where its attributes are not in the array now."""
        if self.kind == "pointer":
            return _rdp(id(obj) + self.word)
        if self.kind == "tagged":
            w = _rdp(id(obj) + self.word)
            return w + 1 if w & 1 else 0
        start = id(obj) + type(obj).__basicsize__
        return start + self.items if ctypes.c_uint8.from_address(start + self.valid).value else 0

    def materialized_dict(self, obj) -> dict | None:
        """The dict obj keeps its attributes in now (None: none made yet, or 3.11/3.12: the values array in use
        instead)."""
        w = _rdp(id(obj) + self.dict_word)
        if not w or (self.kind == "tagged" and w & 1):
            return None
        # (read again and referenced at once, ref_at: a finalizer may have replaced the dict meanwhile; a word that
        # held a dict never goes back to tagging a values array)
        d = ref_at(id(obj) + self.dict_word)
        return None if d is NULL_SLOT else d

    def insertion_order(self, obj) -> list[int]:
        """The slots of obj's values array in the order its attributes were set (what the dict made from them
        lists first): 3.11/3.12 keep the count in the byte 2 before the array and the k-th slot in the byte
        2 + k before it; 3.13 keeps the count in the header's byte 1 and the slots in a byte array after the
        values (at the header's capacity, byte 0)."""
        base = self.values_address(obj)
        if not base:
            raise LookupError("the values array is not in use")
        if self.kind == "inline":
            start = base - self.items
            size = ctypes.c_uint8.from_address(start + ORDER_SIZE_INLINE).value
            order = base + 8 * ctypes.c_uint8.from_address(start + ORDER_CAPACITY_INLINE).value
            return [ctypes.c_uint8.from_address(order + k).value for k in range(size)]
        size = ctypes.c_uint8.from_address(base - ORDER_SIZE_BEFORE).value
        return [ctypes.c_uint8.from_address(base - ORDER_SIZE_BEFORE - k).value for k in range(1, size + 1)]

    def shared_keys(self, t: type) -> int:
        """The address of t's shared keys (0: none; t must be a heap type whose instances have the array)."""
        keys = _rdp(id(t) + self.keys_offset)
        return keys if keys and ctypes.c_uint8.from_address(keys + KEYS_KIND).value == DICT_KEYS_SPLIT else 0

    def index_of(self, t: type, name: str) -> int | None:
        """The index of `name` in t's shared keys (the slot of the instances' values), None if not there."""
        keys = self.shared_keys(t)
        if not keys:
            return None
        entries = keys + KEYS_INDICES + (1 << ctypes.c_uint8.from_address(keys + KEYS_LOG2_INDEX_BYTES).value)
        n = _rd(keys + KEYS_NENTRIES)
        if not entries & 7:
            # the key objects' words read as one indexing each (memory_words), not a ctypes object each: an
            # attribute name the interpreter looks up (co_names: interned) is the key object itself, and keys
            # are unique, so an identical one is the one (a recording's attribute reads: 11 -> 2 us each)
            words, at, step, target = memory_words(), (entries >> 3) - 1, UNICODE_ENTRY >> 3, id(name)
            for k in range(n):
                if words[at + step * k] == target:
                    return k
        for k in range(n):
            key = _rdp(entries + UNICODE_ENTRY * k)
            if key == id(name) or (key and ctypes.cast(key, ctypes.py_object).value == name):
                return k
        return None


VALUES_LAYOUTS: dict[tuple[int, int], InstanceValues] = {
    (3, 11): InstanceValues("pointer", -32, 0, 0, 1 << 4, -24),
    (3, 12): InstanceValues("tagged", -24, 0, 0, 1 << 4, -24),
    (3, 13): InstanceValues("inline", 0, 3, 8, 1 << 2, -24),
}
_checked: list = []         # [InstanceValues or None], once the self-check ran


def has_values(t: type) -> bool:
    """Instances of t may keep their attributes in a values array (a heap type with the version's flag)."""
    v = VALUES_LAYOUTS.get(VERSION)
    return v is not None and t.__flags__ & (v.flag | HEAPTYPE) == v.flag | HEAPTYPE


MEMBER_DESCR_MEMBER = 40            # PyMemberDescrObject.d_member: its PyMemberDef
MEMBER_TYPE, MEMBER_OFFSET, MEMBER_FLAGS = 8, 16, 24    # PyMemberDef's type, offset and flags
T_OBJECT_EX = 16                    # a __slots__ member: an object pointer, NULL while unset
READONLY = 1


def member_offset(t: type, name: str, writable: bool = False) -> int | None:
    """Where instances of t keep their __slots__ member `name` (an offset into the object, the same on every
    supported version), or None: the name's descriptor in t's MRO is not a slot of a Python class (or is
    read-only, with `writable`). The class's version tag, guarded by the trace, keeps the descriptor."""
    return None if _checked_members() is not None else _member_offset(t, name, writable)


def _member_offset(t: type, name: str, writable: bool = False) -> int | None:
    found = next((k.__dict__[name] for k in t.__mro__ if name in k.__dict__), None)
    if type(found) is not types.MemberDescriptorType or not found.__objclass__.__flags__ & HEAPTYPE:
        return None
    member = _rdp(id(found) + MEMBER_DESCR_MEMBER)
    if not member or ctypes.c_int.from_address(member + MEMBER_TYPE).value != T_OBJECT_EX:
        return None
    if writable and ctypes.c_int.from_address(member + MEMBER_FLAGS).value & READONLY:
        return None
    offset = ctypes.c_ssize_t.from_address(member + MEMBER_OFFSET).value
    return offset if 16 <= offset < t.__basicsize__ else None


PROPERTY_GET = 16                   # propertyobject.prop_get: a property's getter (property.__init__ may replace it)
_property_checked: list = []


def property_getter_offset() -> int | None:
    """Where a property object keeps its getter (the same on every supported version), checked on a probe
    property the first time; None if the check fails."""
    if not _property_checked:
        def probe(self):
            return None
        p = property(probe)
        ok = _rdp(id(p) + PROPERTY_GET) == id(probe)
        p.__init__(len)
        ok = ok and _rdp(id(p) + PROPERTY_GET) == id(len)
        _property_checked.append(PROPERTY_GET if ok else None)
    return _property_checked[0]


def read_member(obj, offset: int):
    """The object in obj's slot at `offset`; LookupError while it is unset (the meaning of `member_attr`)."""
    value = ref_at(id(obj) + offset)
    if value is NULL_SLOT:
        raise LookupError("slot unset")
    return value


_members_checked: list = []


def _checked_members() -> str | None:
    """The member layout read on a probe class with __slots__ (None: it agrees with Python's reads)."""
    if not _members_checked:
        class Slotted:
            __slots__ = ("a", "b", "c")
        o = Slotted()
        o.a, o.b = object(), "".join(["b", "b"])
        try:
            offsets = [_member_offset(Slotted, n) for n in "abc"]
            ok = len(set(offsets)) == 3 and None not in offsets and read_member(o, offsets[0]) is o.a \
                and read_member(o, offsets[1]) is o.b and not _rdp(id(o) + offsets[2])
        except Exception:
            ok = False
        _members_checked.append(None if ok else "slot member layout mismatch")
    return _members_checked[0]


def generic_setattr(t: type) -> bool:
    """Instances of `t` set their attributes the usual way (tp_setattro is object's: no __setattr__ of its own)."""
    return _rdp(id(t) + TYPE_SETATTRO) == _rdp(id(object) + TYPE_SETATTRO)


def storable_slot(obj, name: str) -> int | None:
    """The slot of obj's values array a store of `name` may write in place (CPython's STORE_ATTR_INSTANCE_VALUE):
    the attribute is there now, and (3.13) the instance has no dict that shares the array (a store must then
    go through the dict), else None."""
    v = instance_values()
    if v is None or not generic_setattr(type(obj)):
        return None
    slot = _slot(v, obj, name)
    if slot is not None and v.kind == "inline" and _rdp(id(obj) + v.dict_word):
        return None
    return slot


def keys_size(t: type) -> int | None:
    """The number of names in t's shared keys (they only grow: while it is unchanged, a name not among them is
    no instance's own attribute, unless the instance keeps a real dict), None without shared keys."""
    v = instance_values()
    keys = v.shared_keys(t) if v is not None and has_values(t) else 0
    return _rd(keys + KEYS_NENTRIES) if keys else None


def no_own_attribute(obj, size: int) -> bool:
    """obj's attributes are all in its values array, and its class's shared keys still hold `size` names (the
    meaning of guard_no_own_attr)."""
    v = instance_values()
    return v is not None and bool(v.values_address(obj)) and keys_size(type(obj)) == size


def instance_values() -> InstanceValues | None:
    """The running version's InstanceValues, checked on live objects the first time (None if a check fails)."""
    if not _checked:
        v = VALUES_LAYOUTS.get(VERSION)
        _checked.append(v if v is not None and _self_check(v) is None else None)
    return _checked[0]


def attribute_slot(obj, name: str) -> int | None:
    """The slot of obj's values array that holds its attribute `name` now (so that reading the slot while obj's
    class keeps its version tag gives what the instance itself has for `name`), or None."""
    v = instance_values()
    return None if v is None else _slot(v, obj, name)


def _slot(v: InstanceValues, obj, name: str) -> int | None:
    t = type(obj)
    if not has_values(t):
        return None
    index = v.index_of(t, name)
    base = v.values_address(obj)
    if index is None or not base:
        return None
    return index if _rdp(base + 8 * index) else None


def instance_dict(obj) -> dict | None:
    """The dict an instance of a class whose instances have a values array keeps its attributes in now, or None
    (none made yet; 3.11/3.12: the values array in use instead). The meaning of the `dict_attr` op's load."""
    v = instance_values()
    return None if v is None or not has_values(type(obj)) else v.materialized_dict(obj)


MANAGED_DICT = 1 << 4               # Py_TPFLAGS_MANAGED_DICT (3.11-3.13): the instance's dict pointer at dict_word


def own_attribute_among(obj, names: tuple) -> bool:
    """Whether obj may have an attribute of its own by one of `names`, as the `guard_no_own_attrs` op decides:
    True where its values array is in use (3.11/3.12: its keys are its class's shared ones) or its dict has one of
    the names or keys of the general kind (which may hold others than exact strs); False where it has no dict or a
    dict of str keys without them. For
    instances of classes with a managed dict and, on 3.13, without inline values (the recorder emits the op for no
    other: the class's version guard before it fixes the class, so the machine code does not look at it)."""
    v = instance_values()
    t = type(obj)
    if v is None or not t.__flags__ & MANAGED_DICT or (v.kind == "inline" and t.__flags__ & v.flag):
        return True
    if v.kind != "inline" and v.values_address(obj):
        return True
    d = v.materialized_dict(obj)
    if d is None:
        return False
    L = LAYOUTS.get(VERSION)
    if L is None or dict_keys_kind(d, L) == DICT_KEYS_GENERAL:
        return True         # (keys other than exact strs, as the machine code sees them: it exits there too)
    # exact strs only: the dict's own lookup (not a method of a dict subclass's, which `obj.__dict__ = D()` allows)
    return any(dict.__contains__(d, n) for n in names)


WRAPPED_CALLABLE = 16               # staticmethod's sm_callable, classmethod's cm_callable (after PyObject_HEAD)
_wrapper_checked: list = []


def wrapped_callable_offset() -> int | None:
    """Where a staticmethod or classmethod object keeps the function it wraps (its `__init__` can replace it
    without any type's version changing), checked on live objects the first time; None if the check fails."""
    if not _wrapper_checked:
        def probe():
            return None
        ok = all(_rdp(id(w) + WRAPPED_CALLABLE) == id(probe) for w in (staticmethod(probe), classmethod(probe)))
        _wrapper_checked.append(WRAPPED_CALLABLE if ok else None)
    return _wrapper_checked[0]


def read_slot(obj, index: int):
    """The object in slot `index` of obj's values array; LookupError where the array is not in use or the slot is
    empty (the meaning of the `instance_attr` op)."""
    v = instance_values()
    if v is None:
        raise LookupError("instance values unknown")
    return _read(v, obj, index)


def _read(v: InstanceValues, obj, index: int):
    base = v.values_address(obj)
    value = ref_at(base + 8 * index) if base else NULL_SLOT
    if value is NULL_SLOT:
        raise LookupError("attribute not in the instance's values")
    return value


def _find_keys_offset(t: type) -> int:
    """PyHeapTypeObject.ht_cached_keys: the word after ht_qualname (ht_name, ht_slots, ht_qualname,
    ht_cached_keys on 3.11-3.13), found by the qualname's address in the type object."""
    for k in range(40, 160):
        if _rdp(id(t) + 8 * k) == id(t.__qualname__) and _rdp(id(t) + 8 * (k - 2)) == id(t.__name__):
            return 8 * (k + 1)
    return -1


def _self_check(v: InstanceValues) -> str | None:
    """The layout's reads agree with Python's on a probe class: every attribute at its shared keys' index, a
    deleted one NULL, and an instance whose attributes moved to a dict either reads as not in the array or
    reads what the dict holds."""
    class Probe:
        class Inner:
            def __init__(self, a, b, c):
                self.a, self.b, self.c = a, b, c
    t = Probe.Inner
    offset = _find_keys_offset(t)
    if offset < 0:
        return "ht_cached_keys not found"
    v.keys_offset = offset
    if not has_values(t) or type_version(t) == 0:
        return "probe class has no values array"
    objs = [t(object(), [k], str(k) * 3) for k in range(3)]
    for o in objs:
        for name in "abc":
            if _slot(v, o, name) != "abc".index(name) or _read(v, o, "abc".index(name)) is not getattr(o, name):
                return f"values layout mismatch for {name}"
    del objs[0].b
    if _slot(v, objs[0], "b") is not None or _slot(v, objs[0], "c") != 2:
        return "deleted attribute still read"
    d = objs[1].__dict__                # the attributes move to (or are shared with) a real dict
    d["a"] = "changed"
    slot = _slot(v, objs[1], "a")
    if slot is not None and _read(v, objs[1], slot) != "changed":
        return "values array read after the instance got a dict"
    if v.index_of(t, "nope") is not None:
        return "shared keys lookup found a missing name"
    hooked = type("Hooked", (), {"__setattr__": lambda self, name, value: None})
    if not generic_setattr(t) or generic_setattr(hooked):
        return "tp_setattro offset mismatch"
    if v.materialized_dict(objs[2]) is not None or v.materialized_dict(objs[1]) is not d:
        return "managed dict offset mismatch"
    fresh = object.__new__(t)           # what instance_init writes: the values, then the insertion order
    if not v.values_address(fresh) or v.insertion_order(fresh) != []:
        return "a new instance's values array not in use or not empty"
    fresh.c = 1
    fresh.a = 2
    if v.insertion_order(fresh) != [2, 0] or list(vars(fresh)) != ["c", "a"]:
        return "insertion order layout mismatch"
    return None
