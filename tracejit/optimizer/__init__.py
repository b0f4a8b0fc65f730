"""Trace optimizer: a fixed pipeline of passes (passes.PIPELINE), each Trace -> Trace.

`optimize_stages` returns the optimized trace and the trace after each pass (traces are not changed once made: a
pass builds new ops), `optimize` the same with each stage as text, for the visualizer and tests. The compiler
keeps the stages as traces and formats them only when a dump or the visualizer reads them.
`refcounts.place_releases` is not an optimization: the compiler runs it on every trace, optimized or not.
May import: tracejit.ir.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.ir import Trace, format_trace, verify

from .refcounts import RefcountError, check_shared_stores, keeps_in_graveyard, owned_loop_variables, place_releases
from .passes import (PIPELINE, common_subexpressions, fold_constants, guard_implied_constants,
                     hoist_loop_invariants, remove_dead_code, remove_negative_index_checks,
                     remove_redundant_guards)


def optimize_stages(trace: Trace, check: bool = True) -> tuple[Trace, list[tuple[str, Trace]]]:
    """Run every pass; returns (optimized trace, [(pass name, trace after the pass)]). `check`: verify the
    trace after each pass (the compiler verifies only what it compiles)."""
    stages = [("recorded", trace)]
    for name, fn in PIPELINE:
        trace = fn(trace)
        if check:
            verify(trace)
        stages.append((name, trace))
    return trace, stages


def optimize(trace: Trace, check: bool = True) -> tuple[Trace, list[tuple[str, str]]]:
    """Run every pass; returns (optimized trace, [(pass name, trace text after the pass)])."""
    trace, stages = optimize_stages(trace, check)
    return trace, [(name, format_trace(t)) for name, t in stages]


__all__ = ["optimize", "optimize_stages", "PIPELINE", "fold_constants", "guard_implied_constants",
           "common_subexpressions", "remove_redundant_guards", "remove_dead_code", "hoist_loop_invariants",
           "remove_negative_index_checks", "place_releases", "owned_loop_variables", "RefcountError",
           "check_shared_stores"]
