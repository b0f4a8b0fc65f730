"""Trace recording: observed bytecode + concrete values -> IR trace (TraceRecorder) via translation tables (rules).

May import: tracejit.ir, tracejit.cpython.bytecode."""
from .recorder import LOOP_LEFT, BridgeStart, FrameView, RecordAbort, TraceRecorder, kind_of

__all__ = ["LOOP_LEFT", "BridgeStart", "FrameView", "RecordAbort", "TraceRecorder", "kind_of"]
