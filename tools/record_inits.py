"""Write tracejit/_record_inits.py: the `__init__` makers of the JIT's record classes, compiled ahead of time.

tracejit.plaindata builds each record class's `__init__` from a source text that depends on its fields alone
(plaindata.init_maker_source); compiling those texts when the recorder and the backend load cost 5-6 ms of a
program's first compile (CPython 3.12). The table this writes holds each text and the function it defines, so
they load from the module's bytecode cache instead:

    .venv-3.12/bin/python tools/record_inits.py [PYTHON ...]

Run it after adding or changing a record class's fields (tests/test_plaindata.py says when). The sources are
collected by importing every tracejit module under each given interpreter (default: this one and the
project's other venvs that exist), since a class may differ between CPython versions.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "tracejit" / "_record_inits.py"

COLLECT = r"""
import importlib, json, pkgutil, sys
import tracejit
from tracejit import plaindata
for m in pkgutil.walk_packages(tracejit.__path__, "tracejit."):
    if m.name in ("tracejit.__main__", "tracejit._record_inits") or ".tools" in m.name:
        continue
    try:
        importlib.import_module(m.name)
    except Exception as e:          # a module for another version or platform
        print(f"skipped {m.name}: {e}", file=sys.stderr)
print(json.dumps(plaindata.made_sources))
"""

HEADER = '''"""The `__init__` makers of tracejit's record classes, compiled ahead of time (see tracejit/plaindata.py).

Written by tools/record_inits.py; do not edit. MAKERS maps each maker's source text, as plaindata.init_maker_source
writes it, to the function that text defines.

May import: nothing.
"""
# flake8: noqa
'''


def interpreters(given: list[str]) -> list[str]:
    if given:
        return given
    found = [sys.executable]
    for version in ("3.11", "3.12", "3.13"):
        python = REPO / f".venv-{version}" / "bin" / "python"
        if python.exists() and str(python) not in found:
            found.append(str(python))
    return found


def main(argv: list[str]) -> None:
    sources: set[str] = set()
    for python in interpreters(argv):
        out = subprocess.run([python, "-c", COLLECT], cwd=REPO, capture_output=True, text=True, check=True,
                             env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
        sources |= set(json.loads(out.stdout.strip().splitlines()[-1]))
    ordered = sorted(sources)
    parts = [HEADER]
    for k, source in enumerate(ordered):
        assert source.startswith("def __make__(")
        parts.append(f"\n\n{source.replace('def __make__(', f'def _make_{k}(', 1)}")
    parts.append("\n\nMAKERS = {\n" + "".join(f"    {source!r}: _make_{k},\n" for k, source in enumerate(ordered)) + "}\n")
    TARGET.write_text("".join(parts))
    print(f"wrote {TARGET.relative_to(REPO)}: {len(ordered)} makers")


if __name__ == "__main__":
    main(sys.argv[1:])
