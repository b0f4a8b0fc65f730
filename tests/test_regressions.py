"""Regression tests for recorder defects: each program runs under plain CPython and under the JIT (threshold 2,
events log); output, tracebacks and exit status must be identical (tests/difftest.py), and the loop under test
must really have been compiled (a `compiled` event for its function), so a JIT that quietly did nothing fails.
"""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import difftest  # noqa: E402

PY = sys.executable


def _events(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _func(e: dict) -> str:
    return e.get("loop", "").split(":")[0]


def run_both(tmp_path: Path, src: str, params: str = "threshold=2") -> tuple[difftest.Result, list[dict]]:
    """Run `src` plainly and under the JIT; assert identical behaviour and no internal error. Returns the JIT
    run's result and its events."""
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(src))
    plain = difftest.run_plain(prog, PY, cwd=tmp_path)
    log = tmp_path / "events.jsonl"
    jit = difftest._run([PY, "-m", "tracejit", "--params", params, "--log", str(log), str(prog.resolve())],
                        tmp_path)
    difftest.assert_same(plain, jit, "prog.py")
    evs = _events(log)
    internal = [e for e in evs if e["event"] == "internal_error"]
    assert not internal, f"JIT internal errors: {internal}"
    for e in evs:       # no message a user sees names the IR's enum
        assert "Kind." not in json.dumps(e), e
    return jit, evs


def compiled(evs: list[dict], func: str) -> list[dict]:
    return [e for e in evs if e["event"] == "compiled" and _func(e) == func]


def aborts(evs: list[dict], func: str) -> list[str]:
    return [e.get("reason", "") for e in evs if e["event"] in ("abort", "bridge_abort") and _func(e) == func]


# ------------------------------------------------------------------------------------------------------------
# a variable that enters the loop as a number and is carried around it as an object (an item of a list)


def test_remember_previous_item(tmp_path):
    _, evs = run_both(tmp_path, """\
        def check(knots):
            last = knots[0]
            for cur in knots:
                if cur < last:
                    raise ValueError(f"knots not sorted: {cur} < {last}")
                last = cur
            return last

        def check_ints(knots):
            last = knots[0]
            for cur in knots:
                if cur < last:
                    raise ValueError("not sorted")
                last = cur
            return last

        print(check([i * 0.5 for i in range(2000)]))
        print(check_ints(list(range(2000))))
        mixed = [float(i) for i in range(500)] + [500, 501] + [502.5, 503.0]
        print(check(mixed))
        print(check_ints([float(i) for i in range(300)]))
        try:
            check([float(i) for i in range(300)] + [7.0])
        except ValueError as e:
            print("ValueError", e)
        """)
    assert compiled(evs, "check") and compiled(evs, "check_ints"), evs
    assert not [r for r in aborts(evs, "check") + aborts(evs, "check_ints") if "compile" in r], evs


def test_kind_change_aborts_with_a_word(tmp_path):
    """A variable that holds a float at an iteration's start and an int at its end: the recording aborts, and
    the reason names the kinds as words."""
    _, evs = run_both(tmp_path, """\
        def f(n):
            x = 0
            y = 0
            for i in range(n):
                y += x
                x = 1.5 if i % 2 else 1
            return x, y

        print(f(1000))
        """)
    reasons = aborts(evs, "f")
    assert reasons and all("compile" not in r for r in reasons), reasons
    assert any("int" in r and "float" in r for r in reasons), reasons


# ------------------------------------------------------------------------------------------------------------
# 3.11: a bound method held in a local and called in a loop (PRECALL unpacks it)


def test_bound_method_in_a_local(tmp_path):
    _, evs = run_both(tmp_path, """\
        class Box:
            def __init__(self):
                self.n = 0
            def get(self):
                self.n += 1
                return self.n

        def calls(obj, n):
            g = obj.get
            s = 0
            for i in range(n):
                s += g()
            return s

        def bound(n):
            g = Box().get
            s = 0
            for i in range(n):
                s += i * 2
                if i < 0:
                    s += g()
            return s

        print(calls(Box(), 500))
        print(calls(Box(), 300))
        d = {1: 2}
        def dict_get(n):
            g = d.get
            s = 0
            for i in range(n):
                s += g(1)
            return s
        print(dict_get(400))
        print(bound(1000))
        """)
    for func in ("calls", "dict_get"):
        reasons = aborts(evs, func)
        assert reasons and not [r for r in reasons if "differs from interpreter" in r], reasons
    assert any(r == "call of a bound method" for r in aborts(evs, "calls")) or sys.version_info >= (3, 12)
    assert compiled(evs, "bound"), evs
