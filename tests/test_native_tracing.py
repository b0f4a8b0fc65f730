"""The 3.11 profiling machinery (tracejit.runtime.native_trace and native_timer): the stored machine code is
what the backend assembles; the timer runs its callback in the main thread and stops; the C-level tracer
leaves frames as plain CPython does (f_locals, sys.gettrace(), recursion depth) and is switched off while the
program runs code the JIT has nothing to do with. Programs run plain and under the JIT in subprocesses."""
from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from difftest import REPO_ROOT, _env
from tracejit.backend.stubs import PENDING_CALL_SLOTS, TRACE_SLOTS, pending_call_stub, timer_thread_stub, trace_stub
from tracejit.cpython.layout import LAYOUTS, VERSION, check_layout, signal_words
from tracejit.runtime.execmem import CodeMemory
from tracejit.runtime.native_callback import MARGIN
from tracejit.runtime.native_timer import FIELDS, PENDING_CALL_STUB, TIMER_STUB, NativeTimer
from tracejit.runtime.native_trace import NSLOTS, TRACE_STUB

only_311 = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="3.11 profiles with a trace function")


def test_stored_stubs_are_what_the_backend_assembles():
    assert len(TRACE_SLOTS) == NSLOTS
    assert trace_stub(MARGIN).code == TRACE_STUB + trace_stub(MARGIN).code[len(TRACE_STUB):]
    assert len(trace_stub(MARGIN).code) == len(TRACE_STUB) + 8 * NSLOTS
    assert timer_thread_stub().code == TIMER_STUB
    code = pending_call_stub().code
    assert code[:len(PENDING_CALL_STUB)] == PENDING_CALL_STUB
    assert len(code) == len(PENDING_CALL_STUB) + 8 * len(PENDING_CALL_SLOTS)


def _timer(callback, period: float) -> NativeTimer:
    """A NativeTimer on the hooks' signal words, as if no other thread ran (it raises the eval breaker)."""
    words, reason = signal_words(LAYOUTS[VERSION])
    assert words is not None, reason
    no_other_thread = ctypes.c_int64(0)
    timer = NativeTimer(CodeMemory(), callback, period, ctypes.addressof(words.breaker), words.bit,
                        ctypes.addressof(no_other_thread))
    timer.test_thread_count = no_other_thread       # (kept alive with the timer)
    return timer


def test_timer_calls_back_in_the_main_thread_and_stops():
    threads = []
    timer = _timer(lambda: threads.append(threading.get_ident()), 0.005)
    timer.start()
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < 0.3:          # busy Python code: the requests are served at its checks
        n += 1
    timer.stop()
    calls = len(threads)
    assert calls >= 10, calls                   # about 60 at 5 ms; a loaded machine serves fewer
    assert set(threads) == {threading.main_thread().ident}
    time.sleep(0.05)
    for _ in range(10000):
        n += 1
    assert len(threads) <= calls + 1            # stopped (one request may have been pending)


def test_timer_stops_without_waiting_out_its_period():
    """stop() wakes the sleeping thread (a futex wait on its stop field): with a 2-second period it returns
    long before the period ends, and the thread has left (every 3.11 process stops its timer at exit)."""
    calls = []
    timer = _timer(lambda: calls.append(1), 2.0)
    for _ in range(3):
        timer.start()
        time.sleep(0.02)                            # the thread is asleep in its wait
        t0 = time.monotonic()
        timer.stop()
        assert time.monotonic() - t0 < 1.0
        assert timer.fields[FIELDS.index("stopped")] == 1      # the thread set it on its way out
    assert calls == []                              # woken by stop(), it asked for no callback


def test_timer_callback_is_seen_by_no_profiler_or_trace_function():
    """The callback is a Python call: a profiler (sys.setprofile, cProfile) or a debugger's trace function would
    see it, so it runs with the thread's tracing suspended; it still runs meanwhile (on 3.11 it is what removes
    the JIT's idle tracer: a profiled program would otherwise keep paying for it)."""
    calls = []
    timer = _timer(lambda: calls.append(1), 0.003)
    seen = set()

    def tool(frame, event, arg):
        seen.add(frame.f_code.co_name)
        return None

    def busy(seconds):
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < seconds:
            n += 1
    timer.start()
    try:
        busy(0.1)
        before = len(calls)
        sys.setprofile(tool)
        busy(0.15)
        sys.setprofile(None)
        profiled = len(calls)
        sys.settrace(tool)
        busy(0.15)
        sys.settrace(None)
        traced = len(calls)
    finally:
        timer.stop()
    assert before >= 3 and profiled >= before + 3 and traced >= profiled + 3, (before, profiled, traced)
    assert "<lambda>" not in seen and "_run" not in seen and "busy" in seen, seen


@only_311
def test_thread_count_is_checked():
    from tracejit.cpython.layout import interp_thread_count
    layout = LAYOUTS[VERSION]
    assert interp_thread_count(layout) is not None
    assert interp_thread_count(layout.replace(interp_threads_count=layout.interp_threads_count + 8)) is None


@only_311
@pytest.mark.parametrize("field", ["code_extra", "frame_trace_lines"])
def test_layout_check_catches_wrong_tracer_offsets(field):
    layout = LAYOUTS[VERSION]
    assert check_layout(layout) is None
    assert check_layout(layout.replace(**{field: getattr(layout, field) + 8}))


def run(src: str, *jit_args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, *(("-m", "tracejit", *jit_args) if jit_args else ()), "-c", textwrap.dedent(src)]
    r = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=REPO_ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return r


def test_f_locals_taken_before_a_loop_is_not_refreshed():
    """3.11's sys.settrace copied the fast locals into f_locals around every callback: a dict taken before
    a loop gained the loop's variables under the JIT."""
    src = """
        import sys
        def f():
            d = sys._getframe().f_locals
            n = 0
            for i in range(300):
                n += i
            return sorted(d), n
        print(f(), f(), sys.gettrace())
    """
    assert run(src, "--params", "threshold=5").stdout == run(src).stdout


@pytest.mark.parametrize("how", ["script", "module"])
@pytest.mark.parametrize("off", [False, True])
def test_recursion_depth_as_plain(tmp_path, how, off):
    """A recursion probe gets exactly as deep under `python -m tracejit` (JIT on or off) as plain, the first
    time and later, before and after a loop the JIT compiles."""
    (tmp_path / "rprobe.py").write_text(textwrap.dedent("""
        def probe(n):
            try:
                return probe(n + 1)
            except RecursionError:
                return n
        def loop_then_probe():
            s = 0
            for i in range(1000):
                s += i
            return probe(0)
        print(probe(0), probe(0), loop_then_probe(), probe(0))
    """))
    target = ["rprobe.py"] if how == "script" else ["-m", "rprobe"]
    outs = []
    for argv in ([sys.executable, *target],
                 [sys.executable, "-m", "tracejit", *(["--off"] if off else ["--params", "threshold=5"]), *target]):
        r = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]


# a hot loop run for some seconds (program text at the tests' indentation): it must compile whatever came before
HOT_LOOP = """
        def hot(n):
            s = 0
            for i in range(n):
                s += i * i
            return s
        t0 = time.monotonic()
        while time.monotonic() - t0 < {seconds}:
            hot(20000)
"""


@only_311
def test_tracer_is_off_while_nothing_is_left_for_the_jit():
    """After the program's loops are blacklisted or done, the main thread runs untraced (3.11's tracing mode
    slows every instruction); a new hot loop switches the tracer on again and is compiled."""
    src = """
        import sys, time
        import tracejit
        def cold(n):
            return n if n < 2 else cold(n - 1) + cold(n - 2)
        def calls():                      # its loop aborts (a call) and is blacklisted
            t = 0
            for i in range(3000):
                t += cold(5)
            return t
        calls()
        hooks = tracejit.engine().hooks
        t0 = time.monotonic()
        while time.monotonic() - t0 < 0.3:
            cold(12)
        traced_after_cold = hooks.main_traced
""" + HOT_LOOP.format(seconds=0.3) + """        print(traced_after_cold, tracejit.stats()["traces_compiled"] >= 1, sys.gettrace())
    """
    assert run(src, "--params", "threshold=50,trace_idle_ms=50").stdout == "False True None\n"


@only_311
def test_tracer_is_off_inside_an_outer_loop_that_does_not_iterate():
    """A frame inside a loop that runs once (here `while True: coro.send(None)`, whose one send runs the whole
    program) and coroutines awaiting one another (each frame inside its `await`'s send loop) do not keep the
    main thread traced: 3.11's tracing mode made such a program (pyperformance coroutines) 5x slower."""
    src = """
        import time
        import tracejit
        async def fib(n):
            return n if n <= 1 else await fib(n - 1) + await fib(n - 2)
        async def work():
            hooks = tracejit.engine().hooks
            samples = []
            t0 = time.monotonic()
            while time.monotonic() - t0 < 0.5:
                await fib(12)
                if time.monotonic() - t0 > 0.2:
                    samples.append(hooks.main_traced)
            return sum(samples) / len(samples)
        coro = work()
        try:
            while True:
                coro.send(None)
        except StopIteration as e:
            traced = e.value
        print(traced < 0.2, traced)
    """
    out = run(src, "--params", "trace_idle_ms=50").stdout
    assert out.startswith("True "), out


@only_311
def test_tracer_time_without_gains_is_bounded():
    """Loops that keep the JIT counting (or recording) but never run in machine code keep the main thread
    traced for a bounded share of the time only; a hot loop after them is still compiled and run natively."""
    src = """
        import time
        import tracejit
        hooks = tracejit.engine().hooks
        funcs = []
        for k in range(4000):                   # many loops, each too short and too rarely run to compile
            ns = {}
            exec(f"def f{k}(n):\\n    s = 0\\n    for i in range(n):\\n        s += i * {k}\\n    return s\\n", ns)
            funcs.append(ns[f"f{k}"])
        samples = []
        t0 = time.monotonic()
        k = 0
        while time.monotonic() - t0 < 1.0:
            funcs[k % 4000](8)
            k += 1
            if k % 50 == 0 and time.monotonic() - t0 > 0.4:
                samples.append(hooks.main_traced)
        share = sum(samples) / len(samples)
""" + HOT_LOOP.format(seconds=0.5) + """        print(share < 0.3, tracejit.stats()["traces_compiled"] >= 1, share)
    """
    out = run(src, "--params", "threshold=1000,trace_idle_ms=50").stdout
    assert out.startswith("True True "), out
