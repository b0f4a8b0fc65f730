"""Object and frame layouts of the supported CPython versions, checked at import, and raw frame access.

This module and tracejit.cpython.bytecode are the only places that know CPython version differences.
`check_layout()` verifies every offset against Python-visible values on a live frame; when a check fails the
JIT stays off (the runtime asks `unsupported_reason()`). `FrameAccess` reads and writes a running frame's fast
locals and value stack, points it at another instruction, and reads/writes range-iterator state.

May import: tracejit.cpython.source and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import builtins
import ctypes
import os
import struct
import sys
import types
from _weakref import proxy as weakref_proxy     # weakref's proxy itself, without importing weakref at start-up
from itertools import starmap as _starmap
from _operator import call as _call      # operator.call itself, without importing operator at start-up

from .source import fresh_code


TYPE_VERSION_TAG = 384                      # PyTypeObject.tp_version_tag (unsigned 32 bits; 0: none assigned)
SMALL_INTS = range(-5, 257)                 # the ints CPython keeps one object of, in one array
LIST_ITER_INDEX, LIST_ITER_SEQ = 16, 24     # _PyListIterObject.it_index / it_seq (NULL once exhausted)


class Layout:
    """One CPython version's offsets (a plain class, not a dataclass: this module loads at start-up, and
    `dataclasses` would import `inspect`). The object fields machine code relies on (ob_refcnt ... small_ints)
    are the same on every supported version: their defaults here are their one definition."""
    __slots__ = ("frame_f_frame", "iframe_code", "iframe_frame_obj", "iframe_instr", "iframe_stacktop",
                 "iframe_localsplus", "code_nlocalsplus", "code_adaptive", "range_iter", "runtime_main_thread",
                 "runtime_signals_pending", "eval_breaker", "tstate_recursion_remaining", "frame_fast_as_locals",
                 "long_tagged", "immortal", "code_extra", "frame_trace_lines", "interp_threads_count", "interp_gc",
                 "tstate_cframe", "current_frame", "tstate_tracing", "interp_monitoring_version", "code_monitoring",
                 "local_monitor_events", "tstate_c_profilefunc", "tstate_c_tracefunc", "iframe_globals",
                 "iframe_builtins", "ob_refcnt", "ob_type",
                 "ob_size", "list_items", "list_allocated", "tuple_items", "float_value",
                 "complex_real", "complex_imag", "long_tag", "long_digits", "long_shift", "type_version_tag",
                 "small_ints", "func_globals", "func_builtins", "func_code", "func_defaults", "func_kwdefaults",
                 "func_closure",
                 "cell_contents", "str_length", "str_state", "str_ascii_data", "str_compact_data",
                 "dict_used", "dict_keys", "dict_keys_kind", "dict_version", "array_items", "array_descr",
                 "seq_iter_index", "seq_iter_seq", "cfunc_ml", "cfunc_self")

    def __init__(self, frame_f_frame: int, iframe_code: int, iframe_frame_obj: int, iframe_instr: int,
                 iframe_stacktop: int, iframe_localsplus: int, code_nlocalsplus: int, code_adaptive: int,
                 range_iter: dict, runtime_main_thread: int, runtime_signals_pending: int, eval_breaker: int,
                 tstate_recursion_remaining: int, frame_fast_as_locals: int, long_tagged: bool,
                 immortal: bool = False, code_extra: int = -1, frame_trace_lines: int = -1,
                 interp_threads_count: int = -1, ob_refcnt: int = 0, ob_type: int = 8, ob_size: int = 16,
                 list_items: int = 24, list_allocated: int = 32, tuple_items: int = 24, float_value: int = 16,
                 complex_real: int = 16, complex_imag: int = 24, long_tag: int = 16, long_digits: int = 24,
                 long_shift: int = 30, type_version_tag: int = TYPE_VERSION_TAG,
                 small_ints: range = SMALL_INTS, func_globals: int = 16, func_builtins: int = 24,
                 func_code: int = 48, func_defaults: int = 56, func_closure: int = 72,
                 cell_contents: int = 16, str_length: int = 16, str_state: int = 32, str_ascii_data: int = 40,
                 str_compact_data: int = 56, dict_used: int = 16, dict_keys: int = 32,
                 dict_keys_kind: int = 10, dict_version: int = 24, array_items: int = 24, array_descr: int = 40,
                 seq_iter_index: int = LIST_ITER_INDEX, seq_iter_seq: int = LIST_ITER_SEQ,
                 cfunc_ml: int = 16, cfunc_self: int = 24,
                 tstate_cframe: int = -1, current_frame: int = -1, tstate_tracing: int = 44,
                 interp_monitoring_version: int = -1, code_monitoring: int = -1,
                 local_monitor_events: int = 0, tstate_c_profilefunc: int = -1,
                 tstate_c_tracefunc: int = -1, iframe_globals: int = 24, iframe_builtins: int = 32,
                 func_kwdefaults: int = 64, interp_gc: int = -1) -> None:
        self.frame_f_frame = frame_f_frame          # PyFrameObject -> _PyInterpreterFrame*
        self.iframe_code = iframe_code              # _PyInterpreterFrame.f_code / f_executable
        self.iframe_globals = iframe_globals        # _PyInterpreterFrame.f_globals, f_builtins (borrowed dicts)
        self.iframe_builtins = iframe_builtins
        self.iframe_frame_obj = iframe_frame_obj
        self.iframe_instr = iframe_instr            # prev_instr (3.11/3.12) / instr_ptr (3.13)
        self.iframe_stacktop = iframe_stacktop
        self.iframe_localsplus = iframe_localsplus
        self.code_nlocalsplus = code_nlocalsplus
        self.code_adaptive = code_adaptive
        self.range_iter = range_iter                # field -> offset in the range iterator object
        # _PyRuntime.main_thread (the only thread that runs Python signal handlers)
        self.runtime_main_thread = runtime_main_thread
        self.runtime_signals_pending = runtime_signals_pending  # _PyRuntime.ceval.signals_pending (3.11/3.12; -1: none)
        # PyInterpreterState.ceval.eval_breaker (3.11/3.12), PyThreadState.eval_breaker (3.13)
        self.eval_breaker = eval_breaker
        # PyThreadState.(py_)recursion_remaining: Python frames left before the limit
        self.tstate_recursion_remaining = tstate_recursion_remaining
        # PyFrameObject.f_fast_as_locals (3.11/3.12; -1: none, 3.13 has PEP 667 proxies)
        self.frame_fast_as_locals = frame_fast_as_locals
        # PyLongObject's long_tag word: lv_tag = ndigits << 3 | sign (3.12+), or a signed ob_size (3.11)
        self.long_tagged = long_tagged
        self.immortal = immortal    # 3.12+: an object whose refcount's low 32 bits are negative is never counted
        # 3.11's C-level trace function (runtime/native_trace.py): PyCodeObject.co_extra and
        # PyFrameObject.f_trace_lines (-1: not used on this version)
        self.code_extra = code_extra
        # PyCodeObject._co_monitoring (3.12+; NULL until a tool sets local events on the code): its first bytes are
        # the tools with local events, one byte (a bit per tool) for each of local_monitor_events events
        self.code_monitoring = code_monitoring
        self.local_monitor_events = local_monitor_events
        self.frame_trace_lines = frame_trace_lines
        # PyThreadState.c_profilefunc / c_tracefunc (3.11: the tracer's; -1 elsewhere), checked by NativeTracer
        self.tstate_c_profilefunc, self.tstate_c_tracefunc = tstate_c_profilefunc, tstate_c_tracefunc
        # PyInterpreterState.threads.count (3.11): threads started by _thread that still run (native_timer)
        self.interp_threads_count = interp_threads_count
        # PyInterpreterState.gc (3.11; -1 elsewhere): 3.11 runs a collection inside the allocation that crosses
        # the threshold, so machine code that allocates a GC-tracked object sets its `collecting` word around the
        # call (3.12+ only schedules the collection, for the next eval-breaker check); see gc_collecting_address
        self.interp_gc = interp_gc
        # objects: PyObject.ob_refcnt / ob_type, PyVarObject.ob_size (a list's or a tuple's length)
        self.ob_refcnt, self.ob_type, self.ob_size = ob_refcnt, ob_type, ob_size
        # PyListObject.ob_item (the items' array) / allocated (room before the list must grow); PyTupleObject's
        # items, inline
        self.list_items, self.list_allocated, self.tuple_items = list_items, list_allocated, tuple_items
        # PyFloatObject.ob_fval; PyComplexObject.cval.real / cval.imag (doubles)
        self.float_value, self.complex_real, self.complex_imag = float_value, complex_real, complex_imag
        # PyLongObject: lv_tag (3.12+) or signed ob_size (3.11), see long_tagged; its digits, of long_shift bits
        self.long_tag, self.long_digits, self.long_shift = long_tag, long_digits, long_shift
        self.type_version_tag = type_version_tag    # PyTypeObject.tp_version_tag (uint32)
        self.small_ints = small_ints                # the cached ints (small_int_array: where they are)
        # PyFunctionObject's func_globals, func_builtins, func_code, func_defaults (NULL or a tuple),
        # func_closure (NULL or a tuple of cells); PyCellObject.ob_ref (NULL: empty)
        self.func_globals, self.func_builtins, self.func_code = func_globals, func_builtins, func_code
        self.func_defaults, self.func_closure, self.cell_contents = func_defaults, func_closure, cell_contents
        self.func_kwdefaults = func_kwdefaults      # NULL or a dict
        # PyASCIIObject.length (code points) and .state (low byte: kind << 2 | compact << 5 | ascii << 6, see
        # STR_KIND_SHIFT...); a compact string's code points follow its header: at str_ascii_data for an
        # ASCII string (PyASCIIObject), else at str_compact_data (PyCompactUnicodeObject)
        self.str_length, self.str_state = str_length, str_state
        self.str_ascii_data, self.str_compact_data = str_ascii_data, str_compact_data
        # PyDictObject.ma_used (its length) and .ma_keys; PyDictKeysObject.dk_kind (uint8: DICT_KEYS_GENERAL 0,
        # UNICODE 1, SPLIT 2; every key of a dict whose kind is not general is an exact str)
        self.dict_used, self.dict_keys, self.dict_keys_kind = dict_used, dict_keys, dict_keys_kind
        # PyDictObject.ma_version_tag (uint64): changes at every change of the dict (3.11-3.13)
        self.dict_version = dict_version
        # a list's, a tuple's or a str's iterator: the index of its next item and its sequence (NULL once it is
        # exhausted); see SEQ_ITER_TYPES
        self.seq_iter_index, self.seq_iter_seq = seq_iter_index, seq_iter_seq
        # a built-in method bound to its object (PyCFunctionObject: `items.append`): m_ml, the PyMethodDef its
        # type's method descriptor has too (one per method of a type: which method it is), and m_self, the object
        self.cfunc_ml, self.cfunc_self = cfunc_ml, cfunc_self
        # where the thread's executing frame (a _PyInterpreterFrame*) is kept: PyThreadState.cframe ->
        # _PyCFrame.current_frame (3.11/3.12: tstate_cframe, and current_frame in the _PyCFrame), or
        # PyThreadState.current_frame (3.13: tstate_cframe -1)
        self.tstate_cframe, self.current_frame = tstate_cframe, current_frame
        # PyThreadState.tracing (an int): above 0 while a hook's callback runs (no event is reported then)
        self.tstate_tracing = tstate_tracing
        # the interpreter's instrumentation version (3.12: monitoring_version, 3.13: ceval's
        # instrumentation_version; -1 on 3.11): it changes when a tool's or a tracer's events change (not a code
        # object's local events). Checked when the hooks are installed (they change it)
        self.interp_monitoring_version = interp_monitoring_version
        # array.array (arrayobject): ob_item (the items, raw C values) and ob_descr (its arraydescr, whose first
        # byte is the type code); the length is ob_size
        self.array_items, self.array_descr = array_items, array_descr

    # the bits of PyASCIIObject.state's low byte (3.11-3.13): kind (1, 2 or 4 bytes per code point) << 2,
    # compact, ascii
    STR_KIND_SHIFT, STR_COMPACT, STR_ASCII = 2, 0x20, 0x40

    def replace(self, **changes) -> "Layout":
        """A copy with some offsets changed (the self-check's tests use it)."""
        return Layout(**{name: changes.pop(name, getattr(self, name)) for name in self.__slots__}, **changes)

    def __setattr__(self, name, value):
        if hasattr(self, name):
            raise AttributeError(f"Layout is read-only ({name})")
        object.__setattr__(self, name, value)


# Offsets measured with offsetof() against each version's internal headers, and checked at run time.
LAYOUTS: dict[tuple[int, int], Layout] = {
    (3, 11): Layout(24, 32, 40, 56, 64, 72, 76, 184, {"index": 16, "start": 24, "step": 32, "len": 40},
                    80, 352, 100, 32, 46, False, code_extra=176, frame_trace_lines=44,
                    interp_threads_count=24, str_ascii_data=48, str_compact_data=72, tstate_cframe=56,
                    current_frame=8, tstate_c_profilefunc=64, tstate_c_tracefunc=72, iframe_globals=8,
                    iframe_builtins=16, interp_gc=648),
    (3, 12): Layout(24, 0, 48, 56, 64, 72, 72, 192, {"start": 16, "step": 24, "len": 32},
                    64, 2008, 368, 28, 46, True, immortal=True, tstate_cframe=56, current_frame=0,
                    interp_monitoring_version=48, code_extra=184, code_monitoring=168, local_monitor_events=15),
    (3, 13): Layout(24, 0, 48, 56, 64, 72, 72, 200, {"start": 16, "step": 24, "len": 32},
                    656, -1, 24, 44, -1, True, immortal=True, current_frame=72, tstate_tracing=60,
                    interp_monitoring_version=0, code_extra=192, code_monitoring=176, local_monitor_events=10),
}

VERSION = sys.version_info[:2]
RANGE_ITER_TYPE = type(iter(range(1)))
LIST_ITER_TYPE = type(iter([]))
_BUILTIN_METHOD = type([].append)               # builtin_function_or_method
ENUM_INDEX, ENUM_SIT, ENUM_LONGINDEX = 16, 24, 40   # enumobject.en_index / en_sit / en_longindex
ZIP_SIZE, ZIP_ITERS = 16, 24                # zipobject.tuplesize / ittuple (a tuple of the iterators)
TYPE_GETATTRO, TYPE_FLAGS, TYPE_MRO = 144, 168, 344    # PyTypeObject.tp_getattro / tp_flags / tp_mro
TYPE_NEW = 312                              # PyTypeObject.tp_new (a class without __new__ inherits object's)
# dict_keyiterator, dict_valueiterator, dict_itemiterator (dictiterobject): di_dict (NULL once exhausted), di_used
# (the dict's length when the iterator was made), di_pos (PyDict_Next's position), len (items left)
DICT_ITER_DICT, DICT_ITER_USED, DICT_ITER_POS, DICT_ITER_LEN = 16, 24, 32, 48
DICT_ITER_TYPES = {type(iter({})): "k", type(iter({}.values())): "v", type(iter({}.items())): "i"}
# str_ascii_iterator (3.12+), str_iterator (unicodeiterobject), tuple_iterator and arrayiterator keep their index and
# sequence where a list iterator does (LIST_ITER_INDEX/SEQ; the sequence NULL once exhausted). The array iterator
# joins them when the recorder loads (with_arrays): importing `array` imports `collections` (about 10 million
# instructions, 2.5 ms), which a program the JIT never records for does not pay
SEQ_ITER_TYPES = {type(iter("a")): str, type(iter("\xe9")): str, type(iter(())): tuple}
_INDEXED_ITER_TYPE_IDS = frozenset(id(t) for t in (LIST_ITER_TYPE, *SEQ_ITER_TYPES))
_ARRAYS_CHECKED: list = []          # [the array layout's problem, or None] once with_arrays() has run
# where each of those sequences keeps its length: PyVarObject.ob_size (list, tuple, array), PyASCIIObject.length
# (str); the same word on 3.11-3.13 (_check_seq_lengths)
SEQ_LENGTH_AT = 16
_RANGE_ITER_TYPE_ID = id(RANGE_ITER_TYPE)
_GENERATOR_TYPE_ID = id(types.GeneratorType)
_ENUMERATE_TYPE_ID, _ZIP_TYPE_ID = id(enumerate), id(zip)
ARRAY_CODES = "bBhHiIlqfd"          # the array type codes traces read and write (tracejit.ir.ops.ARRAY_ITEMS)
_decref = ctypes.pythonapi.Py_DecRef
_decref.argtypes = [ctypes.c_void_p]
_decref.restype = None

_incref_obj = ctypes.pythonapi.Py_IncRef
_incref_obj.argtypes = [ctypes.py_object]
_incref_obj.restype = None
_incref_addr = ctypes.PYFUNCTYPE(None, ctypes.c_void_p)(("Py_IncRef", ctypes.pythonapi))    # a function of its own


def c_api(name: str, argtypes: list, restype):
    """A function of the C API through ctypes (the GIL stays held), with its argument and result types."""
    f = getattr(ctypes.pythonapi, name)
    f.argtypes, f.restype = argtypes, restype
    return f


def c_api_address(name: str) -> int:
    """The address of a function of the C API (for machine code that calls it): the symbol's address as ctypes
    finds it (dlsym on the interpreter's own handle), read without making a ctypes function object and casting it
    (about 0.7 instead of 4 us per name; the first compile asks for about 150). AttributeError when it is missing,
    as for `getattr(ctypes.pythonapi, name)`."""
    try:
        return ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, name))
    except ValueError:
        raise AttributeError(f"{name}: symbol not found in the interpreter") from None


thread_state = c_api("PyThreadState_Get", [], ctypes.c_void_p)
main_interpreter = c_api("PyInterpreterState_Main", [], ctypes.c_void_p)
# tracing suspended for a thread (no trace event, and 3.11's tracing mode off) between these two calls
enter_tracing = c_api("PyThreadState_EnterTracing", [ctypes.c_void_p], None)
leave_tracing = c_api("PyThreadState_LeaveTracing", [ctypes.c_void_p], None)

_i64 = ctypes.c_int64
_i32 = ctypes.c_int32
_ptr = ctypes.c_void_p
# memory as an array of aligned words: WORDS[addr >> 3] is the int64 at 8-aligned addr, HALVES[addr >> 2] the int32 at
# 4-aligned addr (one indexing instead of making a ctypes object per read: twice as fast; for the reads the hooks make
# at every back-edge of a loop getting hot). Based at 8 and 4: ctypes refuses to index a NULL pointer.
_WORDS = ctypes.cast(8, ctypes.POINTER(ctypes.c_int64))
_HALVES = ctypes.cast(4, ctypes.POINTER(ctypes.c_int32))
_pyobj = ctypes.py_object       # .from_address(a).value: the object whose pointer is stored at a (new ref)


def memory_words():
    """Memory as an array of aligned words, based at 8: `memory_words()[(addr >> 3) - 1]` is the int64 at the
    8-aligned address addr (nothing checks the address: for words of live objects only)."""
    return _WORDS


class _NullSlot:
    """What object_at(0) returns: a value-stack slot that holds NULL (pushed beside a callable)."""

    def __repr__(self) -> str:
        return "NULL"


NULL_SLOT = _NullSlot()


def object_at(address: int):
    """The object whose PyObject* is `address` (a new reference; the caller knows it is alive), or NULL_SLOT
    for address 0."""
    return ctypes.cast(address, ctypes.py_object).value if address else NULL_SLOT


def ref_at(slot: int):
    """The object the PyObject* stored at `slot` points to, as a new reference, or NULL_SLOT where it is NULL:
    the pointer is read and the reference taken in one C call (ctypes' py_object getter). A read of the pointer
    followed by object_at left a window in which the JIT's own Python code reached an eval-breaker point: a
    collection whose finalizer rebinds the slot (or another thread that does) could free the object before it
    was referenced (a segfault, tests/test_instances.py). The memory at `slot` must stay valid: a field of an
    object the caller holds."""
    try:
        return _pyobj.from_address(slot).value
    except ValueError:          # ctypes: "PyObject is NULL"
        return NULL_SLOT


def small_int_array() -> tuple[int, int]:
    """(address of the cached 0, distance between consecutive cached ints); checked by the layout
    self-check against every cached int."""
    zero = id(int("0"))
    return zero, id(int("1")) - zero


def c_api_addresses() -> dict[str, int]:
    """Addresses of the C API functions machine code calls, and of the cached ints; names as in
    backend.Externals."""
    f = c_api_address
    zero, stride = small_int_array()
    return {"small_int_zero": zero, "small_int_stride": stride, "incref": f("Py_IncRef"), "decref": f("Py_DecRef"),
            "float_new": f("PyFloat_FromDouble"), "long_new": f("PyLong_FromLongLong"), "err_clear": f("PyErr_Clear"),
            "get_iter": f("PyObject_GetIter"),
            "err_occurred": f("PyErr_Occurred"),
            "list_append": f("PyList_Append"), "complex_new": f("PyComplex_FromDoubles"),
            "tuple_new": f("PyTuple_New"), "list_new": f("PyList_New"), "list_slice": f("PyList_GetSlice"),
            "tuple_slice": f("PyTuple_GetSlice"),
            "vectorcall": f("PyObject_Vectorcall"), "builtin_sum": id(sum),
            "long_as_int64": f("PyLong_AsLongLongAndOverflow"), "latin1_chars": latin1_chars(),
            "str_compare": f("PyUnicode_Compare"), "str_contains": f("PyUnicode_Contains"),
            "dict_getitem": f("PyDict_GetItemWithError"), "dict_contains": f("PyDict_Contains"),
            "dict_next": f("PyDict_Next"), "dict_setitem": f("PyDict_SetItem"), "dict_new": f("PyDict_New"),
            "str_concat": f("PyUnicode_Concat"),
            "str_substring": f("PyUnicode_Substring"), "obj_str": f("PyObject_Str"),
            "str_join": f("_PyUnicode_JoinArray"), "setattr": f("PyObject_SetAttr"), "object_new": object_new(),
            "function_new": f("PyFunction_New"),
            "raised_exception": f("PyErr_GetRaisedException") if sys.version_info >= (3, 12) else 0,
            "gc_collecting": gc_collecting_address(LAYOUTS[VERSION])}


def _rd(addr: int) -> int:
    return _i64.from_address(addr).value


def _rdp(addr: int) -> int:
    return _ptr.from_address(addr).value or 0


def cpu_has_sse41() -> bool:
    """The CPU supports SSE4.1 (roundsd), per /proc/cpuinfo."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return "sse4_1" in line.split()
    except OSError:
        pass
    return False


def environment_problem() -> str | None:
    """Why native code cannot run on this interpreter at all (None when it can)."""
    machine = os.uname().machine
    if machine not in ("x86_64", "AMD64"):
        return f"CPU is {machine}, tracejit generates x86-64 code only"
    if not sys.platform.startswith("linux"):
        return f"platform is {sys.platform}, tracejit supports Linux only"
    if sys.implementation.name != "cpython":
        return f"interpreter is {sys.implementation.name}, tracejit needs CPython"
    if VERSION not in LAYOUTS:
        return f"CPython {VERSION[0]}.{VERSION[1]} is not supported (3.11, 3.12, 3.13 are)"
    if "t" in getattr(sys, "abiflags", ""):          # the free-threaded build's ABI flag
        return "free-threaded CPython build is not supported"
    if hasattr(sys, "gettotalrefcount"):
        return "debug CPython build is not supported"
    if getattr(sys, "is_stack_trampoline_active", lambda: False)():
        # (3.12+: its C trampolines change the chain of C frames the frame checks read)
        return "the perf trampoline is active (python -X perf, PYTHONPERFSUPPORT): tracejit does not run under it"
    return None


class FrameAccess:
    """Raw access to running frames (valid only while the frame is executing and the GIL is held)."""

    def __init__(self, layout: Layout):
        self.L = layout

    # --- addresses
    def iframe(self, frame) -> int:
        return _rdp(id(frame) + self.L.frame_f_frame)

    def nlocalsplus(self, code) -> int:
        return _i32.from_address(id(code) + self.L.code_nlocalsplus).value

    def instr_address(self, code, offset: int) -> int:
        return id(code) + self.L.code_adaptive + offset

    def recursion_counter_address(self) -> int:
        """The address of this thread's count of Python frames left before RecursionError (an int)."""
        return thread_state() + self.L.tstate_recursion_remaining

    def monitoring_version_address(self) -> int:
        """The address of the interpreter's instrumentation version (a uint64), or 0 where it is not known."""
        off = self.L.interp_monitoring_version
        return main_interpreter() + off if off >= 0 else 0

    def tracing_counter_address(self) -> int:
        """The address of this thread's tracing counter (an int: events are not reported while it is above 0)."""
        return thread_state() + self.L.tstate_tracing

    def current_frame_cell(self) -> int:
        """The address of the word that holds this thread's executing frame (a _PyInterpreterFrame*): Python
        code called from C links its frame to the frame found there."""
        tstate = thread_state()
        if self.L.tstate_cframe >= 0:
            return _rdp(tstate + self.L.tstate_cframe) + self.L.current_frame
        return tstate + self.L.current_frame

    # --- fast locals and stack slots
    def slot_address(self, iframe: int, index: int) -> int:
        return iframe + self.L.iframe_localsplus + 8 * index

    def read_slot(self, iframe: int, index: int):
        """Object in localsplus[index]; raises LookupError when the slot is empty (unbound)."""
        try:
            return _pyobj.from_address(iframe + self.L.iframe_localsplus + 8 * index).value
        except ValueError:          # NULL pointer
            raise LookupError(index) from None

    def slot_is_set(self, iframe: int, index: int) -> bool:
        return bool(_rdp(self.slot_address(iframe, index)))

    def writes(self, frame) -> FrameWrites:
        """A batch of writes to the running `frame`, applied all at once by FrameWrites.commit()."""
        return FrameWrites(self, frame)

    def stacktop(self, iframe: int) -> int:
        return _i32.from_address(iframe + self.L.iframe_stacktop).value

    def stack_depth(self, iframe: int, code) -> int:
        return self.stacktop(iframe) - self.nlocalsplus(code)

    def read_stack(self, iframe: int, code, pos: int):
        return self.read_slot(iframe, self.nlocalsplus(code) + pos)

    # --- range iterators: (next value, step, remaining count)
    def range_iter_state(self, it) -> tuple[int, int, int]:
        f = self.L.range_iter
        a = id(it)
        if "index" in f:   # 3.11
            start, step, length, index = _rd(a + f["start"]), _rd(a + f["step"]), _rd(a + f["len"]), _rd(a + f["index"])
            return start + index * step, step, length - index
        return _rd(a + f["start"]), _rd(a + f["step"]), _rd(a + f["len"])

    def _top_object(self, frame, code, index: int = -1) -> int:
        """The address of the object on top of the running `frame`'s value stack, or of its item `index` (0: the
        bottom one); 0 for an empty stack, an index beyond the top, or NULL. Read from memory (no reference made,
        no method called)."""
        L = self.L
        words = _WORDS
        iframe = words[(id(frame) + L.frame_f_frame >> 3) - 1]          # (fields of these structs are aligned)
        top = _HALVES[(iframe + L.iframe_stacktop >> 2) - 1]
        base = _HALVES[(id(code) + L.code_nlocalsplus >> 2) - 1]
        at = top - 1 if index < 0 else base + index
        if not base <= at < top:
            return 0
        return words[(iframe + L.iframe_localsplus + 8 * at >> 3) - 1]

    def _range_left(self, it: int) -> int:
        """The items left in the range iterator at address `it`."""
        f = self.L.range_iter
        left = _WORDS[(it + f["len"] >> 3) - 1]
        if "index" in f:                                                # 3.11 keeps start, index, len
            return left - _WORDS[(it + f["index"] >> 3) - 1]
        return left

    def top_iterator_run(self, frame, code) -> tuple[int, int, int] | None:
        """How far the iterator on top of the running `frame`'s value stack has gone, if it is a range, list,
        tuple, str or array iterator: (position, given, left). `position` grows by one with each item it gives
        (the index of the next item; a range iterator's items left, negated); `given` is the items it has given
        (0: not known, a range iterator on 3.12+, which keeps no start), `left` the items it has left. None for
        an empty stack or any other object. Read from memory (no reference made, no method called): the hooks ask
        at back-edges of a loop getting hot."""
        it = self._top_object(frame, code)
        if not it:
            return None
        words = _WORDS
        t = words[(it + self.L.ob_type >> 3) - 1]
        if t in _INDEXED_ITER_TYPE_IDS:
            index = words[(it + LIST_ITER_INDEX >> 3) - 1]
            seq = words[(it + LIST_ITER_SEQ >> 3) - 1]
            if index < 0 or not seq:            # exhausted (3.13 sets the index to -1), or set so by __setstate__
                return index, 0, 0
            return index, index, max(words[(seq + SEQ_LENGTH_AT >> 3) - 1] - index, 0)
        if t == _RANGE_ITER_TYPE_ID:
            left, f = self._range_left(it), self.L.range_iter
            return -left, words[(it + f["index"] >> 3) - 1] if "index" in f else 0, left    # (3.11 keeps index)
        return None

    def top_items_left(self, frame, code, index: int = -1) -> int | None:
        """The items left in the iterator on top of the running `frame`'s value stack (or its item `index`, 0: the
        bottom one), if it is a range, list, tuple, str or array iterator, or an enumerate or zip object over such
        iterators (a list's later growth not foreseen); None for an empty stack, an exhausted iterator or any other
        object. Read from memory, like top_iterator_run."""
        it = self._top_object(frame, code, index)
        return self._items_left(it, 2) if it else None

    def _items_left(self, it: int, depth: int) -> int | None:
        """The items left in the iterator at address `it` (top_items_left); enumerate and zip objects looked into
        `depth` levels deep."""
        words = _WORDS
        t = words[(it + self.L.ob_type >> 3) - 1]
        if t == _RANGE_ITER_TYPE_ID:
            return self._range_left(it)
        if t in _INDEXED_ITER_TYPE_IDS:
            seq = words[(it + LIST_ITER_SEQ >> 3) - 1]
            if not seq:
                return None
            # the sequence's length: a list's, tuple's or array's ob_size, a str's length (checked: SEQ_LENGTH_AT)
            return max(words[(seq + SEQ_LENGTH_AT >> 3) - 1] - words[(it + LIST_ITER_INDEX >> 3) - 1], 0)
        if not depth:
            return None
        if t == _ENUMERATE_TYPE_ID:
            sub = words[(it + ENUM_SIT >> 3) - 1]
            return self._items_left(sub, depth - 1) if sub else None
        if t == _ZIP_TYPE_ID:
            iters = words[(it + ZIP_ITERS >> 3) - 1]
            n = words[(it + ZIP_SIZE >> 3) - 1]
            if not iters or n < 1 or n != words[(iters + SEQ_LENGTH_AT >> 3) - 1]:
                return None
            lefts = [self._items_left(words[(iters + self.L.tuple_items >> 3) + k - 1], depth - 1) for k in range(n)]
            return None if None in lefts else min(lefts)
        return None

    def top_is_generator(self, frame, code) -> bool:
        """The object on top of the running `frame`'s value stack is a generator (the iterator of a `for` loop over
        one: how many items it has left nothing can tell). Read from memory, like top_items_left."""
        it = self._top_object(frame, code)
        return bool(it) and _WORDS[(it + self.L.ob_type >> 3) - 1] == _GENERATOR_TYPE_ID

    def range_iter_cells(self, it, nxt: int, remaining: int) -> list[tuple]:
        """(cell, value) pairs that make range iterator `it` yield `nxt` next with `remaining` items left."""
        f = self.L.range_iter
        a = id(it)
        if "index" in f:    # 3.11: start stays; next = start + index*step holds by construction
            return [(_i64.from_address(a + f["index"]), _rd(a + f["len"]) - remaining)]
        return [(_i64.from_address(a + f["start"]), _wrap64(nxt)), (_i64.from_address(a + f["len"]), remaining)]


def range_iter_left(it) -> int:
    """The items the range iterator `it` has left (read from memory: the IR interpreter's range_iter_left)."""
    f = LAYOUTS[VERSION].range_iter
    left = _rd(id(it) + f["len"])
    return left - _rd(id(it) + f["index"]) if "index" in f else left


def range_iter_set(it, start: int, step: int, left: int) -> None:
    """Make the fresh range iterator `it` give `left` items from `start` by `step`, as iter(range(...)) makes
    one (in memory: the IR interpreter's range_iter_set)."""
    f = LAYOUTS[VERSION].range_iter
    a = id(it)
    if "index" in f:
        _i64.from_address(a + f["index"]).value = 0
    for name, value in (("start", start), ("step", step), ("len", left)):
        _i64.from_address(a + f[name]).value = value


def range_iter_take(it) -> int:
    """The next item of the range iterator `it`, which has one left, and the iterator advanced past it, as its
    __next__ does (in memory: the IR interpreter's range_iter_take)."""
    f = LAYOUTS[VERSION].range_iter
    a = id(it)
    if "index" in f:                    # 3.11: start + index * step, then index + 1
        k = _rd(a + f["index"])
        _i64.from_address(a + f["index"]).value = k + 1
        return _wrap64(_rd(a + f["start"]) + k * _rd(a + f["step"]))
    item = _rd(a + f["start"])          # 3.12+: start, then start + step and len - 1
    _i64.from_address(a + f["start"]).value = _wrap64(item + _rd(a + f["step"]))
    _i64.from_address(a + f["len"]).value = _rd(a + f["len"]) - 1
    return item


def seq_iter_left(it) -> int:
    """The items a list's or a tuple's iterator has left (0 once it is exhausted; read from memory: the IR
    interpreter's seq_iter_left)."""
    index, seq = list_iter_state(it)            # (a tuple iterator keeps them where a list iterator does)
    return 0 if seq is None else len(seq) - index


def seq_iter_take(it):
    """The next item of a list's or a tuple's iterator, which has one left, and the iterator advanced past it (in
    memory: the IR interpreter's list_iter_take and tuple_iter_take)."""
    index, seq = list_iter_state(it)
    list_iter_set_index(it, index + 1)
    return seq[index]


def c_method_self(bound, definition: int):
    """The object the built-in method `bound` is bound to, if it is one whose PyMethodDef is at `definition`
    (cpython.methods.method_def: the method of a type it binds); else LookupError (the IR interpreter's
    c_method_self)."""
    if type(bound) is not _BUILTIN_METHOD or bound_method_def(bound) != definition:
        raise LookupError("another built-in method")
    return object_at(_rdp(id(bound) + LAYOUTS[VERSION].cfunc_self))


def bound_method_def(bound) -> int:
    """The address of the PyMethodDef of the built-in method `bound` (a builtin_function_or_method)."""
    assert type(bound) is _BUILTIN_METHOD
    return _rdp(id(bound) + LAYOUTS[VERSION].cfunc_ml)


def list_iter_state(it) -> tuple[int, list | None]:
    """(index of the next item, the list, or None once the iterator is exhausted) of a list iterator."""
    seq = _rdp(id(it) + LIST_ITER_SEQ)
    return _rd(id(it) + LIST_ITER_INDEX), (object_at(seq) if seq else None)


_latin1_table: list = []       # [the table latin1_chars() gives], made once


def latin1_chars() -> int:
    """The address of 256 object pointers: entry c is the one-character string CPython gives for code point c
    (`s[i]`, `chr(c)`, iteration: its cached strings, which are never freed; checked by check_layout)."""
    if not _latin1_table:
        _latin1_table.append((ctypes.c_void_p * 256)(*[id(chr(c)) for c in range(256)]))
    return ctypes.addressof(_latin1_table[0])


def str_code_points(s: str, layout: Layout) -> list[int] | None:
    """The code points of a compact string as the machine code reads them (None: not compact)."""
    state = ctypes.c_uint8.from_address(id(s) + layout.str_state).value
    if not state & layout.STR_COMPACT:
        return None
    kind = (state >> layout.STR_KIND_SHIFT) & 7
    data = id(s) + (layout.str_ascii_data if state & layout.STR_ASCII else layout.str_compact_data)
    cell = {1: ctypes.c_uint8, 2: ctypes.c_uint16, 4: ctypes.c_uint32}[kind]
    return [cell.from_address(data + kind * k).value for k in range(_rd(id(s) + layout.str_length))]


def dict_keys_kind(d: dict, layout: Layout) -> int:
    """dk_kind of a dict's keys: 0 (general: keys of any type), 1 (unicode) or 2 (split): exact strs only."""
    return ctypes.c_uint8.from_address(_rdp(id(d) + layout.dict_keys) + layout.dict_keys_kind).value


# PyDictKeysObject (3.11-3.13, the same in each; checked by _check_dict_layout): dk_log2_index_bytes (uint8),
# dk_nentries (entries used, deleted ones included: a new key always takes a new entry), the start of
# dk_indices, after which come the entries: {me_key, me_value} (unicode keys) or {me_hash, me_key, me_value}
DK_LOG2_INDEX_BYTES, DK_NENTRIES, DK_INDICES = 9, 24, 32
DK_HEADER, DK_VERSION = 8, 12       # the word of dk_log2_size ... dk_version (uint32, at 12: 0 = none given yet)
_DK_ENTRY = {0: (24, 8, 16), 1: (16, 0, 8)}      # dk_kind -> (entry size, offset of me_key, offset of me_value)


def dict_value_slot(d: dict, name: str, layout: Layout) -> tuple[int, int] | None:
    """(address of d's keys object, address of the value pointer of the entry whose key is the object `name`) in
    the dict's current keys, or None (no such entry: the key is an equal str that is not `name` itself, or a split
    dict). While d.ma_keys is that keys object, the word at that address is what d[name] is (NULL once deleted: a
    key added again takes a new entry): a guard on a name's binding that no change to another name fails."""
    keys = _rdp(id(d) + layout.dict_keys)
    kind = ctypes.c_uint8.from_address(keys + layout.dict_keys_kind).value
    if kind not in _DK_ENTRY:
        return None
    size, key_at, value_at = _DK_ENTRY[kind]
    entries = keys + DK_INDICES + (1 << ctypes.c_uint8.from_address(keys + DK_LOG2_INDEX_BYTES).value)
    for k in range(_rd(keys + DK_NENTRIES)):
        if _rdp(entries + k * size + key_at) == id(name):
            return keys, entries + k * size + value_at
    return None


def keys_version(d: dict, layout: Layout) -> tuple[int, int, int]:
    """(address of d's keys object, its header word at DK_HEADER, its dk_version)."""
    keys = _rdp(id(d) + layout.dict_keys)
    return keys, _rd(keys + DK_HEADER), ctypes.c_uint32.from_address(keys + DK_VERSION).value


def keys_versions_hold(layout: Layout) -> bool:
    """Whether a dict's keys version behaves as runtime.fastpath's guards rely on: CPython gives one when it
    specializes a LOAD_GLOBAL of the dict's names, keeps it while values change, and resets it to 0 when a key
    is added or deleted (measured on 3.11-3.13; CPython takes each from a counter: never twice the same)."""
    ns: dict = {"__builtins__": builtins}
    exec("X = 1\ndef f():\n    return X\n", ns)
    for _ in range(64):
        ns["f"]()
    before = keys_version(ns, layout)
    ns["X"] = 2
    same = keys_version(ns, layout) == before
    first = before[2]
    ns["Y"] = 3
    return bool(first) and same and keys_version(ns, layout)[2] == 0


def _check_dict_slots(L: Layout) -> str | None:
    """dict_value_slot finds a name's value in a dict of str keys and in one of general keys, follows a new value,
    reads NULL once the key is deleted, and dk_nentries counts a new key."""
    name, other = "probe_name", "probe_other"
    for d in ({"a": 1, name: 2, "b": 3}, {5: 1, name: 2}):
        found = dict_value_slot(d, name, L)
        if found is None or _rdp(found[1]) != id(d[name]):
            return "dict entry layout mismatch"
        keys, slot = found
        n = _rd(keys + DK_NENTRIES)
        value = object()
        d[name] = value
        d[other] = 4
        if _rdp(id(d) + L.dict_keys) != keys or _rdp(slot) != id(value) or _rd(keys + DK_NENTRIES) != n + 1:
            return "dict entry layout mismatch"
        del d[name]
        if _rdp(slot) != 0:
            return "dict entry layout mismatch"
    return None


def _check_dict_layout(L: Layout) -> str | None:
    """A dict's length and the kind of its keys: all exact strs or not, before and after a key of another
    type comes and goes (the kind stays general), and an instance's split dict."""
    class Probe:
        pass
    p = Probe()
    p.a, p.b = 1, 2
    strs = dict.fromkeys(["x", "y", "zz"])
    mixed = dict.fromkeys(["x", "y"])
    mixed[7] = None
    del mixed[7]
    for d, n, kind in (({}, 0, 1), (strs, 3, 1), ({5: 1, "x": 2}, 2, 0), (mixed, 2, 0), (p.__dict__, 2, 2)):
        if _rd(id(d) + L.dict_used) != n or dict_keys_kind(d, L) != kind:
            return "dict layout mismatch"
    before = _rd(id(strs) + L.dict_version)
    strs["x"] = 1
    after = _rd(id(strs) + L.dict_version)
    len(strs)
    if after == before or _rd(id(strs) + L.dict_version) != after:
        return "dict version tag mismatch"
    return _check_dict_slots(L)


def _check_seq_lengths(*more) -> str | None:
    """The sequences of the iterators top_items_left reads keep their length at SEQ_LENGTH_AT, and each iterator
    its index and sequence at LIST_ITER_INDEX / LIST_ITER_SEQ, for every type SEQ_ITER_TYPES names (`more`:
    sequences of types it is about to name)."""
    for seq in ([1, 2, 3], (1, 2, 3, 4), "abcde", "\xe9t\xe9", *more):
        it = iter(seq)
        next(it)
        if _rd(id(seq) + SEQ_LENGTH_AT) != len(seq) or _rd(id(it) + LIST_ITER_INDEX) != 1 or \
                _rdp(id(it) + LIST_ITER_SEQ) != id(seq):
            return "sequence length layout mismatch"
    return None


ARRAY_NOT_IMPORTED = "the program had not imported `array` when the recorder loaded"


def with_arrays() -> str | None:
    """Check the layout of array.array and its iterator, if the program has imported `array` (the JIT does not:
    its import imports `collections.abc` and `collections`, about 9 million instructions on 3.12), and on
    success let the array iterator join SEQ_ITER_TYPES (its runs then counted, its items walked). Returns what
    does not match, ARRAY_NOT_IMPORTED, or None; the recorder, which calls it when it loads, records no array
    operation unless it is None (recorder/arrays.py: an array then takes the generic path). Checked once: left
    out of check_layout so that start-up does not import `array` and `collections`."""
    global _INDEXED_ITER_TYPE_IDS
    if not _ARRAYS_CHECKED:
        if "array" not in sys.modules:
            return ARRAY_NOT_IMPORTED
        import array
        problem = check_array_layout(LAYOUTS[VERSION]) if VERSION in LAYOUTS else "no layout for this version"
        if problem is None:
            SEQ_ITER_TYPES[type(iter(array.array("d")))] = array.array
            _INDEXED_ITER_TYPE_IDS = frozenset(id(t) for t in (LIST_ITER_TYPE, *SEQ_ITER_TYPES))
        _ARRAYS_CHECKED.append(problem)
    return _ARRAYS_CHECKED[0]


def check_array_layout(L: Layout) -> str | None:
    """What of array.array's layout and its iterator's does not match `L` (check_layout's part for arrays,
    made when the recorder loads: with_arrays), or None."""
    import array
    return _check_array_layout(L, array) or _check_seq_lengths(array.array("d", [1.0, 2.0]))


def _check_array_layout(L: Layout, array) -> str | None:
    """An array's length, type code and items, for each type code the machine code reads and writes; an array
    iterator keeps its index and array where a list iterator does."""
    for code in ARRAY_CODES:
        a = array.array(code, [1, 2, 3, 100])
        size = a.itemsize
        items = _rdp(id(a) + L.array_items)
        raw = ctypes.string_at(items, 4 * size) if items else b""
        if _rd(id(a) + L.ob_size) != 4 or list(struct.unpack(f"@4{code}", raw)) != a.tolist() or \
                chr(ctypes.c_uint8.from_address(_rdp(id(a) + L.array_descr)).value) != code:
            return f"array layout mismatch for type code {code}"
    it = iter(a)
    next(it)
    index, seq = list_iter_state(it)           # (seq_walk: once the array iterator is in SEQ_ITER_TYPES)
    if index != 1 or seq is not a:
        return "array iterator layout mismatch"
    return None


def _check_str_layout(L: Layout) -> str | None:
    """A string's length, kind bits and code points, each kind; the cached one-character strings."""
    for sample in ("abc", "\xe9bc", "\u0100bc", "\U00010000bc"):
        s = "".join([sample[0], str(len(sample)), sample[1:]])        # a fresh object
        if _rdp(id(s) + L.ob_type) != id(str) or str_code_points(s, L) != [ord(c) for c in s]:
            return f"str layout mismatch for {s!r}"
    table = (ctypes.c_void_p * 256).from_address(latin1_chars())
    if any(table[c] != id(chr(c)) or ("\u0100" + chr(c))[1] is not chr(c) for c in range(256)):
        return "cached one-character strings mismatch"
    return None


def type_version(t: type) -> int:
    """The version tag of type `t` (tp_version_tag), after a lookup on `t` that assigns one when it has
    none (CPython assigns tags from a counter that only grows, so a tag names one type in one state: any
    change to the type or to one of its bases, `__bases__` included, sets it to 0). 0: no tag (tags ran
    out, or the type cannot have one)."""
    getattr(t, "__tracejit_version_probe__", None)      # _PyType_Lookup assigns the tag
    return ctypes.c_uint32.from_address(id(t) + TYPE_VERSION_TAG).value


def generic_getattr(t: type) -> bool:
    """Instances of `t` get their attributes the usual way (tp_getattro is object's: no __getattribute__
    of its own, nor a C type's own lookup such as a weak proxy's)."""
    return _rdp(id(t) + TYPE_GETATTRO) == _rdp(id(object) + TYPE_GETATTRO)


def object_new() -> int:
    """The address of object's tp_new (object_new), which `type.__call__` calls to make an instance of a class
    that defines no __new__ (self-checked: _check_type_layout)."""
    return _rdp(id(object) + TYPE_NEW)


def inherits_object_new(t: type) -> bool:
    """Instances of `t` are made by object's tp_new (neither `t` nor a base defines __new__)."""
    return _rdp(id(t) + TYPE_NEW) == object_new()


def release_all(addresses) -> None:
    """Py_DecRef each object address (a compiled loop's graveyard, emptied after a native run; the objects a
    native exit owns)."""
    for a in addresses:
        _decref(a)


def retain_all(addresses) -> None:
    """Py_IncRef each object address (the objects of the variables machine code owns, at entry)."""
    for a in addresses:
        _incref_addr(a)


def list_iter_set_index(it, index: int) -> None:
    """Make a list iterator nobody else sees yet yield item `index` next."""
    _i64.from_address(id(it) + LIST_ITER_INDEX).value = index


def enumerate_state(it) -> tuple[int, object] | None:
    """(the next count, the iterator it enumerates) of an enumerate object, or None once its count has
    left Py_ssize_t (CPython then counts in a Python int, en_longindex)."""
    if _rdp(id(it) + ENUM_LONGINDEX):
        return None
    return _rd(id(it) + ENUM_INDEX), object_at(_rdp(id(it) + ENUM_SIT))


def zip_iterators(it) -> tuple:
    """The iterators a zip object advances, in order."""
    iters = object_at(_rdp(id(it) + ZIP_ITERS))
    if len(iters) != _rd(id(it) + ZIP_SIZE):
        raise ValueError("zip object layout mismatch")
    return iters


def list_walk(it) -> tuple[int, list]:
    """(next index, list) of a list iterator that has not ended; TypeError for anything else."""
    if type(it) is not LIST_ITER_TYPE:
        raise TypeError(f"a {type(it).__name__}, not a list iterator")
    index, seq = list_iter_state(it)
    if seq is None:
        raise TypeError("an exhausted list iterator")
    return index, seq


def seq_walk(it, kind: type) -> tuple[int, str | tuple]:
    """(next index, sequence) of a str, tuple or array iterator (kind: the sequence's exact type, SEQ_ITER_TYPES)
    that has not ended; TypeError for anything else (a subclass's instance too)."""
    if SEQ_ITER_TYPES.get(type(it)) is not kind:
        raise TypeError(f"a {type(it).__name__}, not a {kind.__name__} iterator")
    index, seq = list_iter_state(it)        # the same fields
    if seq is None:
        raise TypeError(f"an exhausted {kind.__name__} iterator")
    if type(seq) is not kind:
        raise TypeError(f"an iterator over a {type(seq).__name__}, not an exact {kind.__name__}")
    return index, seq


def dict_walk(it, kind: str) -> tuple[int, int, dict]:
    """(position, items left, dict) of a dict iterator of `kind` (DICT_ITER_TYPES: keys, values, items) that
    has not ended and whose dict has not changed size; TypeError for anything else."""
    if DICT_ITER_TYPES.get(type(it)) != kind:
        raise TypeError(f"a {type(it).__name__}, not a dict iterator of kind {kind}")
    d = _rdp(id(it) + DICT_ITER_DICT)
    if not d:
        raise TypeError("an exhausted dict iterator")
    if _rd(id(it) + DICT_ITER_USED) != len(object_at(d)):
        raise TypeError("a dict iterator whose dict changed size")     # the interpreter raises at FOR_ITER
    return _rd(id(it) + DICT_ITER_POS), _rd(id(it) + DICT_ITER_LEN), object_at(d)


def enumerate_list_state(it) -> tuple[int, object, int, list]:
    """(next count, the list iterator, its next index, its list) of `enumerate(a_list)` that has not ended;
    TypeError for any other iterator (an enumerate of something else, a count beyond Py_ssize_t)."""
    if type(it) is not enumerate:
        raise TypeError(f"a {type(it).__name__}, not an enumerate object")
    state = enumerate_state(it)
    if state is None:
        raise TypeError("an enumerate count beyond Py_ssize_t")
    count, sub = state
    return (count, sub) + list_walk(sub)


def zip_list_states(it) -> list[tuple[object, int, list]]:
    """[(list iterator, next index, list), ...] of `zip(list1, list2, ...)` over distinct list iterators
    that have not ended; TypeError for any other iterator."""
    if type(it) is not zip:
        raise TypeError(f"a {type(it).__name__}, not a zip object")
    subs = zip_iterators(it)
    if len({id(s) for s in subs}) != len(subs):
        raise TypeError("zip over one iterator twice")
    return [(sub,) + list_walk(sub) for sub in subs]


class FrameWrites:
    """Writes to a running frame, collected and then applied in one pass of C code.

    commit() runs every write inside a single C call (itertools.starmap over operator.call, driving ctypes
    setters and Py_IncRef): no bytecode runs in between, so no eval-breaker check, no thread switch, no
    signal handler and no asynchronous exception can see or interrupt a half-written frame; another thread
    sees the frame before or after, as at an iteration boundary in plain CPython. A fast local's old value
    is read inside the same pass and released afterwards; a global's is held from before the pass to its end.

    On 3.11 and 3.12 the pass ends by clearing f_fast_as_locals: when something read `frame.f_locals`
    (another thread, a handler, the program) a sys.settrace callback returns through PyFrame_LocalsToFast,
    which would copy the locals dict of before the writes back over them."""

    __slots__ = ("fa", "frame", "ops", "olds", "held")

    def __init__(self, fa: FrameAccess, frame) -> None:
        self.fa, self.frame = fa, frame
        self.ops: list[tuple] = []
        self.olds: list[int] = []           # positions in ops whose result is an old reference to release
        self.held: list = []                # the old values of the globals set, released after the pass

    def set_local(self, iframe: int, index: int, value) -> None:
        """localsplus[index] = value (a new strong reference; the old one is released after the pass)."""
        cell = _ptr.from_address(self.fa.slot_address(iframe, index))
        self.olds.append(len(self.ops))
        self.ops += [(getattr, cell, "value"), (_incref_obj, value), (setattr, cell, "value", id(value))]

    def clear_slot(self, iframe: int, index: int) -> None:
        """localsplus[index] = NULL (an item popped off the value stack; its reference is released after the
        pass)."""
        cell = _ptr.from_address(self.fa.slot_address(iframe, index))
        self.olds.append(len(self.ops))
        self.ops += [(getattr, cell, "value"), (setattr, cell, "value", None)]

    def set_global(self, namespace: dict, name: str, value) -> None:
        """namespace[name] = value; its old value is held until the pass is over (the dict's release of it then
        frees nothing: a __del__ it runs sees the frame complete)."""
        self.held.append(namespace.get(name))
        self.ops.append((namespace.__setitem__, name, value))

    def set_range_iter(self, it, nxt: int, remaining: int) -> None:
        self.ops += [(setattr, cell, "value", v) for cell, v in self.fa.range_iter_cells(it, nxt, remaining)]

    def set_list_iter(self, it, index: int) -> None:
        """Make list iterator `it` yield its list's item `index` next."""
        self.ops.append((setattr, _i64.from_address(id(it) + LIST_ITER_INDEX), "value", index))

    def set_dict_iter(self, it, pos: int, left: int) -> None:
        """Make dict iterator `it` look for its next entry at `pos`, with `left` items left."""
        self.ops += [(setattr, _i64.from_address(id(it) + DICT_ITER_POS), "value", pos),
                     (setattr, _i64.from_address(id(it) + DICT_ITER_LEN), "value", left)]

    def set_enumerate_count(self, it, count: int) -> None:
        """Make enumerate object `it` count `count` for its next item."""
        self.ops.append((setattr, _i64.from_address(id(it) + ENUM_INDEX), "value", count))

    def push_stack(self, iframe: int, nlocalsplus: int, depth: int, values: list) -> None:
        """Make the value stack [base items up to `depth`] + values and set stacktop. Slots above the current
        stack hold no references (they are dead), so they are simply overwritten."""
        base = nlocalsplus + depth
        for k, v in enumerate(values):
            cell = _ptr.from_address(self.fa.slot_address(iframe, base + k))
            if v is NULL_SLOT:
                self.ops.append((setattr, cell, "value", None))
            else:
                self.ops += [(_incref_obj, v), (setattr, cell, "value", id(v))]
        self.ops.append((setattr, _i32.from_address(iframe + self.fa.L.iframe_stacktop), "value",
                         base + len(values)))

    def set_next_instr(self, iframe: int, code, offset: int) -> None:
        """Make the interpreter continue at the instruction at byte `offset` when the callback returns."""
        self.ops.append((setattr, _ptr.from_address(iframe + self.fa.L.iframe_instr), "value",
                         self.fa.instr_address(code, offset)))

    def commit(self) -> None:
        flag = self.fa.L.frame_fast_as_locals
        if flag >= 0:
            self.ops.append((setattr, ctypes.c_byte.from_address(id(self.frame) + flag), "value", 0))
        done = list(_starmap(_call, self.ops))          # the one C-level pass
        for i in self.olds:
            if done[i]:
                _decref(done[i])
        self.held.clear()


def _wrap64(v: int) -> int:
    return ((v + (1 << 63)) % (1 << 64)) - (1 << 63)


def _fast_as_locals_probe(offset: int) -> tuple[int, int, int]:
    """On a fresh frame: (the flag, the flag after reading f_locals, f_trace_opcodes' byte just before it
    while f_trace_opcodes is set); (0, 1, 1) when the offset is right."""
    frame = sys._getframe()
    flag = ctypes.c_byte.from_address(id(frame) + offset)
    before = flag.value
    frame.f_locals  # noqa: B018 - the read converts fast locals to a dict and sets the flag
    after = flag.value
    frame.f_trace_opcodes = True
    opcodes = ctypes.c_byte.from_address(id(frame) + offset - 1).value
    frame.f_trace_opcodes = False
    return before, after, opcodes


def _long_fields(value: int, layout: Layout) -> tuple[int, int, int]:
    """(number of digits, negative?, magnitude of up to three digits) read from a live int object, as the machine
    code reads it (backend: int_value, the round trip's unboxing): the third digit only where there is one."""
    head = _rd(id(value) + layout.long_tag)
    if layout.long_tagged:
        ndigits, negative = head >> 3, (head & 3) == 2
    else:
        ndigits, negative = abs(head), head < 0
    shift, mask = layout.long_shift, (1 << layout.long_shift) - 1
    q = _rd(id(value) + layout.long_digits) & ((1 << 64) - 1)
    lo, hi = q & mask, (q >> 32) & mask      # digits are 32-bit words
    third = ctypes.c_uint32.from_address(id(value) + layout.long_digits + 8).value & mask if ndigits == 3 else 0
    return ndigits, negative, (lo if ndigits >= 1 else 0) | ((hi << shift) if ndigits >= 2 else 0) | \
        (third << 2 * shift)


def _check_object_layouts(layout: Layout) -> str | None:
    """The object fields the machine code reads and writes: reference count, type, list and tuple size and
    items, a list's room, float value, complex parts, int digits, the cached small ints."""
    L = layout
    items = [1.5, "x", None]
    if _rdp(id(items) + L.ob_type) != id(list) or _rd(id(items) + L.ob_size) != 3 or \
            _rdp(_rdp(id(items) + L.list_items) + 8) != id(items[1]):
        return "list layout mismatch"
    grown = []
    grown.append(1)
    room = _rd(id(grown) + L.list_allocated)
    if room != (sys.getsizeof(grown) - sys.getsizeof([])) // 8 or room < 1:
        return "list allocated layout mismatch"
    pair = (items, None)
    if _rdp(id(pair) + L.ob_type) != id(tuple) or _rd(id(pair) + L.ob_size) != 2 or \
            _rdp(id(pair) + L.tuple_items) != id(items) or _rdp(id(pair) + L.tuple_items + 8) != id(None):
        return "tuple layout mismatch"
    bound, again, other = items.append, items.append, pair.index
    if _rdp(id(bound) + L.ob_type) != id(_BUILTIN_METHOD) or _rdp(id(bound) + L.cfunc_self) != id(items) or \
            _rdp(id(other) + L.cfunc_self) != id(pair) or _rdp(id(bound) + L.cfunc_ml) != _rdp(id(again) + L.cfunc_ml) \
            or _rdp(id(bound) + L.cfunc_ml) in (0, id(items), _rdp(id(other) + L.cfunc_ml)):
        return "built-in method layout mismatch"
    probe = object()
    count = _rd(id(probe) + L.ob_refcnt)
    refs = [probe, probe]
    if count < 1 or _rd(id(probe) + L.ob_refcnt) != count + len(refs):
        return "reference count layout mismatch"
    x = float("2.75")
    if _rdp(id(x) + L.ob_type) != id(float) or ctypes.c_double.from_address(id(x) + L.float_value).value != 2.75:
        return "float layout mismatch"
    zero, stride = small_int_array()
    if any(id(int(str(k))) != zero + k * stride for k in L.small_ints):
        return "small int cache layout mismatch"
    if layout.immortal != (ctypes.c_int32.from_address(id(None)).value < 0):
        return "immortal refcount mismatch"
    z = complex("1.25-3.5j")
    if _rdp(id(z) + L.ob_type) != id(complex) or \
            ctypes.c_double.from_address(id(z) + L.complex_real).value != 1.25 or \
            ctypes.c_double.from_address(id(z) + L.complex_imag).value != -3.5:
        return "complex layout mismatch"
    it = iter(items)
    next(it)
    if list_iter_state(it) != (1, items) or type(it) is not LIST_ITER_TYPE:
        return "list iterator layout mismatch"
    titer = iter(pair)
    next(titer)
    for walked, seq in ((it, items), (titer, pair)):      # (the layout's copy of those offsets, for machine code)
        if _rd(id(walked) + L.seq_iter_index) != 1 or _rdp(id(walked) + L.seq_iter_seq) != id(seq):
            return "sequence iterator layout mismatch"
    list(it)
    if list_iter_state(it)[1] is not None:
        return "exhausted list iterator layout mismatch"
    chars = iter("".join(["x", "\u0100", "z"]))
    next(chars)
    if seq_walk(chars, str) != (1, "x\u0100z"):
        return "str iterator layout mismatch"
    frozen = tuple(items)
    titer = iter(frozen)
    next(titer)
    if seq_walk(titer, tuple) != (1, frozen):
        return "tuple iterator layout mismatch"
    probe = {"a": 1, "b": 2, "c": 3}
    del probe["a"]
    walks = iter(probe.items())
    next(walks)
    if dict_walk(walks, "i") != (2, 1, probe):         # entry 0 is a hole: the next entry was at 1
        return "dict iterator layout mismatch"
    list(walks)
    if _rdp(id(walks) + DICT_ITER_DICT):
        return "exhausted dict iterator layout mismatch"
    e = enumerate(items, 40)
    next(e)
    sub = e.__reduce__()[1][0]
    if enumerate_state(e) != (41, sub) or enumerate_state(e)[1] is not sub or type(sub) is not LIST_ITER_TYPE:
        return "enumerate layout mismatch"
    if enumerate_state(enumerate(items, 1 << 70)) is not None:
        return "enumerate long index layout mismatch"
    reason = _check_type_layout(layout) or _check_function_layout(layout) or _check_str_layout(layout) \
        or _check_dict_layout(layout) or _check_seq_lengths()
    if reason:
        return reason
    z = zip(items, "ab", items)
    if zip_iterators(z) is not z.__reduce__()[1]:
        return "zip layout mismatch"
    for v in (0, 7, -7, (1 << 30) - 1, 1 << 30, -(3 << 40) - 12345, (1 << 60) - 1, (1 << 60) + 5,
              -(7 << 60) - (5 << 30) - 3, (1 << 63) - 1):
        v = int(str(v))             # a fresh object, not a cached constant
        ndigits, negative, magnitude = _long_fields(v, layout)
        digits = (abs(v).bit_length() + L.long_shift - 1) // L.long_shift
        if _rdp(id(v) + L.ob_type) != id(int) or ndigits != digits or negative != (v < 0) or magnitude != abs(v):
            return f"int layout mismatch for {v}"
    return None


def _trace_lines_probe(offset: int) -> tuple[int, int]:
    """The byte at `offset` in a frame object with f_trace_lines False, then True."""
    frame = sys._getframe()
    seen = []
    for flag in (False, True):
        frame.f_trace_lines = flag
        seen.append(ctypes.c_uint8.from_address(id(frame) + offset).value)
    return seen[0], seen[1]


# tracejit's slots in every code object's co_extra array: what the 3.11 C-level tracer reads (runtime/native_trace.py)
# and the back-edge stubs' table of fast entries (runtime/fastpath.py)
EXTRA_TRACER, EXTRA_FAST = "tracer", "fast"
_code_extra_index: dict[str, int] = {}      # slot -> index, each asked of CPython once per process
_UNSTABLE = "PyUnstable_" if sys.version_info >= (3, 12) else "_Py"     # the names of the co_extra functions


def code_extra_index(slot: str) -> int:
    """The index of tracejit's `slot` (EXTRA_TRACER, EXTRA_FAST) in every code object's co_extra array."""
    index = _code_extra_index.get(slot)
    if index is None:
        index = c_api(_UNSTABLE + "Eval_RequestCodeExtraIndex", [ctypes.c_void_p], ctypes.c_ssize_t)(None)
        if index < 0:
            raise OSError("no co_extra index left")
        _code_extra_index[slot] = index
    return index


def set_code_extra(code, slot: str, value: int) -> None:
    """Store `value` (a word, not an object: nothing is freed with the code) in code's co_extra `slot`."""
    set_extra = c_api(_UNSTABLE + "Code_SetExtra", [ctypes.py_object, ctypes.c_ssize_t, ctypes.c_void_p], ctypes.c_int)
    if set_extra(code, code_extra_index(slot), value) != 0:
        raise OSError("_PyCode_SetExtra failed")


def local_monitors_probe(layout: Layout) -> bool:
    """Whether the layout finds the tools with local events on a code object (checked on a fresh one with a free
    sys.monitoring tool id; False when none is free or the layout has no such field)."""
    if layout.code_monitoring < 0 or not hasattr(sys, "monitoring"):
        return False
    m = sys.monitoring
    tool = next((t for t in range(5) if m.get_tool(t) is None), None)     # (5 is the optimizer's: ours)
    if tool is None:
        return False
    code = fresh_code()
    if _rdp(id(code) + layout.code_monitoring):
        return False
    m.use_tool_id(tool, "tracejit probe")
    try:
        m.set_local_events(tool, code, m.events.LINE)
        data = _rdp(id(code) + layout.code_monitoring)
        line = (m.events.LINE).bit_length() - 1
        if not data or line >= layout.local_monitor_events:
            return False
        seen = list(ctypes.string_at(data, layout.local_monitor_events))
        m.set_local_events(tool, code, 0)
        cleared = list(ctypes.string_at(data, layout.local_monitor_events))
        return seen == [1 << tool if k == line else 0 for k in range(len(seen))] and not any(cleared)
    finally:
        m.set_local_events(tool, code, 0)
        m.free_tool_id(tool)


def _code_extra_probe(offset: int) -> bool:
    """_PyCode_SetExtra on a fresh code object changes exactly the word at `offset` (from NULL to an array
    that holds, at tracejit's index, what was set). Nothing is dereferenced before the first part holds."""
    code = fresh_code()
    index = code_extra_index(EXTRA_FAST)
    size = offset + 8
    before = ctypes.string_at(id(code), size)
    set_code_extra(code, EXTRA_FAST, 0x5A17)
    after = ctypes.string_at(id(code), size)
    changed = [i for i in range(0, size, 8) if before[i:i + 8] != after[i:i + 8]]
    if changed != [offset] or before[offset:offset + 8] != bytes(8):
        return False
    extras = _rdp(id(code) + offset)
    return _rd(extras) > index and _rdp(extras + 8 + 8 * index) == 0x5A17


def _check_type_layout(layout: Layout) -> str | None:
    """tp_flags, tp_mro and tp_version_tag of a fresh class: the tag is assigned by a lookup, cleared by a
    change to the class or to its base, and a new, different one is assigned after that; the layout's
    type_version_tag reads the same tag as type_version()."""
    base = type("_LayoutBase", (), {})
    cls = type("_LayoutProbe", (base,), {})
    if _rd(id(cls) + TYPE_FLAGS) != cls.__flags__ or _rdp(id(cls) + TYPE_MRO) != id(cls.__mro__):
        return "type flags / mro layout mismatch"
    hooked = type("_LayoutHook", (), {"__getattribute__": lambda self, name: None})
    if not generic_getattr(cls) or not generic_getattr(float) or generic_getattr(hooked) or \
            generic_getattr(type(weakref_proxy(cls))):
        return "type getattro layout mismatch"
    newer = type("_LayoutNew", (), {"__new__": lambda c: object.__new__(c)})
    if not inherits_object_new(cls) or inherits_object_new(newer) or inherits_object_new(int) or \
            _rdp(id(cls) + TYPE_NEW) != _rdp(id(base) + TYPE_NEW):
        return "type tp_new layout mismatch"
    def tag() -> int:
        return ctypes.c_uint32.from_address(id(cls) + layout.type_version_tag).value

    tags = [type_version(cls), tag()]
    base.x = 1                                  # invalidates the subclass too
    tags += [tag(), type_version(cls), tag()]
    cls.y = 2
    tags += [tag(), type_version(cls), tag()]
    if not (tags[0] and tags[1] == tags[0] and tags[2] == 0 and tags[3] and tags[4] == tags[3]
            and tags[5] == 0 and tags[6] and tags[7] == tags[6] and len({tags[0], tags[3], tags[6]}) == 3):
        return f"type version tag layout mismatch {tags}"
    return None


def _check_function_layout(L: Layout) -> str | None:
    """A closure's fields and its cell, read at the layout's offsets."""
    def outer(k=7):
        x = [k]

        def inner(a, b=x, *, c=k):
            return x, a, b, c
        return inner, x
    f, x = outer()
    fields = [(L.func_globals, f.__globals__), (L.func_builtins, f.__builtins__), (L.func_code, f.__code__),
              (L.func_defaults, f.__defaults__), (L.func_kwdefaults, f.__kwdefaults__),
              (L.func_closure, f.__closure__)]
    if any(_rdp(id(f) + offset) != id(obj) for offset, obj in fields) or \
            _rdp(id(f.__closure__[0]) + L.cell_contents) != id(x):
        return "function layout mismatch"
    plain = lambda: 0       # noqa: E731 - kept alive while its memory is read
    if _rdp(id(outer) + L.func_closure) != 0 or _rdp(id(plain) + L.func_defaults) != 0 or \
            _rdp(id(plain) + L.func_kwdefaults) != 0:
        return "function layout mismatch (NULL fields)"
    return None


# 3.11's struct _gc_runtime_state: the generations (3 of 24 bytes: a list head, threshold, count), the statistics
# (3 generations of 3 int64), then the `collecting` int
GC_GENERATIONS, GC_GENERATION_SIZE, GC_STATS = 24, 24, 128
GC_COLLECTING = GC_STATS + 3 * 3 * 8


def gc_collecting_address(layout: Layout) -> int:
    """The address of 3.11's `gcstate->collecting` (nonzero: no collection starts; gc.collect() returns 0), or 0
    where allocations do not collect (3.12+)."""
    return main_interpreter() + layout.interp_gc + GC_COLLECTING if layout.interp_gc >= 0 else 0


def _check_gc_layout(L: Layout) -> str | None:
    """3.11's gc state, read only (no collection at start-up): the three generations' thresholds and the
    statistics (gc.get_threshold(), gc.get_stats()) where the offsets say, read with automatic collections off
    (the reads allocate: with a low threshold one would run in between); `collecting`, the int right after the
    statistics, is 0, or 1 when this runs inside a collection (an engine first made by a finalizer)."""
    if L.interp_gc < 0:
        return None
    import gc
    base = main_interpreter() + L.interp_gc
    was_on = gc.isenabled()
    gc.disable()
    try:
        thresholds = [ctypes.c_int32.from_address(base + GC_GENERATIONS + GC_GENERATION_SIZE * k + 16).value
                      for k in range(3)]
        stats = [_rd(base + GC_STATS + 8 * k) for k in range(9)]
        expected = [v for g in gc.get_stats() for v in (g["collections"], g["collected"], g["uncollectable"])]
        threshold_now = gc.get_threshold()
    finally:
        if was_on:
            gc.enable()
    if tuple(thresholds) != threshold_now or stats != expected:
        return "PyInterpreterState.gc offset mismatch"
    if ctypes.c_int32.from_address(gc_collecting_address(L)).value not in (0, 1):
        return "gc state's collecting word is neither 0 nor 1"
    return None


def check_layout(layout: Layout) -> str | None:
    """Verify the offsets on live objects; returns a reason string when something does not match."""
    fa = FrameAccess(layout)
    try:
        frame = sys._getframe()
        iframe = fa.iframe(frame)
        if not iframe:
            return "frame has no interpreter frame pointer"
        if _rdp(iframe + layout.iframe_frame_obj) != id(frame):
            return "_PyInterpreterFrame.frame_obj offset mismatch"
        if _rdp(iframe + layout.iframe_code) != id(frame.f_code):
            return "_PyInterpreterFrame code offset mismatch"
        if _rdp(iframe + layout.iframe_globals) != id(frame.f_globals) or \
                _rdp(iframe + layout.iframe_builtins) != id(frame.f_builtins):
            return "_PyInterpreterFrame globals/builtins offset mismatch"
        code = frame.f_code
        n = fa.nlocalsplus(code)
        expected = len(set(code.co_varnames) | set(code.co_cellvars)) + len(code.co_freevars)
        if n != expected:
            return f"co_nlocalsplus mismatch ({n} != {expected})"
        def parent_instr():   # the parent frame is suspended at one call instruction while this runs
            f = sys._getframe(1)
            return _rdp(fa.iframe(f) + layout.iframe_instr) - (id(f.f_code) + layout.code_adaptive), f.f_lasti
        instr_offset, lasti = parent_instr()
        if instr_offset != lasti:
            return "instruction pointer / co_code_adaptive offset mismatch"
        probe = object()
        local_probe = probe  # noqa: F841  (a fast local we can find)
        idx = code.co_varnames.index("local_probe")
        if fa.read_slot(iframe, idx) is not probe:
            return "localsplus offset mismatch"
        it = iter(range(7, 100, 3))
        next(it)
        if fa.range_iter_state(it) != (10, 3, 30):
            return "range iterator layout mismatch"
        copy = iter(range(7, 100, 3))
        next(copy)
        for cell, value in fa.range_iter_cells(copy, 13, 29):
            cell.value = value
        if next(copy) != 13 or len(list(copy)) != 28:
            return "range iterator write mismatch"
        if layout.frame_fast_as_locals >= 0 and _fast_as_locals_probe(layout.frame_fast_as_locals) != (0, 1, 1):
            return "PyFrameObject.f_fast_as_locals offset mismatch"
        if layout.frame_trace_lines >= 0 and _trace_lines_probe(layout.frame_trace_lines) != (0, 1):
            return "PyFrameObject.f_trace_lines offset mismatch"
        if layout.code_extra >= 0 and not _code_extra_probe(layout.code_extra):
            return "PyCodeObject.co_extra offset mismatch"
        if ctypes.c_void_p.from_address(fa.current_frame_cell()).value != iframe:     # read here, in this frame
            return "the thread state's current frame offset mismatch"
        tracing = ctypes.c_int32.from_address(fa.tracing_counter_address())
        before = tracing.value
        enter_tracing(thread_state())
        during = tracing.value
        leave_tracing(thread_state())
        if during != before + 1 or tracing.value != before:
            return "PyThreadState.tracing offset mismatch"
        reason = _check_object_layouts(layout) or _check_gc_layout(layout)
        if reason:
            return reason
    except Exception as e:  # any surprise means we must not touch raw memory
        return f"layout self-check raised {type(e).__name__}: {e}"
    return None


class SignalWords:
    """The words the JIT writes to hold Python signal handlers while it works on a frame (hooks.SignalGate).

    CPython runs handlers only in the thread whose ident is in `main_thread`; zeroing it holds them. Signals
    arriving meanwhile are marked as tripped but, as the handler thread looked absent, do not set the eval
    breaker; so when the ident is written back, `breaker` gets `bit` ORed in (3.11/3.12: only if `pending`,
    _PyRuntime.ceval.signals_pending, is set; 3.13: always, a spurious bit clears itself) and the handlers
    run at the interpreter's next eval-breaker check."""
    __slots__ = ("main_thread", "ident", "breaker", "bit", "pending")

    def __init__(self, main_thread: ctypes.c_ulong, ident: int, breaker: ctypes._SimpleCData, bit: int,
                 pending: ctypes._SimpleCData) -> None:
        self.main_thread, self.ident, self.breaker, self.bit, self.pending = main_thread, ident, breaker, bit, pending


def signal_words(layout: Layout) -> tuple[SignalWords | None, str | None]:
    """The checked SignalWords, or None and why not. Must run on the main thread while SIGINT has Python's
    default handler (or is ignored: the handler is put back for the check, see below): the check holds
    handlers, simulates a Ctrl-C (_thread.interrupt_main), runs bytecode (no KeyboardInterrupt may appear),
    releases them (the KeyboardInterrupt must appear at once)."""
    import _signal      # not `signal`, whose enums cost milliseconds at start-up
    import _thread      # and not `threading` unless needed (below)
    ident = _thread.get_ident()
    try:
        runtime = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, "_PyRuntime"))
    except (ValueError, AttributeError) as e:
        runtime, missing = None, e
    word = ctypes.c_ulong.from_address(runtime + layout.runtime_main_thread) if runtime is not None else None
    if word is None or word.value != ident:     # the interpreter's main thread is not this one, or not known
        import threading
        if threading.main_thread().ident != ident:
            return None, "the JIT was started outside the main thread"
    if _signal.getsignal(_signal.SIGINT) is _signal.SIG_IGN:
        # a program started with SIGINT ignored (a background job of a shell script, nohup-like launchers): the
        # check needs Python's handler for a moment, and SIGINT is ignored again right after. A real one that
        # arrives meanwhile is the check's own simulated Ctrl-C (the pending flag is one bit: the check consumes
        # it) or finds SIG_IGN back when CPython comes to run it (it looks the handler up then, and ignores it)
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        try:
            return signal_words(layout)
        finally:
            _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    if _signal.getsignal(_signal.SIGINT) is not _signal.default_int_handler:
        return None, "SIGINT has a handler of the program's"
    if word is None:
        return None, f"runtime symbols missing ({missing})"
    if word.value != ident:
        return None, "_PyRuntime.main_thread offset mismatch"
    if layout.runtime_signals_pending >= 0:
        breaker = ctypes.c_int32.from_address(main_interpreter() + layout.eval_breaker)
        pending = ctypes.c_int32.from_address(runtime + layout.runtime_signals_pending)
        words = SignalWords(word, ident, breaker, 1, pending)
    else:
        tstate = thread_state()
        if _rdp(tstate + 16) != main_interpreter():
            return None, "PyThreadState.interp offset mismatch"
        words = SignalWords(word, ident, ctypes.c_uint64.from_address(tstate + layout.eval_breaker), 2,
                            ctypes.c_int32(1))
    return (words, None) if _signal_words_work(words, _thread.interrupt_main) else \
        (None, "holding signal handlers did not work as expected")


def _spin() -> None:
    for _ in range(3):          # eval-breaker checks (back-edges)
        pass


def _signal_words_work(w: SignalWords, interrupt_main) -> bool:
    held = released = False
    try:
        w.main_thread.value = 0
        try:
            interrupt_main()
            _spin()
            held = not w.pending.value == 0
        finally:
            w.main_thread.value = w.ident
            if w.pending.value:
                w.breaker.value |= w.bit
        _spin()
    except KeyboardInterrupt:
        released = held
    if not released:
        try:
            ctypes.pythonapi.PyErr_CheckSignals()   # consume the simulated Ctrl-C if it is still pending
        except KeyboardInterrupt:
            pass
    return held and released


def interp_thread_count(layout: Layout) -> ctypes.c_int64 | None:
    """The interpreter's count of running threads started by _thread (3.11), checked: it goes up by one
    while a new thread runs and back when it has ended. None when not known or the check fails."""
    if layout.interp_threads_count < 0:
        return None
    import _thread
    import time
    word = ctypes.c_int64.from_address(main_interpreter() + layout.interp_threads_count)
    before = word.value
    if not 0 <= before < 1 << 20:
        return None
    hold, started, done = _thread.allocate_lock(), _thread.allocate_lock(), _thread.allocate_lock()
    hold.acquire()
    started.acquire()
    done.acquire()

    def body():
        started.release()
        hold.acquire()
        done.release()

    _thread.start_new_thread(body, ())
    started.acquire()
    during = word.value
    hold.release()
    done.acquire()
    for _ in range(1000):                   # the count drops as the thread state is deleted, just after
        if word.value == before:
            break
        time.sleep(0.0001)
    return word if during == before + 1 and word.value == before else None


def recursion_remaining(layout: Layout) -> ctypes.c_int32 | None:
    """This thread's count of Python frames left before RecursionError, checked: it must drop by one per
    nested Python call. Adding k to it gives the running code k more frames, the same way the frames of a
    launcher (`python -m tracejit script.py`) can be made not to count (sys.getrecursionlimit() and
    sys.setrecursionlimit() keep working: CPython keeps the difference when the limit changes)."""
    word = ctypes.c_int32.from_address(thread_state() + layout.tstate_recursion_remaining)

    def nested() -> int:
        return word.value

    here = word.value
    return word if 0 < here <= sys.getrecursionlimit() and nested() == here - 1 else None


def frame_access_or_reason() -> tuple[FrameAccess | None, str | None]:
    """The checked FrameAccess for this interpreter, or None and the reason the JIT must stay off."""
    reason = environment_problem()
    if reason:
        return None, reason
    layout = LAYOUTS[VERSION]
    reason = check_layout(layout)
    if reason:
        return None, reason
    return FrameAccess(layout), None
