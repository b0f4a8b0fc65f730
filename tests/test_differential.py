"""Differential tests: every program in tests/corpus must behave identically
under plain CPython and under tracejit (see tests/difftest.py)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

# Make the helper importable under any pytest --import-mode.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import difftest  # noqa: E402
from difftest import Result, compare, corpus_programs, run_jit, run_plain  # noqa: E402

PROGRAMS = corpus_programs()
PYTHON = sys.executable

# Plain CPython results, computed once per program per session.
_PLAIN_CACHE: dict[str, Result] = {}


def plain_result(path) -> Result:
    key = str(path)
    res = _PLAIN_CACHE.get(key)
    if res is None:
        res = _PLAIN_CACHE[key] = run_plain(path, PYTHON)
    return res


def _params(paths):
    return [pytest.param(p, id=p.stem) for p in paths]


def test_corpus_is_populated():
    assert len(PROGRAMS) >= 130, f"only {len(PROGRAMS)} corpus programs"


@pytest.mark.parametrize("path", _params(PROGRAMS))
def test_jit_threshold_2(path):
    """Compile everything as early as possible."""
    plain = plain_result(path)
    jit = run_jit(path, PYTHON, params="threshold=2")
    difftest.assert_same(plain, jit, f"{path.name} [threshold=2]")


@pytest.mark.parametrize("path", _params(PROGRAMS[::5]))
def test_jit_threshold_50(path):
    """A later entry point into the compiled loop (every 5th program)."""
    plain = plain_result(path)
    jit = run_jit(path, PYTHON, params="threshold=50")
    difftest.assert_same(plain, jit, f"{path.name} [threshold=50]")


@pytest.mark.parametrize("path", _params(PROGRAMS[2::4]))
def test_jit_with_report(path, tmp_path):
    """Under --view the hooks also count every line the interpreter runs (every 4th program)."""
    plain = plain_result(path)
    report = tmp_path / "report.json"
    jit = run_jit(path, PYTHON, params="threshold=20", options=("--view", str(report)))
    difftest.assert_same(plain, jit, f"{path.name} [threshold=20, --view]")
    assert report.stat().st_size > 0


# --------------------------------------------------------------------------
# Harness self-tests: these do not need the JIT.


def _write(tmp_path, name, src):
    p = tmp_path / name
    p.write_text(textwrap.dedent(src))
    return p


def test_harness_detects_difference(tmp_path):
    a = _write(tmp_path, "a.py", """\
        s = 0
        for i in range(300):
            s += i
        print(s)
        """)
    b = _write(tmp_path, "b.py", """\
        s = 0
        for i in range(300):
            s += i
        print(s + 1)
        """)
    ra = run_plain(a, PYTHON, cwd=tmp_path)
    rb = run_plain(b, PYTHON, cwd=tmp_path)
    assert ra.stdout == "44850\n" and ra.returncode == 0 and ra.stderr == ""
    assert compare(ra, ra) == []
    problems = compare(ra, rb)
    assert problems and "stdout" in problems[0]
    with pytest.raises(AssertionError):
        difftest.assert_same(ra, rb)

    # A differing exit status is a mismatch even with identical output.
    assert compare(ra, ra._replace(returncode=1))

    # Only the JIT's own 'tracejit:' lines are ignored in its stderr.
    warn = _write(tmp_path, "warn.py", """\
        import sys
        s = 0
        for i in range(300):
            s += i
        print("tracejit: could not compile loop at line 3", file=sys.stderr)
        print(s)
        """)
    rw = run_plain(warn, PYTHON, cwd=tmp_path)
    assert rw.stdout == ra.stdout and rw.stderr.startswith("tracejit:")
    assert compare(ra, rw) == []
    difftest.assert_same(ra, rw)
    # ... but not when the plain run is the one that wrote it, nor any other
    # line (e.g. one that merely contains 'tracejit:').
    assert compare(rw, ra)
    other = ra._replace(stderr="warning: tracejit: something")
    assert compare(ra, other)


def test_harness_compares_tracebacks(tmp_path):
    src = """\
        x = 0
        for i in range(400):
            x += 1 // (300 - i)
        print(x)
        """
    p1 = _write(tmp_path, "t1.py", src)
    p2 = _write(tmp_path, "t2.py", src.replace("1 // (300", "1  // (300"))
    r1 = run_plain(p1, PYTHON, cwd=tmp_path)
    assert r1.returncode == 1
    assert r1.stderr.startswith("Traceback (most recent call last):")
    assert r1.stderr.endswith("ZeroDivisionError: integer division or modulo by zero")
    # Same traceback plus JIT diagnostics interleaved: accepted.
    lines = r1.stderr.split("\n")
    noisy = "\n".join(["tracejit: compiled loop"] + lines[:2] + ["tracejit: guard failed"]
                      + lines[2:] + ["tracejit: exiting"])
    assert compare(r1, r1._replace(stderr=noisy)) == []
    # A different exception line is a mismatch.
    assert compare(r1, r1._replace(stderr=r1.stderr.replace("modulo", "MODULO")))
    # A different line number is a mismatch.
    assert compare(r1, r1._replace(stderr=r1.stderr.replace("line 3", "line 2")))
    # Different source text in the traceback (other file) is a mismatch.
    r2 = run_plain(p2, PYTHON, cwd=tmp_path)
    assert compare(r1, r2)
    # Missing traceback is a mismatch.
    assert compare(r1, r1._replace(stderr=""))
