"""What a run collects for the visualizer, on top of the engine's own counters. Off (no Probe) in a normal run.

- `line_counts`: how often the interpreter ran each source line, keyed (filename, line); the hooks count
  them (see tracejit.hooks). Lines that ran in machine code are not here: the visualizer derives those from
  the machine code's exit counters.
- `events`: the engine's events log kept in memory (the same objects `--log` writes as JSON lines).
- `recording_seconds`: time spent recording each loop (and its bridges).
- `interpreted`: for each loop, samples of the time between two back-edges while the interpreter ran it
  (before it was compiled), with the number of lines counted in between, so that the cost of counting them
  can be subtracted, with what the JIT's own back-edge hook costs. Both costs are measured in vivo:
  `calibrate` runs two small loops (CALIBRATION_FILE) under the installed hooks and compares them with the
  same loops timed before. They are counted like any other loop (two more loops seen).

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import time
from collections import defaultdict
from dataclasses import dataclass, field

CALIBRATION_FILE = "<tracejit calibration>"
# two loops with 2 and 6 counted lines per iteration: under the hooks, each iteration costs its plain time plus
# one back-edge and its lines, which gives both costs
_CALIBRATION_SOURCE = """
def short(n):
    i = 0
    while i < n:
        i += 1
    return i

def long(n):
    i = 0
    while i < n:
        i += 1
        a = i
        b = a
        a = b
        b = a
    return i
"""
MAX_EVENTS = 100_000          # events kept in memory (the rest are counted in `events_dropped`)
MAX_SAMPLES = 64              # interpreted iteration timings kept per loop
WARM_UP = 16                  # the first timings of a loop, left out when there are enough others


@dataclass
class Probe:
    line_counts: defaultdict = field(default_factory=lambda: defaultdict(int))
    events: list = field(default_factory=list)
    events_dropped: int = 0
    interpreted: dict = field(default_factory=dict)     # loop name -> [(ns, lines counted meanwhile)]
    recording_seconds: dict = field(default_factory=dict)   # loop name -> time spent recording it and its bridges
    _last: dict = field(default_factory=dict)           # loop name -> (id of frame, ns, lines) at its last back-edge
    started: float = field(default_factory=time.perf_counter)
    line_cost_ns: float = 0.0                 # what counting one line costs the interpreter
    hook_cost_ns: float = 0.0                 # what a back-edge costs under the hooks, beyond the loop's own work
    calibrated: bool = False                  # calibrate() ran
    measured: bool = False                    # ... and measured both costs (else no interpreted timings)
    _plain: dict = field(default_factory=dict)    # calibration loop -> its iteration, timed without hooks
    _codes: dict = field(default_factory=dict)    # code of a calibration loop -> its name

    def __post_init__(self) -> None:
        namespace: dict = {}
        exec(compile(_CALIBRATION_SOURCE, CALIBRATION_FILE, "exec"), namespace)
        for name in ("short", "long"):
            loop = namespace[name]
            self._codes[loop.__code__] = f"{CALIBRATION_FILE} {name}"
            best = None
            for _ in range(5):
                t0 = time.perf_counter_ns()
                loop(2000)
                dt = (time.perf_counter_ns() - t0) / 2000
                best = dt if best is None else min(best, dt)
            self._plain[name] = (loop, best)

    def calibrate(self, threshold: int) -> None:
        """Run the calibration loops under the hooks just installed (staying below the JIT's threshold) and
        keep what a back-edge and a counted line cost there."""
        self.calibrated = True
        n = min(48, threshold - 2)
        if n < 5:
            return
        extra = {}
        for name, (loop, plain) in self._plain.items():
            key = f"{CALIBRATION_FILE} {name}"
            loop(n)
            samples = self.interpreted.pop(key, [])
            self._last.pop(key, None)
            if not samples:
                return
            ns = sorted(s[0] for s in samples)[len(samples) // 2]
            lines = sorted(s[1] for s in samples)[len(samples) // 2]
            extra[name] = (ns - plain, lines)
        (short_ns, short_lines), (long_ns, long_lines) = extra["short"], extra["long"]
        if long_lines > short_lines:
            self.line_cost_ns = max((long_ns - short_ns) / (long_lines - short_lines), 0.0)
            self.hook_cost_ns = max(short_ns - short_lines * self.line_cost_ns, 0.0)
            self.measured = True

    def keep(self, event: dict) -> None:
        if len(self.events) < MAX_EVENTS:
            self.events.append(event)
        else:
            self.events_dropped += 1

    def recorded(self, name: str, seconds: float) -> None:
        self.recording_seconds[name] = self.recording_seconds.get(name, 0.0) + seconds

    def interpreted_backedge(self, name: str, frame, code) -> None:
        """A back-edge of loop `name` that the interpreter ran (the loop is being counted)."""
        name = self._codes.get(code, name)
        samples = self.interpreted.setdefault(name, [])
        if len(samples) >= MAX_SAMPLES:
            return
        now = time.perf_counter_ns()
        lines = sum(self.line_counts.values())
        last = self._last.get(name)
        if last is not None and last[0] == id(frame):
            samples.append((now - last[1], lines - last[2]))
        self._last[name] = (id(frame), time.perf_counter_ns(), lines)

    def interpreted_ns(self, name: str) -> float | None:
        """Median time of one interpreted iteration of the loop, without the cost of counting its lines and of
        the JIT's back-edge hook (None: not measured, or too short to tell)."""
        samples = self.interpreted.get(name)
        if not samples or not self.measured:
            return None
        if len(samples) > 2 * WARM_UP:
            samples = samples[WARM_UP:]       # the interpreter specializes a loop's instructions as it runs
        values = sorted(ns - lines * self.line_cost_ns - self.hook_cost_ns for ns, lines in samples)
        median = values[len(values) // 2]
        return median if median > 0 else None
