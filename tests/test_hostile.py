"""Hostile environments around compiled loops: signal handlers (SIGALRM via setitimer) that count, mutate
globals, raise or inspect frames; several threads in compiled loops at once; generators, coroutines and
async generators with hot loops; frames introspected from the loop itself, from another thread and from a
signal handler; code objects replaced; the recursion limit; a debugger / coverage tool switched on in the
middle of a compiled loop; tracejit.enable() re-entered, used from two threads and from a generator.

Every JIT run is compared with plain CPython running the same program (subprocess: `python prog.py` versus
`python -m tracejit --params threshold=2 --log LOG --stats prog.py`, or in-process with the `fresh_engine`
fixture), and every test checks that the JIT really compiled and entered the loop it is about.

Programs print only what is deterministic (invariants, exact results, sets of lines), never counts that
depend on timing. Tests marked xfail(strict=True) document JIT bugs found by this module.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import difftest  # noqa: E402

import tracejit  # noqa: E402

PY = sys.executable
PY312 = sys.version_info >= (3, 12)
TIMEOUT = 60


# ------------------------------------------------------------------------------------------------ harness

class Run:
    """One differential run: plain CPython and tracejit results, the JIT's events and final stats."""

    def __init__(self, plain, jit, events, stats):
        self.plain, self.jit, self.events, self.stats = plain, jit, events, stats

    def compiled(self) -> set[str]:
        return {e["loop"].split(":")[0] for e in self.events if e["event"] == "compiled"}

    def assert_same(self, label: str) -> None:
        difftest.assert_same(self.plain, self.jit, label)

    def missing(self, *funcs: str) -> set[str]:
        return set(funcs) - self.compiled()

    def assert_entered(self, *funcs: str) -> None:
        missing = self.missing(*funcs)
        assert not missing, f"loops of {missing} were not compiled; {self.story(missing)}"
        assert self.stats.get("native_entries", 0) >= 1, self.stats

    def story(self, funcs: set[str]) -> str:
        """Every event of the loops of `funcs` (all of them: the first 30 events of a run seldom reach the loop
        that failed), guard failures left out."""
        mine = [e for e in self.events if e.get("loop", "").split(":")[0] in funcs and e["event"] != "guard_failure"]
        return f"their events: {mine}; the run's stats: {self.stats}"


def _split_stats(stderr: str) -> tuple[str, dict]:
    """Remove the `--stats` block (always last on stderr) from the JIT run's stderr and parse it."""
    lines = stderr.split("\n")
    idx = max((i for i, ln in enumerate(lines) if ln == "tracejit stats:"), default=None)
    if idx is None:
        return stderr, {}
    stats: dict = {}
    for ln in lines[idx + 1:]:
        m = re.match(r"^  (\w+)\s+(\S+)$", ln)
        if m:
            try:
                stats[m.group(1)] = float(m.group(2)) if "." in m.group(2) else int(m.group(2))
            except ValueError:
                stats[m.group(1)] = m.group(2)
    return "\n".join(lines[:idx]).strip("\n"), stats


def _exec(argv, cwd, timeout=TIMEOUT) -> difftest.Result:
    try:
        p = subprocess.run(argv, cwd=str(cwd), env=difftest._env(), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"timed out after {timeout}s: {argv}\n"
                             f"stdout: {(e.stdout or b'')[-2000:]!r}\nstderr: {(e.stderr or b'')[-2000:]!r}")
    return difftest.Result(p.stdout.decode("utf-8", "replace"),
                           difftest.normalize_stderr(p.stderr.decode("utf-8", "replace")), p.returncode)


def differential(tmp_path: Path, name: str, src: str, params: str = "threshold=2", timeout=TIMEOUT) -> Run:
    prog = tmp_path / f"{name}.py"
    prog.write_text(textwrap.dedent(src))
    log = tmp_path / f"{name}.jsonl"
    plain = _exec([PY, str(prog)], tmp_path)
    jit = _exec([PY, "-m", "tracejit", "--params", params, "--log", str(log), "--stats", str(prog)], tmp_path,
                timeout)
    err, stats = _split_stats(jit.stderr)
    events = [json.loads(ln) for ln in log.read_text().splitlines() if ln.strip()] if log.exists() else []
    return Run(plain, jit._replace(stderr=err), events, stats)


def check(tmp_path, name, src, expect_stdout, *funcs, params="threshold=2", timeout=TIMEOUT) -> Run:
    """Plain run prints expect_stdout (the program is deterministic), JIT run is identical, and the JIT
    compiled and entered the loops of `funcs`."""
    r = differential(tmp_path, name, src, params, timeout)
    assert r.plain.returncode == 0 and r.plain.stdout == expect_stdout, r.plain
    r.assert_same(name)
    r.assert_entered(*funcs)
    return r


# ===================================================================================== 1. signal handlers

SIG_COUNT = """\
import signal

fired = 0
bumps = 0
g = 0

def count(sig, frame):
    global fired
    fired += 1

def bump(sig, frame):          # mutates a global the loop also writes
    global fired, bumps, g
    fired += 1
    bumps += 1
    g += 1000000

def count_int(target):          # reads `fired`, which only the handler changes
    n = 0
    s = 0
    while fired < target:
        n += 1
        s += n
    return n > 0 and s == n * (n + 1) // 2

def count_float(target):
    x = 0.0
    k = 0
    while fired < target:
        k += 1
        x += 0.5
    return x == k * 0.5

def nested(target):
    total = 0
    rounds = 0
    while fired < target:
        for i in range(500):
            total += i
        rounds += 1
    return total == rounds * 124750

def both(target):
    global g
    n = 0
    while fired < target:
        g += 1
        n += 1
    return n

signal.signal(signal.SIGALRM, count)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
print(count_int(fired + 25), count_float(fired + 25), nested(fired + 25))
signal.signal(signal.SIGALRM, bump)
n = both(fired + 40)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
print("lost handler updates:", g != n + bumps * 1000000)
"""


def test_signal_handler_counts_and_loop_reads_its_global(tmp_path):
    """(a)+(b) A SIGALRM handler fires every millisecond; the compiled loops end only when they observe
    the global the handler increments (re-read at each native entry), and their results stay exact."""
    src = SIG_COUNT.split("signal.signal(signal.SIGALRM, bump)")[0] + \
        "signal.setitimer(signal.ITIMER_REAL, 0, 0)\n"
    check(tmp_path, "sig_count", src, "True True True\n", "count_int", "count_float", "nested")


def test_signal_handler_update_of_loop_global_not_lost(tmp_path):
    check(tmp_path, "sig_bump", SIG_COUNT,
          "True True True\nlost handler updates: False\n", "count_int", "both")


SIG_RAISE = """\
import signal
import sys
import traceback

class Stop(Exception):
    pass

fired = 0

def handler(sig, frame):
    global fired
    fired += 1
    if fired == 8:
        raise Stop(fired)

def spin(limit):
    n = 0
    s = 0
    while fired < 60 and n < limit:      # if Stop is lost, the loop still ends
        s += n
        n += 1
    return n

def report(e):
    tb = e.__traceback__
    user = [(f.name, f.lineno) for f in traceback.extract_tb(tb) if f.filename == __file__]
    print(type(e).__name__, e.args, user[0][0], user[-1][0])
    while tb is not None and tb.tb_frame.f_code is not spin.__code__:
        tb = tb.tb_next
    loc = tb.tb_frame.f_locals
    n, s = loc["n"], loc["s"]
    print("consistent:", n > 0 and s == n * (n - 1) // 2)
    print("loop line:", tb.tb_lineno - spin.__code__.co_firstlineno)

if WARM:
    spin(2000)                            # compiled before the first signal
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
try:
    spin(10 ** 15)
    print("Stop was lost")
except Stop as e:
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    report(e)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
"""


@pytest.mark.parametrize("warm", [True, False], ids=["compiled-before-timer", "timer-during-compile"])
def test_signal_handler_exception_reaches_program(tmp_path, warm):
    """(c) The handler raises once; the program catches it around the loop, finds the loop frame in the
    traceback with consistent locals (a real iteration) and at the same line as plain CPython."""
    src = f"WARM = {warm}\n" + SIG_RAISE
    r = differential(tmp_path, "sig_raise", src)
    assert r.plain.stdout.startswith("Stop (8,) <module> handler\nconsistent: True\nloop line: "), r.plain
    if warm:
        r.assert_entered("spin")
    else:   # the exception arrives while the loop is being recorded or compiled
        assert any(e["event"] == "hot" and e["loop"].startswith("spin:") for e in r.events), r.events
    r.assert_same("sig_raise")


# ============================================================================================ 2. threads

THREADS = """\
import sys
import threading

sys.setswitchinterval(1e-5)

def isum(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s

def fpoly(n, k):
    x = 0.0
    for i in range(n):
        x = x * 0.5 + i * k
    return x

def collatz(limit):
    total = 0
    for start in range(1, limit):
        n = start
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            total += 1
    return total

N = 6
results = [None] * N
barrier = threading.Barrier(N)

def worker(idx):
    barrier.wait()
    a = isum(60000 + idx)              # every thread runs the same function ...
    b = fpoly(40000, idx * 0.25 + 0.1)  # ... and floats with a different constant
    c = collatz(150 + 10 * idx)
    d = isum(60000 + idx)
    results[idx] = (a, b, c, d)

threads = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for r in results:
    print(r)

# threads started while another thread is inside a compiled loop
go = False
spun = []

def spinner():
    n = 0
    s = 0
    while not go:
        n += 1
        s += n
    spun.append(n > 0 and s == n * (n + 1) // 2)

sp = threading.Thread(target=spinner)
sp.start()
while not spun and isum(3000) >= 0 and len(threading.enumerate()) < 2:
    pass
late = [threading.Thread(target=worker, args=(i,)) for i in range(N)]
barrier = threading.Barrier(N)
for t in late:
    t.start()
for t in late:
    t.join()
go = True
sp.join()
print(spun, results == [(isum(60000 + i), fpoly(40000, i * 0.25 + 0.1), collatz(150 + 10 * i), isum(60000 + i))
                        for i in range(N)])
"""


def test_many_threads_in_compiled_loops(tmp_path):
    loops = ("isum", "fpoly", "collatz", "spinner")
    r = differential(tmp_path, "threads", THREADS)
    assert r.plain.returncode == 0 and r.plain.stdout.endswith("[True] True\n"), r.plain
    r.assert_same("threads")
    # Whether a short loop gets compiled depends on thread scheduling: a recording is abandoned when another
    # thread held the JIT meanwhile, and a loop whose recordings keep failing is left to the interpreter. CI saw
    # `collatz` uncompiled once in several hundred runs (its events were not kept), so a run that misses one is
    # repeated, at most twice, each run compared with plain CPython again; all three missing fails.
    misses = []
    for _ in range(2):
        if not r.missing(*loops):
            break
        misses.append(r.story(r.missing(*loops)))
        r = differential(tmp_path, "threads", THREADS)
        r.assert_same("threads")
    assert not r.missing(*loops), misses + [r.story(r.missing(*loops))]
    r.assert_entered(*loops)


SIGNALS_WITH_THREADS = """\
import signal, sys, threading, time, tracejit
sys.setswitchinterval(1e-6)             # threads switch as often as they can
inside = total = 0
def handler(signum, frame):
    global inside, total
    total += 1
    while frame is not None:            # a frame of tracejit's on the stack: the handler runs inside a callback
        if "/tracejit/" in frame.f_code.co_filename:
            inside += 1
            break
        frame = frame.f_back
signal.signal(signal.SIGALRM, handler)
def cold(n):
    t = 0
    for i in range(n):
        t += i
    return t
stop = False
def other():
    while not stop:
        cold(3)
def main(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        cold(3)
with tracejit.enable(threshold=10**9, trace_idle_ms=0):  # every loop only counts: callbacks all the time
    th = threading.Thread(target=other)
    th.start()
    signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
    main(1.5)
    signal.setitimer(signal.ITIMER_REAL, 0)
    stop = True
    th.join()
print(total, inside)
"""


def test_signal_handlers_never_run_inside_callbacks_while_other_threads_run_them(tmp_path):
    """Another thread's callback ending while the main thread is inside its own must not let signal handlers
    run there (only the main thread's callbacks hold and release them: hooks.SignalGate). Before, 1,472 of 13,061
    handler calls ran inside a JIT callback in this program on 3.12 (3,714 of 17,004 on 3.11)."""
    script = tmp_path / "signals_threads.py"
    script.write_text(SIGNALS_WITH_THREADS)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                         env=difftest._env(), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    total, inside = map(int, run.stdout.split())
    assert total > 500, run.stdout             # the handler ran often, in the program's own frames
    assert inside == 0, run.stdout


# ========================================================================== 3. generators and async code

GENERATORS = """\
import asyncio

def yield_in_loop(n):
    s = 0
    for i in range(n):
        s += i
        if i % 1000 == 999:
            yield s

def loop_then_yield(rounds, n):
    try:
        for r in range(rounds):
            s = 0
            for i in range(n):
                s += i * r
            yield s
    finally:
        print("loop_then_yield finally, r =", r)

class Boom(Exception):
    pass

def catcher(n):
    total = 0
    while True:
        try:
            s = 0.0
            for i in range(n):
                s += i * 0.5
            total += 1
            yield s
        except Boom:
            print("caught Boom after", total)

print(sum(yield_in_loop(20000)))
print(list(loop_then_yield(4, 5000)))
g = loop_then_yield(100, 5000)
print(next(g), next(g), next(g))
g.close()                                    # closed while suspended between two compiled loops
g = catcher(3000)
print(next(g), g.throw(Boom()), g.throw(Boom()), next(g))
g.close()

async def no_await(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

async def with_await(n, k):
    s = 0
    i = 0
    while i < n:
        s += i ^ k
        i += 1
        if i % 2000 == 0:
            await asyncio.sleep(0)
    return s

async def agen(rounds, n):
    for r in range(rounds):
        s = 0
        for i in range(n):
            s += i + r
        yield s
        await asyncio.sleep(0)

async def main():
    a = await asyncio.gather(no_await(20000), *(with_await(20000, k) for k in range(4)))
    b = [x async for x in agen(5, 4000)]
    return a, b

print(asyncio.run(main()))
"""


def test_generators_and_async_hot_loops(tmp_path):
    r = differential(tmp_path, "gens", GENERATORS)
    assert r.plain.returncode == 0 and "caught Boom after 1" in r.plain.stdout, r.plain
    assert "loop_then_yield finally, r = 2" in r.plain.stdout
    r.assert_same("gens")
    r.assert_entered("loop_then_yield", "catcher", "no_await", "with_await", "agen")


# ============================================================================= 4. frame introspection

INTROSPECT_SELF = """\
import inspect
import sys

def via_getframe(n):
    s = 0
    ok = []
    for i in range(n):
        s += i
        if i % 5000 == 4999:
            loc = sys._getframe().f_locals
            ok.append(loc["s"] == i * (i + 1) // 2 and loc["i"] == i)
    return s, len(ok), all(ok)

def via_locals(n):
    x = 1.0
    k = 0
    ok = []
    while k < n:
        x = x * 0.5 + 1.0
        k += 1
        if k % 4000 == 0:
            ok.append(dict(locals())["k"] == k)
    return x, len(ok), all(ok)

def via_inspect(n):
    a = 0
    b = 0
    seen = []
    for i in range(n):
        a += 2
        b += 3
        if i % 3000 == 2999:
            fl = inspect.currentframe().f_locals
            seen.append((fl["a"], fl["b"], fl["i"]))
    return a, b, seen

def held_frame(n):
    # 3.11 regression: reading f_locals once makes every later sys.settrace callback return through
    # PyFrame_LocalsToFast, which copied the locals of before a native run back over its results
    fr = sys._getframe()
    total = 0
    for r in range(3):
        s = 0
        for i in range(n):
            s += i
            if i == n // 2:
                fr.f_locals
        total += s
    return total

print(via_getframe(30000))
print(via_locals(30000))
print(via_inspect(12000))
print(held_frame(100000))
"""


def test_frame_read_from_inside_the_loop(tmp_path):
    r = differential(tmp_path, "introspect_self", INTROSPECT_SELF)
    assert r.plain.returncode == 0 and "(449985000, 6, True)" in r.plain.stdout, r.plain
    r.assert_same("introspect_self")
    assert "14999850000" in r.plain.stdout, r.plain
    r.assert_entered("via_getframe", "via_locals", "via_inspect", "held_frame")


OBSERVER = """\
import sys
import threading

sys.setswitchinterval(1e-5)
stop = False
target = None
report = []

def watched(limit):
    n = 0
    s = 0
    while not stop and n < limit:
        s += n
        n += 1
    return n

def observer(ident):
    global stop
    bad = 0
    checks = 0
    while checks < 300:
        frame = sys._current_frames().get(ident)
        while frame is not None and frame.f_code is not watched.__code__:
            frame = frame.f_back
        if frame is not None:
            loc = dict(frame.f_locals)            # one C-level copy: no thread switch in the middle
            if "s" in loc and "n" in loc:
                checks += 1
                if loc["s"] != loc["n"] * (loc["n"] - 1) // 2:
                    bad += 1
    stop = True
    report.append(bad)

watched(3000)                                 # compiled before the observer starts
t = threading.Thread(target=observer, args=(threading.get_ident(),))
t.start()
watched(10 ** 15)
t.join()
print("inconsistent frames seen by another thread:", report[0])
"""


def test_frame_read_from_another_thread(tmp_path):
    """Another thread reads the f_locals of a frame running a compiled loop (switch interval 10 us): every
    snapshot must be one of a real iteration boundary, as with plain CPython's GIL switches at back-edges."""
    check(tmp_path, "observer", OBSERVER, "inconsistent frames seen by another thread: 0\n", "watched")


SIG_FRAME = """\
import signal

fired = 0
info = set()
bad = 0

def handler(sig, frame):
    global fired, bad
    fired += 1
    if frame.f_code is handler.__code__:     # a signal handled inside the previous handler: not interesting
        return
    direct = frame.f_code is watched.__code__
    while frame is not None and frame.f_code is not watched.__code__:
        frame = frame.f_back
    if frame is None:        # the loop had ended: a signal that arrived during its last native run or
        return               # entry is handled at the first eval-breaker check after it (timing)
    loc = dict(frame.f_locals)
    if loc.get("s") != loc.get("n", 0) * (loc.get("n", 0) - 1) // 2:
        bad += 1
    info.add(("handler frame is the loop frame", direct, "line", frame.f_lineno - watched.__code__.co_firstlineno))

def watched(limit):
    n = 0
    s = 0
    while fired < 40 and n < limit:
        s += n
        n += 1
    return n

watched(3000)
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
watched(10 ** 15)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
print(sorted(info, key=str), "inconsistent:", bad)
"""


def test_signal_handler_sees_loop_frame(tmp_path):
    r = differential(tmp_path, "sig_frame", SIG_FRAME)
    assert r.plain.returncode == 0 and r.plain.stdout.endswith("inconsistent: 0\n"), r.plain
    assert "'handler frame is the loop frame', True" in r.plain.stdout
    r.assert_entered("watched")
    r.assert_same("sig_frame")


TRACEBACKS = """\
import traceback

def divide(n, zero_at):
    s = 0
    for i in range(n):
        s += 1000 // (i - zero_at)
    return s

def nest(n):
    acc = 0.0
    for i in range(n):
        x = 1.5
        for j in range(i):
            x = x * 1.25
        acc += x ** 2
    return acc

def overflow_float(n):
    x = 1.0001
    for i in range(n):
        x = x ** 1.5
    return x

for fn, args in ((divide, (100000, 60000)), (nest, (3000,)), (overflow_float, (100000,))):
    try:
        print(fn(*args))
    except Exception as e:
        print(type(e).__name__, e)
        print([(f.name, f.lineno, f.line) for f in traceback.extract_tb(e.__traceback__)])
        print(traceback.format_exc())
divide(10000, 5000)      # uncaught: the interpreter prints the traceback
"""


def test_tracebacks_from_compiled_loops(tmp_path):
    r = differential(tmp_path, "tracebacks", TRACEBACKS)
    assert r.plain.returncode == 1 and "ZeroDivisionError" in r.plain.stderr, r.plain
    assert "OverflowError" in r.plain.stdout
    r.assert_same("tracebacks")
    r.assert_entered("divide", "nest")


# =================================================================================== 5. code replaced

CODE_REPLACED = """\
def f(n):
    s = 0
    for i in range(n):
        s += i
    return s

def g(n):
    s = 0
    for i in range(n):
        s += 2 * i + 1
    return s

def h(n):
    s = 0.0
    for i in range(n):
        s += 0.5
    return s

print(f(5000), f(6000))
f.__code__ = g.__code__                   # same shape, other arithmetic
print(f(5000), f(6000))
f.__code__ = h.__code__                   # floats now
print(f(5000))
f.__code__ = f.__code__.replace(co_consts=tuple(0.25 if c == 0.5 else c for c in f.__code__.co_consts))
print(f(5000))

for k in range(3):                        # redefined by exec with the same name, file and lines
    exec(compile("def r(n):\\n    s = 0\\n    for i in range(n):\\n        s += i * %d\\n    return s\\n" % k,
                 __file__, "exec"))
    print(r(5000), r(7000))
"""


def test_code_replaced_between_calls(tmp_path):
    r = check(tmp_path, "code_replaced", CODE_REPLACED,
              "12497500 17997000\n25000000 36000000\n2500.0\n1250.0\n0 0\n12497500 24496500\n24995000 48993000\n",
              "f", "g", "h", "r")
    assert len([e for e in r.events if e["event"] == "compiled" and e["loop"].startswith("r:")]) >= 3


# ===================================================================================== 6. recursion

RECURSION = """\
import sys

sys.setrecursionlimit(150)
deepest = 0

def rec(depth):
    global deepest
    deepest = depth
    s = 0
    for i in range(200):
        s += i * depth
    return s + rec(depth + 1)

def outer():
    try:
        rec(0)
    except RecursionError as e:
        print(type(e).__name__, e)
        print("deepest", deepest)
        tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        print("raised in", tb.tb_frame.f_code.co_name, "line", tb.tb_lineno - rec.__code__.co_firstlineno)

outer()
outer()
rec(0)
"""


def test_recursion_limit_with_hot_loop_at_every_level(tmp_path):
    """The JIT's callbacks are skipped within 50 frames of the limit (3.12+: a native guard around the
    sys.monitoring callbacks; 3.11: the C-level trace function does not call Python there), so RecursionError
    comes where plain CPython raises it (3.12+: at the frame's next call, line 6; 3.11 counts C calls too and
    raises it at line 4)."""
    r = differential(tmp_path, "recursion", RECURSION, timeout=10)
    assert r.plain.returncode == 1 and "RecursionError" in r.plain.stderr, r.plain
    assert f"raised in rec line {6 if PY312 else 4}" in r.plain.stdout, r.plain.stdout
    r.assert_entered("rec")
    r.assert_same("recursion")


# ========================================================================== 7. debugger / coverage mid-loop

DEBUGGER_FROM_HANDLER = """\
import bdb
import signal
import sys

fired = 0
stops = []
nstops = 0
gave_up = False

class Dbg(bdb.Bdb):
    def user_line(self, frame):
        global nstops
        if frame.f_code is watched.__code__:
            nstops += 1
            loc = dict(frame.f_locals)
            stops.append((frame.f_lineno - watched.__code__.co_firstlineno,
                          loc["s"] == loc["n"] * (loc["n"] - 1) // 2, loc["x"] == loc["n"] * 0.5))
        if len(stops) >= 3:
            self.clear_all_breaks()
            self.set_continue()         # no breakpoint left: detaches (sys.settrace(None))

dbg = Dbg()

def handler(sig, frame):
    global fired, gave_up
    fired += 1
    if fired == 750:                   # about 1.5 s: the breakpoint was missed, end the loop
        gave_up = True
    if fired == 5:
        dbg.set_break(__file__, BREAK_LINE)
        dbg.set_trace(frame)           # like pdb.set_trace() from a signal handler
        dbg.set_continue()             # ... then `continue` until the breakpoint

def watched(limit):
    n = 0
    s = 0
    x = 0.0
    while nstops < 3 and not gave_up and n < limit:
        s += n
        x += 0.5                        # BREAK here
        n += 1
    return n

BREAK_LINE = watched.__code__.co_firstlineno + 6
watched(3000)
signal.signal(signal.SIGALRM, handler)
signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
watched(10 ** 15)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
sys.settrace(None)
print(stops, "missed the breakpoint" if gave_up else "")
"""


def test_bdb_breakpoint_set_from_signal_handler_mid_loop(tmp_path):
    """A bdb.Bdb debugger attached from a SIGALRM handler (the way pdb.set_trace() in a handler works) with a
    breakpoint inside the running compiled loop: it stops at that line, with the locals of a real
    iteration (x is updated after s on the breakpoint line)."""
    check(tmp_path, "bdb_handler", DEBUGGER_FROM_HANDLER, "[(6, False, True), (6, False, True), (6, False, True)] \n",
          "watched", timeout=30)


TRACE_FROM_THREAD = """\
import sys
import threading
import time

lines = set()
done = False

def tracer(frame, event, arg):
    global done
    if frame.f_code is watched.__code__ and event == "line":
        lines.add(frame.f_lineno - watched.__code__.co_firstlineno)
        if len(lines) >= 3:
            done = True
    return tracer

def watched(limit):
    n = 0
    s = 0
    while not done and n < limit:
        s += n
        n += 1
    return s == n * (n - 1) // 2

def attach(ident):
    time.sleep(0.05)
    frame = sys._current_frames()[ident]
    while frame.f_code is not watched.__code__:
        frame = frame.f_back
    frame.f_trace = tracer
    threading.settrace_all_threads(tracer)

watched(3000)
t = threading.Thread(target=attach, args=(threading.get_ident(),))
t.start()
ok = watched(10 ** 15)
sys.settrace(None)
t.join()
print(ok, sorted(lines))
"""


@pytest.mark.skipif(not PY312, reason="threading.settrace_all_threads is new in 3.12")
def test_settrace_all_threads_from_another_thread_mid_loop(tmp_path):
    check(tmp_path, "trace_thread", TRACE_FROM_THREAD, "True [3, 4, 5, 6]\n", "watched")


COVERAGE_FROM_THREAD = """\
import sys
import threading
import time

m = sys.monitoring
TOOL = m.COVERAGE_ID
lines = set()
done = False
gave_up = False

def on_line(code, line):
    global done
    if code is watched.__code__:
        lines.add(line - code.co_firstlineno)
        if len(lines) >= 3:
            done = True
    return None                         # keep the event (no DISABLE): see the lines again and again

def watched(limit):
    n = 0
    s = 0
    while not done and not gave_up and n < limit:
        s += n
        n += 1
    return s == n * (n - 1) // 2

def attach(how):
    global gave_up
    time.sleep(0.05)
    m.use_tool_id(TOOL, "coverage")
    m.register_callback(TOOL, m.events.LINE, on_line)
    if how == "local":
        m.set_local_events(TOOL, watched.__code__, m.events.LINE)
    else:
        m.set_events(TOOL, m.events.LINE)
    deadline = time.monotonic() + 2.5
    while not done and time.monotonic() < deadline:
        time.sleep(0.01)
    gave_up = not done

for how in (HOW,):
    lines.clear()
    done = gave_up = False
    watched(3000)
    t = threading.Thread(target=attach, args=(how,))
    t.start()
    ok = watched(10 ** 15)
    t.join()
    if how == "local":
        m.set_local_events(TOOL, watched.__code__, 0)
    m.set_events(TOOL, 0)
    m.register_callback(TOOL, m.events.LINE, None)
    m.free_tool_id(TOOL)
    print(how, ok, sorted(lines), "gave up" if gave_up else "")
"""


@pytest.mark.skipif(not PY312, reason="sys.monitoring is new in 3.12")
@pytest.mark.parametrize("how", [
    "global",
    "local",
])
def test_coverage_switched_on_from_another_thread_mid_loop(tmp_path, how):
    """A coverage tool (sys.monitoring LINE events, global or local to the loop's code) registered from
    another thread while the loop runs compiled must see the loop's lines from then on."""
    r = differential(tmp_path, "coverage_thread", f"HOW = {how!r}\n" + COVERAGE_FROM_THREAD)
    assert r.plain.stdout == f"{how} True [3, 4, 5, 6] \n", r.plain
    r.assert_entered("watched")
    r.assert_same("coverage_thread")


# ===================================================================================== 8. enable()

def _hot(n):
    s = 0
    for i in range(n):
        s += i * 3 % 11
    return s


def _fhot(n):
    x = 0.0
    for i in range(n):
        x = x * 0.75 + i
    return x


def _reenter(n, flip):
    """A compiled loop whose rare branch re-enters tracejit.enable() (and runs another hot loop in it)."""
    total = 0
    extra = 0
    for i in range(n):
        total += i % 7
        if i % flip == flip - 1:
            with tracejit.enable(threshold=2):
                extra += _hot(500)
            cm = tracejit.enable()
            cm.__enter__()                 # left open for a while: nesting count goes up ...
            total += 1
            cm.__exit__(None, None, None)  # ... and back down, inside the loop body
    return total, extra


def test_enable_reentered_from_compiled_loop_body(fresh_engine):
    expected = _reenter(40000, 5000)
    with tracejit.enable(threshold=2):
        got = _reenter(40000, 5000)
        st = tracejit.stats()
    assert got == expected
    assert st["traces_compiled"] >= 2 and st["native_entries"] >= 3, st
    names = {loop.code.co_name for loop in tracejit.engine().all_loops}
    assert {"_reenter", "_hot"} <= names, names
    assert st["internal_errors"] == 0, st
    assert fresh_engine.engine.active == 0


def test_enable_in_two_threads_at_once(fresh_engine):
    expected = [(_hot(30000 + k), _fhot(20000 + k)) for k in range(2)]
    results: dict = {}
    tracers: dict = {}
    barrier = threading.Barrier(2)
    errors = []

    def worker(k):
        try:
            barrier.wait(timeout=30)
            with tracejit.enable(threshold=2):
                barrier.wait(timeout=30)   # both inside enable() at the same time
                results[k] = (_hot(30000 + k), _fhot(20000 + k))
                if k == 0:
                    barrier.wait(timeout=30)   # thread 0 leaves first, thread 1 is still inside
            if k == 1:
                barrier.wait(timeout=30)
            tracers[k] = sys.gettrace()     # no leftover tracer in either thread
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert not errors, errors
    assert [results[0], results[1]] == expected
    st = tracejit.stats()
    assert fresh_engine.engine.active == 0
    assert st["traces_compiled"] >= 2 and st["native_entries"] >= 2, st
    assert tracers == {0: None, 1: None}
    assert st["internal_errors"] == 0, st


def _gen_with_enable(n):
    with tracejit.enable(threshold=2):
        yield _hot(n)
        yield _fhot(n)
    yield _hot(n)


def _gen_loop(rounds, n):
    for r in range(rounds):
        s = 0
        for i in range(n):
            s += i ^ r
        yield s


def test_enable_inside_suspended_generator(fresh_engine):
    expected_a = [_hot(20000), _fhot(20000), _hot(20000)]
    expected_b = list(_gen_loop(6, 20000))

    g = _gen_with_enable(20000)
    got = [next(g)]
    st1 = tracejit.stats()
    assert fresh_engine.engine.active == 1        # suspended inside its with block: still on
    assert st1["native_entries"] >= 1, st1
    # a generator started inside another with block and resumed outside it
    with tracejit.enable(threshold=2):
        h = _gen_loop(6, 20000)
        got_b = [next(h), next(h)]
    got.append(next(g))
    assert fresh_engine.engine.active == 1          # g still suspended inside its with block
    got.append(next(g))                           # the with block of g is left here
    assert fresh_engine.engine.active == 0
    got_b += list(h)                              # resumed with the JIT off
    assert got == expected_a
    assert got_b == expected_b
    g.close()
    with tracejit.enable(threshold=2):            # and on again: a generator suspended mid-way, closed
        k = _gen_with_enable(20000)
        assert next(k) == expected_a[0]
        k.close()
        assert fresh_engine.engine.active == 1
    assert fresh_engine.engine.active == 0
    st = tracejit.stats()
    assert st["internal_errors"] == 0, st
    if PY312:
        assert sys.monitoring.get_tool(sys.monitoring.OPTIMIZER_ID) is None
    else:
        assert sys.gettrace() is None


def test_signal_gate_reopens_while_another_thread_is_inside_a_callback():
    """The main thread's callback ends while another thread is inside one (the engine's `depth`, shared by all
    threads, is 1): the gate must open again all the same. It stayed closed: signal handlers and pending calls
    were held for good, and 3.11 in tracing mode spun forever at the next function's RESUME
    (test_many_threads_in_compiled_loops hung in about 1 run in 8 on a loaded machine)."""
    from tracejit.cpython.layout import LAYOUTS, VERSION, signal_words
    from tracejit.hooks import SignalGate, held_callback
    words, reason = signal_words(LAYOUTS[VERSION])
    if words is None:
        pytest.skip(reason)

    class Listener:
        depth = 0
        recursion_hit = False
        gate = SignalGate(words)

    listener = Listener()
    gate = listener.gate
    assert gate.here.main and gate.is_open
    seen = []

    def body():
        seen.append(gate.is_open)
        listener.depth = 1                  # another thread enters a callback meanwhile (and stays inside)
        nested()                            # a callback nested in this one leaves the gate closed
        seen.append(gate.is_open)

    nested = held_callback(listener, lambda: seen.append(gate.is_open))
    outer = held_callback(listener, body)
    try:
        outer()
    finally:
        listener.depth = 0
        reopened = gate.is_open
        words.main_thread.value = words.ident
    assert seen == [False, False, False]    # held inside, nested included
    assert reopened                         # and open again after the outer one


SIGINT_IGNORED = """\
import signal, sys
import tracejit

def handler(signum, frame):
    seen.append((frame.f_code.co_name, frame.f_locals.get("i") is not None))

def loop(n):
    s = 0
    for i in range(n):
        s += i % 7
        if i % 5000 == 0:
            signal.raise_signal(signal.SIGUSR1)
    return s

seen = []
signal.signal(signal.SIGUSR1, handler)
with tracejit.enable(threshold=50, little_left=0):
    print(loop(200000))
    print("gate", tracejit.engine().gate.active)
print("SIGINT still ignored", signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
signal.raise_signal(signal.SIGINT)          # ignored, as without the JIT
print("handler ran in", sorted(set(seen)), len(seen))
"""


def test_a_program_started_with_sigint_ignored_gets_the_signal_gate(tmp_path):
    """A program whose SIGINT is ignored when it starts (a background job of a shell script) gets the signal
    gate all the same (its check puts Python's handler back for a moment; SIGINT is ignored again after it):
    handlers run in the program's frames, never inside the JIT's callbacks, and a SIGINT stays ignored."""
    import signal
    prog = tmp_path / "sigint_ignored.py"
    prog.write_text(SIGINT_IGNORED)
    out = subprocess.run([sys.executable, str(prog)], capture_output=True, text=True, timeout=120,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert out.returncode == 0, out.stderr
    assert "gate True" in out.stdout, out.stdout
    assert "SIGINT still ignored True" in out.stdout
    assert "handler ran in [('loop', True)] 40" in out.stdout, out.stdout


FIRST_ENABLE_IN_TWO_THREADS = """\
import threading
import tracejit

def hot(n):
    s = 0
    for i in range(n):
        s += i * 3 % 11
    return s

barrier = threading.Barrier(2)
results = {}

def worker(k):
    barrier.wait(timeout=30)
    with tracejit.enable(threshold=2, little_left=0):     # the process's first enable(), in both at once
        results[k] = hot(30000 + k)

ts = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join(timeout=60)
st = tracejit.stats()
print(results == {k: hot(30000 + k) for k in range(2)}, st["jit"], st["reason"], st["traces_compiled"] >= 1)
"""


def test_the_first_enable_in_two_threads_at_once_makes_one_engine(tmp_path):
    """Two threads whose enable() blocks are the process's first, entered at the same moment: one engine is made
    (under the runtime's lock) and the JIT is on in both. Before, each thread made an engine, the second found
    the monitoring tool id taken by the first and switched the JIT off for the whole run ("JIT off: sys.monitoring
    tool id 5 is in use by 'tracejit'"; the test above passed only after other tests had started the engine)."""
    prog = tmp_path / "first_enable.py"
    prog.write_text(FIRST_ENABLE_IN_TWO_THREADS)
    for _ in range(3):
        out = subprocess.run([sys.executable, str(prog)], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["True", "on", "None", "True"], (out.stdout, out.stderr)
        assert "JIT off" not in out.stderr, out.stderr
