"""Python calls inlined into traces: differential tests against plain CPython.

Each program runs plainly and under `python -m tracejit --params threshold=2,native=N` (N = 1: machine code,
N = 0: the IR interpreter through the same exit protocol); stdout, stderr (tracebacks included) and the exit
status must be identical. The events log must show the loop compiled with the call inlined (no abort about a
call), so a JIT that left the loop to the interpreter would fail. Guards inside an inlined call restart the
call, or, after the call wrote, resume every inlined frame mid-body (runtime/resume.py): the tests make them fail
in every way a callee can (branches, overflow, division by zero, exceptions, a rebound function, its code or
defaults replaced, introspection of the caller).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for, failures  # noqa: E402



def inlined(evs: list[dict], func: str = "f") -> None:
    """The loop of `func` compiled and no recording of it aborted at a call."""
    assert events_for(evs, "compiled", func)
    aborts = [e["reason"] for e in events_for(evs, "abort", func)]
    assert not [r for r in aborts if "call" in r], aborts


@pytest.mark.parametrize("native", NATIVE)
def test_helpers_with_defaults_and_branches(prog, native):
    evs = check(prog, native, """\
        def helper(x, k=3):
            if x % 7 == 0:
                return x * k
            return x - 50

        def clamp(v, lo=0.0, hi=1.0):
            if v < lo:
                return lo
            if v > hi:
                return hi
            return v

        def f(n):
            s = 0
            t = 0.0
            for i in range(n):
                s += helper(i) + helper(i, 2)
                t += clamp(i * 0.001 - 0.5) + clamp(i * 0.01, 0.25)
            return s, t

        print(f(3000))
        print(f(10))
        """)
    inlined(evs)
    assert failures(evs, "f", "branch")        # the branch in a helper, inside the inlined call


@pytest.mark.parametrize("native", NATIVE)
def test_nested_calls_deoptimize_at_every_depth(prog, native):
    evs = check(prog, native, """\
        def h(x):
            if x > 2000:
                return x // 3
            return x + 1

        def g(x):
            y = h(x) * 2
            if y % 5 == 0:
                return y - h(y)
            return y

        def f(n):
            s = 0
            for i in range(n):
                s += g(i) - h(i)
            return s

        print(f(1500), f(2600))
        """)
    inlined(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_overflow_and_exceptions_inside_a_callee(prog, native):
    evs = check(prog, native, """\
        def grow(x, k):
            return x * k + 1

        def ratio(a, b):
            return a // b

        def f(n):
            x = 1
            out = 0
            for i in range(n):
                x = grow(x, 3)            # leaves int64: the callee's overflow guard restarts the call
                try:
                    out += ratio(i, 100 - i)
                except ZeroDivisionError as e:
                    out -= 1000
                    print("caught", e, i)
            return x % 1000003, out

        def g(n):
            t = 0
            for i in range(n):
                t += ratio(1000, 400 - i)  # raises at i == 400, uncaught: the traceback goes through ratio()
            return t

        print(f(200))
        print(g(1000))
        """, compiled=("f", "g"))
    inlined(evs, "f")


@pytest.mark.parametrize("native", NATIVE)
def test_rebound_function_code_and_defaults(prog, native):
    evs = check(prog, native, """\
        def helper(x, k=3):
            return x + k

        def other(x, k=3):
            return x * k

        def f(n):
            s = 0
            for i in range(n):
                s += helper(i)
            return s

        print(f(500))
        saved = helper
        helper = other                      # rebound between runs of the loop
        print(f(500))
        helper = saved
        print(f(500))
        helper.__defaults__ = (10,)         # new defaults
        print(f(500))
        helper.__code__ = other.__code__    # new code
        print(f(500))
        """)
    inlined(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_callee_introspects_its_caller_on_a_rare_path(prog, native):
    evs = check(prog, native, """\
        import sys

        def helper(x):
            if x == 777:
                caller = sys._getframe(1)
                print("caller", caller.f_code.co_name, caller.f_lineno, sorted(caller.f_locals.items()))
            return x & 15

        def f(n):
            s = 0
            for i in range(n):
                s += helper(i)
            return s

        print(f(2000))
        """)
    inlined(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_callees_that_loop_are_left_to_the_interpreter(prog, native):
    """A callee whose loop runs more items than `unroll` is called, not inlined (its loop compiles on its own); one
    with a short loop is inlined, the loop unrolled (tests/test_inner_loops.py)."""
    evs = check(prog, native, """\
        total = 0

        def loops(x):
            s = 0
            for k in range(30):
                s += k * x
            return s

        def short(x):
            s = 0
            for k in range(3):
                s += k * x
            return s

        def reads(x):
            return x + total

        def f(n):
            s = 0
            for i in range(n):
                s += loops(i)
            return s

        def h(n):
            s = 0
            for i in range(n):
                s += short(i)
            return s

        def g(n):
            global total
            s = 0
            for i in range(n):
                total = i          # the loop writes the global the callee reads
                s += reads(i)
            return s

        print(f(300))
        print(g(300))
        print(h(300))
        """, compiled=("g", "h"))
    assert [e for e in events_for(evs, "abort", "f") if e.get("not_inlined") == "loops"], events_for(evs, "abort", "f")
    inlined(evs, "g")
    inlined(evs, "h")


@pytest.mark.skipif(sys.version_info < (3, 12), reason="sys.monitoring: 3.12+")
@pytest.mark.parametrize("native", NATIVE[:1])
def test_a_function_another_tool_watches_is_not_inlined(prog, native):
    """A coverage-style tool has LINE events on the callee (sys.monitoring local events): inlined into machine
    code, its lines would not be reported; it is called instead, and every line's event arrives. (Machine code
    only: the IR interpreter, native=0, makes such a call with the hooks' callback's events off.)"""
    check(prog, native, """\
        import sys
        m = sys.monitoring
        m.use_tool_id(m.COVERAGE_ID, "counter")
        events = []

        def g(x):
            y = x + 1
            return y * 2

        def f(n):
            t = 0
            for k in range(n):
                t += g(k)
            return t

        m.register_callback(m.COVERAGE_ID, m.events.LINE,
                            lambda code, line: events.append(line) if code is g.__code__ else None)
        m.set_local_events(m.COVERAGE_ID, g.__code__, m.events.LINE)
        print(f(300), len(events))
        """, compiled=(), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_recursion_is_inlined_to_a_bounded_depth(prog, native):
    check(prog, native, """\
        def fact(k):
            if k <= 1:
                return 1
            return k * fact(k - 1)

        def f(n):
            s = 0
            for i in range(n):
                s += fact(i % 4) + fact(i % 9)
            return s

        print(f(3000))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_near_the_recursion_limit(prog, native):
    """An inlined call takes no frame in machine code, but the interpreter's would: a loop run so deep that
    the call raises RecursionError must raise it under the JIT too."""
    check(prog, native, """\
        import sys

        def helper(x):
            return x + 1

        def f(n):
            s = 0
            for i in range(n):
                try:
                    s += helper(i)
                except RecursionError:
                    s -= 1
            return s

        def down(k):
            if k:
                return down(k - 1)
            return f(300)

        sys.setrecursionlimit(200)
        results = []
        for depth in range(150, 200):
            try:
                results.append(down(depth))
            except RecursionError:
                results.append("RecursionError")
        print(results)
        print(f(300))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_keyword_arguments_and_functions_in_variables(prog, native):
    """Keyword arguments bind as the interpreter binds them; an exit inside such a call resumes where the
    interpreter sets the keyword names (3.11/3.12's KW_NAMES, 3.13's tuple on the stack). A function passed as a
    parameter is inlined behind a guard on its identity: another function fails the guard."""
    evs = check(prog, native, """\
        def scale(x, factor=2, offset=0):
            if x % 5 == 0:
                return x * factor - offset
            return x + offset

        def shift(x, factor=1, offset=0):
            return x - offset * factor

        def f(n):
            s = 0
            for i in range(n):
                s += scale(i, offset=3) + scale(x=i, factor=4) + scale(i, 3, offset=i & 7)
            return s

        def g(func, n):
            s = 0
            for i in range(n):
                s += func(i) + func(i, offset=1)
            return s

        def po(a, b=2, /, c=3):
            return a + b + c

        def h(n):
            s = 0
            for i in range(n):
                s += po(i, c=1) + po(i, 5)
                if i == n - 1:
                    try:
                        s += po(i, b=7)         # positional-only: TypeError, as plain
                    except TypeError as e:
                        print("TypeError", e)
            return s

        print(f(2000))
        print(h(2000))
        print(g(scale, 2000), g(shift, 2000), g(scale, 50))
        try:
            print(g(lambda x: x, 100))       # the keyword the lambda does not take: TypeError, as plain
        except TypeError as e:
            print("TypeError", e)
        """, compiled=("f", "g", "h"))
    inlined(evs, "f")
    inlined(evs, "h")
    assert failures(evs, "f", "branch")
    assert failures(evs, "g", "branch")      # the identity guard of `func`, or the branch in scale


@pytest.mark.parametrize("native", NATIVE)
def test_callees_that_write(prog, native):
    """A callee may store into a list or a global; a callee that reads after writing is left to the
    interpreter (the recorder runs it before the interpreter does). Exits in the caller after such a call
    resume after it, the writes done once."""
    evs = check(prog, native, """\
        total = 0

        def put(a, i, v):
            a[i] = v

        def bump(x):
            global total
            total += x
            return total

        def push(a, v):
            a.append(v)
            return len(a)

        def f(n):
            a = [0] * 8
            s = 0
            for i in range(n):
                put(a, i & 7, i * 2)
                put(a, (i + 3) & 7, 0.5)
                s += bump(i)
                if i % 100 == 99:          # an exit in the caller, after the writes
                    s -= a[2]
            return s, a, total

        def g(n):
            b = []
            s = 0
            for i in range(n):
                s += push(b, i)
            return s, len(b)

        print(f(3000))
        print(g(3000))
        """)
    inlined(evs, "f")
    aborts = [e["reason"] for e in events_for(evs, "abort", "g")]
    assert any("after it wrote" in r for r in aborts), aborts


@pytest.mark.parametrize("native", NATIVE)
def test_closures_lambdas_and_nested_functions(prog, native):
    """A function held in a variable is inlined behind guards on its code and namespaces, not on its identity:
    a closure made anew for every call of its maker still runs the same trace, its cells and defaults read
    when the trace runs (each closure here has its own default). An emptied cell leaves the trace and the
    interpreter raises the NameError."""
    evs = check(prog, native, """\
        def make(k):
            m = k * 2
            def inner(a, b=k + 1):
                if a % 11 == 0:
                    return a - m
                return a * k + b + m
            return inner

        square = lambda x, y=2: x * x + y

        def f(fn, n):
            s = 0
            for i in range(n):
                s += fn(i) + square(i)
            return s

        def maker():
            late = 1
            def inner(x):
                return x + late
            def kill():
                nonlocal late
                del late
            return inner, kill

        def g(fn, kill, n):
            s = 0
            for i in range(n):
                s += fn(i)
                if i == n // 2:
                    kill()
            return s

        print([f(make(j), 2000) for j in range(6)])
        print(f(lambda x: x - 1, 2000))
        inner, kill = maker()
        try:
            print(g(inner, kill, 2000))
        except NameError as e:
            print("NameError", e)
        """, compiled=("f", "g"))
    inlined(evs, "f")
    compiled = events_for(evs, "compiled", "f")
    assert len(compiled) == 1, compiled        # one trace for every closure made by make()


@pytest.mark.parametrize("native", NATIVE)
def test_a_global_function_the_loop_rebinds(prog, native):
    """A name the loop rebinds is never treated as a constant: not by a bridge recorded after the loop
    assigned it (the fuzzer's case, at module level), and a bridge that assigns a name the loop pinned aborts."""
    check(prog, native, """\
        def a(x):
            return x + 1

        def b(x):
            return x * 2

        f = a

        def loop(n):
            global f
            s = 0
            for i in range(n):
                s += f(i)
                if i % 50 == 49:
                    f = b if f is a else a
            return s

        FS = [a, b, a]
        for i in range(40):
            c = 0
            while c < 7:
                c += 1
                g = FS[c % 3]
                if i:
                    r = g(c)
        print(loop(5000), r)
        """, compiled=("loop",))


def resumed(evs: list[dict], func: str = "f") -> list[str]:
    """The inlined frames the failing guards of func's loop rebuilt mid-body (the events' "rebuilds")."""
    return [e["rebuilds"] for e in events_for(evs, "guard_failure", func) if "rebuilds" in e]


@pytest.mark.parametrize("native", NATIVE)
def test_exits_after_a_callee_wrote_resume_it_mid_body(prog, native):
    """A guard after an inlined call wrote (a list item, a global) cannot restart the call: its exit stops
    the loop's frame at the outermost CALL and rebuilds each callee where it was, at every depth. The writes
    are made once, whatever fails after them: a branch, an overflow, a division by zero raised in the callee
    and caught by the caller."""
    evs = check(prog, native, """\
        total = 0
        calls = 0

        def bump(a, x):
            global total
            a[x & 7] = x
            total += x
            y = x * 3
            if y % 1000 == 999:             # after both writes: resumed here
                return -1
            return y + total

        def g(a, x):
            z = bump(a, x) + 1
            if x % 600 == 599:              # after bump's writes, in g
                return 0
            return z

        def h(a, x):
            global calls
            calls += 1
            k = 2 if x % 997 == 500 else 3  # after the write: resumed here, then
            return g(a, x) * k + x // (k - 2)   # the ZeroDivisionError, raised in h

        def f(n):
            a = [0] * 8
            s = 0
            for i in range(n):
                try:
                    s += h(a, i)
                except ZeroDivisionError:
                    s -= 1
                if i == 2500:
                    s += 2 ** 62 // (1 + total % 3)     # g's and bump's sums leave int64 later
            return s, a, total, calls

        print(f(6000))
        print(f(300))
        """)
    inlined(evs)
    rebuilt = resumed(evs)
    assert any(r.startswith("h line") and "bump line" in r for r in rebuilt), rebuilt      # depth 3
    assert any(r.count("line") == 2 for r in rebuilt), rebuilt                               # depth 2
    assert any(r.count("line") == 1 for r in rebuilt), rebuilt                               # depth 1


@pytest.mark.parametrize("native", NATIVE)
def test_a_resumed_callee_raises_and_introspects_as_plain_cpython(prog, native):
    """After the rebuild the callee is a real frame: its traceback (line included), `sys._getframe()` and its
    caller's f_locals are those of plain CPython."""
    evs = check(prog, native, """\
        import sys

        def record(a, x):
            a.append(x)
            if x % 500 == 499:
                me = sys._getframe()
                caller = sys._getframe(1)
                print("at", me.f_code.co_name, me.f_lineno, sorted(me.f_locals), caller.f_lineno,
                      caller.f_locals["i"], len(a))
            if x == 2900:
                raise ValueError(f"bad {x}")
            return x * 2

        def f(n):
            a = []
            s = 0
            for i in range(n):
                s += record(a, i)
            return s

        print(f(2000))
        print(f(3000))
        """)
    inlined(evs)
    assert resumed(evs), evs


@pytest.mark.parametrize("native", NATIVE)
def test_an_exit_before_the_callee_wrote_still_restarts_the_call(prog, native):
    """Before its first write a callee has done nothing the program can see: its exits restart the call
    (and can grow bridges); only exits after a write rebuild the frames."""
    evs = check(prog, native, """\
        def put(a, x):
            if x % 7 == 3:                  # before the write: the call restarts (a bridge grows here)
                x = -abs(x)                 # (a call: a guard, not a select, tests/test_diamonds.py)
            a[x & 7] = x
            if x % 1000 == 999:             # after it: the frame is rebuilt
                return 0
            return x

        def f(n):
            a = [0] * 8
            s = 0
            for i in range(n):
                s += put(a, i)
            return s, a

        print(f(5000))
        """)
    inlined(evs)
    assert resumed(evs)
    assert events_for(evs, "bridge_compiled", "f"), [e for e in evs if e["event"].startswith("bridge")]


@pytest.mark.xfail(sys.version_info < (3, 12), strict=True,
                   reason="3.11, with or without resumes: at 4 frames under the limit every call of the callee raises "
                          "RecursionError under the JIT, not plainly (a loop that never deoptimizes shows it too)")
@pytest.mark.parametrize("native", NATIVE)
def test_resumes_near_the_recursion_limit(prog, native):
    """An exit that rebuilds inlined frames needs the hooks' callback in each of them: a loop run at every
    depth up to the recursion limit writes exactly once per call, as plain CPython does."""
    check(prog, native, """\
        import sys

        def put(a, x):
            a[x & 3] += 1
            if x % 50 == 49:                # after the write: the exit rebuilds put's frame
                return 0
            return x

        def f(n):
            a = [0] * 4
            s = 0
            for i in range(n):
                try:
                    s += put(a, i)
                except RecursionError:
                    s -= 1
            return s, a

        def down(k):
            if k:
                return down(k - 1)
            return f(300)

        sys.setrecursionlimit(200)
        results = []
        for depth in range(150, 200):
            try:
                results.append(down(depth))
            except RecursionError:
                results.append("RecursionError")
        print(results)
        print(f(300))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_loops_reading_their_own_cells(prog, native):
    """A loop in a closure reads its free variables, and a loop in a function whose variables a nested
    function captures reads its cell variables (LOAD_DEREF): the cell is a state variable, its contents read
    where the instruction is. A nested function called on a rare branch that rebinds the variable (nonlocal)
    is seen at once; a cell emptied by `del` leaves the trace and the interpreter raises the NameError."""
    evs = check(prog, native, """\
        def make(k, step):
            def inner(n):
                t = 0
                for i in range(0, n, step):
                    t += k + i
                return t
            return inner

        def f(n):
            scale = 3
            offset = 0.5
            def bump():
                nonlocal scale
                scale += 1
            total, acc = 0, 0.0
            for i in range(n):
                total += i * scale
                acc += offset * i
                if i % 1000 == 999:
                    bump()
            return total, acc, scale

        def g(n):
            c = 10
            get = lambda: c
            t = 0
            for i in range(n):
                t += c
                if i == n - 5:
                    del c
            return t

        print(make(7, 1)(100000), make(2 ** 62, 3)(10), make(2.5, 2)(1000))
        print(f(20000))
        try:
            g(3000)
        except NameError as e:
            print("NameError", e)
        """, compiled=("inner", "f", "g"))
    assert not [e for e in evs if e["event"] == "abort" and "DEREF" in e["reason"] and "STORE" not in e["reason"]]


def bridged_rebuilds(evs: list[dict], func: str = "f") -> list[str]:
    """The inlined frames of each exit of func's loop that rebuilt them and then grew a bridge (which resumes
    them in machine code instead)."""
    bridged = {(e["loop"].split("/exit")[0], e["exit"]) for e in events_for(evs, "bridge_compiled", func)}
    return sorted({e["rebuilds"] for e in events_for(evs, "guard_failure", func)
                   if "rebuilds" in e and (e["loop"].split("/exit")[0], e["exit"]) in bridged})


@pytest.mark.parametrize("native", NATIVE)
def test_bridges_grow_inside_inlined_calls(prog, native):
    """An exit after an inlined call wrote rebuilds its frames; once it keeps failing, a bridge is recorded
    from there: it resumes the callee where the guard stopped it (its locals and stack, at every depth), goes
    on through its return and the rest of the loop's body, and jumps back to the loop. A random-number
    generator's method that stores, then branches, is the case (scimark's Random.nextDouble). What the
    bridges' own guards find (a ZeroDivisionError raised in the callee, a frame looked at) is as without the
    JIT."""
    evs = check(prog, native, """\
        import sys

        class Rng:
            def __init__(self):
                self.m = [(k * 7919) % 1000 for k in range(17)]
                self.i = 4
                self.j = 16

            def next(self):
                I, J, m = self.i, self.j, self.m
                k = m[I] - m[J]
                if k < 0:
                    k += 1000 + I // 17     # (I // 17 is 0: a floor division keeps each branch here a guard)
                self.m[J] = k
                if I == 0:              # after the write: the exit rebuilds next(), a bridge resumes it
                    I = (I + 32) // 2   # (16; a floor division: a guard, not a select, tests/test_diamonds.py)
                else:
                    I -= 1
                self.i = I
                if J == 0:
                    J = (J + 32) // 2
                else:
                    J -= 1
                self.j = J
                return k

        def scaled(r, x):
            k = r.next()                # next() two frames deep
            if k % 97 == 0:
                k = -k
            return k + x // (k % 1499 - 1)  # a ZeroDivisionError now and then (too rarely to matter), in scaled

        def f(n):
            r = Rng()
            s = bad = 0
            for i in range(n):
                s += r.next()
                try:
                    s += scaled(r, i)
                except ZeroDivisionError:
                    bad += 1
                if s % 4999 == 0:
                    print("frame", sys._getframe().f_lineno, i)
            return s, bad, r.i, r.j, r.m

        print(f(20000))
        print(f(3000))
        """)
    inlined(evs)
    rebuilt = bridged_rebuilds(evs)
    assert any(r.startswith("next line") for r in rebuilt), rebuilt                 # depth 1
    assert any(r.startswith("scaled line") and "next line" in r for r in rebuilt), rebuilt     # depth 2


@pytest.mark.parametrize("native", [1])
def test_bridges_inside_inlined_calls_keep_lifetimes(prog, native):
    """A new object a resumed callee holds only in its local (an instance of a class with __del__, made on the
    generic path, CPython 3.12+) reaches the bridge as the exit left it, owned: it is released exactly when
    plain CPython releases it (its __del__ prints at the same point of the output). (Machine code only: the IR
    interpreter keeps what an exit hands to a bridge until its run ends.)"""
    evs = check(prog, native, """\
        class Node:
            def __init__(self, v):
                self.v = v

            def __del__(self):
                if self.v % 250 == 0:
                    print("del", self.v)

        def weigh(counts, x):
            counts[0] += 1
            if x.v % 3 == 0:            # after the write: x is only in this frame's local
                return x.v * 2
            return x.v

        def f(n):
            counts = [0]
            s = 0
            for i in range(n):
                s += weigh(counts, Node(i))
                if i % 1000 == 0:
                    print("at", i, s)
            return s, counts

        print(f(6000))
        """, compiled=("f",) if sys.version_info >= (3, 12) else (), params="cost_model=0")
    if sys.version_info >= (3, 12):
        assert any(r.startswith("weigh line") for r in bridged_rebuilds(evs)), evs


@pytest.mark.parametrize("native", NATIVE)
def test_a_callee_reads_after_it_stored_into_a_list(prog, native):
    """After storing into a list or an array an inlined call may still read instances' attributes and types
    (no such store changes them); a read of a list item after the store is not inlined (the recorder runs the
    callee before the interpreter does): the results are plain CPython's either way."""
    evs = check(prog, native, """\
        from array import array

        class Acc:
            def __init__(self):
                self.buf = array("d", [0.0] * 8)
                self.items = [0] * 8
                self.scale = 0.5
                self.n = 0

            def put(self, i, x):
                self.buf[i & 7] = x * self.scale      # an array store, then attribute reads
                self.n = self.n + 1
                return self.scale * self.n

            def put_get(self, i, x):
                self.items[i & 7] = x
                return self.items[(i * 5) & 7]      # a list read after a list store (same item one time in 8)

        def f(n):
            acc = Acc()
            s = 0.0
            for i in range(n):
                s += acc.put(i, i)
            return s, list(acc.buf), acc.n

        def g(n):
            acc = Acc()
            t = 0
            for i in range(n):
                t += acc.put_get(i, i)
            return t, acc.items

        print(f(5000))
        print(g(5000))
        """, compiled=("f",))
    inlined(evs)


_MANY_ATTRIBUTES = "\n".join(f"                self.a{k} = {k}" for k in range(29))


@pytest.mark.parametrize("native", NATIVE)
def test_a_callee_gives_an_instance_an_attribute_of_its_own_through_its_dict(prog, native):
    """A store into an instance's own dict (taken earlier through `o.__dict__`; the class's shared keys are full,
    so on 3.13 only that instance's dict changes) gives it an attribute hiding its class's: the callee's next read
    of the name is the instance's, every time (neither the recording nor the optimizer takes the first check of
    the name for the second)."""
    evs = check(prog, native, """\
        class A:
            SCALE = 1

            def __init__(self):
""" + _MANY_ATTRIBUTES + """

        def callee(o, d, out, i):
            r = o.SCALE             # the class attribute
            d["SCALE"] = i          # o now has an attribute of its own named SCALE
            out.append(o.SCALE)     # plain CPython appends i
            return r

        def f(objs, dicts, out, a, n):
            s = 0
            for i in range(a, a + n):
                s += callee(objs[i], dicts[i], out, i)
            return s

        objs = [A() for _ in range(3000)]
        dicts = [o.__dict__ for o in objs]
        out = []
        print(sum(f(objs, dicts, out, a, 300) for a in range(0, 3000, 300)), sum(out), out[-3:])
        """, compiled=())
    assert events_for(evs, "hot", "f"), evs


@pytest.mark.parametrize("native", NATIVE)
def test_a_function_a_bridge_inlined_is_checked_at_every_entry(prog, native):
    """The loop's own trace calls nothing (its first iterations `continue`); a bridge then inlines h (and pins
    the global name g). Replacing h's __code__ later, or rebinding g, must keep every later entry out of the
    machine code that inlined the old ones: the back-edge stub's checks are made again when a bridge adds to
    what the loop assumes (a fuzzer's seed found the stub still checking the loop's first, empty, list)."""
    check(prog, native, """\
        def h(a, b):
            return b if b >= a else a | 1000

        def h_alt(a, b):
            return 0

        def g(x):
            return x + 1

        def g_alt(x):
            return -x

        def f(n):
            global g
            x = y = 0
            for i in range(n):
                if i == 1657:
                    h.__code__, h_alt.__code__ = h_alt.__code__, h.__code__
                if i == 2500:
                    g = g_alt
                if i < 527:
                    continue
                x = h(i, 11863283)
                y += g(i)
            return x, y

        print(f(5000))
        """, params="bridge_threshold=1")


@pytest.mark.parametrize("native", NATIVE)
def test_a_bridge_resumes_an_inlined_closure_with_its_cells(prog, native):
    """A closure (held in a variable, guarded on its code) that stores, then branches both ways reading its free
    variables: the bridge that resumes it reads its cells from the function called, as its COPY_FREE_VARS did
    before the guard; and a read of a cell after a list store is still known (no inlined call assigns a
    nonlocal)."""
    evs = check(prog, native, """\
        def make(scale, bias):
            def step(a, i):
                a[i & 7] = i
                if i % 3 == 0:
                    return i * scale
                return i - bias
            return step

        def f(n, step):
            a = [0] * 8
            s = 0
            for i in range(n):
                s += step(a, i)
            return s, a

        print(f(30000, make(3, 5)))
        print(f(3000, make(-2, 7)))        # another closure of the same code: other cells, same trace
        """)
    inlined(evs)
    assert any(r.startswith("step line") for r in bridged_rebuilds(evs)), evs
