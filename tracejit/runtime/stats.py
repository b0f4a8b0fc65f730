"""The engine's statistics (Stats) and its events log (EventLog): plain data, cheap to import, so that
`tracejit.stats()` has the same keys whether or not the JIT runs.

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import json
import time
from dataclasses import dataclass, field


@dataclass
class Stats:
    loops_seen: int = 0
    loops_hot: int = 0
    traces_recorded: int = 0
    traces_compiled: int = 0
    bridges_compiled: int = 0
    aborts: dict = field(default_factory=dict)
    blacklisted: int = 0
    native_entries: int = 0
    entry_rejections: int = 0
    guard_failures: int = 0
    budget_exits: int = 0
    loops_dropped: int = 0
    loops_evicted: int = 0
    loops_freed: int = 0
    internal_errors: int = 0
    recording_seconds: float = 0.0
    compiling_seconds: float = 0.0
    code_bytes: int = 0                 # machine code compiled, in total
    code_memory: int = 0                # executable memory mapped now (bytes)

    def as_dict(self) -> dict:
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.__dict__.items()}

    def text(self) -> str:
        d = self.as_dict()
        aborts = d.pop("aborts")
        lines = [f"  {k:<20} {round(v, 4) if isinstance(v, float) else v}" for k, v in d.items()]
        for reason, n in sorted(aborts.items(), key=lambda kv: -kv[1]):
            lines.append(f"  abort: {reason} x{n}")
        return "tracejit stats:\n" + "\n".join(lines)


class EventLog:
    """One JSON object per line: {"t": seconds, "event": ..., ...} (like LuaJIT's -jv, machine-readable),
    written to a file and/or handed to `keep` (the visualizer's Probe)."""

    def __init__(self, path: str | None, keep=None):
        self.file = open(path, "w", buffering=1) if path else None
        self.keep = keep
        self.t0 = time.perf_counter()

    @property
    def on(self) -> bool:
        return self.file is not None or self.keep is not None

    def __call__(self, event: str, **data) -> None:
        if self.on:
            data = {"t": round(time.perf_counter() - self.t0, 6), "event": event, **data}
            if self.keep is not None:
                self.keep(data)
            if self.file is not None:
                self.file.write(json.dumps(data, default=str) + "\n")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
