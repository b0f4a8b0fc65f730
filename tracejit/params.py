"""JIT parameters: defaults, parsing of the `name=value,...` string, and the environment variables.

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Params:
    threshold: int = 100          # loop back-edges before a loop is recorded (PyPy 1039, LuaJIT 56)
    trace_limit: int = 2000       # bytecode instructions in one trace before recording gives up (PyPy 6000)
    bridge_threshold: int = 20    # failures of one guard before a bridge is recorded from it
    max_aborts: int = 3           # aborted recordings of a loop before it is blacklisted for good
    reject_limit: int = 50        # consecutive entry type-check failures before the compiled loop is dropped
    short_run: int = 256          # drop a compiled loop whose native runs average fewer iterations (0: never)
    slice_ms: float = 2.0         # native run length between returns to the interpreter (Ctrl-C, threads)
    optimize: int = 1             # 0 disables the optimizer passes
    native: int = 1               # 0 runs compiled traces in the IR interpreter (a debugging oracle)
    max_code_kb: int = 32768      # executable memory limit; least recently entered loops are evicted
    history: int = 1000           # compiled loops (live or freed) kept for dumps and the visualizer

    @classmethod
    def parse(cls, text: str, base: "Params | None" = None) -> "Params":
        """Parse 'threshold=200,trace_limit=2000'. Raises ValueError naming a bad entry."""
        base = base or cls()
        types = {f.name: f.type for f in fields(cls)}
        changes = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or name not in types:
                raise ValueError(f"unknown parameter {part!r}; known: {', '.join(types)}")
            conv = float if types[name] in (float, "float") else int
            try:
                changes[name] = conv(value)
            except ValueError:
                raise ValueError(f"bad value for {name}: {value!r}") from None
            if changes[name] < 0:
                raise ValueError(f"{name} must not be negative")
        return replace(base, **changes)

    def text(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


def from_environment(**overrides) -> Params:
    """Params from TRACEJIT_PARAMS, then keyword overrides."""
    p = Params.parse(os.environ.get("TRACEJIT_PARAMS", ""))
    return replace(p, **overrides) if overrides else p


def disabled_by_environment() -> bool:
    return os.environ.get("TRACEJIT", "").strip().lower() in ("off", "0", "no", "false")
