"""Public entry points: `enable()`, `run()`, `run_module()`, `stats()`.

Holds the single Engine (created on first use). On an interpreter the JIT does not support, everything
still works with the JIT off, after one warning line giving the reason.

May import: tracejit.params and (lazily, so that an unsupported platform can still import tracejit)
tracejit.runtime.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import contextlib
import io
import os
import runpy
import sys

from .params import Params, disabled_by_environment, from_environment


class _Runtime:
    """The process-wide holder of the one Engine."""

    def __init__(self):
        self.engine = None
        self.reason: str | None = None
        self.warned = False
        self.as_main_program = False      # running `python -m tracejit ...` (see _launcher_frames_hidden)

    def get(self, params: Params | None = None, log_path: str | None = None, probe=None):
        if self.engine is None and self.reason is None:
            self.reason = _platform_reason()
        if self.engine is None and self.reason is None:
            try:
                from .runtime.engine import Engine
                self.engine = Engine(params or from_environment(), log_path or os.environ.get("TRACEJIT_LOG"),
                                     probe)
                self.reason = self.engine.off_reason
            except ImportError as e:
                self.reason = f"a dependency is missing ({e.name or e})"
            except Exception as e:      # the JIT must never stop the program from running
                self.reason = f"could not start ({type(e).__name__}: {e})"
        if self.reason and not self.warned:
            self.warned = True
            print(f"tracejit: JIT off: {self.reason}", file=sys.stderr)
        return self.engine if not self.reason else None


def _platform_reason() -> str | None:
    """Why the JIT cannot run here, checked before any JIT module is imported (None: it can)."""
    if sys.version_info[:2] not in ((3, 11), (3, 12), (3, 13)):
        return f"CPython {sys.version_info[0]}.{sys.version_info[1]} is not supported (3.11, 3.12, 3.13 are)"
    try:
        from .cpython.layout import frame_access_or_reason
    except Exception as e:
        return f"layout layer failed to load ({type(e).__name__}: {e})"
    return frame_access_or_reason()[1]


_runtime = _Runtime()


def configure(params: Params | None = None, log_path: str | None = None, probe=None) -> None:
    """Create the engine with these parameters (must come before the first enable()). `probe`: a
    tracejit.visualizer Probe, to collect what the visualizer's report needs."""
    if _runtime.engine is None and _runtime.reason is None:
        _runtime.get(params, log_path, probe)


@contextlib.contextmanager
def enable(**params):
    """JIT on while the block runs (process-wide, nestable). Keyword arguments override parameters."""
    if disabled_by_environment():
        yield
        return
    engine = _runtime.get(from_environment(**params) if params else None)
    if engine is None:
        yield
        return
    engine.activate()
    try:
        yield
    finally:
        engine.deactivate()


def stats() -> dict:
    """Counters: loops seen, traces compiled, aborts by reason, guard failures, native entries, times."""
    engine = _runtime.engine
    return engine.stats.as_dict() if engine is not None else {"jit": "off", "reason": _runtime.reason}


def engine():
    """The Engine, for tools (dump, visualizer); None when the JIT is off or unused."""
    return _runtime.engine


def run(path: str, argv: list[str] | None = None, *, _as_main_program: bool = False, **params) -> dict:
    """Run a script like `python path argv...` (as __main__) with the JIT on; returns its globals."""
    _runtime.as_main_program = _as_main_program
    old_argv = sys.argv
    sys.argv = [path] + list(argv or [])
    script_dir = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, script_dir)
    try:
        with enable(**params):
            if os.path.isfile(path):
                return _run_file(os.path.abspath(path))
            return runpy.run_path(path, run_name="__main__")      # a directory or zip with __main__.py
    finally:
        sys.argv = old_argv
        if sys.path and sys.path[0] == script_dir:
            del sys.path[0]


def _run_file(abspath: str) -> dict:
    """Execute a source file as __main__ the way `python file.py` does: absolute filename in code objects
    and __file__, sys.argv[0] untouched, the module installed as sys.modules['__main__'] while it runs."""
    import builtins
    import types
    with io.open_code(abspath) as f:
        source = f.read()
    code = compile(source, abspath, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__file__ = abspath
    module.__cached__ = None
    module.__builtins__ = builtins
    old_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        with _launcher_frames_hidden(frames_to_program=1, plain_depth=1):
            exec(code, module.__dict__)
    finally:
        if old_main is not None:
            sys.modules["__main__"] = old_main
    return module.__dict__


@contextlib.contextmanager
def _launcher_frames_hidden(frames_to_program: int, plain_depth: int):
    """For `python -m tracejit`: the program's first frame, `frames_to_program` frames below the caller's,
    would be `plain_depth` deep under plain CPython but is deeper here (runpy, this module). Those launcher
    frames are not counted against the recursion limit, so the program gets exactly as deep as without
    tracejit before RecursionError."""
    hidden = 0
    if _runtime.as_main_program and _runtime.engine is not None:
        from .cpython.layout import LAYOUTS, VERSION, recursion_remaining
        word = recursion_remaining(LAYOUTS[VERSION])
        depth, f = 0, sys._getframe(2)        # the caller's frame (1 is contextlib's)
        while f is not None:
            depth, f = depth + 1, f.f_back
        hidden = max(0, depth + frames_to_program - plain_depth) if word is not None else 0
        if hidden:
            word.value += hidden
    try:
        yield
    finally:
        if hidden:
            word.value -= hidden


def run_module(name: str, argv: list[str] | None = None, *, _as_main_program: bool = False, **params) -> dict:
    """Run a module like `python -m name argv...` with the JIT on."""
    _runtime.as_main_program = _as_main_program
    old_argv = sys.argv
    sys.argv = [name] + list(argv or [])
    try:
        # runpy.run_module -> _run_module_code -> _run_code -> the module; plain `python -m` has the module
        # 3 deep (_run_module_as_main, _run_code, module)
        with enable(**params), _launcher_frames_hidden(frames_to_program=4, plain_depth=3):
            return runpy.run_module(name, run_name="__main__", alter_sys=True)
    finally:
        sys.argv = old_argv
