"""Deterministic differential fuzzer for tracejit.

Random, valid Python programs (`fuzz.generate`) are run under plain CPython and under tracejit with low
thresholds in long-lived worker processes (`fuzz.worker`); any difference in stdout, stderr, exception,
traceback line or exit status is confirmed with two fresh subprocesses, shrunk (`fuzz.shrink`) and saved as a
regression case under tests/corpus/. `fuzz.campaign` drives it all; run `python -m fuzz --help`.
"""
from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
