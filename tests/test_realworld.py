"""Differential test of the real programs of bench/realworld: each one, at its small (--quick) size,
runs plain and under the JIT with a low threshold (so its loops get hot, are recorded and compiled),
and the two runs must print the same thing, exit the same way and write the same stderr.

Not a timing test: bench/realworld/run.py measures. Programs and sizes come from run.py's PROGRAMS.
REALWORLD_PARAMS=... overrides the JIT parameters (e.g. "threshold=2,bridge_threshold=1", which also passes).
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

import difftest

REALWORLD = Path(__file__).resolve().parent.parent / "bench" / "realworld"

# Low enough that the programs' loops are compiled at their small sizes; bridges too.
PARAMS = os.environ.get("REALWORLD_PARAMS", "threshold=7,bridge_threshold=5")


def _load_run_module():
    spec = importlib.util.spec_from_file_location("realworld_run", REALWORLD / "run.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


RUN = _load_run_module()

# Programs the JIT gets wrong today: name -> reason (xfail(strict=True), so a fix is noticed).
KNOWN_WRONG: dict[str, str] = {}


def _cases():
    for prog in RUN.PROGRAMS:
        marks = []
        if prog.name in KNOWN_WRONG:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[prog.name]))
        yield pytest.param(prog, id=prog.name, marks=marks)


def test_every_program_is_listed():
    files = {p.stem for p in REALWORLD.glob("*.py")} - {"run", "scimark"}
    assert files == {p.name for p in RUN.PROGRAMS}


@pytest.mark.parametrize("prog", list(_cases()))
def test_same_output_plain_and_jit(prog, tmp_path):
    path = str(REALWORLD / f"{prog.name}.py")
    n = str(prog.quick)
    # difftest's runner: same environment for both runs (hash seed fixed), stdout/stderr captured.
    plain = difftest._run([sys.executable, path, n], cwd=REALWORLD)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip(), "the program printed no result"
    log = tmp_path / "events.jsonl"
    jit = difftest.run_jit(path, params=PARAMS, cwd=REALWORLD, args=(n,), options=("--log", str(log)))
    difftest.assert_same(plain, jit, f"bench/realworld/{prog.name}.py {n}")
    summary = RUN.read_log(str(log))
    assert summary.internal_errors == 0, f"{summary.internal_errors} internal_error events in the JIT's log"
