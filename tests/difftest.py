"""Differential-testing helpers: run a program under plain CPython and under
tracejit, and compare what the two runs did.

The JIT's prime rule is that it must never change what a program does, so a
JIT run is accepted only if

* stdout is byte-for-byte identical,
* the exit status is identical, and
* stderr is identical (in particular any traceback: same frames, same line
  numbers, same exception line), after removing from the *JIT* run's stderr
  the lines that start with ``tracejit:`` (the JIT's own diagnostics).  No
  other line is ever ignored.

Both runs get the same environment: the inherited one, plus
``PYTHONHASHSEED=0``, ``PYTHONFAULTHANDLER=1``, ``PYTHONIOENCODING=utf-8``,
``TRACEJIT_PARAMS=trace_idle_ms=600000,spend_ms=0,little_left=0`` (3.11: the JIT keeps tracing these short
programs; no bound on the compiling their low thresholds cause; their loops compile in the one run they have)
and the repository root
prepended to ``PYTHONPATH`` (so ``python -m tracejit`` works without
installing the package).  The working directory is the corpus directory.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
CORPUS_DIR = TESTS_DIR / "corpus"

TIMEOUT = 60  # seconds, per subprocess
JIT_WARNING_PREFIX = "tracejit:"


class Result(NamedTuple):
    stdout: str
    stderr: str  # normalized, see normalize_stderr()
    returncode: int


class RunTimeout(AssertionError):
    """A run exceeded TIMEOUT seconds (reported as a test failure)."""


def corpus_programs() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.py"))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONFAULTHANDLER"] = "1"     # a crash prints the Python stack of every thread
    env["PYTHONIOENCODING"] = "utf-8"
    # 3.11: the tests' programs are short, and assert that their loops compile: the main thread stays traced
    # (README "Limits"; tests/test_native_tracing.py checks the tracer going off with the default). spend_ms=0: at
    # their low thresholds every loop of the standard library's code they import is compiled too, past the JIT's
    # share of a short run; little_left=0: their loops run once, a few hundred times, and must compile
    # (tests/test_budgets.py checks the share and the wait for a later run, with parameters of their own)
    env["TRACEJIT_PARAMS"] = "trace_idle_ms=600000,spend_ms=0,little_left=0"
    # A stray PYTHONSTARTUP/PYTHONINSPECT would make the runs interactive.
    env.pop("PYTHONSTARTUP", None)
    env.pop("PYTHONINSPECT", None)
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + old if old else "")
    return env


def normalize_stderr(text: str) -> str:
    """Normalize line endings and trailing whitespace.  Nothing else is
    changed: tracebacks must match exactly."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _run(argv: list[str], cwd: Path | None = None) -> Result:
    cwd = CORPUS_DIR if cwd is None else cwd
    try:
        proc = subprocess.run(
            argv,
            cwd=str(cwd),
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        err = (exc.stderr or b"").decode("utf-8", "replace")
        raise RunTimeout(
            f"timed out after {TIMEOUT}s: {argv!r}\n"
            f"--- stdout (partial, last 2000 chars) ---\n{out[-2000:]}\n"
            f"--- stderr (partial, last 2000 chars) ---\n{err[-2000:]}"
        ) from None
    return Result(
        proc.stdout.decode("utf-8", "replace"),
        normalize_stderr(proc.stderr.decode("utf-8", "replace")),
        proc.returncode,
    )


def _abspath(path) -> str:
    # Always pass an absolute path so both runs see the same __file__ /
    # co_filename (and hence identical traceback "File ..." lines).
    return str(Path(path).resolve())


def run_plain(path, python: str = sys.executable, cwd: Path | None = None) -> Result:
    """``python path`` under plain CPython."""
    return _run([python, _abspath(path)], cwd)


def run_jit(path, python: str = sys.executable, params: str = "threshold=2",
            cwd: Path | None = None, args: tuple[str, ...] = (), options: tuple[str, ...] = ()) -> Result:
    """``python -m tracejit --params PARAMS [options...] path [args...]``."""
    argv = [python, "-m", "tracejit"]
    if params:
        argv += ["--params", params]
    argv += [*options, _abspath(path), *args]
    return _run(argv, cwd)


def strip_jit_lines(stderr: str) -> str:
    """Drop the JIT's own diagnostic lines (and only those)."""
    lines = [ln for ln in stderr.split("\n") if not ln.startswith(JIT_WARNING_PREFIX)]
    return "\n".join(lines).strip("\n")


def _diff(a: str, b: str, what: str) -> str:
    d = difflib.unified_diff(
        a.splitlines(), b.splitlines(),
        fromfile=f"{what} (plain CPython)", tofile=f"{what} (tracejit)",
        lineterm="", n=2,
    )
    text = "\n".join(d)
    if len(text) > 6000:
        text = text[:6000] + "\n... (diff truncated)"
    return text


def compare(plain: Result, jit: Result) -> list[str]:
    """Return a list of human-readable mismatch descriptions (empty = same)."""
    problems: list[str] = []
    if plain.stdout != jit.stdout:
        problems.append("stdout differs:\n" + _diff(plain.stdout, jit.stdout, "stdout"))
    if plain.returncode != jit.returncode:
        problems.append(
            f"exit status differs: plain={plain.returncode} jit={jit.returncode}")
    jit_err = strip_jit_lines(jit.stderr)
    if plain.stderr != jit_err:
        what = "traceback" if "Traceback (most recent call last):" in plain.stderr else "stderr"
        problems.append(f"{what} differs:\n" + _diff(plain.stderr, jit_err, "stderr"))
    if problems and jit.stderr and jit.stderr != jit_err:
        # Show the JIT's own diagnostics too; they often explain the failure.
        notes = [ln for ln in jit.stderr.split("\n") if ln.startswith(JIT_WARNING_PREFIX)]
        problems.append("tracejit diagnostics:\n" + "\n".join(notes[:40]))
    return problems


def check_corpus_case(name: str, params: str) -> None:
    """Run tests/corpus/<name> plainly and under the JIT with `params` (a fuzz case's own parameters, under
    which it failed); assert the same behaviour."""
    prog = CORPUS_DIR / name
    assert_same(run_plain(prog), run_jit(prog, params=params), name)


def assert_same(plain: Result, jit: Result, label: str = "") -> None:
    problems = compare(plain, jit)
    if problems:
        head = f"tracejit changed the behaviour of {label}" if label else \
            "tracejit changed the program's behaviour"
        raise AssertionError(head + "\n\n" + "\n\n".join(problems))
