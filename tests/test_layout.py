"""tracejit.cpython.layout on the running interpreter: the self-check, raw reads of locals and of the value
stack of a (suspended generator) frame, range-iterator state reads and writes, batched frame writes."""
from __future__ import annotations

import subprocess
import sys

import pytest

from difftest import REPO_ROOT
from tracejit.cpython.layout import (LAYOUTS, RANGE_ITER_TYPE, VERSION, FrameAccess, Layout, check_array_layout,
                                     check_layout, environment_problem, frame_access_or_reason)


@pytest.fixture(scope="module")
def fa() -> FrameAccess:
    return FrameAccess(LAYOUTS[VERSION])


def test_environment_supported():
    assert environment_problem() is None
    assert VERSION in LAYOUTS


def test_check_layout_passes():
    assert check_layout(LAYOUTS[VERSION]) is None
    access, reason = frame_access_or_reason()
    assert reason is None and isinstance(access, FrameAccess)


def test_check_layout_detects_wrong_offsets():
    layout = LAYOUTS[VERSION]
    # offsets whose misuse only reads memory (safe to try): a shifted instruction base and swapped
    # range-iterator fields must both be reported, not silently accepted
    shifted = layout.replace(code_adaptive=layout.code_adaptive + 2)
    assert check_layout(shifted)
    ri = dict(layout.range_iter)
    ri["start"], ri["step"] = ri["step"], ri["start"]
    swapped = layout.replace(range_iter=ri)
    assert check_layout(swapped)
    if layout.frame_fast_as_locals >= 0:
        for off in (layout.frame_fast_as_locals - 1, layout.frame_fast_as_locals + 1):
            assert check_layout(layout.replace(frame_fast_as_locals=off))


def test_check_layout_detects_wrong_object_offsets():
    """Each object field the machine code reads or writes (backend Externals.layout) is checked: a layout
    with one of them wrong is refused. A wrong list_items would be dereferenced by the check, so it is the one
    not tried here; dict_keys and array_descr are tried at ob_type, array_items at ob_descr: pointers that are
    safe to follow."""
    layout = LAYOUTS[VERSION]
    wrong = {"ob_refcnt": 8, "ob_type": 16, "ob_size": 24, "list_allocated": 24, "tuple_items": 32,
             "float_value": 24, "complex_real": 24, "complex_imag": 16, "long_tag": 24, "long_digits": 16,
             "long_shift": 31, "type_version_tag": layout.type_version_tag + 4, "small_ints": range(-6, 257),
             "func_globals": 24, "func_builtins": 16, "func_code": 56, "func_defaults": 48, "func_kwdefaults": 72, "func_closure": 64,
             "cell_contents": 8, "str_length": 24, "str_state": 16, "str_ascii_data": layout.str_compact_data,
             "str_compact_data": layout.str_ascii_data, "dict_used": 24, "dict_keys": 8, "dict_keys_kind": 9,
             "dict_version": 16, "array_items": 40, "array_descr": 8, "seq_iter_index": 24, "seq_iter_seq": 16,
             "cfunc_ml": 24, "cfunc_self": 16}
    object_fields = Layout.__slots__[Layout.__slots__.index("ob_refcnt"):]
    assert sorted([*wrong, "list_items"]) == sorted(object_fields)
    for name, value in wrong.items():
        assert getattr(layout, name) != value
        # (the array fields are checked when the recorder loads: check_array_layout, not at start-up)
        check = check_array_layout if name.startswith("array_") else check_layout
        assert check(layout.replace(**{name: value})), name
    assert check_array_layout(layout) is None


def test_check_layout_detects_wrong_thread_state_offsets():
    """The thread state's words the generic path writes around a call (the executing frame, the tracing
    counter) are checked: one off by a word is refused."""
    layout = LAYOUTS[VERSION]
    for name, delta in (("current_frame", 8), ("tstate_tracing", 4)):
        assert check_layout(layout.replace(**{name: getattr(layout, name) + delta})), name


def test_check_layout_detects_wrong_frame_namespace_offsets():
    """The interpreter frame's globals and builtins, which the back-edge stub compares with what a loop's pinned
    names were checked in, are checked: one off by a word is refused."""
    layout = LAYOUTS[VERSION]
    for name in ("iframe_globals", "iframe_builtins"):
        assert check_layout(layout.replace(**{name: getattr(layout, name) + 8})), name


def _gen(a, b):
    c = a * 2
    d = None
    for i in range(3, 30, 4):
        yield i + c
    del d


def test_reads_locals_of_a_frame(fa):
    marker = object()
    g = _gen(10, marker)
    assert next(g) == 23 and next(g) == 27
    frame = g.gi_frame
    code = frame.f_code
    iframe = fa.iframe(frame)
    assert iframe
    assert fa.nlocalsplus(code) == len(code.co_varnames) == 5
    idx = {name: code.co_varnames.index(name) for name in code.co_varnames}
    assert fa.read_slot(iframe, idx["a"]) == 10
    assert fa.read_slot(iframe, idx["b"]) is marker
    assert fa.read_slot(iframe, idx["c"]) == 20
    assert fa.read_slot(iframe, idx["d"]) is None
    assert fa.read_slot(iframe, idx["i"]) == 7
    assert fa.slot_is_set(iframe, idx["i"])
    assert frame.f_locals["b"] is marker


def test_unbound_local_raises_lookup_error(fa):
    def gen():
        yield 1
        late = 5
        yield late
    g = gen()
    next(g)
    frame = g.gi_frame
    iframe = fa.iframe(frame)
    index = frame.f_code.co_varnames.index("late")
    assert not fa.slot_is_set(iframe, index)
    with pytest.raises(LookupError):
        fa.read_slot(iframe, index)
    assert next(g) == 5
    assert fa.read_slot(iframe, index) == 5


def test_reads_range_iterator_on_value_stack(fa):
    g = _gen(1, 2)
    for expected in (5, 9, 13):
        assert next(g) == expected
    frame = g.gi_frame
    iframe = fa.iframe(frame)
    code = frame.f_code
    assert fa.stack_depth(iframe, code) == 1
    it = fa.read_stack(iframe, code, 0)
    assert type(it) is RANGE_ITER_TYPE
    # range(3, 30, 4) = 3 7 11 15 19 23 27: three taken, next is 15, four left
    assert fa.range_iter_state(it) == (15, 4, 4)


def _write_local(fa, frame, index, value):
    w = fa.writes(frame)
    w.set_local(fa.iframe(frame), index, value)
    w.commit()


def test_set_local_changes_local_and_references(fa):
    g = _gen(10, None)
    assert next(g) == 23
    frame = g.gi_frame
    index = frame.f_code.co_varnames.index("c")
    new = int("1" * 25)                                 # a fresh object, not cached by the interpreter
    old = frame.f_locals["c"] + 10 ** 30                # a fresh old value too: its release is visible
    _write_local(fa, frame, index, old)
    old_refs, before = sys.getrefcount(old), sys.getrefcount(new)
    _write_local(fa, frame, index, new)
    assert sys.getrefcount(new) == before + 1
    assert sys.getrefcount(old) == old_refs - 1        # the old value was released
    assert next(g) == 7 + new                           # the generator sees the new value
    _write_local(fa, frame, index, 0)
    assert sys.getrefcount(new) == before
    assert next(g) == 11


@pytest.mark.skipif(LAYOUTS[VERSION].frame_fast_as_locals < 0, reason="3.13 has no f_fast_as_locals")
def test_commit_clears_fast_as_locals(fa):
    """After frame.f_locals was read, a settrace callback returns through PyFrame_LocalsToFast, which copies
    the dict back over the fast locals: a commit must clear the flag so that its writes survive."""
    import ctypes
    g = _gen(10, None)
    next(g)
    frame = g.gi_frame
    index = frame.f_code.co_varnames.index("c")
    assert frame.f_locals["c"] == 20
    flag = ctypes.c_byte.from_address(id(frame) + LAYOUTS[VERSION].frame_fast_as_locals)
    assert flag.value == 1
    _write_local(fa, frame, index, 100)
    assert flag.value == 0
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), 0)     # what the trampoline calls
    assert next(g) == 107


def test_push_stack_sets_items_and_stacktop(fa):
    g = _gen(10, None)
    assert next(g) == 23
    frame = g.gi_frame
    iframe, code = fa.iframe(frame), frame.f_code
    depth = fa.stack_depth(iframe, code)
    items = [int("7" * 30), 2.5]
    refs = [sys.getrefcount(v) for v in items]
    w = fa.writes(frame)
    w.push_stack(iframe, fa.nlocalsplus(code), depth, items)
    w.commit()
    del w
    assert fa.stack_depth(iframe, code) == depth + 2
    assert [fa.read_stack(iframe, code, depth + k) for k in range(2)] == items
    assert [sys.getrefcount(v) for v in items] == [r + 1 for r in refs]     # the stack owns a reference
    w = fa.writes(frame)
    w.push_stack(iframe, fa.nlocalsplus(code), depth, [])                  # back to the original depth
    w.commit()
    assert fa.stack_depth(iframe, code) == depth
    assert next(g) == 27


RANGES = [range(10), range(3, 30, 4), range(100, -7, -9), range(-5, 5), range(0), range(7, 8),
          range(2 ** 62, 2 ** 62 + 50, 7), range(2 ** 63 - 10, 2 ** 63 - 1), range(-2 ** 63 + 3, -2 ** 63, -1),
          range(-40, -400, -13)]


@pytest.mark.parametrize("r", RANGES, ids=repr)
def test_range_iter_state(fa, r):
    it = iter(r)
    assert type(it) is RANGE_ITER_TYPE
    for k in range(len(r) + 1):
        nxt, step, remaining = fa.range_iter_state(it)
        assert step == r.step
        assert remaining == len(r) - k
        if remaining:
            assert nxt == r[k]
            assert next(it) == r[k]
    assert list(it) == []


@pytest.mark.parametrize("r", RANGES, ids=repr)
def test_set_range_iter_state_round_trips(fa, r):
    items = list(r)
    positions = sorted({0, 1, len(r) // 2, len(r) - 1, len(r)} & set(range(len(r) + 1)))
    for start_at in positions:
        for target in positions:
            it = iter(r)
            for _ in range(start_at):
                next(it)
            nxt = r.start + target * r.step
            w = fa.writes(sys._getframe())
            w.set_range_iter(it, nxt, len(r) - target)
            w.commit()
            state = fa.range_iter_state(it)
            assert state[1:] == (r.step, len(r) - target)
            if target < len(r):
                assert state[0] == items[target]
            assert list(it) == items[target:], (start_at, target)


def test_ref_at_reads_the_pointer_and_takes_its_reference_at_once():
    """layout.ref_at: the object a PyObject* slot holds, a new reference (the count balances once it is dropped),
    NULL_SLOT for a NULL slot: what the recorder's attribute reads use, so that no collection comes between the
    read and the reference (tests/test_instances.py has the program a collection there crashed)."""
    import ctypes

    from tracejit.cpython.layout import NULL_SLOT, ref_at
    item = object()
    holder = ctypes.py_object(item)
    before = sys.getrefcount(item)
    for _ in range(100):
        got = ref_at(ctypes.addressof(holder))
        assert got is item
        del got
    assert sys.getrefcount(item) == before
    empty = ctypes.c_void_p(0)
    assert ref_at(ctypes.addressof(empty)) is NULL_SLOT


def test_c_api_addresses_are_ctypes_own():
    """c_api_address reads a symbol's address without a ctypes function object: the same address ctypes' own
    function object has, for every C function the machine code calls; a missing name raises AttributeError."""
    import ctypes

    from tracejit.cpython.layout import c_api_address
    from tracejit.ir.ops import PY_FUNCTIONS
    names = sorted(PY_FUNCTIONS) + ["Py_IncRef", "Py_DecRef", "PyFloat_FromDouble", "PyThreadState_Get"]
    assert len(names) > 20
    for name in names:
        assert c_api_address(name) == ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value, name
    with pytest.raises(AttributeError):
        c_api_address("PyNo_SuchFunction")


def test_the_array_iterator_joins_the_walked_sequences_when_the_recorder_loads():
    """Start-up leaves `array` (and the `collections` it imports) alone, and so does the recorder: where the
    program has imported `array` before the recorder loads, the array layout is checked and the array iterator
    added to the iterators whose runs are counted and items walked; where it has not, `array` stays unimported
    and the recorder records no array operation (arrays.ARRAY stands for no type)."""
    src = ("import sys, tracejit.cpython.layout as L\n"
           "before = any(t.__name__ == 'arrayiterator' for t in L.SEQ_ITER_TYPES), 'array' in sys.modules\n"
           "import array\n"
           "import tracejit.recorder.arrays as A\n"
           "print(before, L.SEQ_ITER_TYPES.get(type(iter(array.array('d')))) is array.array, L.with_arrays(), "
           "A.ARRAY is array.array)\n")
    out = subprocess.run([sys.executable, "-S", "-c", src], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "(False, False) True None True\n", out.stdout
    src = ("import sys, tracejit.cpython.layout as L, tracejit.recorder.arrays as A\n"
           "print('array' in sys.modules, 'collections' in sys.modules, L.with_arrays() == L.ARRAY_NOT_IMPORTED, "
           "A.ARRAY.__name__)\n")
    out = subprocess.run([sys.executable, "-S", "-c", src], capture_output=True, text=True, cwd=REPO_ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "False False True _NoArrays\n", out.stdout
