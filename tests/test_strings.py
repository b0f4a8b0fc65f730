"""Strings in traces: differential tests against plain CPython.

Each program runs plainly and under `python -m tracejit --params threshold=2,native=N` (N = 1: machine code,
N = 0: the IR interpreter through the same exit protocol); stdout, stderr (tracebacks included) and the exit
status must be identical, and the events log must show the loop compiled. The programs index strings of
every internal kind (1, 2 and 4 bytes per code point, ASCII or not), compare characters, take ord()/chr(),
iterate with `for c in s` (breaking out and going on with the same iterator, nested loops whose bridge
starts the inner iteration again), and let characters escape into lists, variables and identity tests.
Characters whose code point is 256 or more leave the trace (the interpreter makes their string).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for, failures  # noqa: E402

from tracejit.recorder.strings import WIDE  # noqa: E402



def no_string_aborts(evs: list[dict], func: str = "f") -> None:
    aborts = [e["reason"] for e in events_for(evs, "abort", func) + events_for(evs, "bridge_abort", func)
              if e["reason"] != WIDE]     # a recording that met a code point >= 256: legitimately not compiled
    assert not [r for r in aborts if re.search(r"\bstr\b|character|latin|min\(\)|max\(\)|ord\(\)|chr\(\)", r)], aborts


@pytest.mark.parametrize("native", NATIVE)
def test_subscripts_and_comparisons(prog, native):
    evs = check(prog, native, """\
        def f(s, t, n):
            eq = lt = ge = 0
            codes = 0
            for i in range(n):
                a = s[i % len(s)]
                b = t[-1 - i % len(t)]
                if a == b:
                    eq += 1
                if a != "q" and a < b:
                    lt += 1
                if b >= "m" or a <= "\\xe9":
                    ge += 1
                codes += ord(a) - ord(b)
            return eq, lt, ge, codes

        text = "".join(chr(c) for c in range(97, 123)) * 9
        print(f(text, text[::-1] + "zz", 3000))
        print(f("\\xe9t\\xe9" + text, "\\xfcber" + text, 3000))   # latin-1, not ASCII
        print(f("x\\u0100y" + text, text, 500))                    # a wide string: code points >= 256 exit
        print(f(text, "a\\U0001f600" + text, 500))                 # four bytes per code point
        """)
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_index_error_and_wrong_types_from_the_interpreter(prog, native):
    evs = check(prog, native, """\
        def f(s, n, stop):
            t = 0
            for i in range(n):
                t += ord(s[i])
                if i == stop:
                    t += ord(s[i:i + 2])        # a slice of two characters: TypeError in ord()
            return t

        print(f("abcdefgh" * 100, 400, -1))
        try:
            f("abcdefgh" * 100, 900, -1)
        except IndexError as e:
            print("IndexError", e)
        try:
            f("abcdefgh" * 100, 600, 450)
        except TypeError as e:
            print("TypeError", e)
        f("abc" * 200, 700, -1)
        """)
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_chr_ord_and_escaping_characters(prog, native):
    evs = check(prog, native, """\
        def f(s, n, k):
            out = []
            last = None
            same = 0
            for i in range(n):
                c = s[i % len(s)]
                d = chr((i * k) % 300)
                if c is s[i % len(s)]:
                    same += 1
                if d > c:
                    out.append(d)
                last = c
            return len(out), "".join(out[-5:]), last, same

        print(f("hello world", 2000, 7))
        print(f("h\\xe9llo w\\xf6rld", 2000, 3))
        try:
            f("abc", 100, -1)
        except ValueError as e:                  # chr() of a negative number
            print("ValueError", e)
        """)
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_for_over_strings(prog, native):
    evs = check(prog, native, """\
        def f(text):
            vowels = other = 0
            last = ""
            for c in text:
                if c == "a" or c == "e" or c == "i" or c == "o" or c == "u":
                    vowels += 1
                elif "a" <= c <= "z":
                    other += ord(c) - 96
                last = c
            return vowels, other, last

        def g(words):
            t = 0
            for w in words:
                for ch in w:
                    t += ord(ch) & 7
            return t

        def h(text):
            it = iter(text)
            n = 0
            for c in it:
                n += 1
                if c == "!":
                    break
            return n, "".join(it)

        print(f("the quick brown fox jumps over the lazy dog " * 100))
        print(f("abc" * 300 + "\\u0100xyz" + "\\xe9" * 300 + "\\U0001F600" + "zz"))
        print(g(["alpha", "beta", "gamma", "delta", "\\xe9psilon", "\\u03b6\\u03b7ta"] * 100))
        print(h("x" * 500 + "!rest of it"))
        print(h("y" * 500))
        """, compiled=("f", "g", "h"))
    for func in "fgh":
        no_string_aborts(evs, func)
    assert failures(evs, "f", "character")          # the code points >= 256


@pytest.mark.parametrize("native", NATIVE)
def test_edit_distance_and_lcs(prog, native):
    """bench/realworld's edit_distance and lcs in small: str subscripts, min() of three."""
    evs = check(prog, native, """\
        def f(a, b):
            la, lb = len(a) + 1, len(b) + 1
            edit = [[0 for _ in range(lb)] for _ in range(la)]
            for i in range(1, la):
                edit[i][0] = i
            for j in range(1, lb):
                edit[0][j] = j
            for i in range(1, la):
                for j in range(1, lb):
                    cost = 0 if a[i - 1] == b[j - 1] else 1
                    edit[i][j] = min(edit[i - 1][j] + 1, edit[i][j - 1] + 1, edit[i - 1][j - 1] + cost)
            return edit[-1][-1]

        def g(a, b):
            m, n = len(a), len(b)
            mat = [[0] * (n + 1) for i in range(m + 1)]
            for i in range(m + 1):
                for j in range(n + 1):
                    if i == 0 or j == 0:
                        mat[i][j] = 0
                    elif a[i - 1] == b[j - 1]:
                        mat[i][j] = mat[i - 1][j - 1] + 1
                    else:
                        mat[i][j] = max(mat[i - 1][j], mat[i][j - 1])
            return mat[m][n]

        import random
        r = random.Random(5)
        a = "".join(r.choice("abcdefg") for _ in range(150))
        b = "".join(r.choice("abcdefg\\u0101") for _ in range(130))
        print(f(a, b), g(a, b), f(b, a), g(a, a[::-1]))
        """, compiled=("f", "g"))
    no_string_aborts(evs, "f")
    no_string_aborts(evs, "g")


@pytest.mark.parametrize("native", NATIVE)
def test_min_max_of_several_arguments(prog, native):
    evs = check(prog, native, """\
        def f(xs, n):
            lo = hi = 0
            flo = fhi = 0.0
            for i in range(n):
                a, b, c = xs[i % 7], xs[(i + 3) % 7], xs[(i + 5) % 7]
                lo += min(a, b, c, 3)
                hi += max(c, b, a)
                x, y = a * 0.5, -b * 0.25
                flo += min(x, y, 0.125, -0.0)
                fhi += max(y, x, -0.0, 0.0)
            return lo, hi, flo, fhi

        print(f([5, -3, 8, 0, 2, -7, 11], 3000))
        print(f([1, 2, 3, 4, 5, 6, 7], 500))
        """)
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_longer_strings_compared_and_searched(prog, native):
    """Strings of any length: == != < <= > >= (PyUnicode_Compare), `in` and `not in` (PyUnicode_Contains),
    truth tests of strs, lists and tuples (their length)."""
    evs = check(prog, native, """\
        def f(words, n):
            t = hits = empty = 0
            for i in range(n):
                w = words[i % len(words)]
                v = words[(i * 7) % len(words)]
                if w == v:
                    t += 1
                if w < v:
                    t += 2
                if w >= "m" and v != "band":
                    t += 3
                if "an" in w:
                    hits += 1
                if "z" not in v:
                    hits += 2
                if w and w[0] in "aeiou":
                    hits += 4
                if not v:
                    empty += 1
                if words:
                    empty += 2
            return t, hits, empty

        words = ["banana", "apple", "cherry", "m", "mango", "", "ananas", "zebra", "\\u0101bc", "a\\U0001F600b",
                 "band", "ban", "b\\xe9"]
        print(f(words, 5000))
        try:
            f(["abc", 5], 100)
        except TypeError as e:
            print("TypeError", e)
        """)
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_for_over_tuples(prog, native):
    """A tuple is walked as a str is (its iterator keeps the index and the sequence where a list iterator
    does): floats, unpacked pairs, strings, an empty tuple, a nest whose bridge starts the inner walk again,
    and a break after which the same iterator goes on."""
    evs = check(prog, native, """\
        def f(t, n):
            s = 0.0
            k = 0
            for _ in range(n):
                for x in t:
                    s += x
                    k += 1
            return s, k

        def g(pairs):
            t = 0
            for a, b in pairs:
                t += a * b
            return t

        def h(names):
            it = iter(names)
            out = []
            for name in it:
                if name == "w1500":
                    break
                out.append(name)
            return len(out), out[-2:], list(it)[:3]

        print(f((1.5, 2.0, -0.25, 4.0), 2000))
        print(f((), 100))
        print(g(tuple([(i, i + 1) for i in range(3000)])))
        print(h(tuple(["w" + str(i) for i in range(2000)]) + ("zz", "aa")))
        """, compiled=("f", "g", "h"))
    for func in "fgh":
        no_string_aborts(evs, func)


@pytest.mark.parametrize("native", NATIVE)
def test_walks_over_subclass_instances_stay_in_the_interpreter(prog, native):
    """`for c in K("...")` with K a str subclass (its iterator is a plain str iterator, but the string is not
    laid out as an exact str's): the recording aborts, entries are refused, and no bridge grows from a guard
    that would fail at every step (the fuzzer found 857 bridges for this loop before)."""
    evs = check(prog, native, """\
        class K(str):
            pass

        class T(tuple):
            pass

        def f(s, n):
            t = 0
            for r in range(n):
                for c in s:
                    t += 1
            return t

        def g(s, n):
            t = 0
            for r in range(n):
                for c in s:
                    t += ord(c)
            return t

        print(f("abcdefghij", 500), f(K("abcdefghij"), 2000), f(T((1, 2, 3)), 2000))
        print(g(K("abc"), 1000), g("abc", 1000))
        """, compiled=("f",))
    assert len(events_for(evs, "bridge_recording", "f") + events_for(evs, "bridge_recording", "g")) <= 6


# ------------------------------------------------------------------------------------------------ new strings


@pytest.mark.parametrize("native", NATIVE)
def test_concatenation_and_slices_make_new_strings(prog, native):
    """`a + b` and `s[i:j]` (constant, negative, missing, variable and out-of-range bounds, of every string
    width) make new strs in machine code; the loop carries them in variables it owns (released when replaced),
    hands them to the frame at every exit, and the program sees the same strings and reference counts."""
    evs = check(prog, native, """\
        import sys

        def f(words, n):
            out = ""
            total = 0
            for i in range(n):
                w = words[i % len(words)]
                s = w + "-" + w[0:1]
                out = out + w[:2]
                k = i % 7 - 3
                total += len(s) + len(w[1:]) + len(w[-2:]) + len(w[1:-1]) + len(w[k:]) + len(w[:k])
                total += len(w[k:k + 2]) + len(w[i:]) + len(w[-i:]) + (w[1:3] == "lp") + ("et" in w[1:])
                if len(out) > 40:
                    out = out[10:]
            return out, total, s, sys.getrefcount(out), sys.getrefcount(s)

        words = ["alpha", "beta", "gamma", "d\\xe9j\\xe0", "\\u65e5\\u672c\\u8a9e", "\\U0001f600x", ""]
        for n in (5, 300, 3000):
            print(f(words, n))
        """)
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_new_strings_leave_at_every_kind_of_exit(prog, native):
    """New strings alive at a guard (in variables, on the value stack) are written back and released at the exit:
    a break right after a concatenation, a slice compared on the stack, an exception after a new string, and
    the loop running many times without its memory growing."""
    check(prog, native, """\
        import sys

        def f(s, n, stop):
            t = ""
            for i in range(n):
                t = t + s[i % len(s):]
                if len(t) > stop:
                    break
                if t[-3:] == s[:3]:
                    t = t[1:]
            return t

        def g(s, n):
            t = ""
            for i in range(n):
                t = s[: i % 5] + t[:20]
                q = 100 // (i - 700)
            return t

        for stop in (10, 100, 1000):
            print(len(f("abcdefg", 5000, stop)), f("xyz", 50, 10000)[-30:])
        try:
            g("hello", 1000)
        except ZeroDivisionError as e:
            print("raised", e)
        for k in range(20):
            f("abcdefg", 2000, 10 ** 9)
        before = sys.getallocatedblocks()
        for k in range(200):
            f("abcdefg", 2000, 10 ** 9)
        print("memory grows" if sys.getallocatedblocks() - before > 1000 else "memory steady")
        """, compiled=("f", "g"))


@pytest.mark.parametrize("native", NATIVE)
def test_new_strings_in_bridges(prog, native):
    """Branches that make strings get bridges: each owns what its exit owned and hands its strings back to the
    loop's variables. A bridge that leaves a new string in a variable the loop only borrows (`last = s` on a
    rare branch) gives the graveyard a reference, released when the native run ends."""
    evs = check(prog, native, """\
        def f(words, n):
            out = ""
            last = ""
            for i in range(n):
                w = words[i % len(words)]
                s = w + "!"
                if i % 3 == 0:
                    out = out + s[:1]
                else:
                    out = out + w[-1:]
                if len(out) > 30:
                    out = out[5:]
                if i % 11 == 5:
                    last = s
            return out, last

        print(f(["ab", "cde", "\\xe9t\\xe9", "\\u4e2d\\u6587"], 5000))
        """)
    assert len(events_for(evs, "bridge_compiled", "f")) >= 3
    assert not [e for e in events_for(evs, "bridge_abort", "f") if "compile" in e["reason"]]


@pytest.mark.parametrize("native", NATIVE)
def test_bridge_leaves_an_alias_of_a_new_string_to_the_loop(native):
    """Fuzz seed 1302414 (3.11, a segfault): `t2 = tt[:r]; last = t2` makes both variables owned by the loop,
    which holds one reference for each at its jump; at an exit between the slice and the jump the exit owns
    the string once. A bridge from there that touched neither variable left the loop one reference short.
    Such a bridge now reads the variable and takes its own reference at its jump (refcounts._read_owned_variables)."""
    from difftest import check_corpus_case
    check_corpus_case("fuzz_py311_1302414.py", f"threshold=2,bridge_threshold=2,native={native}")


@pytest.mark.parametrize("native", NATIVE)
def test_fstrings_and_str_of_ints(prog, native):
    """f"{name}-{i}", f"{i!s}" and str(i) of exact strs and ints (ints of every size the trace holds, negative
    ones too) make the strings the interpreter makes; the strings escape into a list, a dict lookup and the
    loop's variables. A format spec, !r, a float or a bool leave the loop to the interpreter."""
    evs = check(prog, native, """\
        def f(n, name, table):
            out = []
            total = 0
            key = ""
            for i in range(n):
                key = f"{name}-{i}"
                s = str(i * 7 - 5000) + f"{i % 13!s}" + str(name)
                total += len(key) + len(s) + len(f"{name}") + table.get(f"k{i % 5}", 0)
                if i % 997 == 0:
                    out.append(key)
                if i == n - 3:
                    total += len(str(2 ** 59 + i)) + len(f"{-2 ** 62}/{i}/{name}/{i}/{i}")
            return total, out[-3:], key, s

        def g(n):
            t = 0
            for i in range(n):
                t += len(f"{i:>5}") + len(f"{i!r}") + len(str(i * 0.5)) + len(str(i > 3))
            return t

        table = {"k1": 10, "k3": 30}
        print(f(5000, "node", table), f(300, "x\\xe9", table), f(100, "\\u4e2d", {}))
        print(g(500))
        """, compiled=("f",))
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_str_methods(prog, native):
    """Methods of str called from machine code (CPython's own, through PyObject_Vectorcall): results that are
    strs, ints (in arithmetic) and bools (in conditions), int arguments computed in the loop (boxed for the
    call, released after), `sep.join([a, b])` of a list the trace never makes and join of a real list,
    constant receivers, and str.index raising ValueError at an exit (the interpreter raises it, with the same
    traceback), with memory not growing over many runs."""
    evs = check(prog, native, """\
        import sys

        def f(words, n):
            t = 0
            out = []
            acc = ""
            parts = ["p", "q"]
            for i in range(n):
                w = words[i % len(words)]
                u = w.upper()
                t += w.find("a") + w.count("e", 1) + len(w.strip("x")) + w.rfind("a", 0, i % 5)
                if w.startswith("al") or w.endswith(u[-1:].lower()):
                    t += 1
                if w.isalpha():
                    t += 2
                acc = "-".join([u, w.replace("a", "A"), w.zfill(i % 9)])[-20:] + ",".join(parts)
                if i % 97 == 0:
                    out.append(w.center(9, "*"))
            return t, acc, out[-2:]

        def g(words, n):
            t = 0
            for i in range(n):
                t += words[i % len(words)].index("a")
            return t

        words = ["alpha", "beta", "gamma", "x\\xe9x", "\\u4e2d\\u6587"]
        print(f(words, 3000))
        print(g(["abc", "bca", "cab"], 3000))
        for k in range(10):
            f(words, 500)
        before = sys.getallocatedblocks()
        for k in range(100):
            f(words, 500)
        print("memory grows" if sys.getallocatedblocks() - before > 1000 else "memory steady")
        g(["abc", "bca", "xyz"], 3000)
        """, compiled=("f", "g"))
    no_string_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_exit_of_a_bridge_owns_a_variable_it_only_read(native):
    """Fuzz seed 1706963 (3.12, a segfault): a bridge read `sb`, which the loop owns, without changing it; its
    exits store only what it changed, so the exit's ownership of sb's string was given a release slot, and the
    bridge grown there released the string the loop's variable still held. Such a value's place is now the
    variable itself (refcounts._storing)."""
    from difftest import check_corpus_case
    check_corpus_case("fuzz_py312_1706963.py", f"threshold=3,bridge_threshold=3,native={native}")


@pytest.mark.parametrize("native", NATIVE)
def test_bridge_increfs_a_borrowed_alias_before_releasing_its_owned_input(native):
    """Fuzz seed 3301064 (3.11, 3.12 and 3.13, a segfault): `t2 = tt[0:2]; last = t2; t2 = ss[i % 2 - 1:]`
    leaves one new string, owned once, in t2 and last at the exit of the slice's sign guard. The bridge from
    there owned t2's input and released it after its last use, then gave the loop its own reference to last,
    the same object, freed by then. Such a bridge now keeps its owned inputs until the jump, after the increfs
    (refcounts.place_releases)."""
    from difftest import check_corpus_case
    check_corpus_case("fuzz_py312_3301064.py", f"threshold=2,bridge_threshold=1,short_run=0,native={native}")


@pytest.mark.parametrize("native", NATIVE)
def test_bridge_exits_store_a_reassigned_variable_not_its_owned_input(native):
    """Fuzz seed 4603649 (a wrong result on 3.13): a bridge owning the loop's `last` keeps that input until its
    jump (see the test above); after `last = t2` its exits' snapshots hold t2 in `last`, and the pass placing
    the releases put the old input back there (stale by one iteration). It is now released at such exits as
    an extra (refcounts._storing)."""
    from difftest import check_corpus_case
    check_corpus_case("fuzz_py313_4603649.py", f"threshold=1,bridge_threshold=1,cost_model=0,native={native}")


@pytest.mark.parametrize("native", NATIVE)
def test_percent_formats_of_strs_and_ints(prog, native):
    """`fmt % args` with %s, %d, %i and %% of exact strs and ints is built as an f-string is (int_to_str,
    str_build; more than five pieces joined five at a time), on every version; the values' types change (a
    float, a bool, a str for %d, a tuple for %s) and formats the trace does not build (a width, a mapping, %r)
    go to the interpreter, which computes or raises the same."""
    evs = check(prog, native, """\
        def f(n, tail):
            out = []
            t = 0
            for i in range(n):
                s = "v%d" % i
                u = "%s-%i:%s%%|%d" % (s, i * 3, "x", -i)
                w = "%s%s%s%s%s%s%s" % (s, "a", i, "b", s, "c", 7)
                t += len(s) + len(u) + len(w)
                if i % 400 == 0:
                    out.append(u + w)
                v = i if i < n - 6 else tail[i - (n - 6)]
                try:
                    out.append("<%d/%s>" % (v, v))
                except TypeError as e:
                    out.append(type(e).__name__ + str(e))
            return t, out[:3], out[-8:]

        print(f(2000, [1.5, True, "s", (1, 2), -5, 2 ** 70]))
        print(f(300, [7, 8, 9, 10, 11, 12]))

        def g(n):
            t = []
            for i in range(n):
                t.append("%5d|%(k)s" % {"k": i} if i % 2 else "%r" % (i,))
                t.append("%s" % ((i, i),))
            return t[-4:]

        print(g(600))
        """, compiled=("f",))
    names = [e for e in events_for(evs, "abort", "f")]
    assert not names, names
