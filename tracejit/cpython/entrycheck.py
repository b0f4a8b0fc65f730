"""without_entry_check: the RESUME rewrite for the hooks' callbacks, apart from the rest of the bytecode
layer so that installing the hooks imports no `dis` (start-up cost).

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import opcode
from types import FunctionType

_PROLOGUE_OPS = {"COPY_FREE_VARS", "MAKE_CELL", "NOP"}
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
