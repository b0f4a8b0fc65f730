"""Trace optimizer: a fixed pipeline of passes (passes.PIPELINE), each Trace -> Trace.

`optimize` returns the optimized trace and the text form after each pass, for the visualizer and tests.
`refcounts.place_releases` is not an optimization: the compiler runs it on every trace, optimized or not.
May import: tracejit.ir.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.ir import Trace, format_trace, verify

from .refcounts import RefcountError, owned_loop_variables, place_releases
from .passes import (PIPELINE, common_subexpressions, fold_constants, guard_implied_constants,
                     hoist_invariant_guards, remove_dead_code, remove_redundant_guards)


def optimize(trace: Trace, check: bool = True) -> tuple[Trace, list[tuple[str, str]]]:
    """Run every pass; returns (optimized trace, [(pass name, trace text after the pass)])."""
    stages = [("recorded", format_trace(trace))]
    for name, fn in PIPELINE:
        trace = fn(trace)
        if check:
            verify(trace)
        stages.append((name, format_trace(trace)))
    return trace, stages


__all__ = ["optimize", "PIPELINE", "fold_constants", "guard_implied_constants", "common_subexpressions",
           "remove_redundant_guards", "remove_dead_code", "hoist_invariant_guards", "place_releases",
           "owned_loop_variables", "RefcountError"]
