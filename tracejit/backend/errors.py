"""The backend's error type. May import: the standard library only."""



from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
class CompileError(Exception):
    """The trace cannot be compiled (e.g. too many live values); the runtime aborts the trace cleanly."""
