"""CPython's own regression tests under the JIT, small budget (the long run is `make stdlib-tests`).

Runs tools/stdlib_tests.py on a few modules with this interpreter: every test outcome must be the same
plain and under the JIT at threshold=1, and the JIT must really have compiled and entered loops in them
(test_pow and test_binop each have a loop that compiles), or the check proves little.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULES = ["test_pow", "test_binop", "test_bool"]


def test_stdlib_modules_same_outcomes_under_the_jit(tmp_path):
    out = tmp_path / "result.json"
    p = subprocess.run([sys.executable, str(REPO / "tools" / "stdlib_tests.py"), "--outdir", str(tmp_path),
                        "--json", str(out), "--timeout", "300", *MODULES],
                       cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    assert p.returncode == 0, p.stdout[-4000:]
    data = json.loads(out.read_text())
    assert [m["module"] for m in data["modules"]] == MODULES
    assert all(m["plain_rc"] == m["jit_rc"] == 0 for m in data["modules"]), data["modules"]
    entries = {m["module"]: m["jit_stats"]["native_entries"] for m in data["modules"]}
    assert entries["test_pow"] > 0 and entries["test_binop"] > 0, entries
