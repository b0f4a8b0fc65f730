"""Text listing of machine code: each IR op (or block name) followed by the instructions it became.

The listing is built by the assembler (x86.Asm.finish decodes the encoded block with iced's Decoder and
Formatter(FormatterSyntax.INTEL)); `format_listing` re-disassembles at a given base address so branch
targets show absolute addresses.

May import: tracejit.backend.x86, tracejit.backend.assembler (for the MachineCode type), iced_x86 and
tracejit.plaindata.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import dataclass

from .assembler import MachineCode
from .x86 import disassemble


@dataclass
class ListingGroup:
    """The instructions one IR op (or a named block: entry, an exit stub, constants) became."""
    title: str
    op_index: int                          # index of the IR op in the trace (-1: none)
    rows: list[tuple[int, str]]            # (absolute address, Intel-syntax instruction)


def listing_groups(mc: MachineCode, base: int = 0) -> list[ListingGroup]:
    """The listing as data, disassembled at `base` (for the visualizer and format_listing)."""
    code_end = len(mc.code)
    for title, rows in mc.listing:
        if title == "constants" and rows:
            code_end = rows[0][0]
    text = dict(disassemble(mc.code[:code_end], base))
    ops = mc.group_ops or [-1] * len(mc.listing)
    return [ListingGroup(title, op, [(base + off, text.get(base + off, t)) for off, t in rows])
            for (title, rows), op in zip(mc.listing, ops)]


def format_groups(groups: list[ListingGroup]) -> str:
    """Text form: each group's title, then its instructions with their addresses."""
    lines = []
    for group in groups:
        lines.append(group.title)
        lines.extend(f"  {addr:#010x}  {t}" for addr, t in group.rows)
    return "\n".join(lines)


def format_listing(mc: MachineCode, base: int = 0, show_regalloc: bool = False) -> str:
    lines = []
    if show_regalloc and mc.regalloc:
        lines.append("registers:")
        lines.extend("  " + ln for ln in mc.regalloc.splitlines())
    lines.append(format_groups(listing_groups(mc, base)))
    return "\n".join(lines)
