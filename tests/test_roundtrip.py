"""The native round trip (backend/roundtrip.py, runtime/native_entry.py): entry checks, unboxing, the trace and
the exit's write-back in one piece of machine code.

Each test runs functions under the JIT in this process, many times (each call is one entry), compares every
result with the same function run with the JIT off, and checks that the loop was served by the round trip
(`roundtrip` set, entries made), or, where the round trip must step aside, that the Python entry took over.
Whole-program behaviour under it (tracebacks, exits mid-expression, bridges) is covered by the differential
tests, which run with it on; `native=0` never uses it.
"""
from __future__ import annotations

import sys

import pytest

import tracejit

PARAMS = dict(threshold=3, short_run=0)


def loops_of(name: str):
    eng = tracejit.engine()
    return [lp for lp in eng.all_loops if lp.name.startswith(name + ":")] if eng is not None else []


def run_both(fn, calls: list[tuple], **params):
    """fn(*args) for each args, with the JIT off and then on; the results must agree."""
    expected = [fn(*args) for args in calls]
    with tracejit.enable(**{**PARAMS, **params}):
        got = [fn(*args) for args in calls]
    assert got == expected
    return got


def served(name: str) -> int:
    """Entries into loops of `name` that the round trip can serve (all of its loops must have one)."""
    loops = loops_of(name)
    assert loops, f"no loop of {name} compiled"
    assert all(lp.roundtrip is not None for lp in loops if not lp.retired), [lp.roundtrip_key for lp in loops]
    return sum(lp.entries for lp in loops)


def counter(n, step):
    i = 0
    total = 0
    flag = False
    x = 0.5
    while i < n:
        total += i * step
        x = x * 0.5 + 1.0
        flag = not flag
        i += 1
    return total, x, flag, i


def walk(node):
    depth = 0
    while node is not None:
        node = node[1]
        depth += 1
    return depth


def over_range(n):
    s = 0
    for k in range(3, n, 2):
        s += k
    return s


def over_list(items):
    s = 0.0
    for v in items:
        s += v * 2.0
    return s


def over_enumerate(items):
    s = 0
    for k, v in enumerate(items):
        s += k * v
    return s


def over_zip(xs, ys):
    s = 0.0
    for x, y in zip(xs, ys):
        s += x * y
    return s


def nested(rows):
    total = 0
    for row in rows:
        for v in row:
            total += v
    return total


def mid_expression(n, limit):
    out = 0
    for i in range(n):
        out += (i if i < limit else -i) * 3
    return out


def test_round_trip_serves_int_float_bool_and_object_locals(fresh_engine):
    run_both(counter, [(k % 7 + 5, 3) for k in range(300)])
    assert served("counter") >= 200


def test_round_trip_walks_objects(fresh_engine):
    chains = []
    node = None
    for k in range(40):
        node = (k, node)
        chains.append(node)
    run_both(walk, [(chains[k % 40],) for k in range(400)])
    assert served("walk") >= 200


def test_round_trip_serves_range_and_list_iterators(fresh_engine):
    run_both(over_range, [(k % 30 + 9,) for k in range(300)])
    run_both(over_list, [([float(j) for j in range(k % 20 + 3)],) for k in range(300)])
    assert served("over_range") >= 200 and served("over_list") >= 200


def test_round_trip_serves_enumerate_and_zip_of_lists(fresh_engine):
    run_both(over_enumerate, [([j * 3 for j in range(k % 25 + 4)],) for k in range(300)])
    run_both(over_zip, [([float(j) for j in range(k % 25 + 4)], [0.5 * j for j in range(k % 20 + 6)])
                        for k in range(300)])
    assert served("over_enumerate") >= 200 and served("over_zip") >= 200


def test_nested_loops_pop_and_push_through_the_round_trip(fresh_engine):
    rows = [[(i * j) % 17 for j in range(i % 9 + 1)] for i in range(30)]
    run_both(nested, [(rows[: k % 30 + 1],) for k in range(200)])
    assert served("nested") >= 100


def test_exits_mid_expression_keep_their_stack(fresh_engine):
    run_both(mid_expression, [(k % 50 + 10, k % 40) for k in range(300)])
    assert served("mid_expression") >= 100


def scale(v, n):
    i = 0
    out = v
    while i < n:
        out = v if out < 0 else out
        i += 1
    return out, i, v


def test_every_int64_enters(fresh_engine):
    """Ints of one, two and three digits enter through the round trip; -2**63 alone is left to the Python entry
    (which takes it: no entry is rejected)."""
    edges = [2 ** 30 - 1, 2 ** 30, 2 ** 60 - 1, 2 ** 60, 2 ** 61 + 12345, 2 ** 62, sys.maxsize]
    values = [v for e in edges for v in (e, -e)]
    calls = [(v, 4 + k % 3) for v in values for k in range(30)]
    expected = [scale(*args) for args in calls] + [scale(-sys.maxsize - 1, 5)] * 30
    with tracejit.enable(**PARAMS):
        got = [scale(5, 3 + k % 4) for k in range(100)]
        got = [scale(*args) for args in calls]
        rejects = sum(lp.roundtrip_rejects for lp in loops_of("scale"))
        got += [scale(-sys.maxsize - 1, 5) for _ in range(30)]
    assert got == expected
    loops = loops_of("scale")
    assert sum(lp.entries for lp in loops) >= 300
    assert rejects == 0 and sum(lp.roundtrip_rejects for lp in loops) >= 30
    assert fresh_engine.engine.stats.entry_rejections == 0


def test_entry_types_that_differ_are_rejected_and_recorded_again(fresh_engine):
    calls = [(k % 9 + 4, 2) for k in range(200)] + [(k % 9 + 4, 2.5) for k in range(200)]
    run_both(counter, calls)
    assert fresh_engine.engine.stats.entry_rejections > 0
    assert len(loops_of("counter")) >= 2


def test_reference_counts_are_those_of_plain_cpython(fresh_engine):
    marker = object()

    def keep(objs, n):
        last = None
        i = 0
        while i < n:
            last = objs[i % len(objs)]
            i += 1
        return last is marker

    objs = [marker, object(), marker]
    before = sys.getrefcount(marker)
    run_both(keep, [(objs, k % 11 + 3) for k in range(300)])
    assert sys.getrefcount(marker) == before
    assert served("keep") >= 100


def test_native_0_has_no_round_trip(fresh_engine):
    run_both(counter, [(k % 7 + 5, 3) for k in range(100)], native=0)
    loops = loops_of("counter")
    assert loops and all(lp.roundtrip is None for lp in loops)


def test_near_the_recursion_limit_the_python_entry_decides(fresh_engine):
    """Entries at depths near the recursion limit (the round trip rejects those without room for the write-back;
    on 3.12+ the back-edge stub leaves them to the Python callbacks): the same results and RecursionErrors as
    plain CPython."""
    def deep(k):
        if k:
            return deep(k - 1)
        return counter(40, 1)

    def outcomes() -> list:
        out = []
        for depth in range(limit - 70, limit - 20, 5):
            try:
                out.append(deep(depth))
            except RecursionError:
                out.append("recursion")
        return out

    limit = sys.getrecursionlimit()
    plain = outcomes()
    with tracejit.enable(**PARAMS):
        for _ in range(50):
            counter(30, 1)
        jit = outcomes()
    assert jit == plain
    assert served("counter") >= 40


def test_the_rejected_code_is_the_backends():
    from tracejit.backend.roundtrip import REJECTED
    from tracejit.runtime.compiled import REJECTED as RUNTIME_REJECTED
    assert REJECTED == RUNTIME_REJECTED


GLOBALS_SOURCE = '''
def step(items):
    global TOTAL, SCALE, FLAG, LAST
    h = 0
    for x in items:
        h ^= x * EMPTY
        TOTAL += x
        SCALE = SCALE * 0.5 + 1.0
        FLAG = not FLAG
        LAST = OBJS[x % 3]
    return h
'''


def globals_namespace(**extra) -> dict:
    ns = {"EMPTY": 3, "TOTAL": 0, "SCALE": 0.5, "FLAG": False, "OBJS": ["a", "b", "c"], "LAST": None, **extra}
    exec(GLOBALS_SOURCE, ns)
    return ns


def run_globals(ns: dict, calls: list) -> list:
    out = []
    for args in calls:
        try:
            out.append(ns["step"](*args))
        except Exception as e:          # noqa: BLE001 - compared with plain CPython's
            out.append(f"{type(e).__name__}: {e}")
        out.append({k: ns.get(k) for k in ("TOTAL", "SCALE", "FLAG", "LAST")})
    return out


def test_round_trip_reads_and_writes_globals(fresh_engine):
    """Globals of each kind read and rebound in the loop go through the round trip (read from the frame's
    globals at entry, set at exit when changed): the same results and globals as plain CPython."""
    calls = [(list(range(k % 40 + 10)),) for k in range(300)]
    expected = run_globals(globals_namespace(), calls)
    ns = globals_namespace()
    with tracejit.enable(**PARAMS):
        got = run_globals(ns, calls)
    assert got == expected
    assert served("step") >= 200
    loops = [lp for lp in loops_of("step") if not lp.retired]
    assert {g.label for lp in loops for g in lp.roundtrip_key[4]} >= {"EMPTY", "TOTAL", "SCALE", "FLAG", "LAST"}


def test_globals_the_round_trip_cannot_read_leave_the_entry_to_the_python_path(fresh_engine):
    """A global of another type than the trace's, a deleted one, and globals whose dict has a key that is not a
    str (a lookup there could run an __eq__): the round trip rejects the entry and the interpreter's or the
    Python entry's outcome is plain CPython's (a NameError included)."""
    calls = [(list(range(k % 30 + 10)),) for k in range(120)]

    def script(ns):
        out = run_globals(ns, calls)
        ns["TOTAL"] = 2.5                       # another kind
        out += run_globals(ns, calls[:40])
        ns["TOTAL"] = 7
        out += run_globals(ns, calls[:40])
        del ns["EMPTY"]                         # NameError at the first item
        out += run_globals(ns, calls[:5])
        ns["EMPTY"] = 5
        ns[12345] = "a key that is not a str"   # general keys
        out += run_globals(ns, calls[:60])
        return out

    expected = script(globals_namespace())
    with tracejit.enable(**PARAMS):
        got = script(globals_namespace())
    assert got == expected
    assert sum(lp.roundtrip_rejects for lp in loops_of("step")) > 0


def test_the_round_trip_reads_the_globals_of_each_frame(fresh_engine):
    """One code object run with two globals dicts (exec): each entry reads and writes its own frame's."""
    first, second = globals_namespace(), globals_namespace(EMPTY=7, TOTAL=100)
    second["step"] = type(first["step"])(first["step"].__code__, second)
    calls = [(list(range(k % 25 + 10)),) for k in range(200)]

    def script(a, b):
        return [run_globals(ns, [args]) for args in calls for ns in (a, b)]

    plain_second = globals_namespace(EMPTY=7, TOTAL=100)
    plain_second["step"] = type(first["step"])(first["step"].__code__, plain_second)
    expected = script(globals_namespace(), plain_second)
    with tracejit.enable(**PARAMS):
        got = script(first, second)
    assert got == expected
    assert served("step") >= 200


def test_reference_counts_of_globals_are_those_of_plain_cpython(fresh_engine):
    marker = object()
    ns = {"OBJS": [marker, object(), marker], "LAST": None}
    exec("def keep(n):\n    global LAST\n    i = 0\n    while i < n:\n        LAST = OBJS[i % 3]\n        i += 1\n"
         "    return LAST is OBJS[0]\n", ns)
    before = sys.getrefcount(marker)
    expected = [ns["keep"](k % 11 + 3) for k in range(300)]
    plain = sys.getrefcount(marker)
    ns["LAST"] = None
    with tracejit.enable(**PARAMS):
        got = [ns["keep"](k % 11 + 3) for k in range(300)]
    assert got == expected
    assert sys.getrefcount(marker) == plain
    ns["LAST"] = None
    assert sys.getrefcount(marker) == before
    assert served("keep") >= 100


def test_module_level_code_run_with_locals_of_its_own(fresh_engine):
    """One module-level code object run with f_locals = f_globals (its loop compiles) and then with a locals dict
    of its own (exec(code, g, l)): its names are then the locals', which neither entry may take from the globals."""
    code = compile("total = 0\nfor i in range(n):\n    total += i\n", "<module-level>", "exec")

    def script():
        out = []
        for k in range(60):
            g = {"n": 50 + k}
            exec(code, g)
            out.append(g["total"])
        for k in range(40):
            g, loc = {"n": 50, "total": 1000, "i": 0}, {"n": 30 + k % 5}
            exec(code, g, loc)
            out.append((loc.get("total"), g.get("total"), loc.get("i"), g.get("i")))
        return out

    expected = script()
    with tracejit.enable(**PARAMS):
        got = script()
    assert got == expected
    assert loops_of("<module>") and sum(lp.entries for lp in loops_of("<module>")) >= 30


INLINED_SOURCE = '''
K = 1
def helper(x):
    return x * K
def step(n):
    s = 0
    for i in range(n):
        s += helper(i)
    return s
'''


def test_an_inlined_function_reads_its_own_globals(fresh_engine):
    """`step`'s code run with a second globals dict that binds the same `helper` (whose globals are the first
    dict) and another K: the inlined helper must read K from its own globals, so the trace recorded with the
    first dict does not enter with the second."""
    import types

    def script():
        first = {}
        exec(INLINED_SOURCE, first)
        second = dict(first, K=100)
        second["step"] = types.FunctionType(first["step"].__code__, second)
        return [(first["step"](k % 20 + 10), second["step"](k % 20 + 10)) for k in range(200)]

    expected = script()
    with tracejit.enable(**PARAMS):
        got = script()
    assert got == expected
    assert served("step") >= 150


def test_a_failed_global_store_leaves_the_frame_and_globals_as_at_entry(fresh_engine, monkeypatch):
    """The round trip's PyDict_SetItem made to fail for the second changed global (it cannot fail for a key present
    at entry): the first one's old value is put back before anything is released, and the runtime writes the
    frame back. The old value of G1 (held by nothing else, borrowed by `x`) must survive: the result is that
    object, with plain CPython's reference count."""
    import ctypes

    from tracejit.runtime import native_entry

    real = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
        ctypes.cast(ctypes.pythonapi.PyDict_SetItem, ctypes.c_void_p).value)
    armed, failures = [False], [0]

    def set_item(d, k, v):
        if armed[0] and ctypes.cast(k, ctypes.py_object).value == "G2":
            failures[0] += 1
            return -1
        return real(d, k, v)

    fake = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(set_item)
    made = native_entry.shared_code            # (placed at the fresh engine's first compile)
    monkeypatch.setattr(native_entry, "shared_code", lambda ext: made(
        {**ext, "dict_setitem": ctypes.cast(fake, ctypes.c_void_p).value}))

    class Obj:
        pass

    ns = {"OBJS": [Obj(), Obj()], "G1": None, "G2": 0}
    exec("def f(n):\n    global G1, G2\n    x = None\n    i = 0\n    while i < n:\n        if i > 0:\n"
         "            x = G1\n            G1 = OBJS[i % 2]\n            G2 = i\n        i += 1\n    return x\n", ns)
    import weakref
    with tracejit.enable(**PARAMS):
        for _ in range(30):
            ns["f"](20)
        ns["G1"], ns["G2"] = Obj(), -5
        old = weakref.ref(ns["G1"])             # (G1 alone holds it)
        armed[0] = True
        x = ns["f"](2)
        armed[0] = False
    assert failures[0] == 1
    assert old() is x and type(x) is Obj        # not freed while the state buffer borrowed it
    assert ns["G1"] is ns["OBJS"][1] and ns["G2"] == 1
    assert sys.getrefcount(x) == 2              # x's reference and the argument's: the dict's is gone
    assert served("f") >= 20


def test_the_shared_round_trip_bytes_are_what_the_backend_assembles():
    """The runtime keeps the shared round trip's code for each CPython version (tracejit/runtime/roundtrip_code.py,
    written by tools/roundtrip_code.py): it must be what the backend assembles now, followed by the data slots the
    runtime writes (ROUNDTRIP_SLOTS, marked)."""
    from tracejit.backend.roundtrip import ROUNDTRIP_SLOTS, SLOT_MARK, shared_roundtrip
    from tracejit.cpython.layout import LAYOUTS, VERSION
    from tracejit.runtime.native_entry import iterator_offsets, shared_code
    from tracejit.runtime.roundtrip_code import ROUNDTRIP_CODE
    enc = shared_roundtrip(iterator_offsets(), LAYOUTS[VERSION])
    assert ROUNDTRIP_CODE[VERSION] == enc.code[:enc.code_len], "the kept bytes are stale: run tools/roundtrip_code.py"
    assert enc.code[enc.code_len:] == b"".join((SLOT_MARK + k).to_bytes(8, "little")
                                               for k in range(len(ROUNDTRIP_SLOTS)))
    from tracejit.cpython.layout import c_api_addresses
    code = shared_code(c_api_addresses())
    slots = [int.from_bytes(code[enc.code_len + 8 * k:enc.code_len + 8 * k + 8], "little", signed=True)
             for k in range(len(ROUNDTRIP_SLOTS))]
    values = dict(zip(ROUNDTRIP_SLOTS, slots))
    assert values["int_type"] == id(int) and values["true"] == id(True) and values["dict_type"] == id(dict)
    assert values["decref"] == c_api_addresses()["decref"] and values["small_int_zero"] == id(0)
