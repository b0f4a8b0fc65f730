"""The backend's error type. May import: the standard library only."""


class CompileError(Exception):
    """The trace cannot be compiled (e.g. too many live values); the runtime aborts the trace cleanly."""
