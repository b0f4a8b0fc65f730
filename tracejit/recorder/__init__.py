"""Trace recording: observed bytecode + concrete values -> IR trace (TraceRecorder) via translation tables (rules).

May import: tracejit.ir, tracejit.cpython.bytecode."""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
from .frame import RETRY_HINTS
from .generic import LITTLE_LEFT
from .recorder import LOOP_LEFT, BridgeStart, FrameView, RecordAbort, TraceRecorder, kind_of

__all__ = ["LITTLE_LEFT", "LOOP_LEFT", "RETRY_HINTS", "BridgeStart", "FrameView", "RecordAbort", "TraceRecorder", "kind_of"]
