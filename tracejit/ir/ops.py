"""The table of trace IR operations: one entry per op (the model is LuaJIT's IRDEF in lj_ir.h) with its arity,
argument/result kinds, exact semantics and the properties later stages ask of it, read from OPS[name]: what
the optimizer may fold, reuse or drop and the op's algebraic identities (tracejit.optimizer); whether its
machine code calls out to C, whether a comparison fuses into the guard after it, which arguments its exit
recomputes after an overflow (tracejit.backend); the reason its exit gives in stats and the report
(tracejit.runtime.compiling).

Every op's `evaluate` function defines its meaning on Python values (int64 as Python int, double as Python
float, bool as Python bool, a REF as the Python object itself). It is the single definition used by constant folding, by the reference
interpreter (tracejit.ir.interp) and by the backend tests that check machine code against it.
A guard-like op signals failure by raising GuardFailed; the machine code then leaves the trace through the
op's snapshot and the interpreter re-executes the bytecode instruction (raising the Python exception if any).

May import: tracejit.plaindata and the standard library only (and, where an op's meaning is a raw read of CPython's
objects, the cpython layer's function for it, imported when used).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import math
import operator
from tracejit.plaindata import dataclass

TYPE_CHECKING = False           # typing is not imported at run time (annotations are strings)
if TYPE_CHECKING:
    from typing import Callable


class Kind:
    """What a value is in machine code: INT (int64 in a general-purpose register), FLOAT (an IEEE double in an
    XMM register), BOOL (0/1 in a general-purpose register), REF (a Python object: a PyObject*, a borrowed
    reference, in a general-purpose register) or VOID (no result). Five singletons, compared by identity, like
    the members of an Enum (which this was: the enum module's import cost about 3 ms each time the recorder
    was first loaded)."""

    __slots__ = ("name", "value")
    INT: Kind
    FLOAT: Kind
    BOOL: Kind
    REF: Kind
    VOID: Kind

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self.value = value

    def __repr__(self) -> str:
        return self.value

    def __str__(self) -> str:
        """The word messages use: int, float, bool, object, void (never the member's own name)."""
        return _KIND_WORDS[self.value]

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self):
        return getattr, (Kind, self.name)       # (a copy, a deep copy or an unpickled one is the member itself)


Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF, Kind.VOID = (
    Kind(name, value) for name, value in (("INT", "i"), ("FLOAT", "f"), ("BOOL", "b"), ("REF", "r"), ("VOID", "v")))


_KIND_WORDS = {"i": "int", "f": "float", "b": "bool", "r": "object", "v": "void"}


class GuardFailed(Exception):
    """Raised by an op's evaluate function when the op's guard condition fails."""


INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
EXACT_FLOAT_INT = 1 << 53          # every int with |i| <= 2**53 is exactly a double


def _ovf(r: int) -> int:
    if r < INT64_MIN or r > INT64_MAX:
        raise GuardFailed("overflow")
    return r


def _wrap(r: int) -> int:
    return ((r + (1 << 63)) % (1 << 64)) - (1 << 63)


def _floordiv(a: int, b: int) -> int:
    if b == 0 or (a == INT64_MIN and b == -1):
        raise GuardFailed("zero division or overflow")
    return a // b


def _mod(a: int, b: int) -> int:
    if b == 0 or (a == INT64_MIN and b == -1):
        raise GuardFailed("zero division or overflow")
    return a % b


def _lshift(a: int, b: int) -> int:
    if b < 0 or b >= 64:
        raise GuardFailed("shift count")
    return _ovf(a << b)


def _rshift(a: int, b: int) -> int:
    if b < 0:
        raise GuardFailed("negative shift count")
    return a >> min(b, 63)


def _int_truediv(a: int, b: int) -> float:
    if b == 0 or abs(a) > EXACT_FLOAT_INT or abs(b) > EXACT_FLOAT_INT:
        raise GuardFailed("zero division or inexact operand")
    return float(a) / float(b)


def _int_to_float_exact(a: int) -> float:
    if abs(a) > EXACT_FLOAT_INT:
        raise GuardFailed("int not exactly representable")
    return float(a)


def _float_div(a: float, b: float) -> float:
    if b == 0.0:
        raise GuardFailed("zero division")
    return a / b


def _float_floordiv(a: float, b: float) -> float:
    if b == 0.0:
        raise GuardFailed("zero division")
    return a // b


def _float_mod(a: float, b: float) -> float:
    if b == 0.0:
        raise GuardFailed("zero division")
    return a % b


def _float_pow(a: float, b: float) -> float:
    """Python's float ** float where the result is a finite float; everything else leaves the trace."""
    try:
        r = a ** b
    except (ZeroDivisionError, OverflowError, ValueError):
        raise GuardFailed("pow error") from None
    if not isinstance(r, float) or not math.isfinite(r):
        raise GuardFailed("pow result not finite")
    return r


def _guard_true(a: bool) -> None:
    if not a:
        raise GuardFailed("guard_true")


def _guard_false(a: bool) -> None:
    if a:
        raise GuardFailed("guard_false")


def _func_defaults(f) -> tuple:
    if f.__defaults__ is None:
        raise GuardFailed("no defaults")
    return f.__defaults__


def _func_closure(f) -> tuple:
    if f.__closure__ is None:
        raise GuardFailed("no closure")
    return f.__closure__


def _new_function(code, namespace: dict, defaults, closure):
    """MAKE_FUNCTION's function, as the interpreter makes it: PyFunction_New, then its defaults and cells set (C
    calls here, where the machine code writes the fields: types.FunctionType would raise an audit event)."""
    _str_keyed(namespace)           # (the machine code's check: the lookup of __name__ runs no Python code)
    try:
        made = _function_new_c(code, namespace)
        for value, setter in ((defaults, _function_set_defaults_c), (closure, _function_set_closure_c)):
            if value is not None and setter(made, value) != 0:
                raise GuardFailed("function attribute")
    except Exception as e:          # the machine code leaves the trace with the error cleared
        raise GuardFailed(f"{type(e).__name__} making a function") from None
    return made


_function_new_c = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.py_object)(
    ("PyFunction_New", ctypes.pythonapi))
_function_set_defaults_c, _function_set_closure_c = (
    ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object, ctypes.py_object)((name, ctypes.pythonapi))
    for name in ("PyFunction_SetDefaults", "PyFunction_SetClosure"))


def _cell_contents(cell):
    try:
        return cell.cell_contents
    except ValueError:
        raise GuardFailed("empty cell") from None


def _guard_class(obj, cls) -> None:
    if type(obj) is not cls:
        raise GuardFailed("class")


def _guard_index(i: int, n: int) -> None:
    """i < n as unsigned 64-bit numbers: for a length n >= 0 that is 0 <= i < n (one comparison)."""
    if not (i & 0xFFFFFFFFFFFFFFFF) < (n & 0xFFFFFFFFFFFFFFFF):
        raise GuardFailed("index out of range")


TYPE_VERSION_TAG = 384     # PyTypeObject.tp_version_tag (the same as tracejit.cpython.layout's, which checks it)
HEAPTYPE = 1 << 9          # Py_TPFLAGS_HEAPTYPE: a class made at run time (instances' __class__ may be assigned; a
                           # static type never changes)


def type_version_tag(t: type) -> int:
    """t's tp_version_tag as it is now (0: none assigned)."""
    return ctypes.c_uint32.from_address(id(t) + TYPE_VERSION_TAG).value


def _guard_version(t: type, tag: int) -> None:
    if type_version_tag(t) != tag:
        raise GuardFailed("type version")


SMALL_INT_BOUND = 1 << 63           # ints the machine code unboxes (int_value: those of an int64 but -2**63)


def _int_value(obj) -> int:
    if not -SMALL_INT_BOUND < obj < SMALL_INT_BOUND:
        raise GuardFailed("int does not fit in 64 bits")
    return int(obj)


def _abs_ovf(a: int) -> int:
    return _ovf(abs(a))


def _complex_abs(a: float, b: float) -> float:
    """abs(complex(a, b)) where CPython computes libm's hypot(a, b): finite parts and a finite result."""
    if not (math.isfinite(a) and math.isfinite(b)):
        raise GuardFailed("complex abs of a part that is not finite")
    try:
        r = abs(complex(a, b))
    except OverflowError:
        raise GuardFailed("complex abs overflow") from None
    return r


def _list_store(lst: list, i: int, value, defer: bool = False) -> None:
    lst[i] = value


def _list_store_complex(lst: list, i: int, real: float, imag: float, defer: bool = False) -> None:
    lst[i] = complex(real, imag)


GRAVEYARD_SLOTS = 8192      # old list items whose release waits for the end of a native run (see list_setitem)
GRAVEYARD_RESERVE = 512     # ... of which guard_graveyard leaves this many to release_deferred





def _list_sum_float(lst: list) -> float:
    """sum(lst) of a list of exact ints and floats whose sum is a float."""
    if any(type(x) is not float and type(x) is not int for x in lst):
        raise GuardFailed("an item that is not an int or a float")
    r = sum(lst)
    if type(r) is not float:
        raise GuardFailed("the sum is not a float")
    return r


def _list_sum_int(lst: list) -> int:
    """sum(lst) of a list of exact ints whose sum fits in int64."""
    if any(type(x) is not int for x in lst):
        raise GuardFailed("an item that is not an int")
    return _ovf(sum(lst))


def _str_code_at(s: str, i: int) -> int:
    """ord(s[i]) of an exact str after guard_index (a string that is not compact, which only deprecated C
    APIs of 3.11 make, leaves the trace in machine code)."""
    return ord(s[i])


def _str_slice(s: str, start: int, end: int) -> str:
    if start < 0 or end < 0:
        raise GuardFailed("negative slice bound")
    return s[start:end]


def _seq_slice(a, start: int, end: int):
    if start < 0 or end < 0:
        raise GuardFailed("negative slice bound")
    return a[start:end]


def _call_c(f, *args):
    try:
        return f(*args)
    except Exception as e:          # the machine code leaves the trace with the error cleared
        raise GuardFailed(f"{type(e).__name__} in {getattr(f, '__name__', 'the call')}") from None


def _latin1_char(c: int) -> str:
    """chr(c) for 0 <= c < 256: the one-character string CPython keeps for it (`s[i]` gives the same one)."""
    if not 0 <= c < 256:
        raise GuardFailed("not a latin-1 code point")
    return chr(c)


DICT_KEYS, DICT_KEYS_KIND = 32, 10    # PyDictObject.ma_keys, PyDictKeysObject.dk_kind (layout's, which checks them)
DICT_VERSION = 24                     # PyDictObject.ma_version_tag (the layout's, which checks it)


def dict_version(d: dict) -> int:
    """The dict's version tag: it changes whenever the dict does (a global rebound, added or deleted)."""
    return ctypes.c_int64.from_address(id(d) + DICT_VERSION).value


_UNBOUND = object()


def _guard_after_call(*args) -> None:
    triples, functions = (args[:-1], args[-1]) if args else ((), ())     # (no arguments: nothing to check)
    for d, version, names in zip(triples[::3], triples[1::3], triples[2::3]):
        if dict_version(d) == version:
            continue
        if names is None:
            raise GuardFailed("globals, builtins or a module changed")
        _str_keyed(d)
        for name, expected, bound in names:
            if d.get(name, _UNBOUND) is not (expected if bound else _UNBOUND):
                raise GuardFailed(f"{name} was rebound")
    if not all(f.unchanged() for f in functions):
        raise GuardFailed("an inlined function's code or defaults changed")


class PyCallRaised(GuardFailed):
    """py_call's evaluate: the function raised `exception` (the interpreter raises it at the instruction)."""

    def __init__(self, exception: BaseException):
        super().__init__(f"{type(exception).__name__} raised in the call")
        self.exception = exception


class IteratorExhausted:
    """The type of EXHAUSTED: what a py_call of PyIter_Next gives for an exhausted iterator."""
    __slots__ = ()

    def __repr__(self) -> str:
        return "EXHAUSTED"


EXHAUSTED = IteratorExhausted()


def _vectorcall(f, *rest):
    *args, kwnames = rest           # the names of the last len(kwnames) arguments (or None)
    if not kwnames:
        return f(*args)
    n = len(args) - len(kwnames)
    return f(*args[:n], **dict(zip(kwnames, args[n:])))


def _power(a, b, c):
    return pow(a, b) if c is None else pow(a, b, c)


# The C API functions a py_call calls (its first argument names one): what the interpreter itself calls for an
# instruction whose operands the trace does not specialize, with the Python function that means the same (for
# the IR interpreter). Each returns a new reference, or NULL with an exception set (PY_INT_RESULT: an int, which
# the op's result is made from). PyObject_Vectorcall
# takes the callable and an array of its arguments; the others take their arguments in registers.
PY_FUNCTIONS: dict[str, Callable] = {
    "PyNumber_Add": operator.add, "PyNumber_Subtract": operator.sub, "PyNumber_Multiply": operator.mul,
    "PyNumber_TrueDivide": operator.truediv, "PyNumber_FloorDivide": operator.floordiv,
    "PyNumber_Remainder": operator.mod, "PyNumber_Power": _power, "PyNumber_Lshift": operator.lshift,
    "PyNumber_Rshift": operator.rshift, "PyNumber_And": operator.and_, "PyNumber_Or": operator.or_,
    "PyNumber_Xor": operator.xor, "PyNumber_MatrixMultiply": operator.matmul,
    "PyNumber_InPlaceAdd": operator.iadd, "PyNumber_InPlaceSubtract": operator.isub,
    "PyNumber_InPlaceMultiply": operator.imul, "PyNumber_InPlaceTrueDivide": operator.itruediv,
    "PyNumber_InPlaceFloorDivide": operator.ifloordiv, "PyNumber_InPlaceRemainder": operator.imod,
    "PyNumber_InPlacePower": lambda a, b, c: operator.ipow(a, b), "PyNumber_InPlaceLshift": operator.ilshift,
    "PyNumber_InPlaceRshift": operator.irshift, "PyNumber_InPlaceAnd": operator.iand,
    "PyNumber_InPlaceOr": operator.ior, "PyNumber_InPlaceXor": operator.ixor,
    "PyNumber_InPlaceMatrixMultiply": operator.imatmul,
    "PyNumber_Negative": operator.neg, "PyNumber_Positive": operator.pos, "PyNumber_Invert": operator.invert,
    "PyObject_RichCompare": lambda a, b, op, to_bool=0: bool(_RICH[op](a, b)) if to_bool else _RICH[op](a, b),
    "PyObject_IsTrue": bool,
    "PyObject_GetAttr": getattr, "PyObject_GetItem": operator.getitem,
    "PyObject_Vectorcall": _vectorcall, "PyObject_CallObject": lambda f, args: f(*args),
    "PyObject_SetAttr": setattr, "PyObject_SetItem": operator.setitem, "PyObject_DelItem": operator.delitem,
    "PySequence_Contains": lambda c, x, invert=0: (x not in c) if invert else (x in c),
    "PyCell_Set": lambda cell, v: setattr(cell, "cell_contents", v),
    "PyIter_Next": lambda it: next(it, EXHAUSTED), "PyObject_GetIter": iter,
}
# the functions whose NULL result with no exception set is an end, not an error: the op's result is then this
# object (a new reference to it), which the trace compares with (PyIter_Next: the iterator is exhausted)
PY_END_RESULT = {"PyIter_Next": EXHAUSTED}
# the functions that return an int, -1 with an exception set (the op's result is then NULL), and the object the
# op's result is made of the others: "none" (SetAttr/SetItem/DelItem/PyCell_Set: 0, a store's None), "bool"
# (Contains, IsTrue: 0/1 -> False/True; Contains' flag, below, inverts it as `not in` does)
PY_INT_RESULT = {"PyObject_SetAttr": "none", "PyObject_SetItem": "none", "PyObject_DelItem": "none",
                 "PyCell_Set": "none", "PySequence_Contains": "bool", "PyObject_IsTrue": "bool"}
# the arguments from this index on are int constants, not objects: RichCompare's operator (passed to C), then
# the flag (the last argument, not passed to C) of the functions in PY_FLAG, applied to the result: "truth" (1
# makes RichCompare's result a bool as 3.13's COMPARE_OP does for a condition: PyObject_IsTrue of the result,
# which is released), "invert" (CONTAINS_OP's `not in`) and "kwnames" (Vectorcall's tuple of the names of its last
# arguments, passed by keyword, or None: an object constant)
PY_RAW_ARGS = {"PyObject_RichCompare": 2, "PySequence_Contains": 2}
PY_FLAG = {"PyObject_RichCompare": "truth", "PySequence_Contains": "invert", "PyObject_Vectorcall": "kwnames"}
# how much longer a py_call takes (ns, CPython 3.12, the frame sync included) than the interpreter's instruction:
# attributes, calls and subscripts the interpreter specializes for instances, functions and containers; an
# operator on objects of classes it does not specialize either (PyNumber_*, PyObject_RichCompare: the default)
PY_SLOWER_NS = {"PyObject_GetAttr": 45, "PyObject_SetAttr": 45, "PyObject_Vectorcall": 40,
                "PyObject_CallObject": 40, "PyObject_GetItem": 20,
                "PyObject_SetItem": 20, "PyObject_DelItem": 20, "PyIter_Next": 30}
PY_SLOWER_DEFAULT_NS = 8
SAFE_TYPES = frozenset({str, int, float, bool, type(None), complex, bytes})    # releasing one runs no Python code
_RICH = (operator.lt, operator.le, operator.eq, operator.ne, operator.gt, operator.ge)    # Py_LT ... Py_GE


def _iterator_walk(name: str) -> Callable:
    """The evaluation of an iterator walk op (range_iter_left, seq_iter_take...): the cpython layer's function of
    that name, a raw read or write of the iterator (imported when first used)."""
    def walk(*args):
        from tracejit.cpython import layout
        return getattr(layout, name)(*args)
    walk.__name__ = name
    return walk


def _c_method_self(bound, definition: int):
    from tracejit.cpython.layout import c_method_self     # (a raw read: imported when used)
    try:
        return c_method_self(bound, definition)
    except LookupError:
        raise GuardFailed("another built-in method") from None


def _instance_attr(obj, index: int, inline: int, name: str):
    from tracejit.cpython.instances import read_slot   # the raw read is the cpython layer's (imported when used)
    try:
        return read_slot(obj, index)
    except LookupError:
        raise GuardFailed(f"{name} not in the instance's values") from None


# how a store over an attribute's old value (instance_set, member_set, dict_attr_set: their last argument) drops
# the instance's reference to it: to the graveyard (a type whose release nothing can observe), SHARED (the store
# leaves the trace unless that reference is not the old object's last, then drops it at once) or HELD (to the
# graveyard, of any type, held there for the locals of inlined calls that hold the object; guard_not_last_held
# where they let go of it). The IR interpreter, whose variables hold every value of the iteration, cannot tell a
# last reference: its SHARED and HELD stores leave the trace, and the interpreter stores
OLD_VALUE_STORES = ("instance_set", "member_set", "dict_attr_set")
GRAVEYARD, SHARED, HELD = 0, 1, 2


def _check_interpretable(shared: int) -> None:
    if shared:
        raise GuardFailed("a store whose old value's release the interpreter makes")


def _instance_set(obj, value, old, index: int, inline: int, name: str, shared: int):
    _check_interpretable(shared)
    object.__setattr__(obj, name, value)        # (what the interpreter does: it writes the same slot)


def _dict_attr(obj, name: str):
    from tracejit.cpython.instances import instance_dict    # (the cpython layer's raw read, imported when used)
    d = instance_dict(obj)
    if d is None:
        raise GuardFailed("no instance dict")
    return _dict_getitem_str(d, name)


def _dict_attr_set(obj, value, old, name: str, shared: int) -> None:
    _check_interpretable(shared)
    from tracejit.cpython.instances import instance_dict    # (the cpython layer's raw read, imported when used)
    d = instance_dict(obj)
    if d is None:
        raise GuardFailed("no instance dict")
    dict.__setitem__(d, name, value)            # (what the interpreter does: a store into that dict)


def _member_attr(obj, offset: int, name: str):
    from tracejit.cpython.instances import read_member    # (the cpython layer's raw read, imported when used)
    try:
        return read_member(obj, offset)
    except LookupError:
        raise GuardFailed(f"slot {name} unset") from None


def _member_set(obj, value, old, offset: int, name: str, shared: int) -> None:
    _check_interpretable(shared)
    object.__setattr__(obj, name, value)        # (what the interpreter does: the member descriptor's store)


def _new_instance(cls):
    try:
        return object.__new__(cls)              # (type.__call__'s first step for a class without __new__)
    except Exception as e:
        raise GuardFailed(f"{type(e).__name__} making a {cls.__name__}") from None


def _fresh_setattr(obj, value, *where_and_name) -> None:
    object.__setattr__(obj, where_and_name[-1], value)     # (fresh_setattr, instance_init, member_init: the name last)


def _guard_no_own_attr(obj, size: int, inline: int) -> None:
    from tracejit.cpython.instances import no_own_attribute   # (the cpython layer's raw reads, imported when used)
    if not no_own_attribute(obj, size):
        raise GuardFailed("the instance may have an attribute of its own")


def _guard_no_own_attrs(obj, names) -> None:
    from tracejit.cpython.instances import own_attribute_among   # (the cpython layer's raw reads, imported when used)
    if own_attribute_among(obj, (names,) if type(names) is str else tuple(names)):
        raise GuardFailed("the instance may have an attribute of its own by one of these names")


# random.Random's methods (recorder/randoms.py), as the stdlib's Python code computes them from the C methods.
# What the interpreter spends in randrange's, randint's or choice's Python code beyond the C calls the op makes
# (CPython 3.12, this project's build machine: `rnd.randrange(10**6)` about 600 ns in a comprehension, the op's
# getrandbits and conversions about 60 ns): a negative slower_ns, credited when the recorder judges whether a
# loop's run pays for compiling (recorder.generic.pays_back)
RANDOM_CALL_SAVED_NS = 400
def _random_range(rng, start: int, width: int, getrandbits: int) -> int:
    if width <= 0:
        raise GuardFailed("empty range")        # (the interpreter raises the ValueError)
    import random
    return start + random.Random._randbelow_with_getrandbits(rng, width)


def _random_bits(rng, k: int, getrandbits: int) -> int:
    if not 0 <= k <= 63:
        raise GuardFailed("bits outside int64")
    import _random
    return _random.Random.getrandbits(rng, k)


def _random_float(rng, random_: int) -> float:
    import _random
    return _random.Random.random(rng)


def _random_choice(rng, seq, getrandbits: int, is_tuple: int):
    if not len(seq):
        raise GuardFailed("empty sequence")     # (the interpreter raises the IndexError)
    import random
    return seq[random.Random._randbelow_with_getrandbits(rng, len(seq))]


def _list_pop(lst, *index):
    try:
        return list.pop(lst, *index)
    except (IndexError, OverflowError, TypeError, MemoryError) as e:
        raise GuardFailed(f"list.pop fails ({type(e).__name__})") from None       # (the list is unchanged)


def _list_insert(lst, index, item, fn: int) -> None:
    try:
        list.insert(lst, index, item)
    except (OverflowError, TypeError, MemoryError) as e:
        raise GuardFailed(f"list.insert fails ({type(e).__name__})") from None


def _getattr_plain(obj, name: str):
    try:
        return getattr(obj, name)
    except AttributeError:
        raise GuardFailed(f"no attribute {name}") from None


def _class_attr(cls: type, address: int, name: str):
    """What cls.name finds in the class dicts of cls's MRO (the object at `address`, which the machine code loads
    as a constant: the class's version tag, guarded before, keeps it there)."""
    for k in cls.__mro__:
        if name in k.__dict__:
            found = k.__dict__[name]
            if id(found) != address:
                raise GuardFailed(f"class attribute {name} moved")
            return found
    raise GuardFailed(f"no class attribute {name}")


def _py_call(name: str, *args):
    try:
        return PY_FUNCTIONS[name](*args)
    except BaseException as e:      # the machine code leaves the trace with the exception, raised at the instruction
        tb = e.__traceback__        # from the call on, as the interpreter's own call would have it: without the
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:   # frames of this module's functions
            tb = tb.tb_next
        raise PyCallRaised(e.with_traceback(tb)) from None


def _str_keyed(d: dict) -> None:
    """The guard of the dict ops: d's keys are all exact strs (dk_kind unicode or split, not general), so a
    lookup with an exact str compares only strings and runs no Python code."""
    keys = ctypes.c_void_p.from_address(id(d) + DICT_KEYS).value
    if ctypes.c_uint8.from_address(keys + DICT_KEYS_KIND).value == 0:
        raise GuardFailed("a dict with keys of other types")


def _dict_getitem_str(d: dict, k: str):
    _str_keyed(d)
    try:
        return dict.__getitem__(d, k)       # (a defaultdict's __missing__ is not called: the machine code exits)
    except KeyError:
        raise GuardFailed("missing key") from None


def _dict_get_str(d: dict, k: str, default):
    _str_keyed(d)
    return dict.get(d, k, default)


def _dict_contains_str(d: dict, k: str) -> bool:
    _str_keyed(d)
    return k in d


_dict_next_c = ctypes.pythonapi.PyDict_Next
_dict_next_c.argtypes = [ctypes.py_object, ctypes.POINTER(ctypes.c_ssize_t), ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p)]
_dict_next_c.restype = ctypes.c_int


def _dict_entry(d: dict, pos: int) -> tuple[int, object, object] | None:
    """PyDict_Next(d, &pos, &key, &value): (position after the next entry at or after pos, key, value), or
    None at the end. Positions are CPython's: entry indices (holes of deleted keys included), or places in
    the insertion order of a split dict."""
    p, k, v = ctypes.c_ssize_t(pos), ctypes.c_void_p(), ctypes.c_void_p()
    if not _dict_next_c(d, ctypes.byref(p), ctypes.byref(k), ctypes.byref(v)):
        return None
    return p.value, ctypes.cast(k, ctypes.py_object).value, ctypes.cast(v, ctypes.py_object).value


def _dict_next(d: dict, pos: int) -> int:
    entry = _dict_entry(d, pos)
    if entry is None:
        raise GuardFailed("no entry left")
    return entry[0]


# array.array items: typecode -> (the suffix of its ops, bytes, signed; None: a float). 'l' is 8 bytes on
# x86-64 Linux, like 'q'; 'L', 'Q' (beyond int64) and 'u', 'w' (characters) are not compiled.
ARRAY_ITEMS = {"b": ("i8", 1, True), "B": ("u8", 1, False), "h": ("i16", 2, True), "H": ("u16", 2, False),
               "i": ("i32", 4, True), "I": ("u32", 4, False), "l": ("i64", 8, True), "q": ("i64", 8, True),
               "f": ("f32", 4, None), "d": ("f64", 8, None)}
ARRAY_STORAGE = {sfx: (size, signed) for sfx, size, signed in ARRAY_ITEMS.values()}


def _guard_array_code(a, code: int) -> None:
    if a.typecode != chr(code):
        raise GuardFailed("array type code")


def _array_set(size: int, signed: bool | None) -> Callable:
    """a[i] = v for an array whose items are `size` bytes: an int outside their range leaves the trace (the
    interpreter raises the OverflowError)."""
    lo, hi = (-(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1) if signed else (0, (1 << (8 * size)) - 1)

    def store(a, i: int, v) -> None:
        if signed is not None and not lo <= v <= hi:
            raise GuardFailed("array item out of range")
        a[i] = v
    return store


def _list_append(lst: list, value) -> None:
    list.append(lst, value)             # (a subclass's instance too: list's method, attributes.inherited_method)


def _float_min(a: float, b: float) -> float:
    return b if b < a else a          # Python's min(a, b): the first of equal or unordered values


def _float_max(a: float, b: float) -> float:
    return b if b > a else a


def _float_sqrt(a: float) -> float:
    if not a >= 0.0:                  # negative (ValueError) or NaN: the interpreter's math.sqrt
        raise GuardFailed("sqrt domain")
    return math.sqrt(a)


def _to_int64(r: float) -> int:
    if not -9223372036854775808.0 <= r < 9223372036854775808.0:      # also NaN
        raise GuardFailed("not an int64")
    return int(r)


def _float_round_int(a: float) -> int:
    """round(x) of a float: to nearest, ties to even, as an int (int64 here; else the interpreter's)."""
    return _to_int64(round(a) if math.isfinite(a) else a)


def _float_floor_int(a: float) -> int:
    return _to_int64(math.floor(a) if math.isfinite(a) else a)


def _float_ceil_int(a: float) -> int:
    return _to_int64(math.ceil(a) if math.isfinite(a) else a)


def _libm(fn: Callable, ok: Callable[[float], bool]) -> Callable:
    """A math module function on floats where CPython returns fn(x) unchanged (ok(x) true); elsewhere
    (errors, infinities) the guard fails and the interpreter's math module decides."""
    def call(a: float) -> float:
        if not ok(a):
            raise GuardFailed("math domain")
        try:
            r = fn(a)
        except (OverflowError, ValueError):
            raise GuardFailed("math range") from None
        if not math.isfinite(r):
            raise GuardFailed("math range")
        return r
    return call


I, F, B, R, V = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF, Kind.VOID
MAX_NEW_ITEMS = 8               # items of a tuple or list the trace makes (new_tuple, new_list)


@dataclass(frozen=True)
class OpDef:
    """One row of the op table: everything later stages ask about an op."""
    name: str
    args: tuple[Kind, ...]        # kinds of the arguments (None-length for label/jump: variadic)
    result: Kind
    evaluate: Callable | None     # exact semantics; None for control ops
    guard: bool = False           # may fail: carries a Snapshot
    pure: bool = True             # no effect besides its result (guards are not removable by DCE)
    commutative: bool = False
    variadic: bool = False
    reads_heap: bool = False      # reads mutable object memory: never folded, even with constant arguments
    writes_heap: bool = False     # changes object memory: earlier reads of it cannot be reused after it
    # (k, c): with the constant c as argument k the result is the other argument (x + 0, x * 1): not computed
    identities: tuple[tuple[int, int], ...] = ()
    redundant_if_repeated: bool = False   # a guard that cannot fail after an identical one (same args) passed
    fusable: bool = False         # a comparison a guard_true/guard_false right after it can branch on (no bool)
    calls_out: bool = False       # its machine code calls a C function: caller-saved registers do not survive it
    # arguments its exit stub can recompute from the result when the op, computed in place over them, overflows:
    # they may share the result's register though the exit's snapshot reads them (tracejit.backend.regalloc)
    undo_on_overflow: tuple[int, ...] = ()
    # why its exit is taken, in stats and the report (None: the op's name); at the loop header a "branch" or
    # "bounds" exit is the "loop exit" (tracejit.runtime.compiling.exit_reason)
    exit_reason: str | None = None
    # its exit grows no bridge and is linked to none (tracejit.runtime.compiling.assign_exits): a bridge would fail
    # at once (a full graveyard, which only the runtime empties), or would jump back into the loop with what the
    # loop checks only at entry (after a call that rebound a name or replaced a function it holds)
    no_bridge: bool = False
    # its result is a new reference the trace owns (a new object; NULL, a failure, exits with the error
    # cleared): released after its last use, handed to the frame or to a bridge at an exit, or carried around
    # the loop in an owned state variable (tracejit.optimizer.refcounts). Only objects whose release runs no
    # Python code (strs) are made this way.
    new_ref: bool = False
    # it calls a function that may run any Python code (an __add__, a property, a callback): the machine code
    # writes the loop's frame back first and makes it the thread's executing frame for the call
    # (tracejit.backend.pycalls); the optimizer forgets what it knew of objects across it; an exception leaves
    # the trace, and the interpreter raises it at the instruction (the call is not made again)
    runs_python: bool = False
    # its new reference may be an object of any type, whose release could run Python code (a __del__): released
    # through the graveyard unless the trace guarded its type (tracejit.optimizer.refcounts)
    any_type: bool = False
    # its result's reference is one its holder gave up (a list's popped item): nothing but the trace may hold the
    # object any more, so its release may free it (and run a __del__) even in a loop that calls no Python code,
    # and a value the trace read from the same place earlier may be that object: it is always released through
    # the graveyard, when the run ends or at a sync (tracejit.optimizer.refcounts)
    handed_over: bool = False
    # it allocates GC-tracked objects (an instance, the dict a first attribute store or `obj.__dict__` may make): on
    # 3.11 such an allocation can run a collection, whose finalizers run Python code; its call holds collections
    # off (tracejit.backend.assembler.Assembler.call)
    allocates_tracked: bool = False
    # how much longer (ns, measured on CPython 3.12) the op takes than the interpreter's own specialized
    # instruction for the same work: the recorder weighs it against what running machine code saves per
    # instruction (recorder.generic.worth_compiling); a py_call's is PY_SLOWER_NS of its function. Negative: the op
    # does in machine code what the interpreter does in Python code (a random number: RANDOM_CALL_SAVED_NS), which
    # also counts towards a run's paying for compiling (recorder.generic.pays_back)
    slower_ns: int = 0
    # arguments that must be constants: the emitter reads them when it assembles (an index, an offset, a name)
    const_args: tuple[int, ...] = ()
    # arguments it stores into an object, which takes its own reference to them (an attribute's new value, a list's
    # new item): where the op is the last use of an object the trace owns, the trace's release right after it is
    # not the object's last and frees nothing (tracejit.optimizer.refcounts releases it there, not through the
    # graveyard, which would keep it alive after its new holder lets go of it)
    stores: tuple[int, ...] = ()
    # a read or a write of one field of an object: (kind of field, argument naming it, argument holding the value
    # written or None for a read). The optimizer forwards a field's read to the last read or write of it
    # (optimizer.passes.common_subexpressions); fields of different kinds never overlap. An instance's attributes
    # are one kind, "attr", named by the attribute's name (in a values array, a __slots__ member, or stored into
    # an instance the trace made: one object keeps a name in one of those places, under its class's version)
    field: tuple | None = None
    # an allocation with no other effect: where nothing uses its result the optimizer removes it (a tuple is made
    # only where it escapes, a number boxed only where an object is needed); its guard (a failed allocation) goes
    # with it
    removable: bool = False
    # a store that changes only the items (and length) of a list or an array: no attribute, no type, no dict, and
    # no code runs (an old item is of a type whose release runs none): what the trace read of instances' attributes,
    # of classes and of types stays true across it (optimizer.passes)
    writes_items: bool = False
    # a store over what is there already (an item of a list or an array, an attribute in its slot): no object
    # changes its length, its keys, its dict or its type (optimizer.passes.hoist_loop_invariants)
    writes_in_place: bool = False
    # what, besides its arguments, decides the op's outcome, for running it once per entry into a loop instead of
    # once per iteration when its arguments do not change around the loop (optimizer.passes.hoist_loop_invariants;
    # see `invariant_kind`): "args" nothing (a branch's condition, an overflow check, an int object's value);
    # "types" what only Python code changes (an object's type, a type's version tag and the values of its dict,
    # an array's item code, a function's attributes); "shape" also what a store changes that is not in place
    # (writes_in_place): an instance's attributes, the length of a list, an array or a dict. "": never hoisted
    hoist: str = ""

    @property
    def arity(self) -> int:
        return len(self.args)

    @property
    def invariant_kind(self) -> str:
        """`hoist`, or "args" for a pure op that is no guard, reads no object memory and makes no object (its
        arguments alone decide its result); "" for any other op."""
        if self.hoist:
            return self.hoist
        plain = self.pure and not self.guard and not self.reads_heap and not self.new_ref and not self.removable
        return "args" if plain and self.evaluate is not None and self.result is not Kind.VOID else ""

    def folds_to(self, result) -> bool:
        """Whether the op, with constant arguments, may be replaced by the constant `result` (by the recorder and
        the optimizer alike): not where it makes a new object whose identity the program can see (a tuple, a list,
        a dict, a str: each run makes its own, `is` tells them apart); a boxed number may be one shared object."""
        return not (self.new_ref and type(result) not in (int, float))


def _defs() -> list[OpDef]:
    d = OpDef
    return [
        # --- control ---
        d("label", (), V, None, pure=False, variadic=True),
        d("jump", (), V, None, pure=False, variadic=True),
        # decrements the run budget; fails at zero
        d("guard_budget", (), V, None, guard=True, pure=False, exit_reason="budget"),
        # --- guards ---
        d("guard_true", (B,), V, _guard_true, guard=True, pure=False, redundant_if_repeated=True,
          exit_reason="branch", hoist="args"),
        d("guard_false", (B,), V, _guard_false, guard=True, pure=False, redundant_if_repeated=True,
          exit_reason="branch", hoist="args"),
        # --- int64 ---
        d("int_add", (I, I), I, lambda a, b: _wrap(a + b), commutative=True, identities=((0, 0), (1, 0))),
        d("int_sub", (I, I), I, lambda a, b: _wrap(a - b), identities=((1, 0),)),
        d("int_mul", (I, I), I, lambda a, b: _wrap(a * b), commutative=True, identities=((0, 1), (1, 1))),
        d("int_add_ovf", (I, I), I, lambda a, b: _ovf(a + b), guard=True, commutative=True,
          identities=((0, 0), (1, 0)), undo_on_overflow=(0, 1), exit_reason="overflow", hoist="args"),
        d("int_sub_ovf", (I, I), I, lambda a, b: _ovf(a - b), guard=True, identities=((1, 0),),
          undo_on_overflow=(0,), exit_reason="overflow", hoist="args"),
        d("int_mul_ovf", (I, I), I, lambda a, b: _ovf(a * b), guard=True, commutative=True,
          identities=((0, 1), (1, 1)), exit_reason="overflow", hoist="args"),
        d("int_neg_ovf", (I,), I, lambda a: _ovf(-a), guard=True, undo_on_overflow=(0,), exit_reason="overflow",
          hoist="args"),
        d("int_floordiv", (I, I), I, _floordiv, guard=True, exit_reason="division", hoist="args"),
        d("int_mod", (I, I), I, _mod, guard=True, exit_reason="division", hoist="args"),
        d("int_and", (I, I), I, lambda a, b: a & b, commutative=True),
        d("int_or", (I, I), I, lambda a, b: a | b, commutative=True, identities=((0, 0), (1, 0))),
        d("int_xor", (I, I), I, lambda a, b: a ^ b, commutative=True, identities=((0, 0), (1, 0))),
        d("int_invert", (I,), I, lambda a: ~a),
        d("int_lshift_ovf", (I, I), I, _lshift, guard=True, exit_reason="overflow", hoist="args"),
        d("int_rshift", (I, I), I, _rshift, guard=True, hoist="args"),
        d("int_lt", (I, I), B, lambda a, b: a < b, fusable=True),
        d("int_le", (I, I), B, lambda a, b: a <= b, fusable=True),
        d("int_eq", (I, I), B, lambda a, b: a == b, commutative=True, fusable=True),
        d("int_ne", (I, I), B, lambda a, b: a != b, commutative=True, fusable=True),
        d("int_gt", (I, I), B, lambda a, b: a > b, fusable=True),
        d("int_ge", (I, I), B, lambda a, b: a >= b, fusable=True),
        d("int_is_true", (I,), B, lambda a: a != 0, fusable=True),
        d("int_to_float", (I,), F, lambda a: float(a)),
        d("int_to_float_exact", (I,), F, _int_to_float_exact, guard=True, hoist="args"),
        d("int_truediv", (I, I), F, _int_truediv, guard=True, exit_reason="division", hoist="args"),
        # --- bool ---
        d("bool_not", (B,), B, lambda a: not a),
        d("bool_to_int", (B,), I, lambda a: int(a)),
        # --- double ---
        d("float_add", (F, F), F, lambda a, b: a + b, commutative=True),
        d("float_sub", (F, F), F, lambda a, b: a - b),
        d("float_mul", (F, F), F, lambda a, b: a * b, commutative=True),
        d("float_truediv", (F, F), F, _float_div, guard=True, exit_reason="division", hoist="args"),
        d("float_floordiv", (F, F), F, _float_floordiv, guard=True, calls_out=True, exit_reason="division",
          hoist="args"),
        d("float_mod", (F, F), F, _float_mod, guard=True, calls_out=True, exit_reason="division", hoist="args"),
        d("float_pow", (F, F), F, _float_pow, guard=True, calls_out=True, hoist="args"),
        d("float_neg", (F,), F, lambda a: -a),
        d("float_lt", (F, F), B, lambda a, b: a < b, fusable=True),
        d("float_le", (F, F), B, lambda a, b: a <= b, fusable=True),
        d("float_eq", (F, F), B, lambda a, b: a == b, commutative=True, fusable=True),
        d("float_ne", (F, F), B, lambda a, b: a != b, commutative=True, fusable=True),
        d("float_gt", (F, F), B, lambda a, b: a > b, fusable=True),
        d("float_ge", (F, F), B, lambda a, b: a >= b, fusable=True),
        d("float_is_true", (F,), B, lambda a: a != 0.0),
        # --- objects (REF: a borrowed PyObject*; the loop never changes what it reads) ---
        d("guard_class", (R, R), V, _guard_class, guard=True, pure=False, redundant_if_repeated=True,
          exit_reason="type", hoist="types"),                          # type(a) is b
        d("guard_index", (I, I), V, _guard_index, guard=True, pure=False, redundant_if_repeated=True,
          exit_reason="bounds", hoist="args"),                        # 0 <= a < b (b >= 0)
        # type a (a type object) has version tag b: a names one type in one state (tags are never reused)
        d("guard_version", (R, I), V, _guard_version, guard=True, pure=False, redundant_if_repeated=True,
          hoist="types"),
        d("type_of", (R,), R, type, reads_heap=True, hoist="types"),                         # type(a), borrowed
        d("ref_eq", (R, R), B, lambda a, b: a is b, commutative=True, fusable=True),   # identity (`is`)
        # a built-in method bound to its object (`pop = items.pop`; a's type guarded before): that object
        # (borrowed: the method holds it), where the method is the one whose PyMethodDef is at address b (which
        # method of which type: cpython.methods.method_def), else exit. Neither field of a method ever changes
        d("c_method_self", (R, I), R, _c_method_self, guard=True, pure=False, exit_reason="method", hoist="args",
          const_args=(1,)),
        d("list_len", (R,), I, len, reads_heap=True, hoist="shape"),
        d("list_getitem", (R, I), R, lambda a, i: a[i], reads_heap=True),   # after guard_index
        d("tuple_len", (R,), I, len),                                         # of an exact tuple
        d("tuple_getitem", (R, I), R, lambda a, i: a[i]),                     # after guard_index
        # strings are immutable: their length and code points are pure reads
        d("str_len", (R,), I, len),                                           # of an exact str
        d("str_code_at", (R, I), I, _str_code_at, guard=True, exit_reason="type", hoist="args"),   # after guard_index
        d("latin1_char", (I,), R, _latin1_char, guard=True, exit_reason="character", hoist="args"),
        # the C API calls the interpreter makes for two exact strs (no Python code runs, nothing is allocated):
        # PyUnicode_Compare (-1, 0, 1: code point by code point, as < and == compare), PyUnicode_Contains
        d("str_compare", (R, R), I, lambda a, b: (a > b) - (a < b), calls_out=True),
        d("str_contains", (R, R), B, lambda a, b: b in a, calls_out=True),
        # new strings (new_ref): PyUnicode_Concat(a, b) of two exact strs; PyUnicode_Substring(s, start, end),
        # s[start:end] for 0 <= start and 0 <= end (the recorder makes negative and missing bounds so; end
        # beyond the length is the length): the interpreter's own functions, which run no Python code
        d("str_concat", (R, R), R, lambda a, b: a + b, guard=True, pure=False, calls_out=True, new_ref=True,
          exit_reason="memory"),
        d("str_slice", (R, I, I), R, _str_slice, guard=True, pure=False, calls_out=True, new_ref=True,
          exit_reason="memory"),
        # a[start:end] of an exact list / tuple, bounds made as for str_slice: PyList_GetSlice / PyTuple_GetSlice
        # (the items referenced; the whole of a tuple is the tuple itself, an empty one the empty tuple, as the
        # interpreter's slicing gives them): owned, released like new_list; NULL (MemoryError) exits
        d("list_slice", (R, I, I), R, _seq_slice, guard=True, pure=False, calls_out=True, new_ref=True,
          reads_heap=True, any_type=True, allocates_tracked=True, removable=True, exit_reason="memory"),
        d("tuple_slice", (R, I, I), R, _seq_slice, guard=True, pure=False, calls_out=True, new_ref=True,
          any_type=True, allocates_tracked=True, removable=True, exit_reason="memory"),
        # str(i) of an int (PyLong_FromLongLong, then PyObject_Str, as f"{i}" and str() make it);
        # str_build(sep, pieces...): _PyUnicode_JoinArray(sep, pieces, n), BUILD_STRING's function (sep "") and
        # sep.join([a, b, ...]) of a list the trace never makes (1 to 5 exact strs)
        d("int_to_str", (I,), R, str, guard=True, pure=False, calls_out=True, new_ref=True, exit_reason="memory"),
        d("str_build", (), R, lambda sep, *pieces: sep.join(pieces), guard=True, pure=False, calls_out=True,
          new_ref=True, variadic=True, exit_reason="memory"),
        # an int object for an int64 (PyLong_FromLongLong: a cached small int or a new one), a float object for a
        # double (PyFloat_FromDouble): owned
        d("box_int", (I,), R, int, guard=True, pure=False, calls_out=True, new_ref=True, removable=True,
          exit_reason="memory"),
        d("box_float", (F,), R, float, guard=True, pure=False, calls_out=True, new_ref=True, removable=True,
          exit_reason="memory"),
        # d[k] = value for an exact dict whose keys are all exact strs and an exact str key (PyDict_SetItem: no
        # Python code runs); `old`, what d[k] was (dict_get_str, None if missing; its type one whose release
        # runs no Python code), waits in the graveyard until the run ends, a variable may still hold it
        # (guard_graveyard before); a failure (MemoryError) exits with the dict unchanged
        d("dict_setitem_str", (R, R, R, R), V, lambda d, k, v, old: d.__setitem__(k, v), guard=True, pure=False,
          writes_heap=True, calls_out=True, exit_reason="memory", stores=(2,)),
        # a tuple / list of the items, at most MAX_NEW_ITEMS (PyTuple_New / PyList_New, each item given a new
        # reference; the backend keeps the items in its temporaries across the call): one that
        # BUILD_TUPLE or BUILD_LIST made, where the trace needs the object (it is stored, passed to a call,
        # appended...; what only takes it apart never makes it). Owned; released through the graveyard in a loop
        # that calls Python code (an item's last reference may be its). NULL (MemoryError) exits
        d("new_tuple", (), R, lambda *items: tuple(items), guard=True, pure=False, calls_out=True, new_ref=True,
          variadic=True, any_type=True, allocates_tracked=True, removable=True, exit_reason="memory"),
        d("new_list", (), R, lambda *items: list(items), guard=True, pure=False, calls_out=True, new_ref=True,
          variadic=True, any_type=True, allocates_tracked=True, removable=True, exit_reason="memory"),
        # new_dict(k1, v1, k2, v2...): a dict of at most MAX_NEW_ITEMS / 2 pairs whose keys are exact strs
        # (BUILD_MAP, BUILD_CONST_KEY_MAP): PyDict_New, then PyDict_SetItem of each pair in order, as the
        # interpreter inserts them (a str key's hash and comparison run no Python code; a repeated key keeps its
        # first object and its last value). Owned, removable, released like new_tuple; a failure (MemoryError)
        # releases the dict and exits
        d("new_dict", (), R, lambda *kv: dict(zip(kv[0::2], kv[1::2])), guard=True, pure=False, calls_out=True,
          new_ref=True, variadic=True, any_type=True, allocates_tracked=True, removable=True,
          exit_reason="memory"),
        # f(args...) through PyObject_Vectorcall, f a constant C function that runs no Python code for the exact
        # types the recorder guarded (a method of str: args[1] is self); its result a new reference; NULL (an
        # exception: ValueError of str.index...) clears it and exits, and the interpreter makes the call again
        d("call_c", (), R, _call_c, guard=True, pure=False, calls_out=True, new_ref=True,
          variadic=True, exit_reason="call"),
        # the iterators of inner loops the trace unrolls (recorder/iterators.py): iter() of an exact list, tuple or
        # str, or of range(0) (PyObject_GetIter: no Python code runs), an object of the trace's own; NULL (no memory)
        # clears the error and exits. A range iterator's start, step and items left set (as iter(range(...))
        # makes them). Each walked in its own memory: the items it has left, and its next item (one is left) with
        # the iterator advanced past it, as its __next__ does: a range's unboxed (no int object made), a list's or
        # a tuple's a new reference, an ASCII str's CPython's cached one-character string. Not heap writes: nothing
        # but the trace holds such an iterator (an exit hands it to the frame); heap reads only where they read a
        # list (its length, its items), which the program may change
        d("new_iter", (R,), R, iter, guard=True, pure=False, calls_out=True, new_ref=True, allocates_tracked=True,
          exit_reason="memory"),
        d("range_iter_set", (R, I, I, I), V, _iterator_walk("range_iter_set"), pure=False),
        d("range_iter_left", (R,), I, _iterator_walk("range_iter_left"), pure=False),
        d("range_iter_take", (R,), I, _iterator_walk("range_iter_take"), pure=False),
        d("seq_iter_left", (R,), I, _iterator_walk("seq_iter_left"), pure=False, reads_heap=True),
        d("list_iter_take", (R,), R, _iterator_walk("seq_iter_take"), pure=False, reads_heap=True, new_ref=True,
          any_type=True),
        d("tuple_iter_take", (R,), R, _iterator_walk("seq_iter_take"), pure=False, new_ref=True, any_type=True),
        d("str_iter_take", (R,), R, _iterator_walk("seq_iter_take"), pure=False),
        # call_c of a C function that changes its first argument in place and runs no Python code for the exact
        # types guarded (list.extend of a list by a list or tuple): a heap write, which the recorder leaves to the
        # interpreter (it does not run the call); its result (None) a new reference
        d("call_c_in_place", (), R, _call_c, guard=True, pure=False, calls_out=True, new_ref=True,
          writes_heap=True, variadic=True, exit_reason="call"),
        # the generic path: py_call(name, args...) calls the C API function PY_FUNCTIONS names, which may run any
        # Python code; its result is a new reference; an exception leaves the trace and is raised at the
        # instruction (see runs_python)
        d("py_call", (), R, _py_call, guard=True, pure=False, calls_out=True, new_ref=True, variadic=True,
          reads_heap=True, writes_heap=True, runs_python=True, any_type=True, exit_reason="exception"),
        # obj.name through PyObject_GetAttr where the recorder proved, for obj's type (its version tag guarded
        # before), that the lookup runs no Python code (no __getattr__, no property or other descriptor of
        # Python's: tracejit.recorder.attributes); AttributeError clears the error and exits (the interpreter
        # raises it)
        d("getattr_plain", (R, R), R, _getattr_plain, guard=True, pure=False, calls_out=True, new_ref=True,
          reads_heap=True, any_type=True, slower_ns=35, exit_reason="attribute", allocates_tracked=True),
        # cls.name of a class (metaclass `type`) whose dicts hold a plain value there (no __get__ of its type):
        # that object, whose `address` the recorder found, loaded as a constant: borrowed, and valid while the
        # class keeps the version tag guarded before (any assignment to the class or its bases clears it), so
        # the trace holds no reference to it (tracejit.recorder.attributes.class_attribute)
        d("class_attr", (R, I, R), R, _class_attr, reads_heap=True, const_args=(1, 2), field=("class", 2, None),
          hoist="types"),
        # obj.name read from slot `index` of obj's values array (CPython's map: its class's shared keys give the
        # index, fixed while the class keeps the version tag guarded before; tracejit.cpython.instances): borrowed.
        # The array not in use (the instance got a real dict) or the slot empty (deleted, never set) leaves the
        # trace, and the interpreter reads the attribute. `inline`: the class's tp_basicsize (3.13 keeps the array
        # after the object's fixed part); `name` is for the listing
        d("instance_attr", (R, I, I, R), R, _instance_attr, guard=True, reads_heap=True, exit_reason="attribute",
          const_args=(1, 2, 3), field=("attr", 3, None), hoist="shape"),
        # obj.name from the instance's own dict (its class gives instances a values array, but this one keeps a
        # real dict: made by `obj.__dict__`, `vars(obj)`, attributes set in another order...), as dict_getitem_str
        # looks up an exact str key: borrowed. No dict (3.11/3.12: the values array in use), a dict with keys of
        # other types or a missing key leaves the trace, and the interpreter reads the attribute
        d("dict_attr", (R, R), R, _dict_attr, guard=True, reads_heap=True, calls_out=True, exit_reason="attribute",
          const_args=(1,), field=("attr", 1, None)),
        # obj.name = value into the instance's own dict (as dict_attr finds it; a dict with keys of other kinds
        # leaves the trace): `old`, what dict_attr read just before, is let go of as the last argument says (as
        # instance_set's); then PyDict_SetItem (the key is there: the dict keeps its size); -1 (MemoryError) exits
        d("dict_attr_set", (R, R, R, R, I), V, _dict_attr_set, guard=True, pure=False, writes_heap=True,
          calls_out=True, exit_reason="attribute", const_args=(3, 4), field=("attr", 3, 1), writes_in_place=True,
          stores=(1,)),
        # obj has no attribute of its own that would hide its class's method (LOAD_ATTR_METHOD_WITH_VALUES): its
        # attributes are in its values array (in use) and its class's shared keys still hold `size` names (they only
        # grow; the method's name was not among them). `inline`: as instance_attr's
        d("guard_no_own_attr", (R, I, I), V, _guard_no_own_attr, guard=True, pure=False, reads_heap=True,
          exit_reason="attribute", const_args=(1, 2), redundant_if_repeated=True, hoist="shape"),
        # obj.name = value into slot `index` of obj's values array (its class's version guarded, the slot read by
        # instance_attr just before: `old`): the instance gets a new reference to value, and its reference to old
        # is let go of as the last argument says (OLD_VALUE_STORES): GRAVEYARD (old of a type whose release nothing
        # can observe, guarded; a variable may still hold it; guard_graveyard before), SHARED (old of any type: the
        # trace leaves before the store unless that reference is not old's last, and drops it at once, which
        # cannot free it) or HELD (to the graveyard for the inlined calls' locals that hold old). 3.13: an instance
        # whose dict shares the array leaves the trace (the store goes through the dict). `inline`, `name`: as
        # instance_attr's
        d("instance_set", (R, R, R, I, I, R, I), V, _instance_set, guard=True, pure=False, writes_heap=True,
          exit_reason="attribute", const_args=(3, 4, 5, 6), field=("attr", 5, 1), writes_in_place=True,
          stores=(1,)),
        # obj.name of a __slots__ member, at `offset` in the object (its class's version tag guarded before:
        # tracejit.cpython.instances.member_offset); borrowed; unset (NULL) leaves the trace
        d("member_attr", (R, I, R), R, _member_attr, guard=True, reads_heap=True, exit_reason="attribute",
          const_args=(1, 2), field=("attr", 2, None), hoist="shape"),
        # obj.name = value of a __slots__ member: as instance_set (`old` read by member_attr just before; the
        # member must still hold it), the old value let go of as instance_set's
        d("member_set", (R, R, R, I, R, I), V, _member_set, guard=True, pure=False, writes_heap=True,
          exit_reason="attribute", const_args=(3, 4, 5), field=("attr", 4, 1), writes_in_place=True,
          stores=(1,)),
        # a new instance of the class `cls` (a Python class that inherits object's __new__ and has no __del__: its
        # version guarded before), made as type.__call__ makes it before its __init__: object's tp_new (cls, (),
        # NULL); owned. NULL (a MemoryError) clears the error and exits: the interpreter calls the class again
        d("new_instance", (R,), R, _new_instance, guard=True, pure=False, calls_out=True, new_ref=True,
          any_type=True, exit_reason="memory", allocates_tracked=True),
        # obj.name = value on an instance the trace made (new_instance) that nothing else has seen yet, in the
        # inlined __init__ (recorder.constructors): PyObject_SetAttr, which for the class's version guarded before
        # runs no Python code (object's tp_setattro, no data descriptor but its own __slots__ members); the
        # instance takes a new reference. -1 (a MemoryError) clears the error and exits
        d("fresh_setattr", (R, R, R), V, _fresh_setattr, guard=True, pure=False, writes_heap=True, calls_out=True,
          exit_reason="memory", const_args=(2,), field=("attr", 2, 1), allocates_tracked=True),
        # obj.name = value on an instance the trace made, the name's first store: instance_init into slot `index`
        # of its values array (CPython's store of a new attribute: the slot, then the slot's place in the array's
        # insertion order, which the dict made from them follows; tracejit.cpython.instances), leaving the trace if
        # the array is not in use or the slot is not empty; member_init into a __slots__ member at `offset`
        # (empty in a new object). The instance takes a new reference. `inline`, `name`: as instance_attr's
        d("instance_init", (R, R, I, I, R), V, _fresh_setattr, guard=True, pure=False, writes_heap=True,
          exit_reason="attribute", const_args=(2, 3, 4), field=("attr", 4, 1)),
        d("member_init", (R, R, I, R), V, _fresh_setattr, pure=False, writes_heap=True, const_args=(2, 3),
          field=("attr", 3, 1)),
        # a dict's version tag (read before a py_call); after the call, guard_after_call(d1, v1, names1, d2, v2,
        # names2, ..., functions): each dict the trace relies on (the globals, the builtins, the modules whose
        # attributes it pinned) has the version read before it or, when it changed and `names` is not None, still
        # binds each of the names to what the trace holds (((name, object, bound), ...): `bound` False, the name
        # stays unbound there: a builtin no global shadows), one PyDict_GetItemWithError each in a dict of str
        # keys (pyperformance go counts moves in a global that the functions it calls assign); each function the
        # trace or its loop inlines still has the code, defaults and keyword defaults it was inlined with
        # (`functions`, ir.trace.InlinedChecks of InlinedFunction records); and (the machine code's own checks) no
        # local of the frame was rebound (a debugger's f_locals write) and no tracer or monitoring tool started;
        # it exits after the instruction, and its exit grows no bridge (runtime.compiling.assign_exits)
        d("dict_version", (R,), I, dict_version, reads_heap=True),
        # none of the names (a str or a tuple of strs) is an attribute of the instance's own: it keeps no values
        # array in use, and its dict, if it has one, holds only exact strs as keys and none of these (one
        # PyDict_GetItemWithError per name: no Python code runs). Redundant after an identical one with no call
        # that may run Python code and no store between (releases placed later run none either: a release that
        # could runs through the graveyard, `handed_over`, or in a loop with such calls, `any_type`)
        d("guard_no_own_attrs", (R, R), V, _guard_no_own_attrs, guard=True, pure=False, reads_heap=True,
          calls_out=True, exit_reason="attribute", const_args=(1,), redundant_if_repeated=True),
        # --- random.Random's methods (recorder/randoms.py): the C function behind _random.Random.getrandbits
        # (or .random), its address the last constant, called as its method descriptor calls it; the
        # generator's state is what they write. random_range: start + the stdlib's _randbelow(width), exit if
        # width <= 0 (before any call); random_bits: getrandbits(k), 0 <= k <= 63; random_choice: seq[_randbelow(
        # len(seq))] of a list (0) or a tuple (1), exit if empty. A failed call (MemoryError) exits with the
        # generator advanced by the calls made before it.
        d("random_range", (R, I, I, I), I, _random_range, guard=True, pure=False, reads_heap=True,
          writes_heap=True, calls_out=True, const_args=(3,), slower_ns=-RANDOM_CALL_SAVED_NS),
        d("random_bits", (R, I, I), I, _random_bits, guard=True, pure=False, reads_heap=True, writes_heap=True,
          calls_out=True, const_args=(2,)),
        d("random_float", (R, I), F, _random_float, guard=True, pure=False, reads_heap=True, writes_heap=True,
          calls_out=True, const_args=(1,)),
        d("random_choice", (R, R, I, I), R, _random_choice, guard=True, pure=False, reads_heap=True,
          writes_heap=True, calls_out=True, new_ref=True, any_type=True, const_args=(2, 3),
          slower_ns=-RANDOM_CALL_SAVED_NS),
        d("guard_after_call", (), V, _guard_after_call, guard=True, pure=False, reads_heap=True, variadic=True,
          calls_out=True, no_bridge=True, exit_reason="rebound"),
        # reference counts of the objects a trace owns (placed by tracejit.optimizer.refcounts): decref's last
        # release deallocates (a str: no Python code runs)
        d("incref", (R,), V, lambda a: None, pure=False),
        d("decref", (R,), V, lambda a: None, pure=False, calls_out=True),
        # the release of an owned object whose type the trace does not know (its release may run Python code):
        # the graveyard takes the reference, and releases it at the next call that may run Python code (the
        # frame written back) or when the run ends; no room check: GRAVEYARD_RESERVE slots are kept for these
        d("release_deferred", (R,), V, lambda a: None, pure=False, calls_out=True),
        # an owned object a bridge leaves in a variable the loop borrows: the loop's graveyard takes the
        # reference (released when the run ends, after the frame took its own); guard_graveyard before it
        d("graveyard_push", (R,), V, lambda a: None, pure=False),
        # at the instruction where the interpreter drops its reference to an object of a type the trace does not
        # know (a call's result popped, a local's old value replaced), which the trace may own: leaves the trace
        # if that reference is the object's last (its release would free it, and a __del__, a weakref callback or
        # the release of what it holds may run Python code), so that the interpreter frees it there, exactly
        # where it would without the JIT; the trace's release right after it cannot free it
        # (tracejit.optimizer.refcounts drops the guard where the trace does not own the object). Its exit grows
        # no bridge (the bridge would start with the same release). The interpreted loop (native=0) holds every
        # value of an iteration until the iteration ends: there the guard passes
        d("guard_not_last", (R,), V, lambda a: None, guard=True, pure=False, reads_heap=True, no_bridge=True,
          exit_reason="release"),
        # the same check where a variable of an inlined call lets go of an object whose reference the graveyard
        # holds for it (an attribute store gave it the instance's: recorder.attributes.write): the graveyard's
        # must not be the last, else the interpreter lets go of it there. The trace does not own the object, and
        # the guard stays (tracejit.optimizer.refcounts drops guard_not_last of objects the trace does not own)
        # (the IR interpreter never reaches it: the HELD store before it leaves the trace there)
        d("guard_not_last_held", (R,), V, lambda a: None, guard=True, pure=False, reads_heap=True,
          no_bridge=True, exit_reason="release"),
        # an exact dict and an exact str key: PyDict_GetItemWithError / PyDict_Contains (the value borrowed from
        # the dict, which the trace never changes); the guard fails for a dict with keys of other types (whose
        # lookup could run a key's __eq__) and, for d[k], for a missing key (the interpreter raises KeyError)
        d("dict_len", (R,), I, len, reads_heap=True, hoist="shape"),
        d("dict_getitem_str", (R, R), R, _dict_getitem_str, guard=True, reads_heap=True, calls_out=True,
          exit_reason="key"),
        d("dict_get_str", (R, R, R), R, _dict_get_str, guard=True, reads_heap=True, calls_out=True,
          exit_reason="key"),
        d("dict_contains_str", (R, R), B, _dict_contains_str, guard=True, reads_heap=True, calls_out=True,
          exit_reason="key"),
        # walking a dict (PyDict_Next): the position after its next entry at or after pos (no entry left: the
        # guard fails); the key and value of the entry before a position dict_next returned
        d("dict_next", (R, I), I, _dict_next, guard=True, reads_heap=True, calls_out=True, exit_reason="bounds"),
        d("dict_key_before", (R, I), R, lambda d, p: _dict_entry(d, p - 1)[1], reads_heap=True, calls_out=True),
        d("dict_value_before", (R, I), R, lambda d, p: _dict_entry(d, p - 1)[2], reads_heap=True, calls_out=True),
        d("float_value", (R,), F, float),                                     # of an exact float
        d("int_value", (R,), I, _int_value, guard=True, exit_reason="type", hoist="args"),  # of an exact int
        d("bool_to_ref", (B,), R, lambda a: a),                              # True / False objects
        d("complex_real", (R,), F, lambda a: a.real),                         # of an exact complex
        d("complex_imag", (R,), F, lambda a: a.imag),
        # MAKE_FUNCTION (3.13: and its SET_FUNCTION_ATTRIBUTEs): PyFunction_New(code, globals), then the defaults
        # and the closure (tuples, or the None constant: none) written into the new function's fields, a new
        # reference each, as the interpreter writes them (no audit event, no function watcher's event); it exits
        # for globals with keys other than strs (the lookup of __name__ could run an __eq__) and on a failure
        # (MemoryError)
        d("new_function", (R, R, R, R), R, _new_function, guard=True, pure=False, calls_out=True, new_ref=True,
          allocates_tracked=True, const_args=(0, 1), exit_reason="memory"),
        # a function's fields (borrowed; the function's exact type guarded): what an inlined call of a function
        # held in a variable reads, so the trace holds no function; defaults and closure leave the trace if NULL
        d("func_code", (R,), R, lambda f: f.__code__, reads_heap=True, hoist="types"),
        d("func_globals", (R,), R, lambda f: f.__globals__, reads_heap=True, hoist="types"),
        d("func_builtins", (R,), R, lambda f: f.__builtins__, reads_heap=True, hoist="types"),
        d("func_defaults", (R,), R, _func_defaults, guard=True, reads_heap=True, exit_reason="type", hoist="types"),
        d("func_closure", (R,), R, _func_closure, guard=True, reads_heap=True, exit_reason="type", hoist="types"),
        d("cell_contents", (R,), R, _cell_contents, guard=True, reads_heap=True, exit_reason="unbound"),
        # cell.contents = value (STORE_DEREF): the cell gets a new reference to value; its reference to `old`
        # (what it held, of a type whose release nothing can observe: guarded) moves to the graveyard, since a
        # variable may still hold it (guard_graveyard before)
        d("cell_set", (R, R, R), V, lambda cell, v, old: setattr(cell, "cell_contents", v), pure=False,
          writes_heap=True, stores=(1,)),
        # a[i] = value (index guarded, old item of a type without finalizer guarded): the list gets a new
        # reference (a float or int object is created), its old item is released; allocation failure exits.
        # With `defer` true (a variable of the trace may still hold the old item without owning it) the
        # release waits in the loop's graveyard until the run ends; guard_graveyard (before the store)
        # leaves the trace when the graveyard is full.
        d("list_setitem", (R, I, R, B), V, _list_store, pure=False, writes_heap=True, writes_items=True,
          calls_out=True, stores=(2,)),
        d("list_setitem_float", (R, I, F, B), V, _list_store, guard=True, pure=False, writes_heap=True,
          writes_items=True, calls_out=True, writes_in_place=True),
        d("list_setitem_int", (R, I, I, B), V, _list_store, guard=True, pure=False, writes_heap=True,
          writes_items=True, calls_out=True, writes_in_place=True),
        d("list_setitem_complex", (R, I, F, F, B), V, _list_store_complex, guard=True, pure=False,
          writes_heap=True, calls_out=True),
        d("guard_graveyard", (), V, lambda: None, guard=True, pure=False, reads_heap=True, no_bridge=True,
          exit_reason="graveyard"),                     # IR: no graveyard
        d("bool_or", (B, B), B, lambda a, b: a or b, commutative=True),
        # a.append(value) for an exact list: PyList_Append (floats and ints boxed first); failing to make
        # the object or to grow the list (MemoryError) exits with the list unchanged
        d("list_append", (R, R), V, _list_append, guard=True, pure=False, writes_heap=True, writes_items=True,
          calls_out=True, stores=(1,)),
        d("list_append_float", (R, F), V, _list_append, guard=True, pure=False, writes_heap=True, writes_items=True,
          calls_out=True),
        d("list_append_int", (R, I), V, _list_append, guard=True, pure=False, writes_heap=True, writes_items=True,
          calls_out=True),
        # sum(lst): the items' types checked first (exact int / float: CPython's sum runs no Python code for
        # them), then CPython's own sum called; a result of another type or size exits
        d("list_sum_float", (R,), F, _list_sum_float, guard=True, reads_heap=True, calls_out=True),
        d("list_sum_int", (R,), I, _list_sum_int, guard=True, reads_heap=True, calls_out=True),
        d("list_append_complex", (R, F, F), V, lambda lst, re, im: lst.append(complex(re, im)), guard=True,
          pure=False, writes_heap=True, calls_out=True),
        # a.pop(), a.pop(i), a.insert(i, x) of an exact list: list.pop's / list.insert's own C function (METH_FASTCALL,
        # its address the last constant; i an int object), which runs no Python code: the popped item's
        # reference goes to the trace (an object of any type), insert takes a reference to x. An IndexError
        # (empty, out of range) or a MemoryError leaves with the list unchanged (the interpreter raises it)
        d("list_pop", (R, I), R, lambda lst, fn: _list_pop(lst), guard=True, pure=False, reads_heap=True,
          writes_heap=True, calls_out=True, new_ref=True, any_type=True, handed_over=True, const_args=(1,)),
        d("list_pop_at", (R, R, I), R, lambda lst, i, fn: _list_pop(lst, i), guard=True, pure=False,
          reads_heap=True, writes_heap=True, calls_out=True, new_ref=True, any_type=True, handed_over=True,
          const_args=(2,)),
        d("list_insert", (R, R, R, I), V, _list_insert, guard=True, pure=False, reads_heap=True,
          writes_heap=True, calls_out=True, const_args=(3,), stores=(2,)),
        # --- builtins and math functions ---
        d("int_abs_ovf", (I,), I, _abs_ovf, guard=True, exit_reason="overflow", hoist="args"),
        d("int_min", (I, I), I, min),
        d("int_max", (I, I), I, max),
        d("float_abs", (F,), F, abs),
        d("float_min", (F, F), F, _float_min),
        d("float_max", (F, F), F, _float_max),
        # a value chosen by a condition without a branch: `if c: x = a else: x = b` over numbers in locals, both
        # arms computed by the trace (tracejit.recorder.diamonds); (condition, value if true, value if false)
        d("int_select", (B, I, I), I, lambda c, a, b: a if c else b),
        d("bool_select", (B, B, B), B, lambda c, a, b: a if c else b),
        d("float_select", (B, F, F), F, lambda c, a, b: a if c else b),
        d("float_sqrt", (F,), F, _float_sqrt, guard=True, hoist="args"),
        d("float_trunc_int", (F,), I, lambda a: _to_int64(a), guard=True, hoist="args"),  # int(x)
        d("float_floor_int", (F,), I, _float_floor_int, guard=True, calls_out=True,
          hoist="args"),        # math.floor(x)
        d("float_round_int", (F,), I, _float_round_int, guard=True, hoist="args"),        # round(x)
        d("float_ceil_int", (F,), I, _float_ceil_int, guard=True, calls_out=True, hoist="args"),          # math.ceil(x)
        d("float_sin", (F,), F, _libm(math.sin, math.isfinite), guard=True, calls_out=True, hoist="args"),
        d("float_cos", (F,), F, _libm(math.cos, math.isfinite), guard=True, calls_out=True, hoist="args"),
        d("float_tan", (F,), F, _libm(math.tan, math.isfinite), guard=True, calls_out=True, hoist="args"),
        d("float_exp", (F,), F, _libm(math.exp, math.isfinite), guard=True, calls_out=True, hoist="args"),
        d("float_log", (F,), F, _libm(math.log, lambda a: 0.0 < a < math.inf), guard=True, calls_out=True,
          hoist="args"),
        d("complex_abs", (F, F), F, _complex_abs, guard=True, calls_out=True),             # abs(complex(a, b))
    ] + _array_defs()


def _array_defs() -> list[OpDef]:
    """array.array: the type code guarded (ob_descr->typecode), the length, and per item storage an unboxed read
    and a store of the raw item (an array holds no objects: no reference counts)."""
    d = OpDef
    defs = [d("guard_array_code", (R, I), V, _guard_array_code, guard=True, pure=False, reads_heap=True,
              redundant_if_repeated=True, exit_reason="type", hoist="types"),
            d("array_len", (R,), I, len, reads_heap=True, hoist="shape")]
    for sfx, (size, signed) in ARRAY_STORAGE.items():
        kind = F if signed is None else I
        guarded = size < 8 and signed is not None          # an int item narrower than int64: its range checked
        defs += [d(f"array_get_{sfx}", (R, I), kind, lambda a, i: a[i], reads_heap=True),      # after guard_index
                 d(f"array_set_{sfx}", (R, I, kind), V, _array_set(size, signed), guard=guarded, pure=False,
                   writes_heap=True, writes_items=True, writes_in_place=True,
                   exit_reason="overflow" if guarded else None)]
    return defs


OPS: dict[str, OpDef] = {o.name: o for o in _defs()}


def calls_python(ops) -> bool:
    """Some op may run Python code (OpDef.runs_python)."""
    return any(OPS[op.name].runs_python for op in ops)


def opdef(name: str) -> OpDef:
    return OPS[name]
