"""Reference execution of compiled loops: runs the optimized traces with the IR interpreter through the
same state buffer and exit protocol as the machine code (parameter native=0). A debugging oracle: a
difference between native=1 and native=0 is a backend bug; a difference between native=0 and plain CPython
is a recorder, optimizer or runtime bug.

May import: tracejit.ir, tracejit.cpython.layout (object_at), the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import gc
import struct

from tracejit.cpython.layout import object_at
from tracejit.ir import BUDGET_SLOT, NULL, Kind, Trace
from tracejit.ir.interp import run_trace


class CollectorHold:
    """Garbage collection held off while the IR interpreter runs traces, as machine code holds it (3.12+ collect
    at the next eval-breaker check, which machine code never makes; 3.11's machine code holds collections off
    around its allocations): being Python code itself, the interpreter would otherwise collect between any two
    ops, even between reading an attribute's address and taking a reference to it, and the finalizers could
    change what the guards before had checked. One per engine, shared by its interpreted loops: each run that
    starts (nested ones, other threads') pushes onto `held` whether the collector was on, and turns it off;
    each run that ends pops an entry, in whatever order the runs end, and turns it on if the entry says so.
    Only a run that started while it was on pushes True, so it is on again once no run is in progress. Inside an
    op that calls Python code it is on, as without the JIT, while that run is the only one; a program that
    turns it off there keeps it off."""

    def __init__(self) -> None:
        self.held: list[bool] = []

    def enter(self) -> None:
        on = gc.isenabled()
        if on:
            gc.disable()
        self.held.append(on)

    def leave(self) -> None:
        if self.held.pop():
            gc.enable()

    def call(self, f, *args):
        """An op that calls Python code: collections on, as without the JIT, when this run is the only one and
        the collector was on when it started."""
        if len(self.held) != 1 or not self.held[0]:
            return f(*args)
        gc.enable()
        try:
            return f(*args)
        finally:
            if gc.isenabled():
                gc.disable()
            else:
                self.held[0] = False        # the program disabled it: it stays so


class InterpretedLoop:
    """Callable like the native entry: takes the buffer address (ignored; uses the buffer object)."""

    def __init__(self, trace: Trace, buffer, hold: CollectorHold):
        self.trace = trace
        self.buffer = buffer
        self.hold = hold
        self.bridges: dict[int, Trace] = {}
        self.linked: set[int] = set()       # exits jumping to another exit's bridge (compiling.link_bridge)
        # objects whose addresses this run put into the buffer, by slot: kept alive until the runtime has written
        # the results back, or until their slot gets another (one only the buffer held dies then, as it would
        # where the interpreter's frame let go of it, not at the loop's next entry)
        self.keep: dict[int, object] = {}
        self.raised: BaseException | None = None     # the exception the last exit's py_call raised

    def _read(self, slot: int, kind: Kind):
        raw = self.buffer[slot]
        if kind is Kind.FLOAT:
            return struct.unpack("<d", struct.pack("<q", raw))[0]
        if kind is Kind.REF:
            return object_at(raw) if raw else NULL
        return bool(raw) if kind is Kind.BOOL else raw

    def _write(self, slot: int, kind: Kind, value) -> None:
        if kind is Kind.FLOAT:
            value = struct.unpack("<q", struct.pack("<d", value))[0]
        elif kind is Kind.REF:
            # borrowed, like the machine code's: the frame or a list keeps it alive; NULL is address 0
            if value is NULL:
                self.keep.pop(slot, None)
            else:
                self.keep[slot] = value
            value = 0 if value is NULL else id(value)
        self.buffer[slot] = int(value)

    def _inputs(self, trace: Trace) -> dict:
        return {sv: self._read(trace.layout.slot(sv), var.kind) for sv, var in trace.inputs}

    def __call__(self, _address: int) -> int:
        """Run the loop as the machine code would, with collections held off (CollectorHold)."""
        hold = self.hold
        hold.enter()
        try:
            return self._run(hold.call)
        finally:
            hold.leave()

    def _run(self, around) -> int:
        budget = self.buffer[BUDGET_SLOT]
        trace = self.trace
        self.keep = {}
        while True:
            ex = run_trace(trace, self._inputs(trace), budget=budget, around_python=around)
            budget -= ex.iterations
            if ex.op.name == "jump":                # a bridge finished: store and re-enter the loop
                for sv, a in zip(trace.jump_vars, ex.op.args):
                    self._write(trace.layout.slot(sv), a.kind, ex.values[sv])
                trace, ex = self.trace, None        # (what the bridge read dies where its holders let go of it)
                continue
            snap = ex.op.snapshot
            self.raised = ex.raised
            for sv, v in snap.exit_entries():
                self._write(trace.layout.slot(sv), v.kind, ex.values[sv])
            if ex.op.name == "guard_budget":
                budget = 0
            self.buffer[BUDGET_SLOT] = max(budget, 1)
            bridge = self.bridges.get(ex.op.exit_id)
            if bridge is None:
                return ex.op.exit_id
            if ex.op.exit_id in self.linked:
                # an exit linked to another exit's bridge counts against the budget (as the bridge's linked entry
                # does in machine code: backend.assembler): a cycle of linked bridges ends at the time slice,
                # through the exit that would have entered the bridge
                budget -= 1
                self.buffer[BUDGET_SLOT] = budget
                if budget <= 0:
                    return ex.op.exit_id
            # the values of the trace that left are not the bridge's (it reads what the exit stored): an object
            # only they held dies now, not when the run ends (a call the bridge makes may let go of it)
            trace, ex = bridge, None
