"""The parts of iced-x86 the backend uses, loaded without the package's `__init__`.

`import iced_x86` imports `typing` and the package's 45 modules of constants (`Code` alone is 49,000 lines): about
12 ms of every program's first compile on CPython 3.12, most of what the JIT's imports cost there. The backend
needs the native extension (`iced_x86._iced_x86_py`: Instruction, MemoryOperand, BlockEncoder, Decoder,
OpCodeInfo), which loads by itself in under 2 ms, and about 200 constants: the instruction codes, registers and
mnemonics it names. Those come from `iced_names.py` (written by tools/iced_names.py from the installed iced-x86),
and each is checked against the extension when this module loads (a code's instruction and op-code strings, a
register's name as the formatter writes it, a mnemonic as an instruction with that code reports it; a check that
passed is remembered, like a bytecode cache, for that extension file and that table: _checked_before). If the
extension cannot be loaded alone or any constant does not match (another iced-x86), the package is imported
after all and every constant is read from it: slower, never wrong. A name missing from the table is read from the
package too (`misses` lists them; tests check that assembling every op misses none).

`Code`, `Register` and `Mnemonic` are namespaces (`Code.MOV_R64_RM64`); `code(name)` is `getattr(Code, name)`.

May import: iced_x86 (its extension, and the package only as the fallback above), tracejit.plaindata and the
standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import os
import sys

from tracejit.plaindata import memoized

from .iced_names import CODES, MNEMONICS, REGISTERS

EXTENSION = "iced_x86._iced_x86_py"
misses: list[str] = []          # names read from the package because the table lacks them
fallback_reason: str | None = None     # why the package was imported at load (None: it was not)


def _load_extension():
    """The extension module, loaded without running `iced_x86/__init__.py` (None if that fails)."""
    module = sys.modules.get(EXTENSION)
    if module is not None:
        return module
    import importlib.machinery
    import importlib.util
    spec = importlib.util.find_spec("iced_x86")         # (finds the package, does not import it)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for entry in sorted(os.listdir(folder)):
            if entry.startswith("_iced_x86_py") and entry.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
                path = os.path.join(folder, entry)
                loader = importlib.machinery.ExtensionFileLoader(EXTENSION, path)
                module = importlib.util.module_from_spec(
                    importlib.util.spec_from_file_location(EXTENSION, path, loader=loader))
                loader.exec_module(module)
                sys.modules[EXTENSION] = module
                return module
    return None


def _package():
    import iced_x86
    return iced_x86


def _mismatch(ext) -> str | None:
    """Which constant of the table the extension contradicts (None: all hold)."""
    info, formatter = ext.OpCodeInfo, ext.Formatter(1)   # (1: FormatterSyntax.INTEL, checked by the names)
    for name, (value, instruction, op_code) in CODES.items():
        try:
            got = info(value)
        except (ValueError, TypeError):
            return f"Code.{name}"
        if got.instruction_string != instruction or got.op_code_string != op_code:
            return f"Code.{name}"
    for name, (value, text) in REGISTERS.items():
        if formatter.format_register(value) != text:
            return f"Register.{name}"
    for name, (value, code_name) in MNEMONICS.items():
        if info(CODES[code_name][0]).mnemonic != value:
            return f"Mnemonic.{name}"
    return None


class _Names:
    """Constants by attribute (`Code.JE_REL32_64`), from the checked table or else the package's module."""

    def __init__(self, kind: str, table: dict) -> None:
        self._kind = kind
        # each constant an attribute of its own: found by the plain lookup (the assembler names tens of
        # thousands per compile), __getattr__ only for a name the table lacks
        self.__dict__.update({name: entry[0] for name, entry in table.items()})

    def __getattr__(self, name: str) -> int:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(getattr(_package(), self._kind), name)
        misses.append(f"{self._kind}.{name}")
        setattr(self, name, value)
        return value


def _table_sum() -> int:
    """A checksum of the table's values in their order (a polynomial hash mod a Mersenne prime): what the machine
    code depends on."""
    total = len(CODES) * 1_000_003 + len(REGISTERS) * 1_009 + len(MNEMONICS)
    for table in (CODES, REGISTERS, MNEMONICS):
        for entry in table.values():
            total = (total * 1_000_003 + entry[0] + 1) % 2_305_843_009_213_693_951
    return total


def _checked_before(ext) -> tuple[str | None, str]:
    """(the record of an earlier process's check that found this extension file and this table to agree, or
    None; the record this one would write). The check (_mismatch) costs 3-5 ms; like a bytecode cache, its
    result is kept beside the backend's (its __pycache__), keyed by the extension file's path, size and
    modification time and a checksum of the table's values as loaded (_table_sum: no checksum module's import)."""
    try:
        st = os.stat(ext.__file__)
        key = f"{ext.__file__}|{st.st_size}|{st.st_mtime_ns}|{_table_sum()}"
        with open(_CHECK_RECORD, encoding="utf-8") as f:
            return f.read(), key
    except (OSError, AttributeError, TypeError):
        return None, key if "key" in locals() else ""


def _remember_check(key: str) -> None:
    """Keep the record of a check that passed (not where bytecode is not written either; errors ignored)."""
    if not key or sys.dont_write_bytecode:
        return
    try:
        os.makedirs(os.path.dirname(_CHECK_RECORD), exist_ok=True)
        temporary = f"{_CHECK_RECORD}.{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(key)
        os.replace(temporary, _CHECK_RECORD)
    except OSError:
        pass


_CHECK_RECORD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__",
                             f"iced-check.{sys.implementation.cache_tag}.txt")
_ext = _load_extension()
if _ext is None:
    fallback_reason = "the extension did not load by itself"
else:
    _record, _key = _checked_before(_ext)
    if _record is not None and _record == _key:
        fallback_reason = None
    else:
        fallback_reason = _mismatch(_ext)
        if fallback_reason is None:
            _remember_check(_key)
if fallback_reason is not None:
    _pkg = _package()
    _ext = sys.modules[EXTENSION]
    Code, Register, Mnemonic = _pkg.Code, _pkg.Register, _pkg.Mnemonic
else:
    Code = _Names("Code", dict(CODES))
    Register = _Names("Register", dict(REGISTERS))
    Mnemonic = _Names("Mnemonic", dict(MNEMONICS))

BlockEncoder, Decoder, Formatter, Instruction, MemoryOperand, OpCodeInfo = (
    _ext.BlockEncoder, _ext.Decoder, _ext.Formatter, _ext.Instruction, _ext.MemoryOperand, _ext.OpCodeInfo)


@memoized
def code(name: str) -> int:
    """An instruction code by name (the assembler asks for one at every instruction it emits)."""
    return getattr(Code, name)


def formatter_syntax_intel() -> int:
    """FormatterSyntax.INTEL, for listings (read from the package: listings are not on the compile path)."""
    return _package().FormatterSyntax.INTEL
