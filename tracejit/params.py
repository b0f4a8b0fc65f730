"""JIT parameters: defaults, validation, parsing of the `name=value,...` string, and the environment
variables (TRACEJIT, TRACEJIT_PARAMS).

Params are checked in one place (`_checked`, called by `Params(...)`), whichever way they are made:
`--params`, TRACEJIT_PARAMS, `enable(**kw)` (via `Params.make`) or `Params(...)` itself.

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import math
import os

FLAGS = ("optimize", "native", "generic_calls", "cost_model")          # 0/1 switches: also accept False/True

# name, type, default, meaning: one row per parameter; Params, its checks, `parse` and `text` read this table
# (a plain class rather than a dataclass: this module is imported at start-up, and `dataclasses` imports
# `inspect`, which costs more than the rest of start-up together)
PARAMS: tuple[tuple[str, type, object, str], ...] = (
    ("threshold", int, 100, "loop back-edges before a loop is recorded (PyPy 1039, LuaJIT 56)"),
    ("trace_limit", int, 2000, "bytecode instructions in one trace before recording gives up (PyPy 6000)"),
    ("inline_depth", int, 4, "Python calls inlined into a trace inside one another (recursion too); 0: none"),
    ("unroll", int, 8, "iterations of an inner `for` loop over a list, tuple or str unrolled into the trace of the "
                       "loop around it; more abort that recording (0: an inner loop always does)"),
    ("bridge_threshold", int, 20, "failures of one guard before a bridge is recorded from it"),
    ("max_bridges", int, 100, "bridge recordings one compiled loop may start (its bridges' exits included)"),
    ("max_aborts", int, 3, "aborted recordings or dropped versions of a loop before it is blacklisted"),
    ("reject_limit", int, 50, "entries in a row no compiled version accepts before a new one is recorded"),
    ("short_run", int, 256, "drop a compiled loop whose native runs average fewer iterations (0: never)"),
    ("little_left", int, 50, "a for loop (range, list, tuple, str, or enumerate/zip of those) hot in its first "
                             "run with fewer than this x threshold items left, or too few to pay for compiling its "
                             "trace, waits for a later run (0: never)"),
    ("spend_ms", float, 100.0, "recording and compiling spent freely; past it new loops wait for 5% of the CPU "
                              "time or machine code's gains (0: no limit)"),
    ("slice_ms", float, 2.0, "native run length between returns to the interpreter (Ctrl-C, threads)"),
    ("optimize", int, 1, "0 disables the optimizer passes"),
    ("native", int, 1, "0 runs compiled traces in the IR interpreter (a debugging oracle)"),
    ("generic_calls", int, 1, "0: an instruction whose call may run Python code aborts the recording (3.12+)"),
    ("cost_model", int, 1, "0: compile a trace even when its calls would make it slower than the interpreter"),
    ("max_code_kb", int, 32768, "executable memory limit; least recently entered loops are evicted"),
    ("history", int, 1000, "compiled loops (live or freed) kept for dumps and the visualizer"),
    ("trace_idle_ms", float, 50.0, "3.11: ms with nothing for the JIT before the main thread's tracer is removed"),
)
NAMES = tuple(row[0] for row in PARAMS)
_TYPES = {name: kind for name, kind, _, _ in PARAMS}
DEFAULTS = {name: default for name, _, default, _ in PARAMS}


class Params:
    """The JIT's parameters (see PARAMS), immutable and checked when made."""

    __slots__ = NAMES

    def __init__(self, **values) -> None:
        for name in values:
            if name not in _TYPES:
                raise TypeError(f"unknown parameter {name!r}; known: {', '.join(NAMES)}")
        for name in NAMES:
            object.__setattr__(self, name, _checked(name, values.get(name, DEFAULTS[name])))

    def __setattr__(self, name, value):
        raise AttributeError(f"Params are read-only (use Params.make to change {name})")

    def __eq__(self, other) -> bool:
        return type(other) is Params and all(getattr(self, n) == getattr(other, n) for n in NAMES)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in NAMES))

    def __repr__(self) -> str:
        return "Params(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in NAMES) + ")"

    @classmethod
    def make(cls, base: "Params | None" = None, **changes) -> "Params":
        """`base` (default: the defaults) with these parameters changed, checked. An unknown name raises
        TypeError("unknown parameter 'x'; known: ...")."""
        values = {n: getattr(base, n) for n in NAMES} if base is not None else {}
        for name in changes:
            if name not in _TYPES:
                raise TypeError(f"unknown parameter {name!r}; known: {', '.join(NAMES)}")
        return cls(**{**values, **changes})

    @classmethod
    def parse(cls, text: str, base: "Params | None" = None, source: str = "--params") -> "Params":
        """Parse 'threshold=200,trace_limit=2000' over `base`. Raises ValueError starting with `source` (the
        option or variable the text came from) and naming the bad entry."""
        changes = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = part.partition("=")
            name, value = name.strip(), value.strip()
            if not sep:
                raise ValueError(f"{source}: expected name=value, got {part!r}")
            if name not in _TYPES:
                raise ValueError(f"{source}: unknown parameter {name!r}; known: {', '.join(NAMES)}")
            want = "a finite number >= 0" if _TYPES[name] is float else \
                "0 or 1" if name in FLAGS else "an integer >= 0"
            try:
                changes[name] = _checked(name, _TYPES[name](value))
            except (TypeError, ValueError):
                raise ValueError(f"{source}: bad value for {name}: {value!r} (expected {want})") from None
        return cls.make(base, **changes)

    def text(self) -> str:
        return ",".join(f"{n}={getattr(self, n)}" for n in NAMES)


def _checked(name: str, v):
    """The value of parameter `name`, checked: ints are ints (bool only for the 0/1 switches), floats are
    finite; nothing is negative. Raises TypeError (wrong type) or ValueError (wrong value) naming it."""
    if _TYPES[name] is float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"parameter {name} must be a number, not {type(v).__name__} ({v!r})")
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"parameter {name} must be a finite number >= 0, not {v!r}")
        return float(v)
    if name in FLAGS:
        if not isinstance(v, int) or v not in (0, 1):
            raise (ValueError if isinstance(v, int) else TypeError)(f"parameter {name} must be 0 or 1, not {v!r}")
        return int(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"parameter {name} must be an int, not {type(v).__name__} ({v!r})")
    if v < 0:
        raise ValueError(f"parameter {name} must be >= 0, not {v!r}")
    return v


def from_environment(**overrides) -> Params:
    """Params from TRACEJIT_PARAMS, then keyword overrides (checked like `Params.make`). A bad
    TRACEJIT_PARAMS raises ValueError starting with 'TRACEJIT_PARAMS:'."""
    p = Params.parse(os.environ.get("TRACEJIT_PARAMS", ""), source="TRACEJIT_PARAMS")
    return Params.make(p, **overrides) if overrides else p


ON_WORDS = ("", "on", "1", "yes", "true")
OFF_WORDS = ("off", "0", "no", "false")


def jit_switch() -> bool:
    """TRACEJIT: on (unset, empty, on/1/yes/true) or off (off/0/no/false), any case. Anything else raises
    ValueError starting with 'TRACEJIT:'."""
    value = os.environ.get("TRACEJIT", "")
    word = value.strip().lower()
    if word in ON_WORDS:
        return True
    if word in OFF_WORDS:
        return False
    raise ValueError(f"TRACEJIT: bad value {value!r} (expected on/off, 1/0, yes/no, true/false; empty means on)")


def disabled_by_environment() -> bool:
    """TRACEJIT says off (raises ValueError for a value that is neither on nor off)."""
    return not jit_switch()


def check_writable(path: str, setting: str) -> None:
    """Raise ValueError starting with `setting` (the option or variable naming the path) unless a file can
    be written at `path`: its directory exists and is writable, it is not a directory, and if it exists it
    is writable. Nothing is created."""
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        problem = "it is a directory"
    elif not os.path.isdir(parent):
        problem = f"no such directory: {parent}"
    elif os.path.exists(path) and not os.access(path, os.W_OK):
        problem = "permission denied"
    elif not os.path.exists(path) and not os.access(parent, os.W_OK | os.X_OK):
        problem = f"permission denied in {parent}"
    else:
        return
    raise ValueError(f"{setting}: cannot write {path!r}: {problem}")
