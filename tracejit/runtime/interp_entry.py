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


class InterpretedLoop:
    """Callable like the native entry: takes the buffer address (ignored; uses the buffer object)."""

    def __init__(self, trace: Trace, buffer):
        self.trace = trace
        self.buffer = buffer
        self.bridges: dict[int, Trace] = {}
        # objects whose addresses this run put into the buffer: kept alive until the runtime has written
        # the results back (CompiledLoop.run clears it then; the machine code's graveyard does the same)
        self.keep: list = []
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
            if value is not NULL:
                self.keep.append(value)
            value = 0 if value is NULL else id(value)
        self.buffer[slot] = int(value)

    def _inputs(self, trace: Trace) -> dict:
        return {sv: self._read(trace.layout.slot(sv), var.kind) for sv, var in trace.inputs}

    def __call__(self, _address: int) -> int:
        """Run as the machine code runs: no garbage collection starts inside (its finalizers would run Python code
        in the middle of an op, which machine code never does: 3.12+ collect at the next eval-breaker check, and
        3.11's machine code holds them off around its allocations), except inside the ops that call Python code.
        Being Python code itself, this interpreter would otherwise collect between reading an attribute's address
        and taking a reference to it."""
        if not gc.isenabled():
            return self._run(None)          # (the program's choice: no collections at all)
        gc.disable()
        try:
            return self._run(self._collecting)
        finally:
            gc.enable()

    @staticmethod
    def _collecting(f, *args):
        """An op that calls Python code, with collections on as in the interpreter."""
        gc.enable()
        try:
            return f(*args)
        finally:
            gc.disable()

    def _run(self, around) -> int:
        budget = self.buffer[BUDGET_SLOT]
        trace = self.trace
        self.keep = []
        while True:
            ex = run_trace(trace, self._inputs(trace), budget=budget, around_python=around)
            budget -= ex.iterations
            if ex.op.name == "jump":                # a bridge finished: store and re-enter the loop
                for sv, a in zip(trace.jump_vars, ex.op.args):
                    self._write(trace.layout.slot(sv), a.kind, ex.values[sv])
                trace = self.trace
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
            trace = bridge
