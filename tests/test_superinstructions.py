"""The interpreter's own bytecode stays as fast under the JIT as without it (cpython/superinstructions.py).

CPython 3.12 takes every superinstruction (LOAD_FAST__LOAD_FAST ...) out of a code object when the monitoring
events that reach it change, and never forms them again; the JIT's JUMP events reach every code object the
program runs. The JIT puts them back where nothing watches the instructions. Each program here prints, for its
functions, the superinstructions their live bytecode holds after the loops ran: plain CPython and tracejit must
print the same (on 3.11 and 3.13 the JIT has nothing to put back and must not have taken anything either)."""
from __future__ import annotations

import sys
import textwrap

import pytest

import difftest
from tracejit.cpython import superinstructions
from tracejit.cpython.layout import LAYOUTS, VERSION

SHOW = """
import dis

def supers(f):
    return [(i.offset, i.opname) for i in dis.get_instructions(f, adaptive=True) if "__" in i.opname
            or i.opname == "LOAD_FAST_LOAD_FAST"]
"""


def _check(prog, source: str, params: str = "threshold=2") -> str:
    prog.write_text(textwrap.dedent(SHOW) + textwrap.dedent(source))
    plain = difftest.run_plain(prog)
    assert plain.returncode == 0, plain.stderr
    difftest.assert_same(plain, difftest.run_jit(prog, params=params), prog.name)
    return plain.stdout


def test_a_compiled_loop_and_the_functions_it_calls_keep_their_superinstructions(prog):
    out = _check(prog, """
        def helper(a, b):              # inlined into the trace: no jump of its own
            x = a
            y = b
            return x * y + a

        def branchy(a, b):             # a forward jump
            if a > b:
                c = a
            else:
                c = b
            return c + a

        def loop(n):
            total = 0
            i = 0
            while i < n:
                total = total + helper(i, 3) + branchy(i, 7)
                i = i + 1
            return total

        for k in range(30):
            loop(200)
        print(loop(10))
        # run by the interpreter too (3.11 quickens a function after some calls: machine code ran these)
        print(sum(map(helper, range(20), range(20))), sum(map(branchy, range(20), range(20))))
        for f in (helper, branchy, loop):
            print(f.__name__, supers(f))
    """)
    if sys.version_info[:2] == (3, 12):
        assert "LOAD_FAST__LOAD_FAST" in out and "STORE_FAST__LOAD_FAST" in out, out


def test_functions_no_jump_reaches_get_theirs_back(prog):
    # no unconditional jump, so no JUMP event of theirs reaches the hooks: a recursive function, a coroutine, a
    # generator (its yields) and a straight-line helper get their pairs back at their first return or yield
    out = _check(prog, """
        import asyncio

        def fib(n):
            a = n
            b = 1
            if a <= b:
                return a
            return fib(a - 1) + fib(a - 2)

        async def afib(n):
            a = n
            b = 1
            if a <= b:
                return a
            return await afib(a - 1) + await afib(a - 2)

        def pairs(n):
            a = n
            b = a
            yield a + b
            c = b
            yield c

        def helper(x, y):
            z = x
            w = y
            return z * w + x

        print(fib(15), asyncio.run(afib(12)), list(pairs(3)), helper(3, 4))
        for f in (fib, afib, pairs, helper):
            print(f.__name__, supers(f))
    """)
    if sys.version_info[:2] == (3, 12):
        for name in ("fib", "afib", "pairs", "helper"):
            line = next(line for line in out.splitlines() if line.startswith(name + " "))
            assert "LOAD_FAST__LOAD_FAST" in line or "STORE_FAST__LOAD_FAST" in line, out


def test_a_function_called_after_a_recording_gave_up(prog):
    # the loop aborts its recordings (a generator it cannot trace), each recording's events change the code's
    _check(prog, """
        def gen(n):
            yield from range(n)

        def loop(n):
            total = 0
            i = 0
            while i < n:
                a = i
                b = a
                total = total + sum(gen(2)) + b
                i = i + 1
            return total

        for k in range(20):
            loop(100)
        print(loop(5), supers(loop))
    """)


@pytest.mark.skipif(not hasattr(sys, "monitoring"), reason="sys.monitoring (3.12+)")
def test_code_another_tool_watches_line_by_line_keeps_every_line_event(prog):
    # LINE events of another tool: a superinstruction would skip its second instruction's line event
    out = _check(prog, """
        import sys
        m = sys.monitoring
        lines = {}
        def on_line(code, line):
            lines[line] = lines.get(line, 0) + 1
        m.use_tool_id(m.COVERAGE_ID, "test")
        m.register_callback(m.COVERAGE_ID, m.events.LINE, on_line)

        def work(n):
            total = 0
            i = 0
            while i < n:
                a = i
                b = a
                total = total + b
                i = i + 1
            return total

        m.set_local_events(m.COVERAGE_ID, work.__code__, m.events.LINE)
        for k in range(20):
            work(50)
        print(sorted(lines.items()))
        print(supers(work))
        m.set_local_events(m.COVERAGE_ID, work.__code__, 0)
    """)
    assert "__" not in out.splitlines()[-1], out


@pytest.mark.skipif(not hasattr(sys, "monitoring"), reason="sys.monitoring (3.12+)")
def test_a_line_another_tool_disabled_keeps_the_next_lines_events(prog):
    # a coverage-style tool answers a line's event with DISABLE: that line's first instruction is plain again, and a
    # pair ending there would make 3.12's next line check compare against the wrong line (events lost)
    _check(prog, """
        import sys
        m = sys.monitoring
        T = m.COVERAGE_ID
        m.use_tool_id(T, "counter")
        events = []

        def f(a, b, n):
            t = 0
            for _ in range(n):
                x = (t, a,
                     b)
                t += 1
            return t

        K = f.__code__.co_firstlineno + 3

        def on_line(code, line):
            if code is f.__code__:
                events.append(line - K)
                if line == K + 1:
                    return m.DISABLE
        m.register_callback(T, m.events.LINE, on_line)
        m.set_local_events(T, f.__code__, m.events.LINE)
        for k in range(5):
            f(1, 2, 4)
        m.set_local_events(T, f.__code__, 0)
        print(events)
    """)


def test_the_restorer_checks_itself_and_exists_only_where_it_is_needed():
    layout = LAYOUTS.get(VERSION)
    made = superinstructions.restorer(layout)
    assert (made is not None) == (sys.version_info[:2] == (3, 12))
    if made is None:
        return
    assert superinstructions.restorer(layout.replace(code_adaptive=layout.code_adaptive + 2)) is None
    assert superinstructions.restorer(None) is None


@pytest.mark.skipif(sys.version_info[:2] != (3, 12), reason="3.12's superinstructions")
def test_restore_writes_only_where_both_instructions_are_plain():
    import dis

    def f(a, b):
        x = a
        y = b
        return x + y

    made = superinstructions.restorer(LAYOUTS[VERSION])
    names = lambda: [i.opname for i in dis.get_instructions(f, adaptive=True)]   # noqa: E731
    fresh = names()
    assert made.restore(f.__code__) == 0            # nothing taken out yet: nothing to write
    m = sys.monitoring
    m.use_tool_id(m.PROFILER_ID, "test")
    try:
        m.set_local_events(m.PROFILER_ID, f.__code__, m.events.INSTRUCTION)
        assert made.restore(f.__code__) == 0        # every instruction is watched
        m.set_local_events(m.PROFILER_ID, f.__code__, 0)
        taken = names()
        assert taken != fresh and not any("__" in n for n in taken)
        assert made.restore(f.__code__) == sum("__" in n for n in fresh)
        assert names() == fresh
        assert f(2, 3) == 5
    finally:
        m.free_tool_id(m.PROFILER_ID)
