"""Text listing of machine code: each IR op (or block name) followed by the instructions it became.

The listing is built by the assembler (x86.Asm.finish decodes the encoded block with iced's Decoder and
Formatter(FormatterSyntax.INTEL)); `format_listing` re-disassembles at a given base address so branch
targets show absolute addresses.

May import: tracejit.backend.x86, tracejit.backend.assembler (for the MachineCode type) and iced_x86.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from .assembler import MachineCode
from .x86 import disassemble


def format_listing(mc: MachineCode, base: int = 0, show_regalloc: bool = False) -> str:
    code_end = len(mc.code)
    for title, rows in mc.listing:
        if title == "constants" and rows:
            code_end = rows[0][0]
    text = dict(disassemble(mc.code[:code_end], base))
    lines = []
    if show_regalloc and mc.regalloc:
        lines.append("registers:")
        lines.extend("  " + ln for ln in mc.regalloc.splitlines())
    for title, rows in mc.listing:
        lines.append(title)
        for off, t in rows:
            lines.append(f"  {base + off:#010x}  {text.get(base + off, t)}")
    return "\n".join(lines)
