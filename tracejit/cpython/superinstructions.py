"""CPython 3.12: put back the superinstructions that sys.monitoring takes out of a code object.

3.12 forms five superinstructions (LOAD_FAST__LOAD_FAST, LOAD_FAST__LOAD_CONST, LOAD_CONST__LOAD_FAST,
STORE_FAST__LOAD_FAST, STORE_FAST__STORE_FAST) once, when a code object is made (`_PyCode_Quicken`: the first
instruction of such a pair becomes the superinstruction, which runs both). Whenever the monitoring events of a
code object change (`_Py_Instrument`), it turns all of them back into their first instruction, and nothing
forms them again. The JIT's JUMP events are global, so every code object the program runs loses them: 3-5% of
fannkuch's time, 1-3% of other programs' (measured with a tool that only sets JUMP events and answers each with
DISABLE). 3.11 has no sys.monitoring; 3.13's superinstructions are made by the compiler and stay.

`restorer(layout)` gives a SuperInstructions whose `restore(code)` writes a pair's superinstruction where
CPython's rule puts one, only where both instructions are exactly their plain opcodes in the live bytecode: an
instruction CPython has instrumented (a LINE or INSTRUCTION event of any tool), specialized or already paired is
left alone, and so is a code object any tool watches line by line or instruction by instruction (`_watched`:
a line a tool has answered with DISABLE is plain again, and a pair ending there would hide it from the next
line's check). A superinstruction reads its second instruction's argument and skips it, so it may only stand
where nothing watches that second instruction; whenever events change again, `_Py_Instrument` takes the pairs
out before it instruments anything, as it does after its own quickening. Only the opcode byte of the pair's first
instruction is written: a frame stopped between the two instructions runs the second one as before.

Self-checked when made: a freshly compiled function (quickened, not run yet) must hold exactly the pairs the rule
predicts, at the layout's co_code_adaptive offset; if not, `restorer` returns None and nothing is written.

May import: tracejit.cpython.layout and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import opcode
import sys
from _weakref import ref as weak_ref

from .layout import Layout

# (first, second) plain opcode -> the superinstruction that stands in place of the first: _PyCode_Quicken's rule
SUPERINSTRUCTION_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("LOAD_CONST", "LOAD_FAST", "LOAD_CONST__LOAD_FAST"),
    ("LOAD_FAST", "LOAD_CONST", "LOAD_FAST__LOAD_CONST"),
    ("LOAD_FAST", "LOAD_FAST", "LOAD_FAST__LOAD_FAST"),
    ("STORE_FAST", "LOAD_FAST", "STORE_FAST__LOAD_FAST"),
    ("STORE_FAST", "STORE_FAST", "STORE_FAST__STORE_FAST"),
)


def _probe(a, b):
    """A function whose pairs cover the table (each of the five, and overlapping LOAD_FAST runs); the self-check
    quickens a fresh copy of its code (`code.replace()`: compile() would build the ast module's classes)."""
    x = a
    y, z = b, 1
    return a + b, a + 1, 1 + a, x, y, z


def _pair_table() -> dict[tuple[int, int], int] | None:
    """(first, second) opcode -> superinstruction opcode, or None where an opcode is missing. 3.12 numbers its
    specialized instructions in the unused opcodes, in the order of opcode._specialized_instructions (what
    dis does to name them; dis itself is not imported for this). The self-check verifies the numbers."""
    names = getattr(opcode, "_specialized_instructions", None)
    if names is None or not hasattr(opcode, "_inline_cache_entries"):
        return None
    unused = [code for code, name in enumerate(opcode.opname) if name.startswith("<")]
    numbers = dict(zip(names, unused))
    table = {}
    for first, second, pair in SUPERINSTRUCTION_PAIRS:
        if pair not in numbers or first not in opcode.opmap or second not in opcode.opmap:
            return None
        table[(opcode.opmap[first], opcode.opmap[second])] = numbers[pair]
    return table


def pair_positions(code, pairs: dict[tuple[int, int], int]) -> list[tuple[int, int, int, int]]:
    """(index of the pair's first code unit, first opcode, second opcode, superinstruction) for every pair
    _PyCode_Quicken forms in `code`, in order (read from co_code, the plain bytecode). Its rule pairs each code
    unit with the one before it and skips an instruction's inline cache entries, which co_code holds as zeros
    (CACHE, 0); no opcode of a pair has cache entries, so the pairs are the neighbouring opcodes that form one,
    found with bytes.find (overlapping: LOAD_FAST x3 is two pairs), not by a Python loop over every unit."""
    ops = code.co_code[::2]                 # the opcode of each code unit
    found = []
    for (first, second), pair in pairs.items():
        pattern = bytes((first, second))
        i = ops.find(pattern)
        while i >= 0:
            found.append((i, first, second, pair))
            i = ops.find(pattern, i + 1)
    found.sort()
    return found


_LIVE_BYTES = ctypes.c_uint8 * (1 << 30)       # a window over a code object's bytecode: only its own bytes are read


def _restore(code, offset: int, pairs: dict[tuple[int, int], int]) -> int:
    found = pair_positions(code, pairs)
    if not found:
        return 0
    # the live bytecode as one ctypes array of a type made once (a ctypes object for each byte read and written
    # cost 2-3 us each, about 58 us a code object; an array type of each code object's size costs more again)
    live = _LIVE_BYTES.from_address(id(code) + offset)
    written = 0
    for unit, first, second, pair in found:
        at = 2 * unit
        if live[at] == first and live[at + 2] == second:
            live[at] = pair
            written += 1
    return written


def _watched(code) -> bool:
    """Whether any tool watches `code` line by line or instruction by instruction (its LINE or INSTRUCTION
    events, global or local to it; sys.settrace, whose line events 3.12 makes with a tool of its own). Such code
    keeps CPython's single instructions: where a tool has answered a line's event with DISABLE, that line's first
    instruction is plain again, and a pair ending there would hide it from the next line's check (3.12's
    INSTRUMENTED_LINE compares the line of frame->prev_instr, which a pair leaves at its first half): an event
    lost."""
    m = sys.monitoring
    watching = m.events.LINE | m.events.INSTRUCTION
    if sys.gettrace() is not None:
        return True
    for tool in range(6):           # the tool ids a program can use (sys.monitoring's 0-5)
        if (m.get_events(tool) | m.get_local_events(tool, code)) & watching:
            return True
    return False


def _self_check(offset: int, pairs: dict[tuple[int, int], int]) -> str | None:
    probe = _probe.__code__.replace()
    raw = probe.co_code
    live = ctypes.string_at(id(probe) + offset, len(raw))
    planned = {unit: pair for unit, _, _, pair in pair_positions(probe, pairs)}
    if len(set(planned.values())) < len(SUPERINSTRUCTION_PAIRS):
        return "the probe's pairs do not cover the table"
    caches = opcode._inline_cache_entries
    i, n = 0, len(raw) // 2
    while i < n:
        want = planned.get(i, raw[2 * i])
        if live[2 * i] != want:
            return f"code unit {i}: {live[2 * i]} where the rule predicts {want}"
        i += 1 + caches[raw[2 * i]]
    return None


class SuperInstructions:
    """restore(code): write back the pairs of `code` (returns how many); restore_once(code): the same, the
    first time it is asked for this code object (a weak reference remembers it)."""

    def __init__(self, offset: int, pairs: dict[tuple[int, int], int]) -> None:
        self.offset = offset
        self.pairs = pairs
        self.done: dict[int, object] = {}          # id(code) -> weak reference to the code object

    def restore(self, code) -> int:
        try:
            if _watched(code):
                return 0
            return _restore(code, self.offset, self.pairs)
        except Exception:       # noqa: BLE001 - called from the hooks' callbacks: a lost speed-up, never an error
            return 0

    def restore_once(self, code) -> None:
        key = id(code)
        seen = self.done.get(key)
        if seen is not None and seen() is code:
            return
        done = self.done
        try:
            done[key] = weak_ref(code, lambda _, key=key: done.pop(key, None))
        except Exception:       # noqa: BLE001 - as in restore
            return
        self.restore(code)


def restorer(layout: Layout | None) -> SuperInstructions | None:
    """The restorer for this interpreter, or None where there is nothing to restore (not 3.12, no layout) or
    the self-check fails."""
    if sys.version_info[:2] != (3, 12) or layout is None:
        return None
    pairs = _pair_table()
    if pairs is None:
        return None
    try:
        if _self_check(layout.code_adaptive, pairs) is not None:
            return None
    except Exception:           # noqa: BLE001 - a layout this module does not know: leave the bytecode alone
        return None
    return SuperInstructions(layout.code_adaptive, pairs)
