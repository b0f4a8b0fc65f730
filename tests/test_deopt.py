"""Deoptimization: differential tests of programs whose compiled loops must leave machine code mid-flight.

Each program runs under plain CPython and under `python -m tracejit --params threshold=2,native=N --log ...`
(N = 1: machine code, N = 0: the IR interpreter through the same exit protocol); stdout, stderr (tracebacks
included, line numbers and all) and the exit status must be identical (tests/difftest.py). Each test also
reads the JIT's events log and checks that the loop under test really was compiled (and, where it matters,
that the interesting exit really happened in compiled code), so a JIT that silently did nothing would fail.
"""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import difftest  # noqa: E402

PY = sys.executable
NATIVE = [pytest.param(1, id="native"), pytest.param(0, id="irinterp")]

_plain_cache: dict[str, difftest.Result] = {}


def _events(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _func(e: dict) -> str:
    """'f' for loop names like 'f:3@28' or 'f:3@28/exit2'."""
    return e.get("loop", "").split(":")[0]


def events_for(evs: list[dict], event: str, func: str) -> list[dict]:
    return [e for e in evs if e["event"] == event and _func(e) == func]



def check(prog: Path, native: int, src: str, compiled=("f",), params: str = "") -> list[dict]:
    """Run `src` (written to `prog`) plainly and under the JIT (more JIT `params`, "k=v,..."); assert identical
    behaviour and that every function named in `compiled` had a loop compiled. Returns the JIT's events."""
    src = textwrap.dedent(src)
    if not prog.exists() or prog.read_text() != src:
        prog.write_text(src)
        _plain_cache.pop(str(prog), None)
    tmp_path = prog.parent
    name = prog.stem
    plain = _plain_cache.get(str(prog))
    if plain is None:
        plain = _plain_cache[str(prog)] = difftest.run_plain(prog, PY, cwd=tmp_path)
    log = tmp_path / f"{name}.native{native}.jsonl"
    jit = difftest._run([PY, "-m", "tracejit", "--params", f"threshold=2,native={native}" + (f",{params}" if params else ""),
                         "--log", str(log), str(prog.resolve())], tmp_path)
    difftest.assert_same(plain, jit, f"{name}.py [native={native}]")
    evs = _events(log)
    internal = [e for e in evs if e["event"] == "internal_error"]
    assert not internal, f"JIT internal errors: {internal}"
    for func in compiled:
        assert events_for(evs, "compiled", func), (
            f"no loop of {func}() was compiled; events for it: {[e for e in evs if _func(e) == func]}")
    return evs


def failures(evs: list[dict], func: str, reason: str) -> list[dict]:
    return [e for e in events_for(evs, "guard_failure", func) if e["reason"] == reason]


# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("native", NATIVE)
def test_int_turns_float_mid_loop(prog, native):
    evs = check(prog, native, """\
        def f(n):
            x = 1
            for i in range(n):
                x = x + 1
                if i == 50:
                    x = x / 2
            return x, i

        def g(n):
            v = 3
            k = 0
            while k < n:
                v = v * 3 + k
                k += 1
                if k == 30:
                    v = v / 7
            return v, k, type(v).__name__

        print(f(1000))
        print(f(3000))
        print(g(200))
        """, compiled=("f", "g"))
    # the branch that makes x a float is a side exit of the int trace...
    assert failures(evs, "f", "branch")
    # ...and afterwards the int trace no longer fits the frame's values
    assert events_for(evs, "entry_rejected", "f") or events_for(evs, "dropped", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_int64_overflow_into_big_ints(prog, native):
    evs = check(prog, native, """\
        def f(n):
            x = 1
            s = 0
            for i in range(n):
                x = x * 3
                s = s + x
            return x, s, i

        def g(n, y):
            # the overflowing multiply has `s` below its operands on the value stack
            s = 7
            x = 3
            for i in range(n):
                s = s - x * y
                y = y * 2
            return s, y, i

        def h(n):
            a = 2 ** 62
            for i in range(n):
                a += 2 ** 55
            return a

        def k(n):
            m = -(2 ** 63) + 5
            for i in range(n):
                m -= 1
            return m, -m

        def p(lo, n):
            # x ** 3 is two multiplies: the second one overflows, leaving [s, x, 3] on the stack
            s = 0
            for x in range(lo, lo + n):
                s = s % 1000 + x ** 3
            return s, x

        x, s, i = f(100)
        print(x, s, i, type(x).__name__, x == 3 ** 100)
        print(p(2 ** 21 - 60, 120))
        print(g(100, 1))
        print(g(100, -1))
        print(h(300))
        print(k(20))
        """, compiled=("f", "g", "h", "k", "p"))
    for func in ("f", "g", "h", "k", "p"):
        assert failures(evs, func, "overflow"), f"{func}: no overflow exit taken in compiled code"


@pytest.mark.parametrize("native", NATIVE)
def test_zero_division_uncaught_traceback(prog, native):
    evs = check(prog, native, """\
        def f(n):
            x = 0
            for i in range(n):
                x += 1000 // (300 - i)
            return x

        print(f(200))
        print("second call")
        print(f(400))
        print("not reached")
        """)
    assert failures(evs, "f", "division")
    plain = _plain_cache[str(prog)]
    assert plain.returncode == 1 and plain.stdout == "994\nsecond call\n"
    assert ", line 4, in f\n" in plain.stderr
    assert plain.stderr.endswith("ZeroDivisionError: integer division or modulo by zero")


@pytest.mark.parametrize("native", NATIVE)
def test_zero_division_float_uncaught_at_module_level(prog, native):
    evs = check(prog, native, """\
        t = 0.0
        y = 40.0
        for i in range(100):
            t = t + 1.0 / y
            y = y - 1.0
        print(t)
        """, compiled=("<module>",))
    assert failures(evs, "<module>", "division")
    plain = _plain_cache[str(prog)]
    assert plain.returncode == 1 and plain.stdout == ""
    assert plain.stderr.endswith("ZeroDivisionError: float division by zero")


@pytest.mark.parametrize("native", NATIVE)
def test_zero_division_caught(prog, native):
    evs = check(prog, native, """\
        def f(n):
            x = 0
            i = -1
            try:
                for i in range(n):
                    x += 1000 // (300 - i)
            except ZeroDivisionError as e:
                print("caught", repr(e), "i =", i, "x =", x)
            return x, i

        def g(n):
            total = 0
            for i in range(n):
                try:
                    total += 100 % (i % 50)
                except ZeroDivisionError:
                    total -= 1
            return total, i

        print(f(400))
        print(g(500))
        """, compiled=("f", "g"))
    assert failures(evs, "f", "division")
    assert failures(evs, "g", "division")


@pytest.mark.parametrize("native", NATIVE)
def test_values_after_break(prog, native):
    evs = check(prog, native, """\
        def f(n, stop):
            s = 0
            k = 0
            for i in range(n):
                s += i * 2
                k = s - i
                if s > stop:
                    break
            return s, k, i

        def w(limit):
            a = 0
            b = 1
            n = 0
            while True:
                a, b = b, a + b
                n += 1
                if b > limit:
                    break
            return a, b, n

        print(f(1000, 50000))
        print(f(100, 10 ** 9))
        print(f(1000, 777))
        print(w(10 ** 15))
        """, compiled=("f", "w"))
    assert failures(evs, "f", "branch")
    assert failures(evs, "w", "branch")


@pytest.mark.parametrize("native", NATIVE)
def test_global_type_changed_between_entries(prog, native):
    evs = check(prog, native, """\
        scale = 3

        def hot(n):
            t = 0
            for i in range(n):
                t = t + i * scale
            return t

        def set_scale(v):
            global scale
            scale = v

        print(hot(500))
        set_scale(2.5)
        print(hot(500))
        set_scale(7)
        print(hot(500))
        set_scale(True)
        print(hot(500))
        set_scale(2 ** 70)
        print(hot(500))
        set_scale(4)
        print(hot(500))
        """, compiled=("hot",))
    assert events_for(evs, "entry_rejected", "hot")


@pytest.mark.parametrize("native", NATIVE)
def test_global_written_in_compiled_loop(prog, native):
    check(prog, native, """\
        counter = 0

        def bump(n):
            global counter
            for i in range(n):
                counter = counter + i
                if counter > 100000:
                    counter = "big"
                    break

        def show():
            return counter

        bump(100)
        print(show())
        bump(1000)
        print(show())
        """, compiled=("bump",))


@pytest.mark.parametrize("native", NATIVE)
def test_nested_loops_exit_inner_and_outer(prog, native):
    evs = check(prog, native, """\
        def inner_exit(n):
            total = 0
            last = 0
            for i in range(n):
                j = 0
                while j < n:
                    total += i * j
                    if total > 1000 * (i + 1):
                        break
                    j += 1
                last = last * 3 + j
            return total, last, i, j

        def outer_exit(n):
            total = 0
            i = 0
            j = 0
            while i < n:
                j = 0
                while j < 100:
                    total += j
                    j += 1
                if total > 50000:
                    break
                i += 1
            return total, i, j

        def return_from_inner(n):
            for i in range(n):
                for j in range(n):
                    if i * j > 500:
                        return i, j
            return None

        print(inner_exit(60))
        print(outer_exit(1000))
        print(return_from_inner(100))
        """, compiled=("inner_exit", "outer_exit", "return_from_inner"))
    assert failures(evs, "inner_exit", "branch")
    assert failures(evs, "return_from_inner", "branch")


@pytest.mark.parametrize("native", NATIVE)
def test_loop_at_module_top_level(prog, native):
    check(prog, native, """\
        total = 0
        x = 1.5
        for i in range(3000):
            total += i
            x = x * 1.0001
        print(total, x, i)
        n = 0
        while n < 5000:
            n += 3
        print(n)
        big = 1
        for i in range(80):
            big = big * 5
        print(big, i)
        """, compiled=("<module>",))


@pytest.mark.parametrize("native", NATIVE)
def test_branch_flips_after_many_iterations(prog, native):
    evs = check(prog, native, """\
        def f(n):
            a = 0
            b = 0
            for i in range(n):
                if i < 700:
                    a += i
                else:
                    b += abs(2 * i)     # (a call: a guard, not a select, tests/test_diamonds.py)
            return a, b, i

        print(f(2000))
        print(f(650))
        print(f(3000))
        """)
    assert failures(evs, "f", "branch")
    assert events_for(evs, "bridge_compiled", "f"), "the flipped branch never got a bridge"


@pytest.mark.parametrize("native", NATIVE)
def test_alternating_branches_compile_with_bridges(prog, native):
    evs = check(prog, native, """\
        def f(n):
            even = 0
            odd = 0
            for i in range(n):
                if i % 2 == 0:
                    even += i
                else:
                    odd -= abs(i)       # (a call: a guard, not a select)
            return even, odd, i

        print(f(5000))
        print(f(5001))
        print(f(3))
        """)
    bridges = events_for(evs, "bridge_compiled", "f")
    assert len(bridges) >= 1, "alternating branches did not get a bridge"


@pytest.mark.parametrize("native", NATIVE)
def test_exits_with_the_same_start_share_one_bridge(prog, native):
    """The sieve: the inner loop's exit grows a bridge around the outer loop, whose `if sieve[i]` exit grows one
    more time around it, and so on, a bridge for each run of composites in a row. Each of those exits stores
    the same things in the same places as the first one did: they jump to its bridge instead of growing copies
    (one bridge per path, not one per exit: the chain was 40 bridges long at n = 2,000,000)."""
    evs = check(prog, native, """\
        def f(n):
            sieve = [True] * n
            primes = []
            for i in range(n):
                if sieve[i]:
                    step = i * 2 + 3
                    primes.append(step)
                    for j in range(i, n, step):
                        sieve[j] = False
            return len(primes), primes[-3:], sum(primes)

        print(f(200_000))
        print(f(1000))
        """, params="bridge_threshold=4")
    linked = events_for(evs, "bridge_linked", "f")
    assert linked, "no exit was linked to a bridge"
    assert all(e["to"] != e["exit"] for e in linked)
    assert len(events_for(evs, "bridge_compiled", "f")) < 12


@pytest.mark.parametrize("native", NATIVE)
def test_a_bridge_is_not_linked_to_from_its_own_first_guard(prog, native):
    """The class of `p` (an instance is true: its class has no __bool__ or __len__, which the trace checks by the
    class's version) changes between calls: the loop's guard on its version fails, a bridge grows for the new
    version, and at the next change that bridge's own first guard fails, an exit with the same start as the one
    the bridge grew from. Linked to it, the exit would jump back to the same failing guard without end; it gets
    a bridge of its own, and every call returns as in plain CPython (the fuzzer's seed 1900015 hung)."""
    evs = check(prog, native, """\
        class P:
            def __init__(self, x):
                self.x = x
        p = P(3)
        def f(n):
            acc = 0
            for i in range(n):
                if p:
                    acc += 1
                acc += i % 3
            return acc
        for k in range(6):
            print(f(400))
            P.extra = k
        """, params="bridge_threshold=1")
    assert len(events_for(evs, "bridge_compiled", "f")) >= 2


@pytest.mark.parametrize("native", NATIVE)
def test_exits_whose_constants_differ_only_in_a_zero_sign_do_not_share_a_bridge(prog, native):
    """`t` is the constant -0.0 at one exit and 0.0 at another, equal as numbers: a bridge keeps a constant of
    its exit's value stack as that constant, so the two exits must not share one (constants are compared bit
    for bit, objects by identity). Found by review: linked, the product's sign was the first exit's."""
    check(prog, native, """\
        import math
        def f(n, lst, out):
            t = 0.0
            for i in range(n):
                if i % 4 >= 2:
                    t = 1.0
                else:
                    t = -0.0 if t > 0.0 else 0.0
                out[i] = t * lst[i]
        n = 20000
        lst = [float(k % 7 + 1) for k in range(n)]
        for k in range(n):
            if k % 4 < 2 and k % 3 == 0:
                lst[k] = k % 7 + 1          # some ints: the item's class guard fails
        out = [None] * n
        f(n, lst, out)
        print(sum(math.copysign(1.0, v) for v in out))
        """, params="bridge_threshold=4")


@pytest.mark.parametrize("native", NATIVE)
def test_exits_that_differ_in_what_they_store_do_not_share_a_bridge(prog, native):
    """The sieve's chain of exits, where the variable read at the top of the outer loop holds another constant
    on each path (1, 2 or 3), an int it computed or a bool: exits at the same instruction share a bridge only
    when they store the same kinds (an unboxed int, a bool) in the same places; each bridge runs with what
    its own exit stored, every result as plain CPython's."""
    evs = check(prog, native, """\
        def f(n):
            sieve = [True] * n
            total = 0
            tag = 0
            for i in range(n):
                total += tag
                if sieve[i]:
                    step = i * 2 + 3
                    for j in range(i, n, step):
                        sieve[j] = False
                    tag = 1
                elif i % 3:
                    tag = 2
                elif i % 5:
                    tag = 3
                elif i % 7:
                    tag = i
                else:
                    tag = True
            return total, tag

        print(f(100_000))
        print(f(3000))
        """, params="bridge_threshold=4")
    assert events_for(evs, "bridge_linked", "f"), "no exit was linked to a bridge"


# ------------------------------------------------------------------------------------------------- objects

@pytest.mark.parametrize("native", NATIVE)
def test_list_reads_deopt_on_type_and_bounds(prog, native):
    """Items of an unexpected type and indices out of range leave the machine code at the subscript; the
    interpreter computes the item (or raises IndexError with the right traceback line)."""
    evs = check(prog, native, """\
        def f(a, n):
            s = 0.0
            for i in range(n):
                s += a[i]
            return s

        data = [i * 0.5 for i in range(3000)]
        print(f(data, 3000))
        data[2500] = 7                      # an int among floats: a type guard fails
        print(f(data, 3000))
        data[2600] = 2 ** 70
        print(f(data, 3000))
        try:
            f(data, 3001)                   # one past the end
        except IndexError as e:
            print("IndexError", e, e.__traceback__.tb_next.tb_lineno)
        f(data, 4000)
        """)
    assert failures(evs, "f", "type")
    assert events_for(evs, "guard_failure", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_one_loop_compiled_for_two_types(prog, native):
    """A function called alternately with ints and floats gets a compiled version for each, and each call
    runs in one of them (no drop-and-recompile cycle)."""
    evs = check(prog, native, """\
        def f(values):
            total = 0
            for x in values:
                total += x
            return total

        ints = list(range(5000))
        floats = [i * 0.5 for i in range(5000)]
        for r in range(8):
            print(f(ints), f(floats))
        """)
    assert len(events_for(evs, "compiled", "f")) == 2
    assert events_for(evs, "new_version", "f")
    assert not events_for(evs, "dropped", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_rebinding_a_pinned_name_is_seen(prog, native):
    """Builtins and module functions are constants in the trace, checked at every entry: a module-level
    `len`, a replaced math.sqrt and a deleted override all take effect at once, as without the JIT."""
    evs = check(prog, native, """\
        import math

        def f(xs):
            s = 0.0
            for i in range(len(xs)):
                s += math.sqrt(xs[i]) + abs(xs[i])
            return s

        data = [i * 0.5 for i in range(4000)]
        print(f(data))
        real_sqrt = math.sqrt
        math.sqrt = lambda x: -1.0            # monkeypatched between calls
        print(f(data))
        math.sqrt = real_sqrt
        print(f(data))

        def abs(x):                           # a global now shadows the builtin
            return 1000.0
        print(f(data))
        del abs
        print(f(data))
        """)
    assert events_for(evs, "entry_rejected", "f") or events_for(evs, "new_version", "f")


_TYPES_CHANGE = """\
    def f(values):
        total = 0.0
        for x in values:
            total += x * 0.5
        return total

    ints = [list(range(k, k + 100)) for k in range(8)]
    floats = [[v * 0.25 for v in range(k, k + 100)] for k in range(8)]
    mixed = [[v if v % 2 else v * 0.25 for v in range(k, k + 100)] for k in range(8)]
    out = 0.0
    for r in range(300):
        out += f(ints[r % 8])
    print(out)
    for r in range(1500):
        out += f({later}[r % 8])
    print(out)
    """


def test_a_loop_whose_types_changed_is_recorded_again(prog):
    """A loop recorded while its list held ints meets lists of floats: its type guard fails into the bridge
    grown there on nearly every iteration, each paying the exit and the way back through the state buffer
    (spectral_norm's vector starts as ints). Once that bridge takes 90% of a window's native iterations the loop
    is recorded again, for floats, and the new version runs without it."""
    evs = check(prog, 1, _TYPES_CHANGE.format(later="floats"))
    retraces = events_for(evs, "retrace", "f")
    assert len(retraces) == 1 and retraces[0]["share"] >= 0.9, retraces
    compiled = events_for(evs, "compiled", "f")
    assert len(compiled) == 2 and evs.index(compiled[1]) > evs.index(retraces[0]), compiled
    assert not events_for(evs, "dropped", "f")


def test_a_loop_whose_types_alternate_is_not_recorded_again(prog):
    """Lists that hold ints and floats in turn: the type guard fails into its bridge on half of the iterations,
    whichever type the trace was recorded for, so recording the loop again would gain nothing."""
    evs = check(prog, 1, _TYPES_CHANGE.format(later="mixed"))
    assert events_for(evs, "bridge_compiled", "f")
    assert not events_for(evs, "retrace", "f")
    assert len(events_for(evs, "compiled", "f")) == 1


class Holder:
    def __init__(self):
        self.items = [1, 2, 3]


def reads_more_on_a_rare_way(n, q):
    acc = 0
    for i in range(n):
        acc += i
        if i % 50 == 0:             # the bridge's way reads q: a variable the loop did not have
            acc += len(q.items)
    return acc


@pytest.mark.parametrize("native", [1, 0])
def test_a_bridge_that_fails_to_compile_leaves_its_loops_layout_as_it_was(fresh_engine, monkeypatch, native):
    """The end of a bridge's recording adds its new variables to its loop's layout; when its compile then fails,
    they are taken back: the loop's round trip and write-back keep the layout they were made for (a fuzzer
    program once had its loop left to the interpreter with an IndexError at its next write-back)."""
    import tracejit
    from tracejit.runtime import compiling
    failed = []

    def fail(loop, bridge):
        failed.append(bridge.name)
        raise ValueError("a compile failure, made by the test")
    monkeypatch.setattr(compiling, "_check_synced_layout", fail)
    q = Holder()
    expected = reads_more_on_a_rare_way(3000, q)
    with tracejit.enable(threshold=2, bridge_threshold=2, native=native):
        got = reads_more_on_a_rare_way(3000, q)
    assert got == expected
    eng = tracejit.engine()
    assert failed and eng.stats.internal_errors == 0
    (loop,) = [lp for lp in eng.all_loops if lp.code is reads_more_on_a_rare_way.__code__]
    assert "q" not in {sv.name for sv in loop.layout.slots}
    assert set(loop.layout.kinds) == set(loop.layout.slots)
