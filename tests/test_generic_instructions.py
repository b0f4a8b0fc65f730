"""More instructions on the generic path (CPython 3.12+): `in` / `not in` of any container (PySequence_Contains),
calls with keyword arguments or of functions the trace does not inline (PyObject_Vectorcall with names), `for`
over any iterator (PyIter_Next), STORE_DEREF (PyCell_Set; over numbers and strs it is a store in the machine
code, on every version), and slices stored, deleted and stepped (PyObject_SetItem / DelItem / GetItem of the
slice object the trace makes). Each test runs against plain CPython (output, tracebacks, exit status) with the loop
compiled (on 3.11, where calls that may run Python code are not recorded, the loop runs as plain Python and the
recording aborts).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from test_deopt import NATIVE, check, events_for  # noqa: E402
from test_generic import GENERIC, run  # noqa: E402


@pytest.mark.parametrize("native", NATIVE)
def test_in_and_not_in_of_any_container(prog, native):
    evs = run(prog, native, """\
        class Bag:
            def __init__(self, items):
                self.items = items
            def __contains__(self, x):
                return x in self.items

        class Eq:
            def __init__(self, v):
                self.v = v
            def __eq__(self, o):
                return self.v == o

        def f(n):
            lst, tup, st, fs = [1, 5, 9, 13], (2, 4, 8), {3, 6, 9}, frozenset({0, 15})
            d, bag, objs = {1: "a", 4: "b"}, Bag([0, 7, 14]), [Eq(3), Eq(5), 7]
            hits = 0
            for i in range(n):
                k = i % 16
                if k in lst:
                    hits += 1
                if k not in tup:
                    hits += 2
                if k in st:
                    hits += 4
                if k in d:                  # an int key: not the str-keyed dict lookup
                    hits += 8
                if k in bag:
                    hits += 16
                hits += (k in fs) + 10 * (k not in objs) + 100 * (k in objs)
            return hits

        print(f(3000))
        print(f(7))
        """)
    if GENERIC:
        # (Bag.__contains__ is inlined first; its own `in` of a list is a generic call, which an inlined call
        # may not make: the next recording calls Bag.__contains__ on the generic path)
        reasons = [e["reason"] for e in events_for(evs, "abort", "f")]
        assert all("inside an inlined call (PySequence_Contains in __contains__)" in r for r in reasons), reasons


@pytest.mark.parametrize("native", NATIVE)
def test_in_raises_at_the_instruction(prog, native):
    run(prog, native, """\
        import sys

        class Bag:
            def __contains__(self, x):
                if x == 777:
                    raise ValueError(f"no 777 (line {sys._getframe(1).f_lineno})")
                return x % 3 == 0

        def f(n):
            b = Bag()
            t = i = 0
            try:
                for i in range(n):
                    x = i if i < n - 100 else 777
                    if x in b:
                        t += 1
            except ValueError as e:
                print("caught", e, t, i)
            w = 0
            for i in range(n):
                w += (i in "abc") if i > n - 50 else 1      # TypeError: not a str
            return w

        f(1000)
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_store_deref_of_numbers_and_strs(prog, native):
    """A cell of the loop's frame assigned in the loop (a variable a nested function captures; `nonlocal` in
    a closure's loop): compiled on every version, the closure sees each value."""
    check(prog, native, """\
        def outer(n):
            total, count, name = 0, 0.0, "x"
            seen = []
            def peek():
                return total, count, name
            for i in range(n):
                total += i
                count += 0.5
                name = "s" if i % 2 else "t"
                if i % 97 == 0:
                    seen.append(peek())
            def inner():
                nonlocal total
                for j in range(n):
                    total += j * 2
                    if j == n - 5:
                        total = total * 1.5         # another type: the guard on the old contents fails
                return total
            return peek(), inner(), seen

        print(outer(300))
        print(outer(4))
        """, compiled=("outer", "inner"))


@pytest.mark.parametrize("native", NATIVE)
def test_store_deref_over_objects_with_del(prog, native):
    """Over an object whose release runs Python code (a __del__), STORE_DEREF is PyCell_Set on the generic
    path: the __del__ runs at the store, as in the interpreter."""
    run(prog, native, """\
        class D:
            def __init__(self, i):
                self.i = i
            def __del__(self):
                if self.i % 50 == 0:
                    print("del", self.i)

        def f(n):
            obj = D(-1)
            def holder():
                return obj.i
            for i in range(n):
                obj = D(i)
            return holder()

        print(f(300))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_keyword_calls_and_functions_not_inlined(prog, native):
    """Calls with keyword arguments of what the trace does not inline (classes, methods, C functions, functions
    with keyword-only parameters) and calls of up to 9 arguments: PyObject_Vectorcall with the names of the
    keyword arguments; a TypeError of a wrong call raised by the call, at the instruction."""
    run(prog, native, """\
        class P:
            def __init__(self, x, y=0, *, scale=1):
                self.x, self.y, self.scale = x, y, scale
            def moved(self, dx=0, dy=0, *, times=1):
                return P(self.x + dx * times, self.y + dy * times, scale=self.scale)

        def nine(a, b, c, d, e, f, g, h, i):
            return a + b * c - d + e * f - g + h * i

        def boom(x, *, fail=False):
            if fail:
                raise KeyError(f"boom {x}")
            return x

        def f(n):
            acc = 0
            p = P(0, scale=2)
            words = ["bb", "a", "ccc"]
            out = []
            for i in range(n):
                q = P(i, y=i % 3, scale=3)
                p = p.moved(dx=1, times=2)
                acc += q.y + nine(i, 1, 2, 3, 4, 5, 6, 7, 8)
                acc += len(sorted(words, key=len, reverse=(i % 2 == 0))[0])
                acc += int("11", base=2) + (round(i / 7, ndigits=2) > 3)
                try:
                    boom(i, fail=(i == n - 7))
                except KeyError as e:
                    out.append(str(e))
                try:
                    boom(i, flail=True) if i == n - 3 else None
                except TypeError as e:
                    out.append(str(e))
            return acc, p.x, p.y, p.scale, out

        print(f(300))
        print(f(9))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_for_over_any_iterator(prog, native):
    """`for x in it` over a generator, map, a set, reversed(), itertools, enumerate or zip of generators and a
    user class's __next__: PyIter_Next; the end leaves the trace past the loop with the iterator released there
    (its __del__ runs before the next statement), and is never asked twice (an iterator that would go on after
    its StopIteration shows it); an exception of __next__ is raised at the FOR_ITER."""
    evs = run(prog, native, """\
        import itertools

        class Flaky:
            def __init__(self, n):
                self.n, self.ended = n, False
            def __iter__(self):
                return self
            def __next__(self):
                if self.n == 0 and not self.ended:
                    self.ended = True
                    raise StopIteration
                self.n -= 1
                return self.n
            def __del__(self):
                print("Flaky released", self.n)

        class Boom:
            def __init__(self, n):
                self.n = n
            def __iter__(self):
                return self
            def __next__(self):
                self.n -= 1
                if self.n == 3:
                    raise ValueError(f"boom {self.n}")
                return self.n

        def gen(n):
            for i in range(n):
                yield i * 3

        def f(n):
            t = 0
            for x in gen(n):
                t += x
            for x in map(abs, range(-n, n)):
                t += x
            for x in {1, 2, 3, 40}:
                t += x
            for i, x in enumerate(gen(n)):
                t += i * x
            for x, y in zip(gen(n), itertools.count()):
                t += x - y
            for x in reversed(range(n)):
                t ^= x
            fl = Flaky(n)
            for x in fl:
                t += x
            print("after the loop", t, fl.n, next(fl))
            del fl
            for x in Flaky(n):
                t -= x
            print("after the second loop", t)
            try:
                for x in Boom(n):
                    t += x
            except ValueError as e:
                print("caught", e, t)
            return t

        print(f(500))
        print(f(4))
        """)
    if GENERIC:
        assert not events_for(evs, "abort", "f"), events_for(evs, "abort", "f")
        assert len({e["loop"] for e in events_for(evs, "compiled", "f")}) == 9


@pytest.mark.parametrize("native", NATIVE)
def test_reference_counts_seen_by_getrefcount(prog, native):
    """The trace owns what it still uses across a call that may run Python code: sys.getrefcount (or
    gc.get_referrers) called in the loop would see that reference, so such a loop is left to the interpreter."""
    evs = check(prog, native, """\
        import gc
        import sys
        from sys import getrefcount as rc

        class B:
            def __init__(self, i):
                self.i = i

        def f(n):
            counts = []
            for i in range(n):
                m = B(i)
                counts.append(sys.getrefcount(m) * 100 + rc(m) * 10 + len(gc.get_referrers(m)))
            return sorted(set(counts))

        print(f(300))
        """, compiled=(), params="cost_model=0")
    assert not events_for(evs, "compiled", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_a_function_making_generic_calls_is_called_not_inlined(prog, native):
    """A call that may run Python code inside an inlined function (a method call in a helper) aborts the
    recording, and the next one calls that helper on the generic path instead of inlining it; the other helper
    is still inlined."""
    evs = run(prog, native, """\
        class Acc:
            def __init__(self):
                self.items = []
            def add(self, x, *, times=1):       # (keyword-only: called on the generic path, not inlined)
                self.items.append(x * times)

        def helper(acc, i):
            acc.add(i * 2)
            return i + 1

        def plain(i):
            return i * 3

        def f(n):
            acc = Acc()
            t = 0
            for i in range(n):
                t += helper(acc, i) + plain(i)
            return t, len(acc.items), sum(acc.items)

        print(f(500))
        print(f(5))
        """)
    if GENERIC:
        assert [e.get("not_inlined") for e in events_for(evs, "abort", "f")] == ["helper"]


@pytest.mark.parametrize("native", NATIVE)
def test_slices_stored_deleted_and_stepped(prog, native):
    """STORE_SLICE, DELETE_SUBSCR (of an item and of a slice), slices with a step and slices of a Python class:
    the interpreter's slice object (made in the trace: call_c of `slice`), then PyObject_SetItem / DelItem /
    GetItem on the generic path. A class sees the very slice objects it would see without the JIT; a missing
    key's KeyError is raised at the `del` (its line in the traceback) and caught in the loop. A stepped slice of
    an exact list is its own __getitem__, no generic call (else `perm[0]`, read before it and added after, would
    be a borrowed item used after a call that may run Python code: the loop would not compile)."""
    run(prog, native, """\
        class Log:                      # (keyword-only arguments: called, not inlined: the generic path)
            def __init__(self):
                self.items = list(range(12))
                self.seen = []
            def __getitem__(self, k, *, unused=None):
                self.seen.append(k)
                return self.items[k]
            def __setitem__(self, k, v, *, unused=None):
                self.seen.append(k)
                self.items[k] = v
            def __delitem__(self, k, *, unused=None):
                self.seen.append(k)
                del self.items[k]

        def f(n):
            perm = list(range(9))
            d = {}
            lst = []
            log = Log()
            total = 0
            misses = []
            for i in range(n):
                k = i % 8 + 1
                perm[:k + 1] = perm[k::-1]
                total += perm[0] + sum(perm[1:7:2])
                d[i] = i
                lst.append(i)
                if i >= 3:
                    del d[i - 3]
                    del lst[0]
                del lst[1:1]
                try:
                    del d[-1 if i % 97 == 5 else i]
                except KeyError as e:
                    misses.append((e.args, e.__traceback__.tb_lineno))
                d[i] = i
                log[2:4] = [i, i + 1]
                total += len(log[::3]) + log[i % 5:][0]
                del log[5:6]
                log.items.append(i)
            return total, perm, sorted(d), lst, log.items, log.seen[-8:], len(log.seen), misses[:3], len(misses)

        print(f(3000))
        print(f(7))
        """)


@pytest.mark.parametrize("native", NATIVE)
def test_a_fresh_iterator_of_a_bridge_outlives_the_calls(prog, native):
    """A bridge that starts an inner `for` loop's next iterator over a new list (`a[:10]`, `a[::2]`) leaves the
    list where only the loop's graveyard keeps it (no frame slot, no iterator object holds it); a call that may
    run Python code empties the graveyard (its deferred releases run there). Such a bridge is not compiled
    in a loop with such calls, nor such a call's bridge in a loop with such a bridge: the list was freed while
    the loop still read it (the next list made took its memory: wrong items, the inner loop ended early)."""
    evs = check(prog, native, """\
        def calls_first(n):
            a = list(range(20))
            out = []
            for i in range(n):
                for x in a[::2]:
                    out.append(x)
                    a[0:1] = []
                    a[len(a):] = [i]
            return out[-5:], len(out), a

        def bridge_first(n):
            a = list(range(20))
            out = []
            d = {}
            for i in range(n):
                for x in a[:10]:
                    out.append(x)
                    if i > 30 and x % 3 == 0:
                        d[(x, 1)] = i
                        out.append([i, i])
                    a.pop(0)
                    a.append(i)
            return out[-6:], len(out), a, len(d)

        def also_owned(n):              # the new list is a variable the loop owns too, then rebound
            a = list(range(20))
            out = []
            for i in range(n):
                b = a[:10]
                for x in b:
                    out.append(x)
                    a[0:1] = []
                    a[len(a):] = [i]
                    b = [i, x]
            return out[-6:], len(out), sum(out)

        def owned_not_new(n):           # the list a loop-owned variable holds, rebound in the inner loop
            a = list(range(20))
            out = []
            b = list(range(10))
            for i in range(n):
                for x in b:
                    out.append(x)
                    a[0:1] = []
                    a[len(a):] = [i]
                    b = [i, x, i + x, 7]
            return out[-6:], len(out), sum(out)

        print(calls_first(50))
        print(bridge_first(80))
        print(also_owned(300))
        print(owned_not_new(300))
        """, compiled=("calls_first", "bridge_first", "also_owned", "owned_not_new") if GENERIC else ("bridge_first",),
        params="little_left=0,cost_model=0,spend_ms=0,bridge_threshold=1")
    if GENERIC:
        for func in ("calls_first", "also_owned", "owned_not_new"):
            assert any("only the graveyard keeps" in e.get("reason", "") for e in events_for(evs, "bridge_abort",
                                                                                              func)), (func, evs)
        assert any("would empty the graveyard" in e.get("reason", "") for e in events_for(evs, "bridge_abort",
                                                                                           "bridge_first")), evs


@pytest.mark.parametrize("native", NATIVE)
def test_star_arguments_and_unpacking_into_lists(prog, native):
    """`f(*args)` of a tuple or a list (PyObject_CallObject on the generic path, 3.12+; a list made a tuple as the
    interpreter does), `f(x, *a)` and `[*a, *b]` (list.extend of an exact list or tuple, and the list made a
    tuple, through C functions that run no Python code: compiled on 3.11 too), including a callee that raises,
    an argument count that stops fitting (TypeError at the call) and an iterable of another kind (a range)."""
    evs = check(prog, native, """\
        import traceback

        def g(a, b, c=0):
            if a == 1700:
                raise ValueError("bad a")
            return a * 3 + b - c

        def h(*args):
            return len(args) + sum(args)

        def f(n):
            t = 0
            for i in range(n):
                tup = (i, 2)
                lst = [i, 1, 2]
                if i == 2400:
                    lst.append(5)           # g(*lst): four arguments for three
                try:
                    t += g(*lst) + h(*tup) + h(i, *tup) + h(*[i, *lst])
                except (ValueError, TypeError):
                    traceback.print_exc()
                    t += 1
                t += len([*tup, *lst]) + sum([*lst, i, *tup])
                if i > 2900:
                    t += h(*range(i % 3))   # neither a list nor a tuple: the interpreter's
            return t

        def unpack_only(n):
            t = 0
            for i in range(n):
                a, b = (i, 3), [i, i]
                t += len([*a, *b, *a]) + [*b, *a][2]
            return t

        print(f(3000), unpack_only(3000))
        """, compiled=("f", "unpack_only") if GENERIC else ("unpack_only",), params="cost_model=0")
    if not GENERIC:
        assert events_for(evs, "abort", "f"), "the loop was not even recorded"


@pytest.mark.parametrize("native", NATIVE)
def test_functions_made_in_the_loop(prog, native):
    """Lambdas, nested functions and generator expressions made in the loop (MAKE_FUNCTION through call_c of
    types.FunctionType, its defaults and cells: LOAD_CLOSURE, 3.13's SET_FUNCTION_ATTRIBUTE; GET_ITER of the
    generator expression's iterable), called on the generic path (3.12+), and a call rule's form it does not
    compile (sum() of a generator) taken by the generic path too. The functions made are the interpreter's:
    names, defaults, cells, module. On 3.11 only the loop that keeps its functions compiles."""
    evs = check(prog, native, """\
        def f(n):
            rows = [[1, -2, 3], [4, 5, 6], [-7, 8, 9]]
            t = 0
            for i in range(n):
                row = rows[i % 3]
                k = i % 5
                t += any(x > k for x in row)
                t += sum(x * k for x in row)
                g = lambda y, d=k: y + d
                t += g(i) + g(1, 2)
                t += sorted(row, key=lambda v: -v)[0]
                t += len(list(map(lambda v: v + 1, row)))
            return t

        def cells(n):
            t = 0
            for i in range(n):
                def add(y):
                    return y + i
                t += add(3) + (lambda: i * 2)()
            return t

        def kept(n):
            made = []
            for i in range(n):
                made.append(lambda d=i: d * 2)
                made.append(lambda: i)
            return made

        print(f(3000), cells(3000))
        made = kept(3000)
        print(len(made), made[10](), made[11](), made[-1](), made[0].__qualname__, made[1].__qualname__)
        print(made[0].__module__, made[0].__defaults__, made[1].__closure__[0].cell_contents, made[0] is made[2])
        print(made[1].__code__ is made[3].__code__, made[1].__closure__[0] is made[3].__closure__[0])
        """, compiled=("f", "cells", "kept") if GENERIC else ("kept",), params="cost_model=0")
    if not GENERIC:
        assert events_for(evs, "abort", "f"), "the loop was not even recorded"


@pytest.mark.parametrize("native", NATIVE)
def test_functions_made_in_the_loop_raise_no_audit_event(prog, native):
    """MAKE_FUNCTION raises no audit event; types.FunctionType() does ("function.__new__"), and an audit hook is
    Python code: the trace makes functions as the interpreter does (found by review: 279 events for 0)."""
    check(prog, native, """\
        import sys
        events = []

        def hook(ev, args):
            if ev.startswith("function.") or ev == "object.__setattr__":
                events.append(ev)

        sys.addaudithook(hook)

        def f(n):
            t = 0
            for i in range(n):
                g = lambda x, d=i: x + d + i
                t += len((g, lambda: i))
            return t

        print(f(3000), len(events), events[:3])
        """, compiled=("f",), params="cost_model=0")


@pytest.mark.parametrize("native", NATIVE)
def test_builtins_of_what_they_do_not_compute_with_take_the_generic_path(prog, native):
    """float(), int(), abs(), round(), divmod(), min(), max(), range(), chr() and math functions of a str, an int
    beyond 64 bits or an instance with __float__ / __index__ are calls on the generic path (they used to abort the
    recording: "operand of type str"); float() and int() of a constant str are constants of the trace; a str that
    does not convert raises the interpreter's ValueError at its line."""
    evs = run(prog, native, """\
        import math

        class Num:
            def __init__(self, v):
                self.v = v
            def __float__(self):
                return self.v / 2
            def __index__(self):
                return self.v

        def f(n):
            best = float("inf")
            t = 0.0
            k = 0
            for i in range(n):
                s = str(i % 7)
                t += float(s) + int(s) + float("-2.5") + int(" 12 ")
                k += abs(i - 10 ** 20) % 7 + len(range(Num(i % 5))) + int(Num(3))
                t += math.sqrt(Num(i % 9)) + float(Num(i % 4))
                best = min(best, t)
            return t, k, best

        def g(n):
            for i in range(n):
                v = float("1e3") if i < n - 1 else float("x" * (i % 2 + 1))
            return v

        print(f(3000))
        print(f(3))
        try:
            g(500)
        except ValueError as e:
            print("ValueError", e)
        """, funcs=("f", "g"))
    if GENERIC:
        assert not events_for(evs, "abort", "f"), events_for(evs, "abort", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_unary_operators_of_objects_and_the_truth_of_dicts(prog, native):
    """`-obj`, `+obj`, `~obj` of an object the trace does not compute with (a Python class's __neg__, an int
    beyond 64 bits in a list) are PyNumber_Negative / Positive / Invert on the generic path, raising where the
    interpreter raises; `if d:` and `not d` of a dict read its size (no call: it used to abort the recording).
    (The loops also call what 3.11 does not record.)"""
    evs = run(prog, native, """\
        class V:
            def __init__(self, x):
                self.x = x
            def __neg__(self):
                return V(-self.x)
            def __pos__(self):
                return V(self.x + 1)
            def __invert__(self):
                if self.x == 2999:
                    raise ArithmeticError("no ~2999")
                return V(~self.x)

        def f(n):
            t = 0
            bigs = [10 ** 30, -(10 ** 25)]
            v = V(3)
            for i in range(n):
                t += (-v).x + (+v).x + (~V(i)).x
                t += (-bigs[i % 2]) % 7 + (~bigs[i % 2]) % 5
            return t

        def h(n):
            d = {}
            t = 0
            for i in range(n):
                if d:
                    t += 1
                if not d:
                    t += 10
                if i % 5 == 0:
                    d[i] = i
                else:
                    d.clear()
            return t

        print(f(2000))
        try:
            print(f(3000))
        except ArithmeticError as e:
            print("ArithmeticError", e)
        print(h(3000))
        """, funcs=("f", "h"))
    if GENERIC:
        assert not [e for e in events_for(evs, "abort", "f") if "operand" in e["reason"]], events_for(evs, "abort", "f")


TO_BOOL = sys.version_info >= (3, 13)      # a truth test is its own instruction (TO_BOOL), whose result is pushed


@pytest.mark.parametrize("native", NATIVE)
def test_the_truth_of_objects_on_the_generic_path(prog, native):
    """`if obj:` / `while obj:` / `not obj` of an object whose truth the trace does not know (a class with __bool__
    or __len__, a set) is PyObject_IsTrue on the generic path on 3.13 (TO_BOOL pushes the result); a __bool__
    that raises does so at its line, as plain CPython. (3.12 tests a truth inside its jump instruction, whose
    result the recording cannot read: there the recording aborts, as before.)"""
    evs = check(prog, native, """\
        class Sized:
            def __init__(self, n):
                self.n = n
            def __len__(self):
                return self.n % 3

        class Flag:
            def __init__(self, v):
                self.v = v
            def __bool__(self):
                if self.v == 2500:
                    raise ValueError("no truth for 2500")
                return self.v % 2 == 0

        def f(n):
            t = 0
            seen = set()
            for i in range(n):
                if Sized(i):
                    t += 1
                if not Flag(i):
                    t += 10
                if seen:
                    t += 100
                if i % 4 == 0:
                    seen.add(i)
                else:
                    seen.clear()
            return t

        print(f(2000))
        try:
            print(f(3000))
        except ValueError as e:
            print("ValueError", e)
        """, compiled=("f",) if TO_BOOL else (), params="cost_model=0")
    if TO_BOOL:
        assert not events_for(evs, "abort", "f"), events_for(evs, "abort", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_a_range_the_program_uses_as_an_object(prog, native):
    """range() whose result a `for` does not walk at once (kept in a variable, indexed, passed to reversed() or
    len()) is made by the generic path's call of range (it used to abort the recording: "an exit would need a
    range the trace did not allocate", "operand is not a modelled value"). (A range a bridge's inner `for` walks
    at once stays that iterator's state, never made.)"""
    evs = run(prog, native, """\
        def f(n):
            t = 0
            for i in range(n):
                r = range(i % 7, 20, 3)
                t += len(r) + (r[1] if len(r) > 1 else -1) + next(reversed(range(i % 5 + 1)))
            return t

        print(f(3000))
        """)
    if GENERIC:
        assert not [e for e in events_for(evs, "abort", "f") if "range" in e["reason"]], events_for(evs, "abort", "f")


@pytest.mark.parametrize("native", NATIVE)
def test_str_methods_given_other_arguments_take_the_generic_path(prog, native):
    """`sep.join(a generator)` or `sep.join(map(...))`, `s.startswith(an int)` (a TypeError the interpreter
    raises): a str method whose rule does not take the argument is called on the generic path (it used to abort
    the recording: "str.join() of generator"); `sep.join([a, b])` is still built in the trace."""
    evs = run(prog, native, """\
        def f(n):
            t = 0
            for i in range(n):
                s = "-".join(str(k) for k in range(i % 4))
                t += len(s) + len(",".join(map(str, (i, i + 1)))) + len("".join([chr(97 + i % 26), "x"]))
                if i == n - 1:
                    try:
                        "abc".startswith(i)
                    except TypeError as e:
                        t += len(str(e))
            return t

        print(f(3000))
        """)
    if GENERIC:
        assert not [e for e in events_for(evs, "abort", "f") if "str." in e["reason"]], events_for(evs, "abort", "f")
