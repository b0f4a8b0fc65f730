"""The JIT's own costs are bounded (docs/architecture.md, "What the JIT may spend"): entries that no compiled
version accepts, entries whose native runs are too short to pay back, and recordings that abort each have a
budget; past it the loop is left to the interpreter and its back-edge is no longer reported (no per-iteration
cost for a loop the JIT gave up on). Each program runs plain and under the JIT in subprocesses: the output must
be the same, and the JIT's counters (printed by the program to stderr) must stay within the bounds."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from difftest import REPO_ROOT, _env

# Counts the hook's back-edge callbacks (the listener's `backedge`, wrapped before the hooks are installed)
PRELUDE = """
import json, sys
import tracejit
from tracejit.params import Params
tracejit.configure(Params(threshold=50, little_left=0))    # (the wait for a later run: its own tests below)
_eng = tracejit.engine()
_calls = {}
_backedge = _eng.backedge
def _counting(frame, code, src, header):
    _calls[code.co_name] = _calls.get(code.co_name, 0) + 1
    return _backedge(frame, code, src, header)
_eng.backedge = _counting
_entered = [0]
_loop_entered = _eng.loop_entered
def _counting_entries(code, src, dst):
    _entered[0] += 1
    return _loop_entered(code, src, dst)
_eng.loop_entered = _counting_entries
_finished = [0]
_fast_exit = _eng.fast_exit
def _counting_finish(frame, code, header, result):
    _finished[0] += 1
    return _fast_exit(frame, code, header, result)
_eng.fast_exit = _counting_finish
def report(label):
    s = tracejit.stats()
    s["backedge_calls"] = _calls
    s["finish_calls"] = _finished[0]
    s["entry_calls"] = _entered[0]
    s["fast_entries"] = _eng.fast.counts()[0] if _eng.fast is not None else 0
    print(label, json.dumps(s), file=sys.stderr)
"""


def run_both(body: str, params: str = "") -> tuple[str, dict]:
    """Run `body` plain, then under the JIT (inside enable(params), "k=v, ..."); return the JIT's stdout (checked
    equal to plain's) and the reports {label: stats} it printed."""
    body = textwrap.dedent(body)
    plain_src = "def report(label):\n    pass\n" + body
    jit_src = PRELUDE + f"with tracejit.enable({params}):\n" + textwrap.indent(body, "    ")
    outs = []
    for src in (plain_src, jit_src):
        r = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=_env(),
                           cwd=REPO_ROOT, timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append(r)
    assert outs[0].stdout == outs[1].stdout
    reports = {}
    for line in outs[1].stderr.splitlines():
        label, _, data = line.partition(" ")
        if data.startswith("{"):
            reports[label] = json.loads(data)
    return outs[1].stdout, reports


def test_int_leaving_int64_stops_costing():
    """A loop compiled for int64 later runs with a big int: every entry is rejected. The JIT records new
    versions (they abort: the int does not fit), then backs off and gives the loop up, instead of paying an
    entry attempt at every back-edge forever."""
    _, rep = run_both("""
        def hot(n, start):
            total = start
            for i in range(n):
                total += i * i
            return total
        print(hot(3000, 0))
        report("compiled")
        print(hot(30000, 2**63) % 1000)
        report("first")
        print(hot(30000, 2**64) % 1000)
        report("second")
        print(hot(30000, 2**65) % 1000)
        report("third")
    """)
    assert rep["compiled"]["traces_compiled"] == 1 and rep["compiled"]["native_entries"] >= 1
    first = rep["first"]
    assert 0 < first["entry_rejections"] <= 1000, first       # was 30000: one per iteration
    assert first["blacklisted"] == 1
    # given up within the first call or, at the latest, one round of rejections into the second
    second, third = rep["second"], rep["third"]
    assert second["entry_rejections"] - first["entry_rejections"] <= 50
    assert third["entry_rejections"] == second["entry_rejections"]
    assert third["backedge_calls"]["hot"] - second["backedge_calls"]["hot"] <= 1, (second, third)


# a loop of k iterations in a function, for the tests of how long native runs must be
RUNS_OF_K = """
def short(k):
    s = 0
    for i in range(k):
        s += i * 3
    return s
"""


def _after_calls(calls: int, k: int, params: str = "") -> dict:
    """The JIT's counters after `calls` calls of a loop of k iterations (the output checked against plain)."""
    _, rep = run_both(RUNS_OF_K + f"tot = 0\nfor r in range({calls}):\n    tot += short({k})\nprint(tot)\n"
                                  f"report('end')\n", params)
    return rep["end"]


def _short_run_of(iterations: int) -> str:
    """A short_run parameter with which a compiled loop entered through the native round trip is judged against
    about `iterations` per entry (sites.entries_verdict; the back-edge stub makes nearly every entry: 3.12+ as the
    JUMP callback, 3.11 called by the C-level trace function)."""
    from tracejit.runtime.sites import STUB_SHARE
    return f"short_run={iterations * STUB_SHARE}"


def test_short_native_runs_are_given_up():
    """A `while True` loop of 5 iterations (the runs of `for` loops, and of `while` loops with an entry test on
    3.12+, are judged before they are compiled; this one has none) entered from a function called 20000 times,
    judged against 64 iterations per entry: the 4 it runs natively are less than an eighth of that, so the
    compiled loop is dropped once, as soon as its first 64 entries show it, and the loop given up at once (not
    compiled again to be dropped again)."""
    _, rep = run_both(textwrap.dedent("""
        def short(k):
            s = 0
            i = 0
            while True:
                s += i * 3
                i += 1
                if i >= k:
                    break
            return s
        tot = 0
        for r in range(20000):
            tot += short(5)
        print(tot)
        report("end")
        for r in range(1000):
            tot += short(5)
        print(tot)
        report("again")
    """), _short_run_of(64))
    end = rep["end"]
    assert end["loops_dropped"] == 1 and end["blacklisted"] >= 1 and end["traces_compiled"] == 1, end
    # hopeless after 64 entries (HOPELESS_AFTER) of the window the bridge recorded at the 20th failure opens
    assert end["native_entries"] <= 20 + 64 + 10, end
    again = rep["again"]
    assert again["native_entries"] == end["native_entries"]
    assert again["backedge_calls"]["short"] == end["backedge_calls"]["short"], (end, again)


def test_a_loop_given_up_beside_a_live_one_is_not_reported_again():
    """A function with two loops: the first raises in every iteration (its recordings abort, it is blacklisted),
    the second is compiled and stays. The first one's back-edges stop reaching the JIT although the code object
    still has a live loop (3.11: its header leaves the C-level tracer's bitmap, as sys.monitoring's DISABLE
    silences one location on 3.12+)."""
    _, rep = run_both("""
        def work(n):
            t = 0
            for i in range(30):
                try:
                    raise KeyError(i)
                except KeyError:
                    t += 1
            s = 0.0
            for j in range(n):
                s += j * 0.5
            return t, s
        for r in range(200):
            out = work(3000)
        print(out)
        report("end")
        for r in range(100):
            out = work(3000)
        print(out)
        report("again")
    """)
    end, again = rep["end"], rep["again"]
    assert end["blacklisted"] >= 1 and end["traces_compiled"] >= 1, end
    assert again["native_entries"] - end["native_entries"] >= 90, (end, again)
    assert again["backedge_calls"]["work"] - end["backedge_calls"]["work"] <= 10, (end, again)   # not 100 x 30


def test_a_loop_backing_off_costs_no_callback_per_back_edge():
    """A loop whose recordings keep aborting by chance (each run ends inside the recorded iteration) backs off
    between attempts, 2, 4 ... 64 times `threshold` back-edges, before any loop of the program is compiled. The
    back-edge stub lets those pass itself, from the hooks' installation on (the tree before: 6353 Python callbacks
    for this program on 3.12). (A `while True` loop: one with an entry test is judged from its runs on 3.12+,
    before it is recorded: the next tests.)"""
    _, rep = run_both("""
        def short(k):
            i = 0
            while True:
                i += 1
                if i >= k:
                    break
            return i
        tot = 0
        for r in range(100000):
            tot += short(2)
        print(tot)
        report("end")
    """)
    end = rep["end"]
    if sys.version_info >= (3, 12):
        # (3.11 tests the condition again at the loop's bottom: its second recording returns to the header, the
        # loop compiles, is judged too short for its entries and given up: a few callbacks too)
        assert end["aborts"].get("loop exited during recording", 0) >= 8, end
    assert end["backedge_calls"]["short"] <= 1000, end


def test_a_while_loop_counting_towards_threshold_costs_no_callback_per_back_edge():
    """A `while` loop that only counts (its threshold not reached) costs the hooks two callbacks, not one per
    back-edge: the back-edge stub lets the rest pass (a `for` loop's are looked at once in a few: the next test)."""
    _, rep = run_both("""
        def spin(n):
            i = 0
            while i < n:
                i += 1
            return i
        print(spin(50000))
        report("end")
    """, "threshold=100000")
    assert rep["end"]["backedge_calls"]["spin"] <= 5, rep["end"]


def test_a_loop_hot_while_the_program_imports_waits_longer_each_time():
    """The recorder is not loaded while the program imports a module: a loop that gets hot then waits, each time
    twice as long (Engine._record, up to MAX_IMPORT_WAIT thresholds), its back-edges let pass by the stub, rather
    than calling back every quarter threshold until the import ends; called again after the import, it compiles."""
    _, rep = run_both("""
        import os, sys, tempfile
        folder = tempfile.mkdtemp()
        with open(os.path.join(folder, "hotmod.py"), "w") as f:
            f.write("def work(n):\\n    t = 0\\n    i = 0\\n    while i < n:\\n        t += i\\n        i += 1\\n"
                    "    return t\\nR = sum(work(3000) for _ in range(40))\\n")
        sys.path.insert(0, folder)
        import hotmod
        report("imported")
        print(hotmod.R, sum(hotmod.work(3000) for _ in range(20)))
        report("end")
    """)
    assert rep["imported"]["backedge_calls"]["work"] <= 300, rep["imported"]
    assert rep["end"]["traces_compiled"] >= 1, rep["end"]


def test_loops_an_import_runs_cost_a_few_callbacks_each():
    """Loops first met while the program imports a module (most run once: a module's set-up) start a few thresholds
    back (Engine.backedge, IMPORT_BIRTH_WAIT), their back-edges let pass by the stub, instead of coming back to the
    callback at each look at a `for` loop's runs (once in seven back-edges)."""
    _, rep = run_both("""
        import os, sys, tempfile
        folder = tempfile.mkdtemp()
        with open(os.path.join(folder, "setupmod.py"), "w") as f:
            for k in range(40):
                f.write(f"def setup{k}(n):\\n    t = 0\\n    for i in range(n):\\n        t += i\\n    return t\\n"
                        f"S{k} = setup{k}(150)\\n")
        sys.path.insert(0, folder)
        import setupmod
        report("imported")
        print(sum(getattr(setupmod, f"S{k}") for k in range(40)))
    """)
    calls = {name: n for name, n in rep["imported"]["backedge_calls"].items() if name.startswith("setup")}
    assert len(calls) == 40 and sum(calls.values()) <= 40 * 3, calls


def test_a_for_loop_counting_towards_threshold_is_looked_at_once_in_seven_back_edges():
    """A `for` loop's runs are judged before it is recorded (their lengths, from its iterator's position): while
    it counts, the hooks look at one back-edge in sites.look_every (7 here: hopeless runs average under 8), and
    the back-edge stub lets the others pass. Was: a callback at every back-edge, 3-4 us each."""
    _, rep = run_both("""
        def spin(n):
            t = 0
            for i in range(n):
                t += i
            return t
        print(spin(70000))
        report("end")
    """, "threshold=100000")
    calls = rep["end"]["backedge_calls"]["spin"]
    assert 70000 // 7 - 10 <= calls <= 70000 // 7 + 10, rep["end"]


def test_guard_failures_towards_a_bridge_are_counted_by_the_stub():
    """A guard that fails in one run out of seven gets a bridge at its `bridge_threshold`-th failure (20); the
    back-edge stub counts the failures before that one itself, so the runs it hands to Python (Engine.fast_exit)
    are a few per exit, not one per failure."""
    out, rep = run_both("""
        def f(n, m):
            t = 0
            i = 0
            while i < n:
                if i == m:
                    t -= abs(m) * 1000  # (a call: a guard, not a select, tests/test_diamonds.py)
                t += i
                i += 1
            return t
        tot = 0
        for r in range(3000):
            tot += f(60, 70 if r % 7 else 30)
        print(tot)
        report("end")
    """)
    end = rep["end"]
    assert end["bridges_compiled"] >= 1, end
    assert end["finish_calls"] <= 20, end


def test_runs_somewhat_too_short_are_dropped_then_retried():
    """Runs of 30 iterations judged against 64 per entry: too short to pay back an entry, but not hopeless; the
    compiled loop is dropped, recompiled after a back-off, three times, and the loop is then blacklisted."""
    end = _after_calls(4000, 30, _short_run_of(64))
    assert end["loops_dropped"] == 3 and end["traces_compiled"] == 3 and end["blacklisted"] >= 1, end


def test_a_loop_dropped_once_is_compiled_again_only_within_its_share():
    """The same loop with almost no recording and compiling free (spend_ms): once a compiled version was dropped,
    the loop may spend on it again only what its machine code saved, which here is less than what it cost: it is
    not compiled a second time, and is blacklisted instead (against the three compiles and drops above)."""
    end = _after_calls(4000, 30, _short_run_of(64) + ", spend_ms=0.01")
    assert end["loops_dropped"] == 1 and end["traces_compiled"] == 1 and end["blacklisted"] >= 1, end


def test_the_share_of_one_loop():
    """Engine._site_may_spend: free until a version was dropped; then SITE_FREE of spend_ms plus what the loop's
    machine code saved (SAVED_NS_PER_INSTRUCTION per instruction of a native iteration); no bound with spend_ms=0."""
    from tracejit.params import Params
    from tracejit.runtime.engine import SAVED_NS_PER_INSTRUCTION, SITE_FREE, Engine
    from tracejit.runtime.sites import LoopSite

    class Host:                         # the engine's parameters, as _site_may_spend reads them
        params = Params(spend_ms=100)
        _site_saved = staticmethod(Engine._site_saved)

    site = LoopSite("f:1@10", 10)
    free = 0.1 * SITE_FREE
    site.spent = free * 3
    assert Engine._site_may_spend(Host, site)
    site.drops = 1
    assert not Engine._site_may_spend(Host, site)
    site.saved = int(free * 2 / (SAVED_NS_PER_INSTRUCTION * 1e-9)) - 10
    assert not Engine._site_may_spend(Host, site)
    site.saved += 20
    assert Engine._site_may_spend(Host, site)
    Host.params = Params(spend_ms=0)
    site.saved = 0
    assert Engine._site_may_spend(Host, site)


def test_long_runs_stay_compiled():
    """The judging must not drop a loop that pays: 600 entries of 5000 iterations each stay native."""
    end = _after_calls(600, 5000)
    assert end["loops_dropped"] == 0 and end["native_entries"] >= 590, end


def test_sieve_outer_loop_is_not_entered_forever():
    """The textbook sieve: the inner `range(i*i, n, i)` is refused (its step is not a constant), and the
    outer loop leaves machine code at each prime, about 12 iterations per entry. Entries through Python are too
    dear for that: it is given up after a bounded number of them. The back-edge stub's (3.12+) are cheap enough to
    go on."""
    _, rep = run_both("""
        def sieve(n):
            is_prime = [True] * (n + 1)
            is_prime[0] = is_prime[1] = False
            for i in range(2, n + 1):
                if is_prime[i]:
                    for j in range(i * i, n + 1, i):
                        is_prime[j] = False
            return sum(is_prime)
        for _ in range(3):
            print(sieve(300000))
        report("end")
    """)
    end = rep["end"]
    assert end["native_entries"] - end["fast_entries"] <= 2000, end     # was about 28000 per million items


def test_bridges_per_loop_are_bounded():
    """A loop whose guards keep failing in new places gets at most `max_bridges` bridge recordings (its
    bridges' exits included); past that its exits stay exits, and the program's output is unchanged."""
    body = textwrap.dedent("""
        def f(n):
            t = 0
            for i in range(n):
                k = i % 9
                if k == 0:
                    t += 1
                elif k == 1:
                    t += 2
                elif k == 2:
                    t += 3
                elif k == 3:
                    t += 5
                elif k == 4:
                    t += 7
                elif k == 5:
                    t += 11
                else:
                    t += k
            return t
        print(f(20000))
    """)
    outs = {}
    for limit in (2, 100):
        src = ("import json, sys, tracejit\n"
               f"with tracejit.enable(threshold=2, bridge_threshold=2, max_bridges={limit}):\n"
               + textwrap.indent(body, "    ") + "\n"
               "    print(json.dumps(tracejit.stats()), file=sys.stderr)\n")
        r = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, env=_env(), cwd=REPO_ROOT,
                           timeout=120)
        assert r.returncode == 0, r.stderr
        outs[limit] = (r.stdout, json.loads(r.stderr.strip().splitlines()[-1]))
    plain = subprocess.run([sys.executable, "-c", body], capture_output=True, text=True, env=_env(), cwd=REPO_ROOT,
                           timeout=120)
    assert outs[2][0] == outs[100][0] == plain.stdout
    few, many = outs[2][1], outs[100][1]
    assert 1 <= few["bridges_compiled"] <= 2 * few["traces_compiled"], few      # per compiled loop (version)
    assert many["bridges_compiled"] > 2 * many["traces_compiled"], many        # the bound is what stopped them


def test_loops_of_one_or_two_iterations_are_recorded_a_bounded_number_of_times():
    """A loop whose runs are one or two iterations long leaves the loop in the very iteration being recorded:
    three quick retries, then ever longer back-offs (MAX_LOOP_LEFT_BACKOFF rounds), then it is blacklisted;
    each recording costs a hook round trip per instruction, so their number stays small. (A `while True` loop,
    whose runs are not counted before it is recorded: it has no entry test.)"""
    _, rep = run_both("""
        def tiny(k):
            s = 0
            while True:
                s += k
                k -= 1
                if k <= 0:
                    break
            return s
        tot = 0
        for r in range(40000):
            tot += tiny(1 + r % 2)
        print(tot)
        report("end")
    """)
    end = rep["end"]
    left = end["aborts"].get("loop exited during recording", 0)
    assert left <= 3 + 6, end                 # the tree before this budget: 14
    if sys.version_info >= (3, 12):
        # (3.11 tests the condition again at the loop's bottom and jumps back from there: the recorded
        # iteration returns to the header, and the loop compiles)
        assert left >= 3 and end["blacklisted"] >= 1, end


def test_a_loop_failing_twice_for_the_same_reason_is_blacklisted():
    """A recording that fails twice in a row for the same reason (here an instruction a linear trace cannot
    express: a generator's loop yields) fails because of the loop's own code: it is blacklisted then, not
    recorded a third time (max_aborts 3)."""
    _, rep = run_both("""
        def numbers(n):
            for i in range(n):
                yield i * 2
        tot = 0
        for r in range(60):
            tot += sum(numbers(300))
        print(tot)
        report("end")
    """)
    end = rep["end"]
    assert end["aborts"].get("unsupported instruction YIELD_VALUE") == 2, end
    assert end["blacklisted"] >= 1, end


def _events_of(prog, src: str, params: str) -> list[dict]:
    """The events of `src` (after RUNS_OF_K) run under the JIT with `params`, its output checked against plain's."""
    from test_deopt import check
    evs = check(prog, 1, RUNS_OF_K + textwrap.dedent(src), compiled=(), params=params)
    assert any(e["event"] == "seen" for e in evs), evs
    return evs


def _driven(prog, defs: str, call: str, loop: str) -> list[dict]:
    """The events of the loop of function `loop` (defined in `defs`) when `call` is made 3000 times in a loop
    (threshold 100, nothing inlined), the output checked against plain's."""
    evs = _events_of(prog, defs + f"""
        def drive(n):
            tot = 0
            for r in range(n):
                tot += {call}
            return tot
        print(drive(3000))
        """, "threshold=100,inline_depth=0")
    return [e for e in evs if e.get("loop", "").startswith(loop + ":")]


def test_short_interpreted_runs_are_never_recorded(prog):
    """A `for` loop of 3 iterations in a function called 3000 times: its runs in the interpreter (told apart by
    its iterator's position) average far fewer iterations than an entry costs, so it is judged before anything
    is spent on it: once, then after a 4x back-off, then blacklisted, never recorded or compiled. (Looked at once
    in 7 back-edges, runs shorter than that count as up to 7 long: still hopeless, under 8.)"""
    mine = _driven(prog, "", "short(3)", "short")
    kinds = [e["event"] for e in mine]
    assert kinds == ["seen", "short_runs", "short_runs", "blacklist"], mine
    assert mine[1]["backoff"] == 4 and mine[1]["average"] < 8, mine


def _few_judged_short(prog, items: str, params: str) -> list[dict]:
    """The events of `few()`'s loop over `items` (an expression), called 3000 times under `params`: judged too
    short twice, then blacklisted, never recorded."""
    evs = _events_of(prog, f"""
        ITEMS = {items}
        def few():
            s = 0
            for x in ITEMS:
                s += 1
            return s
        def drive(n):
            tot = 0
            for r in range(n):
                tot += few()
            return tot
        print(drive(3000))
        """, params)
    mine = [e for e in evs if e.get("loop", "").startswith("few:")]
    assert [e["event"] for e in mine] == ["seen", "short_runs", "short_runs", "blacklist"], mine
    return mine


@pytest.mark.parametrize("items", ["list(range(4, 14))", "tuple(range(10))", "'abcdefghij'", "'\\xe9bcdefghij'",
                                   "range(2, 12)"])
def test_short_interpreted_runs_are_told_apart_for_each_kind_of_iterator(prog, items):
    """The runs are told apart by the position of the iterator on top of the frame's stack, read from memory for
    range, list, tuple and str iterators alike. Runs of 10 iterations, looked at once in 8 back-edges, are
    counted exactly (judged against short_run=1024: hopeless under 32)."""
    mine = _few_judged_short(prog, items, "threshold=200,inline_depth=0,short_run=1024")
    assert 9 <= mine[1]["average"] <= 11 and mine[1]["runs"] >= 15, mine


@pytest.mark.parametrize("items", ["[4, 5, 6]", "(4, 5, 6)", "'abc'", "range(2, 5)"])
def test_runs_shorter_than_the_looks_apart_are_counted_from_the_items_given(prog, items):
    """Runs of 3 iterations looked at once in 6 back-edges: the back-edges between two looks that belong to runs
    begun and ended in between are counted as runs as long as the current one (its items given and left), so
    the average is the runs' own; a range iterator on 3.12+ keeps no count of the items it has given, and its
    runs count as up to 6 long (still hopeless)."""
    mine = _few_judged_short(prog, items, "threshold=100,inline_depth=0")
    exact = not items.startswith("range") or sys.version_info < (3, 12)
    assert (2.5 <= mine[1]["average"] <= 3.5 if exact else mine[1]["average"] < 8) and mine[1]["runs"] >= 8, mine


def test_runs_that_grow_and_inner_loops_are_still_compiled(prog):
    """The judgement leaves alone a loop whose runs grow past it (a function called on small inputs first) and a
    short loop inside another loop of its function (the enclosing loop's trace runs through it)."""
    evs = _events_of(prog, """
        def nested(n):
            tot = 0
            for r in range(n):
                for k in range(3):
                    tot += k * r
            return tot
        tot = 0
        for r in range(60):
            tot += short(3)
        for r in range(40):
            tot += short(3000)
        print(tot, nested(20000))
        """, "threshold=100")
    short = [e["event"] for e in evs if e.get("loop", "").startswith("short:")]
    assert short.count("short_runs") == 1 and "compiled" in short and "blacklist" not in short, short
    inner = [e["event"] for e in evs if e.get("loop", "").startswith("nested:")]
    assert "short_runs" not in inner and "compiled" in inner, inner


def test_an_inner_loop_is_judged_once_the_loop_around_it_is_given_up():
    """A `for` loop of 3 items inside a loop whose recordings abort: while the outer loop may still compile (its
    trace could run through the inner one) the inner one is compiled; once the outer loop is blacklisted, the
    inner one's runs are judged like any loop's, and after its first drop it is not compiled again (was: compiled
    and dropped 3 times)."""
    _, rep = run_both("""
        def f(rows):
            total = 0
            for row in rows:
                g = lambda: 0            # the outer loop's recordings abort (MAKE_FUNCTION)
                for x in row:            # runs of 3 iterations
                    total += x
            return total
        rows = [[1, 2, 3]] * 200
        t = 0
        for _ in range(400):
            t += f(rows)
        print(t)
        report("end")
    """)
    end = rep["end"]
    assert end["traces_compiled"] <= 1 and end["loops_dropped"] <= 1, end


needs_entry_events = pytest.mark.skipif(sys.version_info < (3, 12), reason="3.11 has no BRANCH events: the runs of "
                                        "its `while` loops are not counted before they are recorded")

# `while` loops of 2 iterations (1 back-edge) whose runs pass their entry test in different ways: the test before
# the loop falls into it (the compiler's usual form); two tests of which only the last falls into it; the test at
# the loop's head, jumped to from an `if` right before it, the loop's back-edge a `continue` to that test
# (red_black_tree's fix_insert); a test of None
_WHILE_SHAPES = {
    "falls_in": """
        def few(k):
            i = s = 0
            while i < k:
                s += i
                i += 1
            return s
        """,
    "two_tests": """
        def few(k):
            if k is None:
                return 0
            i = s = 0
            while i < k and s >= 0:
                s += i
                i += 1
            return s
        """,
    "jumped_to": """
        def few(k):
            i = s = 0
            if k is None:
                return 0
            while i + 1 < k and s >= 0:
                if i < 100:
                    s += i
                    i += 1
                    continue
                i += 1
            return s
        """,
    "not_none": """
        class Node:
            def __init__(self, nxt):
                self.nxt = nxt
        CHAIN = Node(Node(None))
        def few(k):
            node, s = CHAIN, 0
            while node is not None:
                s += k
                node = node.nxt
            return s
        """,
}


@needs_entry_events
@pytest.mark.parametrize("shape", sorted(_WHILE_SHAPES))
def test_short_while_runs_are_never_recorded(prog, shape):
    """A `while` loop of 2 iterations in a function called 3000 times: each of its runs passes its entry test once
    (a BRANCH event, one callback per run), so its runs are counted like a `for` loop's and judged before anything
    is spent on it: 1 back-edge per run, under SHORT_BY_NATURE (machine code, entered at a run's first back-edge,
    would run 1 iteration per entry), twice, then blacklisted, never recorded or compiled (was: recorded 9 times,
    compiled, dropped)."""
    mine = _driven(prog, _WHILE_SHAPES[shape], "few(2)", "few")
    assert [e["event"] for e in mine] == ["seen", "short_runs", "short_runs", "blacklist"], mine
    assert mine[1]["average"] == 1.0 and mine[1]["runs"] >= 8 and mine[1]["backoff"] == 4, mine


@needs_entry_events
def test_while_runs_that_pay_in_machine_code_are_recorded(prog):
    """Runs of 3 iterations (2 back-edges: the machine code would run 2 iterations per entry, which the back-edge
    stub makes for a fraction of what they save) are not short by nature: counted, found long enough, and the
    loop is recorded and compiled as before; merge sort's merge runs 2-5 back-edges in its first calls and long
    ones later (1.8x as machine code)."""
    mine = [e["event"] for e in _driven(prog, _WHILE_SHAPES["falls_in"], "few(3)", "few")]
    assert "short_runs" not in mine and "compiled" in mine, mine


@needs_entry_events
def test_long_while_runs_compile_and_their_entry_tests_go_quiet():
    """Runs of 3000 iterations are long enough: the loop compiles as before, and once its runs were judged its
    code object's branches are no longer reported (its BRANCH events are off): a few callbacks in all, not one per
    call."""
    _, rep = run_both("""
        import sys
        def spin(n):
            i = s = 0
            while i < n:
                s += i % 7
                i += 1
            return s
        tot = 0
        for r in range(30):
            tot += spin(3000)
        print(tot)
        report("end")
        m = sys.monitoring
        for r in range(300):
            tot += spin(2)
        print(tot, m.get_local_events(m.OPTIMIZER_ID, spin.__code__) & m.events.BRANCH if m.get_tool(
            m.OPTIMIZER_ID) else 0)
        report("again")
    """)
    end, again = rep["end"], rep["again"]
    assert end["traces_compiled"] == 1 and end["blacklisted"] == 0, end
    assert end["entry_calls"] <= 10 and again["entry_calls"] == end["entry_calls"], (end, again)


@needs_entry_events
def test_a_while_loop_mostly_skipped_costs_a_bounded_number_of_callbacks():
    """A `while` loop run once with two iterations (its first back-edge: its runs are counted from then on), then
    skipped in each of 200,000 calls (its entry test goes to the loop's exit): the entry test is reported at most
    ENTRY_EVENTS x threshold times, then no more, however often the function is called."""
    from tracejit.runtime.sites import ENTRY_EVENTS
    _, rep = run_both("""
        def rare(k):
            s = 0
            while k < 0:
                s += k
                k += 1
            return s
        tot = rare(-2)
        for r in range(200000):
            tot += rare(r)
        print(tot)
        report("end")
    """, "inline_depth=0")      # (the loop around it would inline it: no interpreted runs to count then)
    end = rep["end"]
    assert ENTRY_EVENTS * 50 <= end["entry_calls"] <= ENTRY_EVENTS * 50 + 5, end    # (PRELUDE: threshold=50)


@needs_entry_events
def test_a_short_while_loop_inside_another_loop_is_left_to_its_recordings(prog):
    """A `while` loop of 2 iterations inside a `for` loop of its function: its runs are not counted (a bridge from
    its exit through the loop around it back into it could keep a native run going over many of them: the Julia
    set's escape loop, tests/test_recorder.py), so it is never judged on them, whatever becomes of the outer
    loop; the program's output is plain CPython's."""
    evs = _events_of(prog, """
        def nest(n):
            tot = 0
            for r in range(n):
                j = 0
                while j < 2:
                    tot += r * j
                    j += 1
            return tot
        print(nest(20000))
        """, "threshold=100")
    assert not [e for e in evs if e["event"] == "short_runs" and e["loop"].startswith("nest:")], evs
    assert any(e["event"] == "hot" and e["loop"].startswith("nest:") for e in evs), evs


# 3.11: the main thread stays traced (PRELUDE's Params leave trace_idle_ms at 50 ms: a loop waiting for the JIT's
# share lets its back-edges pass, and the tracer could go in that quiet stretch, before the loop asks again)
_TRACED = ", trace_idle_ms=600000"

# 60 functions, each with a loop the JIT records and compiles, each run once: machine code that never pays back
_MANY_LOOPS = r"""
    src = ("def f{k}(n):\n    s = 0\n    i = 0\n    while i < n:\n        s += i * {k} + 1\n        i += 1\n"
           "    return s\n")
    total = 0
    for k in range(60):
        namespace = {}
        exec(src.replace("{k}", str(k)), namespace)
        total += namespace["f%d" % k](150)
    print(total)
    report("end")
"""


def test_recording_and_compiling_stop_at_the_programs_share():
    """Past `spend_ms` of recording and compiling, a new loop is recorded only while the JIT's time stays within
    5% of the process's CPU time plus what machine code saved: loops that never pay back stop costing. With no
    limit (spend_ms=0) every one of them is compiled."""
    _, rep = run_both(_MANY_LOOPS, "spend_ms=0" + _TRACED)
    unlimited = rep["end"]
    assert unlimited["traces_compiled"] >= 55 and unlimited["spend_waits"] == 0, unlimited
    _, rep = run_both(_MANY_LOOPS, "spend_ms=2" + _TRACED)
    bounded = rep["end"]
    assert bounded["spend_waits"] >= 20 and bounded["traces_compiled"] <= 30, bounded
    spent = bounded["recording_seconds"] + bounded["compiling_seconds"]
    assert spent < unlimited["recording_seconds"] + unlimited["compiling_seconds"], (bounded, unlimited)


# two loops: what the first one's machine code saved decides whether the second may be recorded
_FIRST_AND_SECOND = """
        def first(n):
            s = 0
            i = 0
            while i < n:
                s += i * 7 % 13
                i += 1
            return s
        def second(n):
            s = 0
            i = 0
            while i < n:
                s += i * 3 % 7
                i += 1
            return s
"""


def test_machine_code_that_gains_earns_more_compiling():
    """What machine code saved counts towards the share: after a loop that ran millions of iterations natively,
    another loop is compiled at once, though the free part (spend_ms, all but nothing here) is long spent; after
    one that barely ran, the other loop waits."""
    body = _FIRST_AND_SECOND + """
        print(first(N))
        print(second(3000))
        report("end")
    """
    _, rep = run_both(body.replace("N", "3_000_000"), "spend_ms=0.001" + _TRACED)
    gained = rep["end"]
    assert gained["traces_compiled"] == 2 and gained["spend_waits"] == 0, gained
    _, rep = run_both(body.replace("N", "60"), "spend_ms=0.001" + _TRACED)
    barely = rep["end"]
    assert barely["traces_compiled"] == 1 and barely["spend_waits"] >= 1, barely


def test_the_programs_own_time_in_a_recorded_iteration_is_not_the_jits():
    """The share counts the JIT's CPU time in its own callbacks: a recorded iteration that sleeps (I/O, a lock, a
    slow call) spends nothing of it, and the next hot loop is compiled."""
    _, rep = run_both(_FIRST_AND_SECOND + """
        import time
        def slow(n):
            t = 0
            for i in range(n):
                if i >= 49:
                    time.sleep(0.1)         # the recorded iteration (threshold=50) among them
                t += i
            return t
        print(slow(53), second(20000))
        report("end")
    """, "spend_ms=60" + _TRACED)           # less than a recorded iteration's sleep
    end = rep["end"]
    assert end["spend_waits"] == 0 and end["loops_hot"] == 2 and end["traces_compiled"] >= 1, end


def test_a_loop_refused_again_and_again_is_given_up():
    """A loop that keeps finding the JIT's share spent waits twice as long each time, and is given up after
    MAX_SPEND_DOUBLINGS refusals: its back-edge is then disabled, so waiting costs nothing for the rest of its run."""
    _, rep = run_both(_FIRST_AND_SECOND + """
        print(first(60))
        print(second(1_000_000))
        report("end")
        print(second(1_000_000))
        report("again")
    """, "spend_ms=0.001" + _TRACED)
    end, again = rep["end"], rep["again"]
    assert end["traces_compiled"] == 1 and end["blacklisted"] >= 1, end
    assert 10 <= end["spend_waits"] <= 12, end            # 4, 8 ... 2048 x threshold, then given up
    assert again["spend_waits"] == end["spend_waits"], again
    assert again["backedge_calls"]["second"] == end["backedge_calls"]["second"], (end, again)


def test_a_loop_with_too_little_of_its_run_left_waits_for_a_later_run():
    """A `for` loop over a range that gets hot (threshold=50) with fewer than LITTLE_LEFT x threshold items left
    in the first run it was counted in is not recorded: a list comprehension run once at start-up is left to the
    interpreter. A function called again and again with such runs waits at most MAX_LITTLE_WAITS times, then
    compiles, and its later long run enters the compiled loop."""
    _, rep = run_both("""
        def table(n):
            return [i * i % 7 for i in range(n)]
        def total(n):
            t = 0
            for i in range(n):
                t += i * 3 % 5
            return t
        print(sum(table(2000)))
        report("once")
        print(sum(total(2000) for _ in range(5)))
        report("again")
        print(total(200_000))
        report("long")
    """, "little_left=50" + _TRACED)
    once, again = rep["once"], rep["again"]
    assert once["little_left_waits"] == 1 and once["traces_compiled"] == 0, once
    assert again["little_left_waits"] == 3 and again["traces_compiled"] == 1, again       # two waits, then it compiles
    long_ = rep["long"]
    assert long_["little_left_waits"] == 3 and long_["traces_compiled"] == 1, long_
    assert long_["native_entries"] > again["native_entries"], (again, long_)


def test_a_loop_over_a_list_or_tuple_with_too_little_left_waits_for_a_later_run():
    """The same wait for a `for` loop over a list or a tuple (the items left: its length less the iterator's
    index): a loop over particles made once at start-up is left to the interpreter; a long list compiles at once,
    and a function called again and again with short lists waits twice, then compiles."""
    _, rep = run_both("""
        class P:
            def __init__(self, x):
                self.x = x
        ps = [P(k * 0.5) for k in range(1000)]
        total = 0.0
        for p in ps:
            total += p.x * 2.0
        print(total)
        report("once")
        t = 0
        for v in tuple(range(1000)):
            t += v % 7
        print(t)
        report("tuple")
        def s(a):
            r = 0
            for v in a:
                r += v * 3 % 5
            return r
        print(sum(s(list(range(2000))) for _ in range(5)))
        report("again")
        print(s(list(range(100_000))))
        report("long")
    """, "little_left=50" + _TRACED)
    once, tup, again, long_ = rep["once"], rep["tuple"], rep["again"], rep["long"]
    assert once["little_left_waits"] == 2 and once["traces_compiled"] == 0, once     # the comprehension and the loop
    assert tup["little_left_waits"] == 3 and tup["traces_compiled"] == 0, tup
    assert again["little_left_waits"] == 5 and again["traces_compiled"] == 1, again     # two waits, then it compiles
    assert long_["traces_compiled"] == 1 and long_["native_entries"] > again["native_entries"], (again, long_)


def test_a_loop_over_enumerate_or_zip_with_too_little_left_waits_for_a_later_run():
    """The items left of an enumerate or a zip object are those of the iterators it advances (the fewest, for a
    zip): a loop over `zip(u, v)` or `enumerate(u)` run once at the end of a program (spectral_norm's norm, 300
    items: 3 ms of compiling for 30 us of work) is left to the interpreter; over long lists it compiles."""
    _, rep = run_both("""
        u = [k * 0.5 for k in range(1000)]
        v = [k * 0.25 for k in range(1200)]
        s = 0.0
        for a, b in zip(u, v):
            s += a * b
        print(s)
        report("zip")
        t = 0.0
        for i, a in enumerate(u):
            t += i * a
        print(t)
        report("enumerate")
        w = [k * 0.5 for k in range(300_000)]
        z = 0.0
        for a, b in zip(w, w):
            z += a * b
        print(z)
        report("long")
    """, "little_left=50" + _TRACED)
    zip_, enum, long_ = rep["zip"], rep["enumerate"], rep["long"]
    assert zip_["traces_compiled"] == 0 and zip_["little_left_waits"] >= 3, zip_     # two comprehensions, the loop
    assert enum["traces_compiled"] == 0 and enum["little_left_waits"] == zip_["little_left_waits"] + 1, enum
    assert long_["traces_compiled"] > enum["traces_compiled"] and long_["native_entries"] > 0, long_


def test_an_inner_loop_whose_nest_has_too_little_left_waits():
    """An inner `for` loop hot over several runs (threshold=50: two runs of 40 items each under a loop of two)
    waits when what the nest has left of it is little (its run's items left, plus its runs so far on average times
    the runs the loops around it have left): barnes_hut's galaxy set-up. The same nest under a loop with many
    runs left compiles, and so does an inner loop under a `while` loop (its future not known)."""
    _, rep = run_both("""
        def setup(arms, per_arm):
            out = []
            for arm in range(arms):
                for i in range(per_arm):
                    out.append(arm * 0.5 + i * 0.25)
            return out
        def setup_while(arms, per_arm):
            out = []
            arm = 0
            while arm < arms:
                for i in range(per_arm):
                    out.append(arm * 0.5 + i * 0.25)
                arm += 1
            return out
        print(sum(setup(2, 40)))
        report("once")
        print(sum(setup(300, 40)))
        report("many")
        print(sum(setup_while(2, 40)))
        report("while")
    """, "little_left=50" + _TRACED)
    once, many, while_ = rep["once"], rep["many"], rep["while"]
    assert once["little_left_waits"] == 1 and once["traces_compiled"] == 0, once
    assert many["traces_compiled"] >= 1 and many["native_entries"] > 0, many
    assert while_["traces_compiled"] > many["traces_compiled"], (many, while_)


def test_a_large_trace_with_too_little_left_to_pay_for_its_compiling_waits():
    """The recording of a large loop body (an inlined method) whose first run has too few iterations left for
    machine code to save what compiling the trace costs ends there, not counted as an abort: the loop waits for
    a later run (a random vector made once at start-up)."""
    _, rep = run_both("""
        class Rng:
            def __init__(self):
                self.m = [(k * 7919) % 1000 for k in range(17)]
                self.i = 4
                self.j = 16
            def next(self):
                I, J, m = self.i, self.j, self.m
                k = m[I] - m[J]
                if k < 0:
                    k += 1000
                m[J] = k
                self.i = 16 if I == 0 else I - 1
                self.j = 16 if J == 0 else J - 1
                return k * 0.001 + I * 0.5 - J * 0.25
        def vector(r, n):
            return [r.next() for i in range(n)]
        r = Rng()
        print(round(sum(vector(r, 6000)), 6))
        report("once")
    """, "little_left=50" + _TRACED)
    once = rep["once"]
    assert once["traces_compiled"] == 0 and once["little_left_waits"] == 1, once
    assert once["aborts"] == {"too little of its run left to pay for compiling": 1}, once


# a generator of a grid's cells, as scimark's `indexes()` (the loops over it are the tests')
_CELLS = """
        def cells(w, h):
            for y in range(h):
                for x in range(w):
                    yield x, y
"""


def test_a_loop_over_a_generator_waits_until_its_run_has_proved_long():
    """A `for` loop over a generator in the first run the JIT counts: how many items it has left nothing tells,
    so they are taken to be as many as it has given so far. It waits (its back-edges let pass) each time its run
    has doubled, up to MAX_GENERATOR_WAITS times: a loop over a generator run once at start-up (scimark's
    RandomMatrix, 10,000 cells of `indexes()`) is left to the interpreter, a long one compiles and runs in machine
    code, a function whose runs are short compiles in its second run (its runs are judged, not guessed)."""
    _, rep = run_both(_CELLS + """
        def fill(w, h):
            t = 0
            for x, y in cells(w, h):
                t += (x * 7 + y * 3) % 11
            return t
        print(fill(50, 50))
        report("once")
        def walk(n):
            t = 0
            for x, y in cells(n, 4):
                t += x % 5 + y
            return t
        print(walk(100_000))
        report("long")
    """, "little_left=50, cost_model=0" + _TRACED)     # (a loop over a generator makes a call per item)
    once, long_ = rep["once"], rep["long"]
    assert once["traces_compiled"] == 0 and once["little_left_waits"] >= 4, once
    waits = long_["little_left_waits"] - once["little_left_waits"]
    assert 5 <= waits <= 8, (once, long_)
    if sys.version_info >= (3, 12):     # (3.11: no call that may run Python code is recorded, next() of a generator)
        assert long_["traces_compiled"] >= 1 and long_["native_entries"] > once["native_entries"], (once, long_)


def test_a_loop_found_too_long_for_its_run_is_not_recorded_again_for_the_same_run():
    """A recording that finds the loop's run too short for its trace to pay (LITTLE_LEFT) keeps what the run
    would need on the loop: the loop's later waits in that run (a generator's: its estimate doubles each time)
    decide from it without recording the loop again. scimark_lu's RandomMatrix was recorded three times to be
    told so; now once."""
    _, rep = run_both(_CELLS + """
        def fill(w, h):
            t = 0
            for x, y in cells(w, h):
                a = (x * 7 + y * 3) % 11
                b = (x * 5 - y) % 13
                c = (a * b + x) % 17
                d = (c * a - b + y) % 19
                t += a + b + c + d
            return t
        print(fill(60, 60))
        report("once")
    """, "little_left=5, cost_model=0" + _TRACED)
    once = rep["once"]
    little = once["aborts"].get("too little of its run left to pay for compiling", 0)
    assert once["traces_compiled"] == 0 and once["little_left_waits"] >= 4, once
    assert little <= 1, once
    if sys.version_info >= (3, 12):     # (3.11: next() of a generator is no call the trace makes)
        assert little == 1, once
