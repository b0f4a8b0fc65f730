"""Write tracejit/backend/iced_names.py: the iced-x86 constants the backend names, with what checks them.

The backend loads iced-x86's native extension without the package (tracejit/backend/iced.py); the constants it
names (instruction codes, registers, mnemonics) come from the table this writes, from the installed iced-x86:

    .venv-3.12/bin/python tools/iced_names.py

Run it after changing the backend's instructions or upgrading iced-x86 (tests/test_iced.py says when). The
names are those the backend's modules spell out (`Code.X`, `Register.X`, `Mnemonic.X`, and string literals that
name a code) and those its modules look up while they load (the tables x86.py builds from f-strings).
"""
from __future__ import annotations

import re
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TARGET = REPO / "tracejit" / "backend" / "iced_names.py"


def names_loaded() -> set[str]:
    """Kind.NAME of every constant the backend looks up while its modules load, found with an empty table."""
    empty = types.ModuleType("tracejit.backend.iced_names")
    empty.CODES, empty.REGISTERS, empty.MNEMONICS = {}, {}, {}
    sys.modules["tracejit.backend.iced_names"] = empty
    import tracejit.backend  # noqa: F401  (its modules build their tables: every lookup misses)
    from tracejit.backend import iced
    return set(iced.misses)


def names_spelled(iced_x86) -> set[str]:
    """Kind.NAME of every constant the backend's source spells out."""
    found = set()
    for path in sorted((REPO / "tracejit" / "backend").glob("*.py")):
        text = path.read_text()
        found |= {f"{kind}.{name}" for kind, name in re.findall(r"\b(Code|Register|Mnemonic)\.([A-Z][A-Z0-9_]*)", text)}
        found |= {f"Code.{name}" for name in re.findall(r"[\"']([A-Z][A-Z0-9_]+)[\"']", text)
                  if isinstance(getattr(iced_x86.Code, name, None), int)}
    return found


def main() -> None:
    import iced_x86
    import importlib.metadata
    names = names_loaded() | names_spelled(iced_x86)
    info = iced_x86.OpCodeInfo
    fmt = iced_x86.Formatter(iced_x86.FormatterSyntax.INTEL)
    codes = {n.split(".", 1)[1] for n in names if n.startswith("Code.")}
    registers = {n.split(".", 1)[1] for n in names if n.startswith("Register.")}
    mnemonics = {n.split(".", 1)[1] for n in names if n.startswith("Mnemonic.")}
    by_mnemonic = {}
    for name in sorted(codes):
        by_mnemonic.setdefault(info(getattr(iced_x86.Code, name)).mnemonic, name)
    for m in sorted(mnemonics):
        value = getattr(iced_x86.Mnemonic, m)
        if value not in by_mnemonic:      # a code with that mnemonic, to check it by
            extra = next(n for n in dir(iced_x86.Code) if n.isupper() and n.startswith(m + "_")
                         and info(getattr(iced_x86.Code, n)).mnemonic == value)
            codes.add(extra)
            by_mnemonic[value] = extra
    lines = [
        '"""The iced-x86 constants the backend names (see tracejit/backend/iced.py), each with what checks it against',
        f'the native extension. Written by tools/iced_names.py from iced-x86 {importlib.metadata.version("iced-x86")}; '
        'do not edit."""',
        "",
        "# name: (value, instruction string, op-code string)",
        "CODES = {",
    ]
    for name in sorted(codes):
        i = info(getattr(iced_x86.Code, name))
        lines.append(f"    {name!r}: ({i.code}, {i.instruction_string!r}, {i.op_code_string!r}),")
    lines += ["}", "", "# name: (value, the name as the Intel formatter writes it)", "REGISTERS = {"]
    for name in sorted(registers):
        value = getattr(iced_x86.Register, name)
        lines.append(f"    {name!r}: ({value}, {fmt.format_register(value)!r}),")
    lines += ["}", "", "# name: (value, a code of CODES whose instructions have that mnemonic)", "MNEMONICS = {"]
    for name in sorted(mnemonics):
        value = getattr(iced_x86.Mnemonic, name)
        lines.append(f"    {name!r}: ({value}, {by_mnemonic[value]!r}),")
    lines += ["}", ""]
    TARGET.write_text("\n".join(lines))
    print(f"{TARGET.relative_to(REPO)}: {len(codes)} codes, {len(registers)} registers, {len(mnemonics)} mnemonics")


if __name__ == "__main__":
    main()
