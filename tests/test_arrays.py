"""array.array in traces: differential tests against plain CPython.

Items are read into registers and stored back as raw C values of every compiled type code (signed and unsigned
ints of 1, 2, 4 and 8 bytes, float32, double); stores out of an int item's range leave the trace and the
interpreter raises the OverflowError; `for x in a` walks the array. Each program runs plainly and under the JIT
(machine code and the IR interpreter) and must behave identically with its loops compiled.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for, failures  # noqa: E402



def no_array_aborts(evs: list[dict], func: str = "f") -> None:
    """No recording of `func` aborted at an array (an inner loop over one, which an enclosing loop's trace does
    not unroll, is left to its own trace and its bridges: recorder/iterators.py)."""
    aborts = [e["reason"] for e in events_for(evs, "abort", func) + events_for(evs, "bridge_abort", func)]
    assert not [r for r in aborts if "array" in r and r != "GET_ITER of array for an inner loop"], aborts


@pytest.mark.parametrize("native", NATIVE)
def test_sparse_matrix_product(prog, native):
    """SciMark's sparse matrix-vector product (bench/realworld/scimark_sparse): double and int32 arrays."""
    evs = check(prog, native, """\
        from array import array

        def f(M, y, val, row, col, x, n):
            for _ in range(n):
                for r in range(M):
                    sa = 0.0
                    for i in range(row[r], row[r + 1]):
                        sa += x[col[i]] * val[i]
                    y[r] = sa

        N = 200
        x = array("d", [i * 0.5 for i in range(N)])
        val = array("d", [1.0 / (i + 1) for i in range(N * 5)])
        col = array("i", [(i * 7) % N for i in range(N * 5)])
        row = array("i", [i * 5 for i in range(N + 1)])
        y = array("d", [0.0]) * N
        f(N, y, val, row, col, x, 20)
        print(sum(y), y[:3].tolist(), y.tobytes()[-16:])
        """)
    no_array_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_int_items_of_every_width(prog, native):
    evs = check(prog, native, """\
        from array import array

        def f(a, b, n, lo):
            t = 0
            for k in range(n):
                j = k % len(a)
                a[j] = (a[j] * 3 + k) % 200 - lo
                b[j] = b[j] + 1
                t += a[j] - b[-1 - j]
            return t

        for code in "bBhHiIlq":
            a = array(code, [5, 10, 20, 30, 40, 50])
            print(code, f(a, array("q", range(6)), 500, 100 if code.islower() else 0), a.tolist())
        for code, start in (("b", 120), ("B", 250), ("h", 32760), ("H", 65530), ("i", 2**31 - 5), ("I", 2**32 - 5)):
            a = array(code, [start] * 6)
            try:
                f(array(code, [5] * 6), a, 500, 0)
            except OverflowError as e:
                print(code, "OverflowError", e, a.tolist())
        """)
    no_array_aborts(evs)
    assert failures(evs, "f", "overflow")


@pytest.mark.parametrize("native", NATIVE)
def test_floats_walks_and_type_codes(prog, native):
    """float32 items (rounded to nearest on store, overflowing to infinity as C's cast does), ints stored into
    double arrays, `for x in a`, a nest whose bridge walks the inner array again, an array of another type code
    reaching the trace (the guard fails), an out-of-range index."""
    evs = check(prog, native, """\
        from array import array

        def f(a, n):
            for i in range(n):
                a[i % len(a)] = a[i % len(a)] * 1.0001 + 1e30 * (i % 3) - i
            return a.tolist()[:4]

        def g(a):
            s = 0.0
            for v in a:
                s += v
            return s

        def h(rows):
            t = 0.0
            for r in rows:
                for v in r:
                    t += v * 0.5
            return t

        print(f(array("f", [1.0, 2.0, 3.0]), 300), f(array("d", [1.0, 2.0]), 300))
        print(g(array("f", [0.1 * i for i in range(300)])), g(array("d", range(1000))), g(array("d")))
        print(g(array("i", range(-500, 500))), g(array("b", [-1, 2, -3] * 100)))
        print(h([array("d", [i, i + 0.25]) for i in range(500)]))
        try:
            f(array("d", [1.0]), 10)
            g(array("f", [1.0, 2.0]))
            print(array("d", [1.0])[3])
        except IndexError as e:
            print("IndexError", e)
        """, compiled=("f", "g", "h"))
    for func in "fgh":
        no_array_aborts(evs, func)


@pytest.mark.parametrize("native", NATIVE)
def test_fft_butterflies_with_steps_known_only_at_run_time(prog, native):
    """SciMark's FFT (bench/realworld/scimark_fft): inner loops over range(0, n, 2 * dual) whose step changes
    from one run of the inner loop to the next, restarted by a bridge through the outer loop (the step's
    sign guarded, the length computed as CPython does); negative steps; a zero step (ValueError)."""
    evs = check(prog, native, """\
        from array import array
        import math

        def f(n, data):
            dual = 1
            while dual < n:
                for b in range(0, n, 2 * dual):
                    i = 2 * b
                    j = 2 * (b + dual)
                    wr = data[j]
                    wi = data[j + 1]
                    data[j] = data[i] - wr
                    data[j + 1] = data[i + 1] - wi
                    data[i] += wr
                    data[i + 1] += wi
                dual *= 2
            return data

        def g(n, steps):
            t = 0
            for s in steps:
                for k in range(n, -n, s):
                    t += k
            return t

        data = array("d", [math.sin(i) for i in range(2048)])
        for _ in range(12):
            f(1024, data)
        print(sum(data), data[:4].tolist())
        print(g(300, [-1, -2, -3, -7, -50, -1000, 3, 1000] * 12))
        try:
            g(10, [-1, 0])
        except ValueError as e:
            print("ValueError", e)
        """, compiled=("f", "g"))
    no_array_aborts(evs, "f")
    bridges = events_for(evs, "bridge_compiled", "f") + events_for(evs, "bridge_compiled", "g")
    assert bridges, "no bridge restarted an inner loop"


@pytest.mark.parametrize("native", NATIVE)
def test_a_program_that_imports_array_after_the_recorder_loaded(prog, native):
    """The JIT does not import `array` itself (nor `collections`, which it imports): a program that imports it only
    after the recorder has loaded (its first loop recorded) gets no array ops, and its loops over arrays run as
    before, on the generic path or in the interpreter, with the same results as plain CPython."""
    evs = check(prog, native, """\
        def warm(n):
            s = 0
            for i in range(n):
                s += i * 3 % 7
            return s

        print(warm(5000))
        import sys
        print("array" in sys.modules)
        from array import array

        def f(a, n):
            s = 0.0
            for i in range(n):
                a[i % 100] = a[i % 100] + 0.5
                s += a[i % 100]
            return s

        print(f(array("d", range(100)), 5000))
        """, compiled=("warm",), params="threshold=20,little_left=0")
    assert not [e for e in events_for(evs, "abort", "f") if "array of type code" in e.get("reason", "")]
