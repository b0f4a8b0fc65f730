"""The native recursion guard around the hooks' callbacks (tracejit.runtime.native_callback): its stored
machine code is what the backend assembles, arguments, results and exceptions pass through, and near the
recursion limit the callback is not entered (None comes back) while plain calls still work the same."""
from __future__ import annotations

import sys

import pytest

from tracejit.backend.stubs import callback_stub
from tracejit.cpython.layout import LAYOUTS, VERSION, recursion_remaining
from tracejit.runtime.execmem import CodeMemory
from tracejit.runtime.native_callback import CALLBACK_STUB, MARGIN, SLOTS, CallbackGuard


@pytest.fixture(scope="module")
def guard() -> CallbackGuard:
    assert recursion_remaining(LAYOUTS[VERSION]) is not None
    return CallbackGuard(CodeMemory(), LAYOUTS[VERSION].tstate_recursion_remaining)


def test_stored_stub_is_what_the_backend_assembles():
    enc = callback_stub(MARGIN)
    assert enc.code == CALLBACK_STUB
    assert len(CALLBACK_STUB) > 8 * SLOTS


def test_arguments_results_and_exceptions_pass_through(guard):
    assert guard.works()
    seen = []

    def cb(*args):
        seen.append(args)
        return len(seen)

    f = guard.wrap(cb)
    assert f(1, 2.5, "x") == 1 and f() == 2
    assert seen == [(1, 2.5, "x"), ()]
    big = object()
    assert guard.wrap(lambda o: o)(big) is big
    with pytest.raises(ZeroDivisionError):
        guard.wrap(lambda: 1 / 0)()


def _call_with_frames_left(word, left: int, f):
    """Recurse until the thread has `left` Python frames left before RecursionError, then call f()."""
    if word.value > left:
        return _call_with_frames_left(word, left, f)
    assert word.value == left
    return f()


def test_callback_skipped_only_near_the_recursion_limit(guard):
    calls = []
    f = guard.wrap(lambda: calls.append(1) or "entered")
    word = recursion_remaining(LAYOUTS[VERSION])
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(old + 400)
        results = {left: _call_with_frames_left(word, left, f) for left in (300, MARGIN + 20, MARGIN, MARGIN - 1,
                                                                             5, 1)}
    finally:
        sys.setrecursionlimit(old)
    assert results[300] == results[MARGIN + 20] == results[MARGIN] == "entered"
    assert results[MARGIN - 1] is results[5] is results[1] is None
    assert len(calls) == 3


def test_plain_recursion_error_unchanged_at_the_limit(guard):
    """At the very limit a guarded callback returns None instead of raising RecursionError (which calling a
    Python function there would do)."""
    f = guard.wrap(lambda: "entered")

    def dive(n):
        try:
            return dive(n + 1)
        except RecursionError:
            return f()

    assert dive(0) is None


def test_builtin_outlives_its_guard():
    """Each builtin owns its PyMethodDef (CPython reads it at every call and when the builtin dies): a builtin
    still registered somewhere after the engine that made it is gone must keep working. (An earlier version
    kept the definitions in a list on the guard; a builtin freed after its guard read freed memory.)"""
    import gc
    f = CallbackGuard(CodeMemory(), LAYOUTS[VERSION].tstate_recursion_remaining).wrap(lambda x: x * 2)
    gc.collect()
    junk = [bytearray(32) for _ in range(20000)]        # reuse whatever the guard freed
    assert f(21) == 42
    assert f.__module__.ml_meth                          # the definition, alive with the builtin
    del junk, f
    gc.collect()
