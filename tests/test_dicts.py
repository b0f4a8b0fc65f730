"""Dicts in traces: differential tests against plain CPython.

`d[k]`, `k in d`, `len(d)` and `d.get(k[, default])` with an exact str key compile to the C calls the
interpreter makes, behind a guard that the dict's keys are all strs. Each program runs plainly and under the JIT
(machine code and the IR interpreter); output, tracebacks and exit status must be identical and the loop must
compile. The programs miss keys (KeyError from the interpreter), switch to a dict with keys of other types,
change the dict between runs of the loop, and use instance dicts (CPython's split keys).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for, failures  # noqa: E402



def no_dict_aborts(evs: list[dict], func: str = "f") -> None:
    aborts = [e["reason"] for e in events_for(evs, "abort", func)]
    assert not [r for r in aborts if "dict" in r and "keys of other types" not in r], aborts


@pytest.mark.parametrize("native", NATIVE)
def test_reads_contains_get_and_len(prog, native):
    evs = check(prog, native, """\
        def f(words, counts, n):
            t = missing = 0
            for i in range(n):
                w = words[i % len(words)]
                if w in counts:
                    t += counts[w]
                else:
                    missing += 1
                t += counts.get(w, 100) + len(counts)
                if counts.get(w) is None:
                    missing += 10
                if w not in counts:
                    missing += 100
            return t, missing

        words = ["a", "bb", "ccc", "dd", "e", "zz", "\\u0101", ""]
        counts = {"a": 1, "bb": 2, "ccc": 3, "e": 5, "\\u0101": 7, "": -1}
        print(f(words, counts, 3000))
        counts["dd"] = 4
        del counts["a"]
        print(f(words, counts, 3000))
        general = dict(counts)
        general[5] = 1
        del general[5]                  # its keys stay of the general kind: the guard fails
        print(f(words, general, 300))
        print(f(words, {}, 300))
        """)
    no_dict_aborts(evs)
    assert failures(evs, "f", "key")


@pytest.mark.parametrize("native", NATIVE)
def test_missing_key_raises_from_the_interpreter(prog, native):
    evs = check(prog, native, """\
        def f(names, table, n):
            t = 0
            for i in range(n):
                t += table[names[i % len(names)]]
            return t

        table = {"x": 1, "y": 2, "z": 3}
        print(f(["x", "y", "z"], table, 2000))
        try:
            f(["x", "y", "z", "x", "q"], table, 2000)
        except KeyError as e:
            print("KeyError", e)
        f(["x", "w"], table, 10)
        """)
    no_dict_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_instance_dicts_and_values_of_any_type(prog, native):
    evs = check(prog, native, """\
        class Config:
            pass

        def f(d, keys, n):
            out = []
            for i in range(n):
                v = d[keys[i % len(keys)]]
                out.append(v)
            return len(out), out[-4:], sum(1 for v in out if v is None)

        c = Config()
        c.alpha, c.beta, c.gamma = 1.5, None, [1, 2]
        print(f(c.__dict__, ["alpha", "beta", "gamma"], 2000))
        print(f(vars(c), ["gamma", "alpha"], 2000))
        print(f({"k": "v", "w": (1, 2)}, ["k", "w"], 2000))
        """)
    no_dict_aborts(evs)


@pytest.mark.parametrize("native", NATIVE)
def test_for_over_keys_values_and_items(prog, native):
    """A dict's keys, values and items walked (PyDict_Next's positions: holes of deleted keys, a split
    instance dict, an empty dict), a break after which the same iterator goes on, a dict changed between
    two walks of one iterator (the interpreter raises), keys of other types."""
    evs = check(prog, native, """\
        def f(d):
            t = 0
            for k in d:
                t += len(k)
            for v in d.values():
                t += v
            n = 0
            for k, v in d.items():
                if k > "k5":
                    n += v
            return t, n

        def g(d, stop):
            it = iter(d.items())
            s = 0
            for k, v in it:
                s += v
                if k == stop:
                    break
            return s, it

        d = dict.fromkeys(["k" + str(i) for i in range(2000)], 3)
        print(f(d))
        for i in range(0, 2000, 3):
            del d["k" + str(i)]
        print(f(d))
        s, it = g(d, "k500")
        print(s, next(it))
        d["k0"] = 1                     # the iterator's dict changed size
        try:
            for k, v in it:
                s += v
        except RuntimeError as e:
            print("RuntimeError", e)

        class C:
            pass
        c = C()
        c.a, c.b, c.zz = 1, 2, 5
        print(f(c.__dict__), f({}))
        print(g({1: 2, 3: 4, 5: 6}, 3)[0])
        """, compiled=("f", "g"))
    no_dict_aborts(evs, "f")
    no_dict_aborts(evs, "g")


@pytest.mark.parametrize("native", NATIVE)
def test_bridge_from_an_exit_where_an_object_variable_held_an_int(native):
    """Fuzz seed 835315 (3.12, a segfault): the loop keeps x3 as an object (a dict value); a bridge holds an
    unboxed int in it at one of its exits; the bridge from that exit wrote x3 before reading it, took its input
    as an object, and its earlier exits boxed the int's bits as a pointer. A bridge's inputs now have the kind
    the buffer holds at its exit (TraceRecorder._held_kind)."""
    from difftest import check_corpus_case
    check_corpus_case("fuzz_py312_835315.py", f"threshold=2,bridge_threshold=2,native={native}")


@pytest.mark.parametrize("native", NATIVE)
def test_dict_stores(prog, native):
    """d[k] = v for an exact dict with str keys and an exact str key (PyDict_SetItem from the machine code):
    counting words, inserting new keys (new strings among them), numbers boxed into new objects, bools, None and
    strs stored; the old value waits in the graveyard (a variable still holds one here); a dict that gets an int
    key or holds a value of a type whose release could run Python code leaves the trace."""
    evs = check(prog, native, """\
        class Tracked:
            def __del__(self):
                print("del Tracked")

        def count(words, n):
            counts = {}
            last = None
            for i in range(n):
                w = words[i % len(words)]
                last = counts.get(w)
                counts[w] = counts.get(w, 0) + 1
                key = w[:2] + "!"
                counts[key] = counts.get(key, 0.5) * 1.5 if len(counts) < 50 else False
            return sorted(counts.items()), last

        def mixed(n):
            d = {"a": None, "b": "x"}
            for i in range(n):
                d["a"] = i % 3 == 0
                d["b"] = d["b"][-3:] + "y"
                if i == n - 10:
                    d[1] = 1
                if i == n - 5:
                    d["c"] = Tracked()
                d["c"] = i
            return d

        print(count(["alpha", "beta", "gamma", "x\\xe9", "\\u4e2d\\u6587"], 20000))
        print(mixed(2000))
        print("end")
        """, compiled=("count", "mixed"))
    assert not [e for e in events_for(evs, "abort", "count") if "dict" in e["reason"] or "store" in e["reason"]]


@pytest.mark.parametrize("native", NATIVE)
def test_the_globals_dict_read_and_written_as_a_dict(prog, native):
    """The trace keeps the globals it assigns in registers until an exit writes them back, so it never reads or
    writes them through the globals dict itself (`g = globals()`): such an operation aborts the recording, and a
    dict that is the globals only when the trace runs leaves it. The results are plain CPython's: a callee that
    assigns G and then stores G through the dict, a loop that reads what it assigned through the dict."""
    evs = check(prog, native, """\
        G = 0
        total = 0
        out = []

        def setg(g, i):
            global G
            G = i
            g["G"] = i * 3
            out.append(G)

        def f(n):
            g = globals()
            for i in range(n):
                setg(g, i)
            return sum(out), G

        def h(n, d):
            global total
            s = 0
            for i in range(n):
                total += i
                s += d["total"] + len(d)
            return s, total

        print(f(3000))
        print(h(3000, {"total": 5}))
        print(h(3000, globals()))
        """, compiled=("h",))
    assert [e for e in events_for(evs, "abort", "f") if "globals" in e["reason"]], evs
