"""The engine's statistics (Stats) and its events log (EventLog): plain data, cheap to import, so that
`tracejit.stats()` has the same keys whether or not the JIT runs.

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import time


# name, initial value, meaning: one row per counter (a plain table, not a dataclass: this module loads at
# start-up, and `dataclasses` would import `inspect`)
STATS_FIELDS: tuple[tuple[str, object, str], ...] = (
    ("loops_seen", 0, "loop headers whose back-edge was seen"),
    ("loops_hot", 0, "loops that reached the threshold and were recorded"),
    ("traces_recorded", 0, "recordings that reached the loop header again"),
    ("traces_compiled", 0, "loops compiled to machine code"),
    ("bridges_compiled", 0, "side traces compiled"),
    ("bridges_linked", 0, "exits that jump to a bridge compiled for another exit with the same start"),
    ("aborts", dict, "failed recordings, by reason"),
    ("blacklisted", 0, "loops left to the interpreter for good"),
    ("native_entries", 0, "runs of machine code"),
    ("entry_rejections", 0, "entries no compiled version accepted (other types)"),
    ("guard_failures", 0, "exits from machine code at a guard"),
    ("budget_exits", 0, "exits at the end of a time slice"),
    ("frames_resumed", 0, "inlined frames rebuilt mid-body after an exit inside an inlined call"),
    ("loops_dropped", 0, "compiled loops given up (did not pay back)"),
    ("spend_waits", 0, "hot loops left waiting: the JIT had spent its share of the run on recording and compiling"),
    ("little_left_waits", 0, "hot loops left for a later run: too little of this one was left to pay for compiling"),
    ("loops_evicted", 0, "compiled loops evicted by the code memory limit"),
    ("loops_freed", 0, "compiled loops whose machine code was freed"),
    ("internal_errors", 0, "JIT bugs caught (the loop is left to the interpreter)"),
    ("recording_seconds", 0.0, "time spent recording"),
    ("compiling_seconds", 0.0, "time spent optimizing and compiling"),
    ("code_bytes", 0, "machine code compiled, in total"),
    ("code_memory", 0, "executable memory mapped now (bytes)"),
)


class Stats:
    """The engine's counters (see STATS_FIELDS)."""

    def __init__(self) -> None:
        for name, initial, _ in STATS_FIELDS:
            setattr(self, name, initial() if callable(initial) else initial)
        # () -> (entries, budget exits, guard exits) of the runs the back-edge stub made and counted itself
        # (runtime/fastpath.py), added to those counters here; None while it is not installed
        self.fast_counts = None

    def as_dict(self) -> dict:
        d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.__dict__.items() if k != "fast_counts"}
        if self.fast_counts is not None:
            entries, budget_exits, guard_exits = self.fast_counts()
            d["native_entries"] += entries
            d["budget_exits"] += budget_exits
            d["guard_failures"] += guard_exits
        return d

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
        if path:
            import json                 # now, not at the first event: that may come from inside an import
            self._dumps = json.dumps    # (a callback in importlib's code), where importing again breaks it
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
                self.file.write(self._dumps(data, default=str) + "\n")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
