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


# --- a Python subclass of list whose class leaves append/pop/insert to list's (deltablue's OrderedCollection):
# the same ops behind its class's version tag and a check that the instance has no attribute of that name

class Collection(list):
    pass


def collection_queue(n):
    q = Collection([1, 2, 3])
    acc = 0
    for i in range(n):
        q.append(i)
        q.insert(1, i * 0.5)
        acc += q.pop(0) + q.pop()
    return acc, list(q), type(q).__name__


@pytest.mark.parametrize("native", [1, 0])
def test_a_list_subclass_that_keeps_lists_methods_gets_the_list_ops(fresh_engine, native):
    names = _run(collection_queue, 3000, native=native)
    assert {"list_append_int", "list_insert", "list_pop", "list_pop_at", "guard_version",
            "guard_no_own_attrs"} <= names, names
    assert tracejit.stats()["internal_errors"] == 0


def shadowed_midway(n):
    q = Collection()
    out = []
    for i in range(n):
        q.append(i)
        if i == n // 2:
            q.append = out.append           # an attribute of the instance's own hides list's method from now on
        if len(q) > 3:
            out.append(q.pop(0))
    return out, list(q)


def class_patched_midway(n):
    q = Collection()
    out = 0
    for i in range(n):
        q.append(i)
        if i == n // 2:
            Collection.pop = lambda self, *a: -1     # the class changes: its version guard fails from now on
        if len(q) > 3:
            out += q.pop(0)
    del Collection.pop
    return out, list(q)


class Doubling(list):
    def append(self, x):                    # overrides list's: a Python method, called as any other
        list.append(self, 2 * x)


def overridden(n):
    q = Doubling()
    for i in range(n):
        q.append(i)
        if len(q) > 4:
            q.pop(0)
    return list(q)


@pytest.mark.parametrize("func", [shadowed_midway, class_patched_midway, overridden])
def test_a_method_hidden_replaced_or_overridden_is_the_one_called(fresh_engine, func):
    _run(func, 3000)
    assert tracejit.stats()["internal_errors"] == 0


def _append_at_front(self, x):
    list.insert(self, 0, x)


def test_a_method_the_class_gets_later_is_the_one_called_by_compiled_code(fresh_engine):
    def run(n):
        q = Collection()
        total = 0
        for i in range(n):
            q.append(i)
            total += q.pop(0) if len(q) > 2 else 0
        return total, list(q)

    plain_before = run(2000)
    Collection.append = _append_at_front
    try:
        plain_after = run(2000)
    finally:
        del Collection.append
    assert plain_before != plain_after
    with tracejit.enable(threshold=2, little_left=0, bridge_threshold=2):
        assert run(2000) == plain_before            # compiled with list's append
        Collection.append = _append_at_front
        try:
            assert run(2000) == plain_after
        finally:
            del Collection.append
        assert run(2000) == plain_before
    assert tracejit.stats()["internal_errors"] == 0


class _CountingDict(dict):
    calls = 0

    def __iter__(self):
        _CountingDict.calls += 1
        return dict.__iter__(self)

    def __contains__(self, key):
        _CountingDict.calls += 1
        return dict.__contains__(self, key)


def _with_dict(make_dict, n):
    q = Collection()
    q.__dict__ = make_dict()
    for i in range(n):
        q.append(i)
        if len(q) > 3:
            q.pop(0)
    return list(q)


def _general_keys():
    d = {1: 1, "x": 2}
    del d[1]                    # str keys only now, in a dict of the general kind
    return d


def test_an_instance_dict_of_a_dict_subclass_runs_none_of_its_methods(fresh_engine):
    """obj.__dict__ may be a dict subclass: looking for an attribute of the instance's own reads it as a dict,
    as CPython's lookup does, without its __iter__ or __contains__ (the recorder called them)."""
    expected = _with_dict(_CountingDict, 3000)
    _CountingDict.calls = 0
    with tracejit.enable(threshold=2, little_left=0, bridge_threshold=2):
        assert _with_dict(_CountingDict, 3000) == expected
    assert _CountingDict.calls == 0
    assert tracejit.stats()["internal_errors"] == 0


def test_an_instance_dict_of_general_keys_is_not_taken_for_one_of_str_keys(fresh_engine):
    """The machine code's check leaves on a dict whose keys are of the general kind, even if all of them are strs
    now; the recorder judges it the same way, so no guard is compiled that fails every time (100 bridges and a
    blacklisted loop, 13x slower than plain CPython)."""
    expected = _with_dict(_general_keys, 3000)
    with tracejit.enable(threshold=2, little_left=0, bridge_threshold=2):
        assert _with_dict(_general_keys, 3000) == expected
    s = tracejit.stats()
    assert s["bridges_compiled"] < 5 and s["internal_errors"] == 0, s
