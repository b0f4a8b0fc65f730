"""Shapes of loops met in real programs (bench/realworld) that the recorder used to give up on: each program
runs under plain CPython and under the JIT (tests/test_regressions.run_both: same output, tracebacks and exit
status, no internal error), and the events log shows the loop under test compiled (or why not)."""
from __future__ import annotations

import sys

import pytest

from test_regressions import aborts, compiled, run_both

PARAMS = "threshold=2,little_left=0"
generic_calls = pytest.mark.skipif(sys.version_info < (3, 12), reason="calls that may run Python code: 3.12+")


@generic_calls
def test_a_bound_method_read_as_a_value(tmp_path):
    """`f = obj.method` (a bound method the trace makes) compares equal to the interpreter's, which is another
    object: the recording goes on (it used to abort: "recorder value ... differs from interpreter value")."""
    _, evs = run_both(tmp_path, """\
        class Canvas:
            def __init__(self):
                self.n = 0
            def plot(self, x):
                self.n += x

        def draw(c):
            for y in range(300):
                f = c.plot
                f(y)
            return c.n

        print(draw(Canvas()))
        """, PARAMS + ",cost_model=0")
    assert not [r for r in aborts(evs, "draw") if "differs" in r]
    assert compiled(evs, "draw")


def test_len_of_a_list_subclass_and_a_len_added_later(tmp_path):
    """len() of an instance of a list subclass without __len__ reads the list's size under the class's version
    tag; giving the class a __len__ halfway fails that guard and the interpreter calls it."""
    _, evs = run_both(tmp_path, """\
        class OrderedCollection(list):
            pass

        def total(c, n):
            t = 0
            for i in range(n):
                t += len(c) + i
            return t

        c = OrderedCollection([1, 2, 3])
        print(total(c, 500))
        OrderedCollection.__len__ = lambda self: 40
        print(total(c, 500))
        """, PARAMS)
    assert compiled(evs, "total")       # (a recording after __len__ came aborts: a Python __len__)


def test_math_log_of_an_int_and_of_zero(tmp_path):
    """math.log of an int is the log of the nearest float (as math's own path for ints computes it); of 0 the
    guard fails and the interpreter raises the ValueError, with plain CPython's traceback."""
    _, evs = run_both(tmp_path, """\
        import math

        def logs(values):
            s = 0.0
            for v in values:
                s += math.log(v)
            return s

        print(logs(list(range(1, 600)) + [2 ** 53 + 1, 10 ** 15]))
        print(logs([3, 5, 0, 7] * 100))
        """, PARAMS)
    assert compiled(evs, "logs")
    assert not [r for r in aborts(evs, "logs") if "math.log" in r]


def test_a_best_score_that_starts_as_an_int(tmp_path):
    """`best = -1`, then a float score: the loop's recordings start mid-run, where `best` is a float, and the
    entries of later calls (where it is still -1) are rejected; the new version keeps `best` as an object (the
    number boxed at the end of an iteration) instead of being recorded for floats again and again."""
    _, evs = run_both(tmp_path, """\
        class Node:
            def __init__(self, w):
                self.w = w
            def score(self):
                return self.w / 7.0

        def best_child(children):
            best = -1
            chosen = None
            for child in children:
                if child.score() > best:
                    chosen = child
                    best = child.score()
            return chosen.w, best

        kids = [Node(k * 37 % 101) for k in range(60)]
        out = [best_child(kids[k % 7:]) for k in range(400)]
        print(len(out), out[:3], out[-1])
        """, PARAMS)
    assert compiled(evs, "best_child")
    versions = [e for e in evs if e["event"] == "new_version" and e["loop"].startswith("best_child")]
    assert len(versions) <= 1, versions


def test_a_loop_that_returns_from_its_function(tmp_path):
    """A return inside the loop during its recording is the loop ending (recorded again later), not an unsupported
    instruction; a bridge from the exit that leads there is not recorded again and again."""
    _, evs = run_both(tmp_path, """\
        def find(keys, key):
            i = 0
            while i < len(keys):
                if keys[i] == key:
                    return i
                i += 1
            return -1

        keys = list(range(0, 300, 3))
        print(sum(find(keys, k) for k in range(0, 300, 2)))
        """, PARAMS)
    assert not [r for r in aborts(evs, "find") if "unsupported instruction" in r]
    assert compiled(evs, "find")


# a function with a loop of its own, and a loop that calls it
WEIGHT_AND_HEAVIEST = """\
def weight(row):
    s = 0
    for v in row:
        s += v
    return s

def heaviest(rows):
    best = 0
    for r in rows:
        w = weight(r)
        if w > best:
            best = w
    return best

rows = [[(i * j) % 11 for j in range(i % 5 + 20)] for i in range(800)]     # (more items than `unroll`)
"""


LIGHTEST = """\
def lightest(rows):
    low = 10 ** 9
    for r in rows:
        w = weight(r)
        if w < low:
            low = w
    return low

"""


@generic_calls
def test_a_loop_inside_a_called_function_is_called_not_inlined(tmp_path):
    """A function with a loop of its own, called from a loop: the recording that meets the inner loop asks the
    next one to call that function instead of inlining it (its loop then compiles on its own)."""
    _, evs = run_both(tmp_path, WEIGHT_AND_HEAVIEST + "print(heaviest(rows))\n",
                      PARAMS + ",cost_model=0")       # (the cost model would leave a loop this small to the interpreter)
    hinted = [e for e in evs if e["event"] == "abort" and e["loop"].startswith("heaviest")]
    assert hinted and hinted[0].get("not_inlined") == "weight", hinted
    assert compiled(evs, "heaviest")


@generic_calls
def test_what_one_loop_learnt_to_call_every_loop_calls(tmp_path):
    """Two loops call the same function with a loop of its own: the first loop's recording that met that loop
    teaches every loop of the program to call the function instead of inlining it, so the second loop's first
    recording calls it at once (no aborted recording of its own to find that out)."""
    _, evs = run_both(tmp_path, WEIGHT_AND_HEAVIEST + LIGHTEST + "print(heaviest(rows))\nprint(lightest(rows))\n",
                      PARAMS + ",cost_model=0")
    hinted = [(e["loop"].split(":")[0], e["not_inlined"]) for e in evs if e["event"] == "abort" and "not_inlined" in e]
    assert hinted == [("heaviest", "weight")], hinted
    assert compiled(evs, "heaviest") and compiled(evs, "lightest")


@generic_calls
def test_what_loops_learnt_survives_a_program_that_replaces_builtins(tmp_path):
    """The program replaces `len` with a cached one that cannot take a set (as test_functools does): what the JIT
    keeps of the functions it learnt to call is its own code, which runs with the builtins tracejit was imported
    with; a WeakSet's __len__ (the standard library's, the program's builtins) raised TypeError into the loop."""
    _, evs = run_both(tmp_path, "import builtins, functools\nbuiltins.len = functools.lru_cache(4)(len)\n" +
                      WEIGHT_AND_HEAVIEST + LIGHTEST + 'print(heaviest(rows))\nprint(lightest(rows), len("abc"))\n',
                      PARAMS + ",cost_model=0")
    assert compiled(evs, "heaviest") and compiled(evs, "lightest")
    assert not [e for e in evs if e["event"] == "internal_error"], evs


def test_a_tuple_index_passed_to_an_inlined_getitem_and_setitem(tmp_path):
    """`G[x, y]` with a Python class's __getitem__ / __setitem__ (scimark's Array2D): the tuple is never made;
    the inlined method unpacks its items. An exit inside the method before it wrote anything (an index out of
    range, an item of another type) makes the tuple from its items and the interpreter calls the method: the
    results and the IndexError's traceback are plain CPython's."""
    _, evs = run_both(tmp_path, """\
        class Grid:
            def __init__(self, w, h):
                self.width, self.height = w, h
                self.data = [[(x * 7 + y * 13) % 17 / 3.0 for x in range(w)] for y in range(h)]

            def _check(self, x, y):
                if not (0 <= x < self.width and 0 <= y < self.height):
                    raise IndexError(f"({x}, {y}) outside {self.width}x{self.height}")

            def __getitem__(self, x_y):
                (x, y) = x_y
                self._check(x, y)
                return self.data[y][x]

            def __setitem__(self, x_y, val):
                x, y = x_y
                self.data[y][x] = val

        def smooth(G, cycles):
            for p in range(cycles):
                for y in range(1, G.height - 1):
                    for x in range(1, G.width - 1):
                        G[x, y] = 0.2 * (G[x, y - 1] + G[x, y + 1] + G[x - 1, y] + G[x + 1, y] + G[x, y])

        def column(G, x, n):
            s = 0.0
            for y in range(n):
                s += G[x, y]
            return s

        G = Grid(30, 30)
        smooth(G, 6)
        print(round(sum(map(sum, G.data)), 9))
        G.data[12][3] = 5                       # an int among the floats: a guard inside __getitem__ fails
        print(column(G, 3, 30))
        try:
            column(G, 4, 31)                    # y = 30 is out of range: IndexError from _check
        except IndexError as e:
            import traceback
            print("IndexError", e, [f.name for f in traceback.extract_tb(e.__traceback__)])
        """, PARAMS)
    assert compiled(evs, "smooth") and compiled(evs, "column")
    assert not [r for r in aborts(evs, "smooth") + aborts(evs, "column") if "tuple" in r]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="3.11 runs a comprehension in a function of its own")
def test_a_comprehension_in_module_level_code_is_given_up_at_once(tmp_path):
    """A comprehension inlined in module-level code (3.12+) runs in a frame whose locals are not its globals: no
    compiled version could be entered, so its loop is given up at its first hot time instead of being recorded
    and compiled again at each (six times in a 3,000-item list once); the module's own loop still compiles."""
    _, evs = run_both(tmp_path, """\
        xs = [(i * 37) % 211 for i in range(3000)]
        total = 0
        for x in xs:
            total += x
        print(total, sum(xs))
        """, PARAMS)
    loops = {e["loop"] for e in evs if e["event"] == "compiled"}
    given_up = [e for e in evs if e["event"] == "abort" and "comprehension" in e.get("reason", "")]
    assert len(given_up) == 1 and given_up[0]["loop"] not in loops
    assert len(loops) == 1
    assert not [e for e in evs if e["event"] in ("entry_rejected", "new_version")]
