"""Profiling hooks: deliver loop back-edges and, while recording, executed instructions to a listener.

`make_hooks(listener)` picks sys.monitoring (3.12+) or sys.settrace (3.11). The listener provides
`backedge(frame, code, src, header) -> bool` (True: never report this back-edge again) and
`instruction(frame, code, offset)`. The hooks know nothing of traces or machine code.

May import: tracejit.cpython.bytecode and the standard library.
"""
from __future__ import annotations

import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def own_code(code) -> bool:
    """True for tracejit's own code, which is never profiled or compiled."""
    return code.co_filename.startswith(_PACKAGE_DIR)


class HookError(Exception):
    """The hook cannot be installed (e.g. the monitoring tool id is taken)."""


def make_hooks(listener):
    if sys.version_info >= (3, 12):
        from .monitoring import MonitoringHooks
        return MonitoringHooks(listener)
    from .tracing import TracingHooks
    return TracingHooks(listener)


def foreign_tool_active() -> str | None:
    """Name of another active debugger/profiler/coverage tool, if any (the JIT then steps aside)."""
    if sys.gettrace() is not None and not getattr(sys.gettrace(), "_tracejit", False):
        return "sys.settrace"
    if sys.getprofile() is not None:
        return "sys.setprofile"
    if sys.version_info >= (3, 12):
        m = sys.monitoring
        for tool in range(6):
            if tool != m.OPTIMIZER_ID and m.get_tool(tool) is not None and m.get_events(tool):
                return f"sys.monitoring tool {m.get_tool(tool)}"
    return None
