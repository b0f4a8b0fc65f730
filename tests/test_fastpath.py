"""The back-edge callback in machine code (backend/fastentry.py, runtime/fastpath.py): a compiled loop entered with
no Python code on the way, and everything that must make it step aside. On 3.12+ it is the sys.monitoring JUMP
callback; on 3.11 the C-level trace function calls it at a loop header's line.

Each test compares what the program computes (and, where tools are involved, what the tools see) with the same
code run with the JIT off, and checks from the engine's counters that the stub really made the entries it
should (or none, where it must not).
"""
from __future__ import annotations

import sys
import threading

import pytest

import tracejit
from test_roundtrip import counter, nested, over_list

only_monitoring = pytest.mark.skipif(sys.version_info < (3, 12), reason="sys.monitoring's local events")

PARAMS = dict(threshold=3, short_run=0)


def test_the_stubs_bytes_are_what_the_backend_assembles():
    from tracejit.backend.fastentry import JumpStub, jump_stub
    from tracejit.cpython.layout import LAYOUTS, VERSION
    from tracejit.fastwords import JUMP_SLOTS
    from tracejit.runtime.fastpath import JUMP_STUBS, stub_shape
    code = jump_stub(JumpStub(**stub_shape(LAYOUTS[VERSION]))).code
    kept = JUMP_STUBS[VERSION]
    assert code[:len(kept)] == kept
    assert len(code) == len(kept) + 8 * len(JUMP_SLOTS)
    assert code[len(kept):] == b"".join((0x5A5A5A5A00000000 + k).to_bytes(8, "little") for k in range(len(JUMP_SLOTS)))


def fast_entries() -> int:
    fast = tracejit.engine().fast
    assert fast is not None, "the back-edge stub is not installed"
    return fast.counts()[0]


def test_compiled_loops_are_entered_by_the_stub(fresh_engine):
    calls = [(k % 7 + 5, 3) for k in range(2000)]
    expected = [counter(*a) for a in calls]
    with tracejit.enable(**PARAMS):
        got = [counter(*a) for a in calls]
        n = fast_entries()
    assert got == expected
    assert n >= 1500, n
    assert tracejit.stats()["native_entries"] >= n


def test_nested_loops_with_bridges(fresh_engine):
    rows = [[(i * j) % 17 for j in range(i % 9 + 1)] for i in range(30)]
    calls = [rows[: k % 30 + 1] for k in range(600)]
    expected = [nested(r) for r in calls]
    with tracejit.enable(**PARAMS):
        got = [nested(r) for r in calls]
        n = fast_entries()
    assert got == expected
    assert n > 0 and fresh_engine.engine.stats.bridges_compiled >= 1


def test_threads_share_compiled_loops(fresh_engine):
    data = [[float(j) for j in range(k % 20 + 3)] for k in range(50)]
    expected = [over_list(d) for d in data]
    results, errors = [], []

    def work():
        try:
            for _ in range(200):
                if [over_list(d) for d in data] != expected:
                    errors.append("mismatch")
        except BaseException as e:         # noqa: BLE001 - reported below
            errors.append(repr(e))

    with tracejit.enable(**PARAMS):
        for d in data:
            over_list(d)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        n = fast_entries()
    assert not errors, errors[:3]
    assert n > 1000


def _lines_seen(fn, args, calls: int) -> int:
    """Line events inside fn's code while it is called `calls` times under a sys.settrace tracer."""
    seen = [0]
    code = fn.__code__

    def tracer(frame, event, arg):
        if frame.f_code is code:
            if event == "line":
                seen[0] += 1
            return tracer
        return None

    sys.settrace(tracer)
    try:
        for _ in range(calls):
            fn(*args)
    finally:
        sys.settrace(None)
    return seen[0]


def test_a_tracer_set_later_sees_every_line(fresh_engine):
    plain = _lines_seen(counter, (40, 2), 20)
    with tracejit.enable(**PARAMS):
        for k in range(300):
            counter(k % 9 + 30, 2)
        before = fast_entries()
        assert before > 0
        jit = _lines_seen(counter, (40, 2), 20)
        during = fast_entries()
    assert jit == plain
    assert during == before             # the stub made no entry while the tracer was on


def with_builtin_calls(n: int) -> int:
    out = []
    i = 0
    while i < n:
        out.append(i)           # a profiler sees a 'c_call' event here
        i += 1
    return len(out)


def _profile_events(calls: int) -> dict:
    """The events a sys.setprofile profiler sees while with_builtin_calls runs `calls` times."""
    seen: dict = {}

    def profiler(frame, event, arg):
        key = (event, getattr(arg, "__name__", None) if event.startswith("c_") else frame.f_code.co_name)
        seen[key] = seen.get(key, 0) + 1

    sys.setprofile(profiler)
    try:
        for k in range(calls):
            with_builtin_calls(k % 5 + 20)
    finally:
        sys.setprofile(None)
    return seen


def test_a_profiler_set_later_sees_every_call(fresh_engine):
    plain = _profile_events(30)
    with tracejit.enable(**PARAMS):
        for k in range(300):
            with_builtin_calls(k % 9 + 30)
        before = fast_entries()
        assert before > 0
        jit = _profile_events(30)
        during = fast_entries()
        for k in range(300):
            with_builtin_calls(k % 9 + 30)
        after = fast_entries()
    assert jit == plain
    assert plain[("c_call", "append")] > 0
    assert during == before             # the stub made no entry while the profiler was on
    assert after > during               # and enters again once it is gone


@only_monitoring
def test_another_tools_local_events_are_seen(fresh_engine):
    m = sys.monitoring
    tool = next(t for t in range(5) if m.get_tool(t) is None)
    code = counter.__code__

    def lines(calls: int) -> int:
        seen = [0]

        def on_line(c, line):
            seen[0] += 1
        m.use_tool_id(tool, "test tool")
        try:
            m.register_callback(tool, m.events.LINE, on_line)
            m.set_local_events(tool, code, m.events.LINE)
            for _ in range(calls):
                counter(40, 2)
        finally:
            m.set_local_events(tool, code, 0)
            m.register_callback(tool, m.events.LINE, None)
            m.free_tool_id(tool)
        return seen[0]

    plain = lines(30)
    with tracejit.enable(**PARAMS):
        for k in range(300):
            counter(k % 9 + 30, 2)
        before = fast_entries()
        jit = lines(30)
        during = fast_entries()
    assert jit == plain
    assert during == before


def test_entries_stop_when_the_block_ends_and_start_again_in_the_next(fresh_engine):
    calls = [(k % 7 + 5, 3) for k in range(500)]
    expected = [counter(*a) for a in calls]
    with tracejit.enable(**PARAMS):
        assert [counter(*a) for a in calls] == expected
        first = fast_entries()
    assert first > 0
    assert [counter(*a) for a in calls] == expected           # the JIT is off here
    assert tracejit.stats()["native_entries"] >= first
    entries_off = tracejit.stats()["native_entries"]
    assert [counter(*a) for a in calls] == expected
    assert tracejit.stats()["native_entries"] == entries_off
    with tracejit.enable(**PARAMS):
        assert [counter(*a) for a in calls] == expected
        second = fast_entries()
    assert second > 0


def test_releases_at_exit_run_finalizers_as_often(fresh_engine):
    class Token:
        made = freed = 0

        def __init__(self, k):
            Token.made += 1
            self.k = k

        def __del__(self):
            Token.freed += 1

    def hold(n):
        last = Token(-1)
        i = 0
        while i < n:
            i += 1
        last = None
        return i, last

    expected = [hold(k % 11 + 3) for k in range(400)]
    made, freed = Token.made, Token.freed
    with tracejit.enable(**PARAMS):
        got = [hold(k % 11 + 3) for k in range(400)]
    assert got == expected
    assert Token.made - made == Token.freed - freed == 400


def scaled(v, k=2):
    return v * 3 + k


def with_pins(n):
    t = 0
    i = 0
    while i < n:
        t += scaled(i) + abs(i - 5)          # a global read as a constant, a function inlined, a builtin
        i += 1
    return t


def _run_with_pins(calls):
    return [with_pins(n) for n in calls]


def test_pinned_names_and_inlined_functions_are_checked_by_the_stub(fresh_engine):
    """A loop whose trace pins a global function (inlined) and a builtin is entered by the stub; rebinding the
    global, the builtin, the function's defaults or code, or calling the same code with other globals, makes the
    stub's guards fail, and the results are those of plain CPython each time."""
    global scaled
    import builtins
    calls = [k % 7 + 20 for k in range(400)]
    original = scaled

    def phases():
        global scaled
        out = [_run_with_pins(calls)]
        scaled = lambda v, k=2: v + k           # noqa: E731 - the global rebound
        out.append(_run_with_pins(calls))
        scaled = original
        scaled.__defaults__ = (7,)              # the inlined function's defaults
        out.append(_run_with_pins(calls))
        scaled.__code__ = (lambda v, k=2: v - k).__code__      # its code
        out.append(_run_with_pins(calls))
        scaled = original
        real_abs = builtins.abs
        builtins.abs = lambda v: 100            # the builtin rebound
        try:
            out.append(_run_with_pins(calls))
        finally:
            builtins.abs = real_abs
        other = type(with_pins)(with_pins.__code__, dict(globals(), scaled=lambda v, k=2: -v))   # other globals
        out.append([other(n) for n in calls])
        return out

    saved_code, saved_defaults = original.__code__, original.__defaults__
    try:
        expected = phases()
    finally:
        scaled, original.__code__, original.__defaults__ = original, saved_code, saved_defaults
    try:
        with tracejit.enable(**PARAMS):
            for k in range(300):
                with_pins(k % 9 + 30)
            before = fast_entries()
            got = phases()
            after = fast_entries()
    finally:
        scaled, original.__code__, original.__defaults__ = original, saved_code, saved_defaults
    assert got == expected
    assert before > 100, before                 # the stub entered the loop in spite of its pins
    assert after > before


def test_the_events_log_sees_every_logged_guard_failure(fresh_engine, tmp_path, monkeypatch):
    """With the events log on, the stub counts a guard's failures between the logged ones (the 1st, 2nd, 4th ...):
    the log has an event at each of those with its exact count, as without the stub (3000 runs ending at the loop's
    exit: 12 events, 1 ... 2048), and only those runs, plus the few the runtime decides on, go through Python."""
    import json
    log = tmp_path / "events.jsonl"
    monkeypatch.setenv("TRACEJIT_LOG", str(log))
    calls = [k % 5 + 10 for k in range(3000)]
    expected = [counter(n, 2) for n in calls]
    with tracejit.enable(**PARAMS):
        got = [counter(n, 2) for n in calls]
        n = fast_entries()
    assert got == expected
    events = [json.loads(line) for line in log.read_text().splitlines()]
    fails = {}
    for e in events:
        if e["event"] == "guard_failure" and e["loop"].startswith("counter:"):
            fails.setdefault(e["exit"], []).append(e["fails"])
    assert fails, events[:5]
    for counts in fails.values():
        assert counts == [1 << k for k in range(len(counts))], counts
    assert max(len(c) for c in fails.values()) >= 11, fails
    assert n >= 2500, n


def overwrite(a, b, n):
    j = 0
    while j < n:
        y = a[j]
        a[j] = b[j]             # the old item's reference is released here (the JIT: as y holds it, at the end of
        j += 1                  # the run, from its graveyard)
    return j


def _overwrites(calls: int) -> list:
    b = [float(k) for k in range(40)]
    seen = []
    for k in range(calls):
        x = k + 0.25
        a = [x] * 40
        overwrite(a, b, 30 + k % 7)
        seen.append(sys.getrefcount(x))     # the replaced items' references are gone once the call has returned
        del a
    return seen


def test_references_a_run_releases_are_gone_when_it_ends(fresh_engine):
    """A loop that replaces list items may defer the release of the old ones to the end of the run (its graveyard);
    a run the stub made and counted itself releases them too before the program goes on: the reference counts are
    plain CPython's when the call returns."""
    expected = _overwrites(300)
    with tracejit.enable(**PARAMS):
        got = _overwrites(300)
        n = fast_entries()
    assert got == expected
    assert n >= 200, n


TICKS = 0


def with_pins_and_a_counter(n):
    global TICKS
    TICKS += 1                              # the module's globals change at every call (pyperformance go's TIMESTAMP)
    t = 0
    i = 0
    while i < n:
        t += scaled(i) + abs(i - 5)
        i += 1
    return t


def test_a_global_the_module_assigns_at_every_call_leaves_the_stub_its_entries(fresh_engine):
    """The stub's guards on a pinned name are the name's own binding (its entry in the dict's keys), not the whole
    dict: a counter the module assigns at every call does not send the entries to the Python path. Shadowing the
    builtin with a global of the same name, then deleting it, and rebinding the pinned global still fail them:
    the results are plain CPython's each time."""
    global scaled, TICKS
    calls = [k % 7 + 20 for k in range(400)]
    original = scaled

    def phases():
        global scaled
        out = [[with_pins_and_a_counter(n) for n in calls]]
        globals()["abs"] = lambda v: 1000       # a global now shadows the builtin
        try:
            out.append([with_pins_and_a_counter(n) for n in calls])
        finally:
            del globals()["abs"]
        out.append([with_pins_and_a_counter(n) for n in calls])
        scaled = lambda v, k=2: v - k           # noqa: E731 - the pinned global rebound
        try:
            out.append([with_pins_and_a_counter(n) for n in calls])
        finally:
            scaled = original
        return out

    expected = phases()
    with tracejit.enable(**PARAMS):
        for k in range(300):
            with_pins_and_a_counter(k % 9 + 30)
        before = fast_entries()
        first = [with_pins_and_a_counter(n) for n in calls]
        middle = fast_entries()
        got = phases()
    scaled = original
    assert [first] + got[1:] == expected[:1] + expected[1:] and got[0] == expected[0]
    assert middle - before >= 350, (before, middle)     # nearly every call entered by the stub


def joined(words):
    out = ""
    for w in words:
        out = out + w                       # a new str each iteration: the machine code owns the variable's object
    return out


def test_a_loop_that_owns_a_variable_is_entered_by_the_stub(fresh_engine):
    """A loop whose trace owns a variable's object (a str it concatenates) is served by the native round trip:
    the object gets a reference at entry, which the exit hands to the runtime. The results, and their reference
    counts when the calls return, are plain CPython's."""
    calls = [[f"w{k % 13}", "-", str(k % 5), "+", "x" * (k % 4)] for k in range(600)]
    expected = [joined(c) for c in calls]
    expected_refs = [sys.getrefcount(s) for s in expected]
    # (unroll=0: the comprehension's trace would inline joined() with its loop unrolled, and enter none of its own)
    with tracejit.enable(**PARAMS, unroll=0):
        got = [joined(c) for c in calls]
        n = fast_entries()
    assert got == expected
    assert [sys.getrefcount(s) for s in got] == expected_refs
    assert n >= 400, n


_CLEARED_SOURCE = """
def h(v):
    return v + 1

def f(n):
    t = 0
    i = 0
    while i < n:
        t += abs(i - 5) + h(i)
        i += 1
    return t
"""


@pytest.mark.parametrize("refill", ["a global shadows the builtin", "the pinned global rebound"])
def test_a_namespace_cleared_and_refilled_fails_the_stubs_guards(fresh_engine, refill):
    """The stub's guards on pinned names hold for the keys object a namespace had when they were made (its keys
    version): clearing the dict and filling it again, with as many names, where its new keys object may take the
    old one's address, fails them (a global `abs` shadowing the builtin; `h` rebound while its old function sits
    in another name). The results are plain CPython's."""
    import builtins

    def fill(g):
        g.clear()
        g["__builtins__"] = builtins
        if refill == "a global shadows the builtin":
            g["h"] = h
            g["abs"] = lambda v: 1000
        else:
            g["alias"] = h
            g["h"] = lambda v: 1000     # (as many names as before: the old guard words counted them)

    g = {"__builtins__": builtins}
    exec(_CLEARED_SOURCE, g)
    f, h = g["f"], g["h"]
    g2 = {}
    fill(g2)
    expected = [f(n) for n in range(20, 60)] + [type(f)(f.__code__, g2)(n) for n in range(20, 60)]
    with tracejit.enable(**PARAMS):
        for _ in range(20):
            [f(n) for n in range(20, 60)]
        assert fast_entries() > 500
        got = [f(n) for n in range(20, 60)]
        fill(g)
        got += [f(n) for n in range(20, 60)]
    assert got == expected
