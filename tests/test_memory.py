"""Memory: compiling and discarding thousands of loops must not grow executable memory, Python memory or
the engine's tables without bound; the `max_code_kb` cap evicts the least recently entered loops; the
engine never keeps a program's code objects alive. Every JIT result is compared with the same function
run without the JIT.
"""
from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

import pytest

import tracejit
from tracejit.codetable import CodeTable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from memory_soak import make_kernel, plain  # noqa: E402  (new code objects with a hot loop; the same loop plainly)


def reap(engine) -> None:
    """Let the engine free what died: its reaper runs at the next back-edge it sees."""
    gc.collect()
    with tracejit.enable():
        make_kernel(0)(3)


def rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


# ---------------------------------------------------------------------------------------------- CodeTable

def test_code_table_forgets_dead_code_objects():
    died = []
    table = CodeTable(on_death=died.append)
    f = make_kernel(1)
    code = f.__code__
    table[code] = "value"
    assert table.get(code) == "value" and code in table and len(table) == 1
    ref = weakref.ref(code)
    del f, code
    gc.collect()
    assert ref() is None, "the table kept the code object alive"
    assert len(table) == 0 and died == ["value"]


def test_code_table_tells_reused_ids_apart():
    table = CodeTable()
    codes = [make_kernel(k).__code__ for k in range(3)]         # equal source: distinct code objects
    for k, c in enumerate(codes):
        table[c] = f"kernel {k}"
    other = compile("x = 1", "<other>", "exec")
    assert table.get(other) is None and other not in table
    assert [table.get(c) for c in codes] == ["kernel 0", "kernel 1", "kernel 2"]


def test_code_table_pop_removes_only_its_own_entry():
    died = []
    table = CodeTable(on_death=died.append)
    codes = [make_kernel(k).__code__ for k in range(2)]
    table[codes[0]], table[codes[1]] = "a", "b"
    assert table.pop(codes[0]) == "a" and codes[0] not in table and table.get(codes[1]) == "b"
    assert table.pop(codes[0], "gone") == "gone" and len(table) == 1
    ref = weakref.ref(codes[0])
    del codes[0]
    gc.collect()
    assert ref() is None and died == [], "a popped entry's death is nobody's business"


# ---------------------------------------------------------------------------------------------- discarding

def test_discarded_loops_free_their_machine_code(fresh_engine):
    # spend_ms=0: 150 loops each compiled to run once pass the JIT's share of this short run (test_budgets checks it);
    # trace_idle_ms=0: nor does 3.11's tracer go for tracing that gains little (on a loaded machine it went after
    # about 30 of them)
    with tracejit.enable(threshold=2, bridge_threshold=2, spend_ms=0, little_left=0, trace_idle_ms=0):
        for k in range(1, 151):
            assert make_kernel(k)(500) == plain(k, 500)
    engine = tracejit.engine()
    # (this loop of the test's own is recorded too, twice, and left to the interpreter: the two kernels that run
    # while it is being recorded are not recorded themselves)
    assert engine.stats.traces_compiled >= 148
    reap(engine)
    assert engine.stats.loops_freed >= engine.stats.traces_compiled - 1
    assert len(engine.live) <= 2
    assert engine.mem.bytes_mapped <= 3 * 4096          # two loops, and the graveyard release stub (and the
                                                        # back-edge stub on 3.12+, in the same page)
    assert engine.stats.code_memory == engine.mem.bytes_mapped
    assert len(engine.sites) <= 3


def test_engine_does_not_keep_code_objects_alive(fresh_engine):
    f = make_kernel(7)
    with tracejit.enable(threshold=2):
        assert f(1000) == plain(7, 1000)
    engine = tracejit.engine()
    assert any(lp.code is f.__code__ for lp in engine.all_loops), "the loop was not compiled"
    ref = weakref.ref(f.__code__)
    del f
    gc.collect()
    assert ref() is None
    reap(engine)
    freed = [lp for lp in engine.all_loops if lp.code is None]
    assert freed and all(lp.retired == "code object freed" for lp in freed)


def test_memory_does_not_grow_with_discarded_loops(fresh_engine):
    """Five batches of 100 fresh loops: after the first batch, neither Python's allocated memory blocks nor
    RSS nor executable memory keeps growing (history is bounded by the `history` parameter). A leak of one
    compiled loop (trace, listing, buffers) would be hundreds of blocks per loop."""
    def batch(start: int) -> None:
        # trace_idle_ms=0 (3.11): loops run once after compiling do not pay, and the tracer would go after a while;
        # spend_ms=0: nor would the JIT's share of the run pay for 500 of them (as above)
        with tracejit.enable(threshold=2, history=30, trace_idle_ms=0, spend_ms=0, little_left=0):
            for k in range(start, start + 100):
                assert make_kernel(k)(300) == plain(k, 300)
        reap(tracejit.engine())

    batch(1000)
    engine = tracejit.engine()
    gc.collect()
    blocks0, rss0, mapped0 = sys.getallocatedblocks(), rss_kb(), engine.mem.bytes_mapped
    for b in range(1, 5):
        batch(1000 + 100 * b)
    gc.collect()
    blocks1, rss1, mapped1 = sys.getallocatedblocks(), rss_kb(), engine.mem.bytes_mapped
    assert engine.stats.traces_compiled >= 490         # (less those run while a loop of the test is recorded)
    assert len(engine.all_loops) == 30
    assert mapped1 <= mapped0 + 8192
    assert blocks1 - blocks0 < 4000, f"{blocks1 - blocks0} more Python memory blocks after 400 more loops"
    assert rss1 - rss0 < 20_000, f"RSS grew by {rss1 - rss0} KiB over 400 loops"


# ---------------------------------------------------------------------------------------------- the cap

def test_code_memory_cap_evicts_least_recently_entered(fresh_engine):
    kernels = [make_kernel(k) for k in range(1, 13)]        # all alive: only eviction can free memory
    limit_kb = 16
    peak = 0
    with tracejit.enable(threshold=2, max_code_kb=limit_kb):
        engine = tracejit.engine()
        for rounds in range(3):
            for k, f in enumerate(kernels, start=1):
                assert f(2000) == plain(k, 2000)
                peak = max(peak, engine.mem.bytes_mapped)
    assert engine.stats.loops_evicted > 0
    assert peak <= limit_kb * 1024
    assert engine.stats.traces_compiled > len(kernels), "evicted loops should compile again when hot"
    evicted = [lp for lp in engine.all_loops if lp.retired and lp.retired.startswith("evicted")]
    assert evicted and all(lp.entry is None for lp in evicted)
    assert all(lp.retired is None for lp in engine.live)


def test_busy_loop_is_never_evicted(fresh_engine):
    kernels = [make_kernel(k) for k in range(1, 4)]
    with tracejit.enable(threshold=2, max_code_kb=8):
        engine = tracejit.engine()
        assert kernels[0](2000) == plain(1, 2000)
        first = engine.live[0]
        first.busy = True                   # as if another thread were inside its machine code
        try:
            for k, f in enumerate(kernels[1:], start=2):
                assert f(2000) == plain(k, 2000)
            assert first.retired is None and first in engine.live
            assert engine.mem.bytes_mapped <= 8 * 1024
        finally:
            first.busy = False


def test_full_code_memory_leaves_loops_to_the_interpreter(fresh_engine):
    f = make_kernel(3)
    with tracejit.enable(threshold=2, max_code_kb=1):       # smaller than one page: nothing fits
        assert f(5000) == plain(3, 5000)
    s = tracejit.stats()
    assert s["traces_compiled"] == 0 and s["native_entries"] == 0
    assert any("code memory limit" in reason for reason in s["aborts"])


@pytest.mark.skipif(not hasattr(sys, "getrefcount"), reason="needs sys.getrefcount")
def test_no_reference_leaks_on_entry_and_exit(fresh_engine):
    """Objects the compiled loop reads and writes back keep their exact reference counts."""
    marker = 12345678901                    # a large int object the loop reads on every entry
    ns = {"marker": marker}
    exec(compile("def f(n):\n    s = 0\n    for i in range(n):\n        s += marker & 7\n    return s\n",
                 "<leak>", "exec"), ns)
    f = ns["f"]
    with tracejit.enable(threshold=2):
        for _ in range(20):                 # compile the loop and its bridges (traces may hold constants)
            f(1000)
        before = sys.getrefcount(marker)
        for _ in range(200):
            assert f(1000) == 1000 * (marker & 7)
        after = sys.getrefcount(marker)
    assert tracejit.stats()["native_entries"] >= 200
    assert after == before


class _Box:
    def __init__(self, item):
        self.item = item


@pytest.mark.skipif(not hasattr(sys, "getrefcount"), reason="needs sys.getrefcount")
def test_objects_an_exit_retains_for_the_write_back_are_released(fresh_engine):
    """An exit the runtime writes back (here: a global in the loop, so no native write-back) gives each object it
    leaves in the state buffer a reference first (ExitInfo.retain: a collection in the runtime's Python code
    could otherwise free an attribute the trace only borrowed), and the runtime releases it after the write-back:
    the attribute's object, which the exit hands to a local and a stack item, keeps its exact count."""
    item = object()
    boxes = [_Box(item) for _ in range(3)]
    ns = {"boxes": boxes, "seen": []}
    exec(compile("def f(n):\n    last = None\n    for i in range(n):\n        last = boxes[i % 3].item\n"
                 "        seen.append(last)\n    return last\n", "<retain>", "exec"), ns)
    f, seen = ns["f"], ns["seen"]
    with tracejit.enable(threshold=2):
        for _ in range(20):
            f(1000)
            seen.clear()
        before = sys.getrefcount(item)
        for _ in range(200):
            assert f(1000) is item
            seen.clear()
        after = sys.getrefcount(item)
    loops = [loop for loop in tracejit.engine().history if loop.name.startswith("f:")]
    assert any(info.retain for loop in loops for info in loop.exits.values())
    assert tracejit.stats()["native_entries"] >= 200
    assert after == before

