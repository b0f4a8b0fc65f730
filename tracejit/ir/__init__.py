"""Typed SSA trace IR: the op table (ops), values/snapshots/traces and their text form (trace), and a
reference interpreter (interp). Plain data passed from the recorder to the optimizer and backend.

May import: the standard library only (and its own modules).
"""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
from .ops import OPS, GuardFailed, Kind, OpDef, opdef
from .trace import (NULL, BUDGET_SLOT, STACK_BASE, STACK_SLOTS, STATE_BASE, Const, IRError, Op, Snapshot,
                    StateLayout, StateVar, Trace, Var, VarFactory, const_bool, const_float, const_int,
                    const_null, const_ref, InlinedChecks, InlinedFunction, NameBindings, Pin, format_op, format_snapshot, format_trace, inner_var, release_var, snapshot_vars, stack_var,
                    verify)

__all__ = ["NULL", "InlinedChecks", "InlinedFunction", "NameBindings", "Pin", "const_null", "OPS", "GuardFailed", "Kind", "OpDef", "opdef", "BUDGET_SLOT", "STACK_BASE", "STACK_SLOTS",
           "STATE_BASE", "Const", "IRError", "Op", "Snapshot", "StateLayout", "StateVar", "Trace", "Var",
           "VarFactory", "const_bool", "const_float", "const_int", "const_ref", "format_op", "format_snapshot",
           "format_trace", "inner_var", "release_var", "snapshot_vars", "stack_var", "verify"]
