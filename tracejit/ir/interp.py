"""Reference interpreter for trace IR: runs a trace on Python values using the op table's semantics.

It defines what the machine code must compute. `run_trace` executes a loop trace (or a bridge) from input
values until a guard fails or the iteration budget runs out, and returns the failing guard's snapshot with
its values resolved. Tests compare the backend's machine code and the optimizer's output against it.

May import: tracejit.ir.ops, tracejit.ir.trace, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import dataclass

from .ops import OPS, GuardFailed
from .trace import Const, Op, StateVar, Trace, Value


@dataclass
class ExitState:
    """Where the IR interpreter left a trace, and the values there."""
    op: Op                                   # the guard that failed (or guard_budget)
    pc: int                                  # bytecode offset to resume at
    values: dict[StateVar, object]           # state variables and stack slots at the exit
    iterations: int                          # completed trips around the loop
    raised: BaseException | None = None      # the exception a py_call raised (the interpreter raises it there)


def run_trace(trace: Trace, inputs: dict[StateVar, object], budget: int = 1_000_000,
              around_python=None) -> ExitState:
    """Execute `trace` with inputs given per state variable; bridges end at their jump (returned as
    an ExitState whose op is the jump and values are the stored jump_vars). `around_python(f, *args)`, if
    given, evaluates the ops that may run Python code (OpDef.runs_python) instead of calling f(*args)."""
    env: dict[int, object] = {}

    def val(v: Value):
        return v.value if isinstance(v, Const) else env[id(v)]

    for sv, var in trace.inputs:
        env[id(var)] = inputs[sv]
    ops = trace.ops
    start = 1 if ops[0].name == "label" else 0
    iterations = 0
    while True:
        for op in ops[start:]:
            if op.name == "jump":
                if trace.kind == "bridge":
                    vals = {sv: val(a) for sv, a in zip(trace.jump_vars, op.args)}
                    return ExitState(op, trace.header_pc, vals, iterations)
                new = [val(a) for a in op.args]
                for (_sv, var), x in zip(trace.inputs, new):
                    env[id(var)] = x
                iterations += 1
                start = trace.preamble + 1          # (the back-edge jumps past the loop's preamble)
                break
            if op.name == "guard_budget":
                budget -= 1
                if budget <= 0:
                    return _exit(op, val, iterations)
                continue
            d = OPS[op.name]
            try:
                if around_python is not None and d.runs_python:
                    r = around_python(d.evaluate, *[val(a) for a in op.args])
                else:
                    r = d.evaluate(*[val(a) for a in op.args])
            except GuardFailed as e:
                return _exit(op, val, iterations, getattr(e, "exception", None))
            if op.name in ("guard_true", "guard_false"):
                continue
            if op.result is not None:
                env[id(op.result)] = r


def _exit(op: Op, val, iterations: int, raised: BaseException | None = None) -> ExitState:
    snap = op.snapshot
    return ExitState(op, snap.pc, {sv: val(v) for sv, v in snap.exit_entries()}, iterations, raised)
