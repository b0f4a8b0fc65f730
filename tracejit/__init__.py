"""tracejit: a tracing JIT compiler for CPython 3.11-3.13 on x86-64 Linux.

    import tracejit
    tracejit.run("script.py", argv=[...])
    with tracejit.enable():
        hot_function()
    tracejit.stats()

Pipeline (one direction): hooks -> recorder -> ir -> optimizer -> backend -> runtime; CPython version
differences live in tracejit.cpython. See docs/architecture.md.
"""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
from .api import configure, enable, engine, run, run_module, stats
from .params import Params

__all__ = ["configure", "enable", "engine", "run", "run_module", "stats", "Params"]
__version__ = "0.1.0"
