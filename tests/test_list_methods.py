"""`a.pop()`, `a.pop(i)` and `a.insert(i, x)` of an exact list: list.pop's and list.insert's own C functions
called from machine code (ops list_pop, list_pop_at, list_insert; recorder/lists.py), against plain CPython:
the same lists, the same items (the same objects), IndexError raised by the interpreter with the list
unchanged, exact reference counts."""
from __future__ import annotations

import sys
import weakref

import pytest

import tracejit


def _run(func, *args, native=1):
    expected = func(*args)
    with tracejit.enable(threshold=2, little_left=0, bridge_threshold=2, native=native):
        got = func(*args)
    assert got == expected
    codes = [func.__code__] + [c for c in func.__code__.co_consts if hasattr(c, "co_code")]
    return {op.name for lp in tracejit.engine().all_loops if lp.code in codes
            for b in lp.blocks for op in b.trace.ops}


def stack_machine(n):
    stack = []
    out = 0
    for i in range(n):
        stack.append(i)
        stack.insert(0, i * 2)
        if i % 3 == 0:
            out += stack.pop()
        if len(stack) > 5:
            out += stack.pop(0) + stack.pop(-2)
    return out, stack


def drain(n):
    q = list(range(n))
    t = 0
    while q:
        t = t * 3 + q.pop() & 0xffff
    return t, q


def out_of_range(n):
    s = [1, 2]
    t = 0
    for i in range(n):
        try:
            t += s.pop(i % 5 - 2)
        except IndexError as e:
            t += 100 + len(str(e))
        s.append(i)
        s.append(i + 1)
    return t, s


@pytest.mark.parametrize("native", [1, 0])
def test_pop_and_insert_are_calls_of_the_lists_own_functions(fresh_engine, native):
    names = _run(stack_machine, 3000, native=native)
    assert {"list_pop", "list_pop_at", "list_insert"} <= names, names
    assert "list_pop" in _run(drain, 5000, native=native)
    assert tracejit.stats()["internal_errors"] == 0


def test_an_index_out_of_range_raises_in_the_interpreter_with_the_list_unchanged(fresh_engine):
    assert "list_pop_at" in _run(out_of_range, 3000)


class Node:
    pass


def pop_objects(items, n):
    got = []
    for _ in range(n):
        x = items.pop()
        got.append(type(x).__name__)
        items.insert(0, x)
    return got


def test_the_popped_object_is_the_lists_and_its_references_are_exact(fresh_engine):
    items = [Node() for _ in range(7)] + ["s", 2.5, (1, 2)]
    counts = [sys.getrefcount(x) for x in items]
    refs = [weakref.ref(x) for x in items if isinstance(x, Node)]
    plain = pop_objects(list(items), 500)
    with tracejit.enable(threshold=2, little_left=0):
        work = list(items)
        assert pop_objects(work, 500) == plain
    assert sorted(map(id, work)) == sorted(map(id, items))
    del work
    assert [sys.getrefcount(x) for x in items] == counts
    assert all(r() is not None for r in refs)
