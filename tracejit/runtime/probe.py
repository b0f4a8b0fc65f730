"""What a run collects for the visualizer, on top of the engine's own counters. Off (no Probe) in a normal run.

- `line_counts`: how often the interpreter ran each source line, keyed (filename, line); the hooks count
  them (see tracejit.hooks). Lines that ran in machine code are not here: the visualizer derives those from
  the machine code's exit counters.
- `events`: the engine's events log kept in memory (the same objects `--log` writes as JSON lines).
- `recording_seconds`: time spent recording each loop (and its bridges).

Interpreted iterations are not timed: counting their lines makes them several times slower than in a plain
run (the line counter costs 200-700 ns a line, the JIT's back-edge hook about 1.5 us an iteration), and that
cost varies too much from loop to loop to be subtracted (tried: estimates were off by 2 to 6 times).

May import: tracejit.plaindata and the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from collections import defaultdict
from tracejit.plaindata import dataclass, field

MAX_EVENTS = 100_000          # events kept in memory (the rest are counted in `events_dropped`)


@dataclass
class Probe:
    line_counts: defaultdict = field(default_factory=lambda: defaultdict(int))
    events: list = field(default_factory=list)
    events_dropped: int = 0
    recording_seconds: dict = field(default_factory=dict)   # loop name -> time spent recording it and its bridges

    def keep(self, event: dict) -> None:
        if len(self.events) < MAX_EVENTS:
            self.events.append(event)
        else:
            self.events_dropped += 1

    def recorded(self, name: str, seconds: float) -> None:
        self.recording_seconds[name] = self.recording_seconds.get(name, 0.0) + seconds
