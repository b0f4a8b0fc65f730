"""Inner `for` loops unrolled into the trace of the loop around them (recorder/iterators.py, inner_iterator):
differential tests against plain CPython.

An inner loop over range(), a list, a tuple or an ASCII str with at most `unroll` items is recorded iteration by
iteration inside the enclosing loop's trace; its iterator is a real object of the trace's own, walked in its own
memory (iter_next for a str), so that an exit anywhere in it hands the interpreter the iterator as its own
FOR_ITER would have left it. Each program runs plainly and under the JIT (machine code and the IR interpreter)
and must print the same; the tests also check that the enclosing loop was compiled.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for  # noqa: E402


def compiled_at(evs: list[dict], func: str, line: int) -> list[dict]:
    """The compile events of the loop of `func` whose header is on `line` (its `seen` event names it)."""
    names = {e["loop"] for e in events_for(evs, "seen", func) if e.get("line") == line}
    return [e for e in events_for(evs, "compiled", func) if e["loop"] in names]


def aborts(evs: list[dict], func: str) -> list[str]:
    return [e["reason"] for e in events_for(evs, "abort", func) + events_for(evs, "bridge_abort", func)]


@pytest.mark.parametrize("native", NATIVE)
def test_range_and_list_inner_loops_run_inside_the_outer_trace(prog, native):
    """Two inner loops, over range(k) and over the row, in the body of a loop over rows: the outer loop's trace
    holds both, unrolled; rows of other lengths and other k leave it where the interpreter goes on."""
    evs = check(prog, native, """\
        def f(rows, k):
            total = 0
            for row in rows:
                for j in range(k):
                    total += row[j] * j
                for x in row:
                    total += x
            return total

        rows = [[i, i + 1, i + 2, i + 3] for i in range(300)]
        print(f(rows, 3), f(rows, 3), f(rows, 2), f(rows, 4))
        ragged = [list(range(i % 6)) for i in range(300)]
        print(f(ragged, 0), f(ragged[:1] + ragged[6::6], 0))
        """, params="little_left=0")
    assert compiled_at(evs, "f", 3), [e for e in evs if e["event"] in ("compiled", "abort")]
    assert not [r for r in aborts(evs, "f") if r.startswith("GET_ITER")], aborts(evs, "f")


@pytest.mark.parametrize("native", NATIVE)
def test_tuple_and_str_inner_loops(prog, native):
    """A tuple's items and an ASCII str's characters (iter_next); a str with a character beyond ASCII has
    another iterator: the guard on its type leaves the trace, and the interpreter walks it."""
    evs = check(prog, native, """\
        def f(words, pairs):
            n = 0
            for w, p in zip(words, pairs):
                for ch in w:
                    if ch == "a":
                        n += 1
                for v in p:
                    n += v
            return n

        words = ["banana", "apple", "", "aa", "cab"] * 60
        pairs = [(1, 2), (3,), (), (4, 5, 6), (7, 8)] * 60
        print(f(words, pairs))
        words[100] = "ba\\u00e9na\\u0100"
        print(f(words, pairs))
        """, params="little_left=0")
    assert compiled_at(evs, "f", 3), [e for e in evs if e["event"] in ("compiled", "abort")]


@pytest.mark.parametrize("native", NATIVE)
def test_exits_inside_an_unrolled_inner_loop_resume_its_iterator(prog, native):
    """Exits in the middle of an inner loop's iterations: an item of another type (its guard), a branch taken
    for the first time, an exception in the body (its traceback as without the JIT), `break` and `continue`;
    the interpreter goes on with the iterator where the machine code left it (no item repeated or lost)."""
    check(prog, native, """\
        def f(rows):
            out = []
            for row in rows:
                s = 0
                for x in row:
                    if x == 99:
                        break
                    if x < 0:
                        continue
                    s += x * 2
                out.append(s)
            return sum(out), out[:12]

        rows = [[1, 2, 3] for _ in range(200)]
        rows[50] = [1, 2.5, 3]
        rows[60] = [1, 99, 3]
        rows[70] = [-1, 2, 3]
        rows[80] = [1, "x", 3]
        print(f(rows[:80]))
        try:
            f(rows)
        except TypeError as e:
            print("TypeError", e)

        def g(rows):
            t = 0
            for row in rows:
                for j in range(3):
                    t += 100 // row[j]
            return t
        rows = [[1, 2, 3] for _ in range(200)]
        rows[120] = [1, 0, 3]
        try:
            g(rows)
        except ZeroDivisionError as e:
            print("ZeroDivisionError", e, e.__traceback__.tb_next.tb_lineno)
        """, compiled=("f", "g"), params="little_left=0")


@pytest.mark.parametrize("native", NATIVE)
def test_an_inner_loop_that_changes_its_list(prog, native):
    """The inner loop's list grows, shrinks or is replaced while it is walked: the machine code reads its length
    and items as the list's own iterator does, at every step."""
    check(prog, native, """\
        def f(n):
            total = 0
            for i in range(n):
                row = [1, 2, 3]
                for x in row:
                    total += x
                    if i % 7 == 0 and x == 1:
                        row.append(10)
                    if i % 11 == 0 and x == 2:
                        row.pop()
                    if i % 13 == 0:
                        row = [100, 200]
            return total

        print(f(400))
        """, params="little_left=0")


@pytest.mark.parametrize("native", NATIVE)
def test_nested_inner_loops_and_a_long_one(prog, native):
    """An inner loop inside an inner loop, both unrolled; and an inner loop with more than `unroll` items, which
    aborts the enclosing loop's recording (it runs in its own trace, with bridges through the enclosing loop)."""
    evs = check(prog, native, """\
        def f(grid):
            t = 0
            for plane in grid:
                for row in plane:
                    for v in row:
                        t += v
            return t

        def g(rows):
            t = 0
            for row in rows:
                for v in row:
                    t += v
            return t

        grid = [[[i, i + 1], [i * 2]] for i in range(300)]
        print(f(grid))
        print(g([list(range(40)) for _ in range(100)]))
        """, compiled=("f", "g"), params="little_left=0,unroll=8")
    assert compiled_at(evs, "f", 3), [e for e in evs if e["event"] in ("compiled", "abort")]
    assert "an inner loop of more than 8 iterations" in aborts(evs, "g"), aborts(evs, "g")


@pytest.mark.parametrize("native", NATIVE)
def test_unroll_zero_keeps_inner_loops_out_of_the_trace(prog, native):
    evs = check(prog, native, """\
        def f(rows):
            t = 0
            for row in rows:
                for v in row:
                    t += v
            return t

        print(f([[i, 2 * i] for i in range(300)]))
        """, compiled=(), params="little_left=0,unroll=0")
    assert not compiled_at(evs, "f", 3)
    assert "GET_ITER" in aborts(evs, "f"), aborts(evs, "f")


@pytest.mark.parametrize("native", NATIVE)
def test_a_method_with_a_short_loop_is_inlined_with_its_loop(prog, native):
    """Methods that loop over their object's short list, and a function over a str's characters, called from a
    loop: inlined with their loops unrolled (no "a loop in an inlined call"); objects whose lists have other
    lengths leave the trace inside the inlined call, before it wrote anything: the interpreter makes the call."""
    evs = check(prog, native, """\
        class Node:
            def __init__(self, vals):
                self.vals = vals

            def total(self):
                s = 0
                for v in self.vals:
                    s += v
                return s

            def weighted(self, k):
                s = 0
                for j in range(k):
                    s += self.vals[j] * j
                return s

        def has(word, ch):
            for c in word:
                if c == ch:
                    return True
            return False

        def f(nodes):
            t = 0
            for n in nodes:
                t += n.total() + n.weighted(2)
            return t

        def g(words):
            return sum(1 for w in words if has(w, "a")), [has(w, "z") for w in words].count(True)

        nodes = [Node([i, i + 1, i % 3]) for i in range(300)]
        print(f(nodes))
        nodes[100] = Node([1, 2, 3, 4, 5])
        nodes[200] = Node([7, 8])
        print(f(nodes))
        print(g(["abc", "xyz", "hello", "", "a", "zz"] * 60))
        """, params="little_left=0")
    assert not [r for r in aborts(evs, "f") if "loop" in r], aborts(evs, "f")


@pytest.mark.parametrize("native", NATIVE)
def test_an_exit_after_an_inlined_write_resumes_the_callee_inside_its_loop(prog, native):
    """The callee writes (appends to a list) and then loops: a guard that fails inside the unrolled loop leaves
    the trace with the callee's frame rebuilt mid-loop, its range iterator on its stack as the machine code left
    it; the rest of the call runs in the interpreter, nothing done twice or lost."""
    check(prog, native, """\
        def record(log, x):
            log.append(x)
            s = 0
            for k in range(3):
                s += x * k
            return s

        def f(xs):
            log = []
            t = 0
            for x in xs:
                t += record(log, x)
            return t, len(log), log[-3:]

        xs = list(range(300))
        xs[150] = 2.5
        xs[151] = 7
        print(f(xs))
        """, params="little_left=0")


@pytest.mark.parametrize("native", NATIVE)
def test_an_inner_loop_over_a_subclass_of_list(prog, native):
    """A Python subclass of list that leaves __iter__ to list (deltablue's OrderedCollection) is walked as a list,
    under its class's version; giving the class an __iter__ later changes the version: the guard leaves the trace
    before GET_ITER, and the interpreter's GET_ITER calls the new method."""
    evs = check(prog, native, """\
        class Bag(list):
            pass

        def f(bags):
            t = 0
            for b in bags:
                for x in b:
                    t += x
            return t

        bags = [Bag([i, i + 1, 2]) for i in range(300)]
        print(f(bags))
        Bag.__iter__ = lambda self: iter([100])
        print(f(bags))
        """, params="little_left=0")
    assert compiled_at(evs, "f", 6), [e for e in evs if e["event"] in ("compiled", "abort")]


@pytest.mark.parametrize("native", NATIVE)
def test_a_trie_walk_over_defaultdicts(prog, native):
    """Lookups and get() in a collections.defaultdict are a dict's (no __missing__ runs for a key that is there):
    a trie's walk over a word's characters, inlined with its loop unrolled; a missing key leaves the trace and
    the interpreter's lookup calls __missing__ (a new node), as without the JIT."""
    check(prog, native, """\
        import collections

        class Node:
            def __init__(self):
                self.children = collections.defaultdict(Node)
                self.end = False

        def insert(root, word):
            cur = root
            for ch in word:
                cur = cur.children[ch]
            cur.end = True

        def search(root, word):
            cur = root
            for ch in word:
                cur = cur.children.get(ch)
                if cur is None:
                    return False
            return cur.end

        def f(root, words):
            n = 0
            for w in words:
                if search(root, w):
                    n += 1
            return n

        def g(root, words):
            for w in words:
                insert(root, w)
            return len(root.children)

        root = Node()
        words = ["".join(chr(97 + (i * 7 + j * 3) % 8) for j in range(3 + i % 5)) for i in range(600)]
        print(g(root, words[:300]), f(root, words), g(root, words), f(root, words))
        """, params="little_left=0")


@pytest.mark.parametrize("native", NATIVE)
def test_bridges_go_on_with_the_inner_loops_of_another_shape(prog, native):
    """Rows of other lengths than the recorded one: the bridge from the inner loop's FOR_ITER takes over the
    iterator (the rest of that row) and unrolls the loops after it; a guard inside the inner loop's body (a
    negative item) grows a bridge that starts mid-iteration and goes on with the same iterator. (A bridge from
    any other exit, the branch before the inner loops, leaves them to the interpreter: "GET_ITER of an inner loop
    in a bridge".)"""
    evs = check(prog, native, """\
        def f(rows, flags):
            t = 0
            for row, flag in zip(rows, flags):
                if flag:
                    t -= 1
                for x in row:
                    if x < 0:
                        t += 1000
                    t += x
                for j in range(2):
                    t += j
            return t

        rows = [list(range(i % 6)) for i in range(600)]
        for i in range(0, 600, 7):
            if rows[i]:
                rows[i][0] = -5
        flags = [i % 3 == 0 for i in range(600)]
        print(f(rows, flags), f(rows, flags))
        """, params="little_left=0")
    assert len(events_for(evs, "bridge_compiled", "f")) >= 2, [e for e in evs if e["event"].startswith("bridge")]
