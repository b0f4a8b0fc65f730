"""Shared fixtures for the tracejit tests (kept small on purpose).

- `fresh_engine`: a brand-new tracejit runtime for in-process tests, so that the parameters given to
  `tracejit.enable(...)` are really used (the first enable() of a process creates the one Engine and later
  parameters are ignored) and the stats start from zero. The previous runtime is restored afterwards.
- `tests_params` (every test): TRACEJIT_PARAMS=little_left=0 unless a test sets its own: the tests' loops run
  once, a few hundred or thousand times, and must compile, where the JIT would wait for a later run that never
  comes (tests/test_budgets.py checks that wait with parameters of its own).
- `progdir`, `prog`: where a differential test writes its program: one directory per test module, one file per
  test function (both parametrizations of a test, native and IR interpreter, run the same file, as tracebacks
  name it, so its plain CPython result is computed once).
"""
from __future__ import annotations

from pathlib import Path

import pytest


TEST_PARAMS = "little_left=0"


@pytest.fixture(autouse=True)
def tests_params(monkeypatch):
    monkeypatch.setenv("TRACEJIT_PARAMS", TEST_PARAMS)


@pytest.fixture(scope="module")
def progdir(request, tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2].removeprefix("test_"))


@pytest.fixture
def prog(request, progdir) -> Path:
    return progdir / f"{request.node.originalname}.py"


@pytest.fixture
def fresh_engine(monkeypatch):
    import tracejit.api as api
    monkeypatch.delenv("TRACEJIT", raising=False)
    monkeypatch.setenv("TRACEJIT_PARAMS", TEST_PARAMS)
    monkeypatch.delenv("TRACEJIT_LOG", raising=False)
    old = api._runtime
    api._runtime = api._Runtime()
    try:
        yield api._runtime
    finally:
        eng = api._runtime.engine
        if eng is not None:
            while eng.active > 0:          # a failing test may leave the JIT switched on
                eng.deactivate()
            eng.log.close()
        api._runtime = old
