"""`a.pop()`, `a.pop(i)` and `a.insert(i, x)` of an exact list: list.pop's and list.insert's own C functions
called from machine code (ops list_pop, list_pop_at, list_insert; recorder/lists.py), against plain CPython:
the same lists, the same items (the same objects), IndexError raised by the interpreter with the list
unchanged, exact reference counts."""
from __future__ import annotations

import sys
import types
import weakref

import pytest

import tracejit


def _run(func, *args, native=1):
    expected = func(*args)
    # (spend_ms=0: in a long test session a full collection of its heap inside one recording took the JIT's whole
    # spending budget, and the next loop waited past its end: spend_waits 10, recording_seconds 0.12)
    with tracejit.enable(threshold=2, little_left=0, bridge_threshold=2, native=native, spend_ms=0):
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
    names = _run(drain, 5000, native=native)
    assert "list_pop" in names, repr((names, tracejit.stats(), [(lp.code, lp.retired) for lp in
                                                                 tracejit.engine().all_loops]))
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


# --- built-in methods bound before the loop (`push = out.append`, fannkuch's `perm1_pop = perm1.pop`): the
# method's type guarded, its object read from it by c_method_self (which checks it is still that method), the
# object's type guarded, then the same ops as `out.append(x)`

def bound_before_the_loop(n):
    out, stack, seen, keys = [], [0, 1, 2, 3], {}, ("a", "b", "c", "d")
    push, pop, insert, get = out.append, stack.pop, stack.insert, seen.get
    total = 0
    for i in range(n):
        push(i & 7)
        insert(1, pop(0))
        total += stack[0] + get(keys[i & 3], 0)
        seen[keys[i & 3]] = i
    return total, out[-9:], len(out), stack


def rebound_midway(n):
    a, b, other = [], [], set()
    push = a.append
    for i in range(n):
        push(i)
        if i == n // 3:
            push = b.append                 # the same method of another list: its object is read each time
        elif i == 2 * n // 3:
            push = other.add                # another method: c_method_self's check leaves, set.add is called
    return len(a), len(b), len(other), a[-3:], b[-3:]


def subclass_midway(n):
    a, q = [], Collection()
    push = a.append
    for i in range(n):
        push(i)
        if i == n // 2:
            push = q.append                 # list's append bound to a Collection: the object's type guard leaves
    return len(a), len(q), list(q)[-3:]


def joins(n):
    join, parts, total = ", ".join, [], 0
    for i in range(n):
        parts.append("x" if i & 1 else "yz")
        if len(parts) > 4:
            total += len(join(parts))
            parts.pop(0)
    return total


@pytest.mark.parametrize("native", [1, 0])
def test_a_bound_builtin_method_in_a_variable_is_its_types_rule(fresh_engine, native):
    names = _run(bound_before_the_loop, 3000, native=native)
    assert {"c_method_self", "list_append_int", "list_pop_at", "list_insert"} <= names, names
    assert "py_call" not in names, names
    assert "c_method_self" in _run(joins, 3000, native=native)
    assert tracejit.stats()["internal_errors"] == 0


@pytest.mark.parametrize("func", [rebound_midway, subclass_midway])
@pytest.mark.parametrize("native", [1, 0])
def test_a_bound_method_rebound_in_the_loop_is_the_one_called(fresh_engine, func, native):
    """(The loop compiled with the first method may be dropped once its guard keeps failing: 3.11 has no generic
    path for set.add or for list's append bound to a subclass; on 3.11 it is then given up with its code object
    marked, which the next test's engine would find: each test runs its own copy of the function.)"""
    _run(types.FunctionType(func.__code__.replace(), func.__globals__), 3000, native=native)
    s = tracejit.stats()
    assert s["traces_compiled"] >= 1 and s["guard_failures"] >= 1 and s["internal_errors"] == 0, s


def test_the_trace_keeps_neither_the_bound_method_nor_its_list(fresh_engine):
    """The trace reads the list from the method each time: no constant of the trace holds either, so the
    program's references to them are all there are (a trace that held the list would keep its items alive)."""
    items = []
    pushes = items.append
    before = sys.getrefcount(items), sys.getrefcount(pushes)

    def fill(push, n):
        for i in range(n):
            push(i)

    with tracejit.enable(threshold=2, little_left=0):
        fill(pushes, 3000)
        names = {op.name for lp in tracejit.engine().all_loops if lp.code is fill.__code__
                 for b in lp.blocks for op in b.trace.ops}
        assert "c_method_self" in names, names
        assert (sys.getrefcount(items), sys.getrefcount(pushes)) == before
    assert len(items) == 3000 and items[-1] == 2999
