"""What the hooks need of bytecode, apart from the rest of the bytecode layer so that installing the hooks and
classifying the first code objects import no `dis`, `dataclasses` or `typing` (start-up cost):
without_entry_check (the RESUME rewrite for the hooks' callbacks), raw_back_edges (a loop's back-edges read
straight from co_code; tracejit.cpython.bytecode.back_edges is the reference it is tested against) and
raw_for_iter_at (whether a loop header is a FOR_ITER, read the same way) and raw_branches_into (the conditional
jumps that enter a loop, whose BRANCH events count a `while` loop's runs); CO_OPTIMIZED and
own_module_locals (module-level code whose names are not its globals: no compiled loop of it can be entered).

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import opcode
from types import FunctionType

_PROLOGUE_OPS = {"COPY_FREE_VARS", "MAKE_CELL", "NOP"}
CO_OPTIMIZED = 0x0001      # a code object's flag: its names are fast locals (a function's), not a module's
# why no compiled loop of such a frame is entered (own_module_locals)
OWN_MODULE_LOCALS = "module-level code whose locals are not its globals"


def own_module_locals(code, frame) -> bool:
    """The frame runs module-level code (or a class body) whose names are not its globals: exec(code, g, l), or,
    3.12+, a comprehension inlined in it while it runs (its hidden locals). A trace reads such names as globals."""
    return not code.co_flags & CO_OPTIMIZED and frame.f_locals is not frame.f_globals
RESUME_NO_CHECK = 2       # RESUME's "after yield from" kind: on 3.11-3.13 the only effect is no eval-breaker check


def without_entry_check(func: FunctionType) -> FunctionType:
    """Rewrite `func`'s RESUME so that entering it runs no eval-breaker check (no signal handler, thread
    switch or asynchronous exception can happen before its first instruction). For the hooks' callbacks,
    which hold signal handlers first thing (hooks.SignalGate). Returns func; raises ValueError if the code
    does not start the expected way."""
    code = func.__code__
    raw = bytearray(code.co_code)
    resume = opcode.opmap["RESUME"]
    for i in range(0, len(raw), 2):
        name = opcode.opname[raw[i]]
        if raw[i] == resume:
            if raw[i + 1] != 0:
                raise ValueError(f"{func.__qualname__}: RESUME {raw[i + 1]}")
            raw[i + 1] = RESUME_NO_CHECK
            func.__code__ = code.replace(co_code=bytes(raw))
            return func
        if name not in _PROLOGUE_OPS:
            break
    raise ValueError(f"{func.__qualname__} does not start with RESUME")


_BACKWARD = {op for name, op in opcode.opmap.items() if "JUMP_BACKWARD" in name}    # 3.11: POP_JUMP_BACKWARD_IF_*
# the send loop of `await` / `yield from` (SEND ... YIELD_VALUE ... JUMP_BACKWARD_NO_INTERRUPT): not a loop of the
# program's; a frame suspended or running inside it is not iterating a loop
_SEND_LOOP = opcode.opmap.get("JUMP_BACKWARD_NO_INTERRUPT", -1)
_EXTENDED_ARG = opcode.opmap["EXTENDED_ARG"]
# the forward conditional jumps (3.12+: POP_JUMP_IF_FALSE/TRUE/NONE/NOT_NONE; 3.11: POP_JUMP_FORWARD_IF_*)
_FORWARD_BRANCHES = {op for name, op in opcode.opmap.items() if name.startswith("POP_JUMP") and "_IF_" in name
                     and "BACKWARD" not in name}
_FOR_ITER = opcode.opmap["FOR_ITER"]
_CACHES = getattr(opcode, "_inline_cache_entries", None)     # a list by opcode (3.11, 3.12), a dict by name (3.13)
_CACHE_UNITS = [(_CACHES[op] if isinstance(_CACHES, list) else _CACHES.get(opcode.opname[op], 0)) if _CACHES else 0
                for op in range(256)]                          # inline cache code units after each opcode


def raw_loop_back_edges(code) -> list[tuple[int, int]]:
    """raw_back_edges without the send loops of `await` and `yield from`."""
    raw = code.co_code
    return [(src, header) for src, header in raw_back_edges(code) if raw[src] != _SEND_LOOP]


def raw_back_edges(code) -> list[tuple[int, int]]:
    """(source offset, header offset) of every backward jump of `code` (JUMP_BACKWARD, JUMP_BACKWARD_NO_INTERRUPT
    and 3.11's POP_JUMP_BACKWARD_IF_*), read from co_code: the target is the offset after the jump's own
    code unit and its inline caches, minus oparg code units. The source is the offset of the jump itself
    (EXTENDED_ARG prefixes are not part of it, as dis reports them)."""
    raw = code.co_code
    edges = []
    arg = 0
    i = 0
    n = len(raw)
    while i < n:
        op = raw[i]
        arg = (arg << 8) | raw[i + 1]
        if op == _EXTENDED_ARG:
            i += 2
            continue
        nxt = i + 2 + 2 * _CACHE_UNITS[op]
        if op in _BACKWARD:
            edges.append((i, nxt - 2 * arg))
        arg = 0
        i = nxt
    return edges


def raw_for_iter_at(code, offset: int) -> bool:
    """The instruction at `offset` of `code` (after any EXTENDED_ARG prefixes: a jump's target is its first
    code unit) is a FOR_ITER, read from co_code (its specialized and instrumented forms are not there)."""
    raw = code.co_code
    while offset < len(raw) and raw[offset] == _EXTENDED_ARG:
        offset += 2
    return offset < len(raw) and raw[offset] == _FOR_ITER


def raw_branches_into(code, header: int) -> frozenset[int]:
    """The offsets of the forward conditional jumps of `code` before `header` that go to it, taken or not (the
    jump's target or the instruction after it and its inline caches is `header`), read from co_code: a `while`
    loop's entry test, which the compiler puts before the loop's first instruction (falling into it) or jumps
    from to the test at its head. Each run of the loop that comes through one of them passes it once; the
    loop's own back-edges never do (they jump backward). Offsets as raw_back_edges gives them (EXTENDED_ARG
    prefixes not part of them)."""
    raw = code.co_code
    found = []
    arg = 0
    i = 0
    while i < header:
        op = raw[i]
        arg = (arg << 8) | raw[i + 1]
        if op == _EXTENDED_ARG:
            i += 2
            continue
        nxt = i + 2 + 2 * _CACHE_UNITS[op]
        if op in _FORWARD_BRANCHES and header in (nxt, nxt + 2 * arg):
            found.append(i)
        arg = 0
        i = nxt
    return frozenset(found)
