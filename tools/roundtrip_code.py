"""Write tracejit/runtime/roundtrip_code.py: the shared native round trip's encoded code, per CPython version.

The routine that serves every compiled loop (tracejit/backend/roundtrip.py, `shared_roundtrip`) is the same
bytes in every process of one CPython version: what differs between processes (type objects, C API functions,
the cached ints) is read from data slots after its code, which the runtime writes. Keeping the bytes spares
each process assembling it at its first compile (about 3 ms on 3.12). Run this after changing the routine (the
test tests/test_roundtrip.py::test_the_shared_round_trip_bytes_are_what_the_backend_assembles says when):

    .venv-3.12/bin/python tools/roundtrip_code.py [PYTHON ...]

Each given interpreter (default: this one and the project's other venvs that exist) assembles its own version's
bytes.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "tracejit" / "runtime" / "roundtrip_code.py"

ASSEMBLE = r"""
import sys
from tracejit.backend.roundtrip import ROUNDTRIP_SLOTS, SLOT_MARK, shared_roundtrip
from tracejit.cpython.layout import LAYOUTS, VERSION
from tracejit.runtime.native_entry import iterator_offsets
enc = shared_roundtrip(iterator_offsets(), LAYOUTS[VERSION])
code, end = enc.code, enc.code_len
assert code[end:] == b"".join((SLOT_MARK + k).to_bytes(8, "little") for k in range(len(ROUNDTRIP_SLOTS)))
print(VERSION[0], VERSION[1], code[:end].hex())
"""

HEADER = '''"""The shared native round trip's encoded code for each CPython version (tracejit/backend/roundtrip.py),
without its data slots (ROUNDTRIP_SLOTS: the runtime appends them, tracejit/runtime/native_entry.py).

Written by tools/roundtrip_code.py; do not edit. A version not here has its routine assembled at its first compile.

May import: nothing.
"""
# flake8: noqa

ROUNDTRIP_CODE = {
'''


def main(pythons: list[str]) -> None:
    if not pythons:
        pythons = [sys.executable] + [str(p / "bin" / "python") for p in sorted(REPO.glob(".venv-3.*"))
                                      if (p / "bin" / "python").exists()]
    found: dict[tuple[int, int], str] = {}
    for python in dict.fromkeys(pythons):
        out = subprocess.run([python, "-c", ASSEMBLE], cwd=REPO, capture_output=True, text=True, check=True).stdout
        major, minor, hexcode = out.split()
        found[(int(major), int(minor))] = hexcode
    lines = [HEADER]
    for version in sorted(found):
        hexcode = found[version]
        lines.append(f"    {version}: bytes.fromhex(\n")
        for k in range(0, len(hexcode), 96):
            lines.append(f'        "{hexcode[k:k + 96]}"\n')
        lines.append("    ),\n")
    lines.append("}\n")
    TARGET.write_text("".join(lines))
    print(f"wrote {TARGET.relative_to(REPO)}: {', '.join(f'{v[0]}.{v[1]}' for v in sorted(found))}")


if __name__ == "__main__":
    main(sys.argv[1:])
