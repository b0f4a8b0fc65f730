"""Public entry points: `enable()`, `run()`, `run_module()`, `stats()`; and, for the command line, running a
program as the main program (`_as_main_program=True`, `run_source`) exactly as `python` would.

Holds the single Engine (created on first use). On an interpreter the JIT does not support, everything
still works with the JIT off, after one warning line giving the reason. Bad settings (TRACEJIT,
TRACEJIT_PARAMS, TRACEJIT_LOG, enable()'s keywords) raise before the JIT or the block starts.

May import: tracejit.params, tracejit.runtime.stats, tracejit.cpython.source, and (lazily, so that an
unsupported platform can still import tracejit and `import tracejit` stays cheap) the rest of tracejit.runtime
and tracejit.cpython.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import _thread
import atexit
import io
import os
import sys
import types

from .cpython.source import compile_source
from .params import Params, check_writable, disabled_by_environment, from_environment
from .runtime.stats import Stats


class _Runtime:
    """The process-wide holder of the one Engine."""

    def __init__(self):
        self.lock = _thread.RLock()       # one thread makes the engine (two enable() at once: one engine)
        self.engine = None
        self.reason: str | None = None
        self.fa = None                    # the FrameAccess the layout self-check gave (_platform_reason)
        self.warned = False
        self.off: str | None = None       # why the JIT is switched off for the whole run (--off), if it is
        self.as_main_program = False      # running `python -m tracejit ...` (see _hide_launcher_frames)

    def get(self, params: Params | None = None, log_path: str | None = None, probe=None):
        if self.engine is None and self.reason is None:
            with self.lock:
                self._start(params, log_path, probe)
        if self.reason and not self.warned:
            self.warned = True
            print(f"tracejit: JIT off: {self.reason}", file=sys.stderr)
        return self.engine if not self.reason else None

    def _start(self, params: Params | None, log_path: str | None, probe) -> None:
        """Make the engine, once (the caller holds the lock: another thread may have made it meanwhile)."""
        if self.engine is None and self.reason is None:
            self.fa, self.reason = _platform_reason()
        if self.engine is None and self.reason is None:
            params = params or from_environment()           # a bad setting raises here, before any JIT work
            log_path = log_path or os.environ.get("TRACEJIT_LOG") or None
            if log_path:
                check_writable(log_path, "TRACEJIT_LOG")
            try:
                from .runtime.engine import Engine
                engine = Engine(params, log_path, probe, self.fa)
                atexit.register(engine.log.close)           # runs after the program's own atexit handlers
                self.reason = engine.off_reason
                self.engine = engine                        # (last: a thread that sees it sees its reason)
            except ImportError as e:
                self.reason = f"a dependency is missing ({e.name or e})"
            except Exception as e:      # the JIT must never stop the program from running
                self.reason = f"could not start ({type(e).__name__}: {e})"


def _platform_reason() -> tuple[object, str | None]:
    """Why the JIT cannot run here, checked before any JIT module is imported: (None, the reason), or (the
    checked FrameAccess, None) when it can."""
    if sys.version_info[:2] not in ((3, 11), (3, 12), (3, 13)):
        return None, f"CPython {sys.version_info[0]}.{sys.version_info[1]} is not supported (3.11, 3.12, 3.13 are)"
    try:
        from .cpython.layout import frame_access_or_reason
    except Exception as e:
        return None, f"layout layer failed to load ({type(e).__name__}: {e})"
    return frame_access_or_reason()


_runtime = _Runtime()


def configure(params: Params | None = None, log_path: str | None = None, probe=None, off: str | None = None) -> None:
    """Create the engine with these parameters (must come before the first enable()). `probe`: a
    tracejit.visualizer Probe, to collect what the visualizer's report needs. `off`: switch the JIT off for
    the whole run instead (the reason, e.g. "--off"); enable() blocks then run the interpreter only."""
    if off:
        _runtime.off = off
    elif _runtime.engine is None and _runtime.reason is None:
        _runtime.get(params, log_path, probe)


def enable(**params) -> _Block:
    """JIT on while the block runs (process-wide, nestable). Keyword arguments set parameters for this block
    only (over the enclosing block's); the previous ones are back when it ends (`history` only counts in
    the block that starts the engine: it sizes the engine's history once). An unknown name raises
    TypeError, a bad value TypeError or ValueError, before the block runs (also when the JIT is off)."""
    return _Block(params)


class _Block:
    """The context manager enable() returns. A class of its own rather than contextlib.contextmanager, which
    costs contextlib's import at start-up; like one, it also decorates a function (each call is a block)."""

    __slots__ = ("_params", "_running")

    def __init__(self, params: dict) -> None:
        self._params = params
        self._running: list = []        # per entered block: (engine, its outer params), or None (JIT off)

    def __enter__(self) -> None:
        params = self._params
        if params:
            Params.make(None, **params)                     # checks names, types and values
        if _runtime.off or disabled_by_environment():
            self._running.append(None)
            return
        # `history` (how many compiled loops are kept for dumps) is fixed when the engine is made: the first
        # block's keyword, if it gives one, makes it
        engine = _runtime.get(from_environment(history=params["history"]) if "history" in params else None)
        if engine is None:
            self._running.append(None)
            return
        outer = engine.params
        inner = Params.make(outer, **params) if params else None
        self._running.append((engine, outer))
        try:
            engine.activate(inner)      # the last call: it holds signal handlers until the block's code runs
        except BaseException:
            self._running.pop()
            raise

    def __exit__(self, *exc) -> None:
        running = self._running.pop()
        if running is not None:
            engine, outer = running
            engine.deactivate(outer if self._params else None)     # the last call (see __enter__)

    def __call__(self, func):
        import functools

        @functools.wraps(func)
        def block(*args, **kwargs):
            with _Block(self._params):
                return func(*args, **kwargs)
        return block


def stats() -> dict:
    """Counters (loops seen, traces compiled, aborts by reason, guard failures, native entries, times...),
    plus "jit": "on" or "off" and "reason" (why it is off; None when on). The same keys whether the JIT
    runs or not (all zero when it never ran)."""
    engine = _runtime.engine
    d = (engine.stats if engine is not None else Stats()).as_dict()
    reason = _runtime.off or _runtime.reason or (engine.off_reason if engine is not None else None)
    if reason is None and engine is None:
        try:
            reason = "switched off by TRACEJIT" if disabled_by_environment() else "not started yet"
        except ValueError as e:
            reason = str(e)
    d["jit"] = "off" if reason else "on"
    d["reason"] = reason
    return d


def engine():
    """The Engine, for tools (dump, visualizer); None when the JIT is off or unused."""
    return _runtime.engine


def run(path: str, argv: list[str] | None = None, *, _as_main_program: bool = False, **params) -> dict:
    """Run a script like `python path argv...` (as __main__) with the JIT on; returns its globals.
    `_as_main_program` (the command line): the program is the process's main program, so sys.argv,
    sys.path[0] and sys.modules['__main__'] stay as it leaves them, as after `python path`."""
    import runpy        # here, not at `import tracejit`: a program that only uses enable() does not need it
    _runtime.as_main_program = _as_main_program
    old_argv = sys.argv
    sys.argv = [path] + list(argv or [])
    script_dir = os.path.dirname(os.path.abspath(path))
    undo_path = _set_path0(script_dir, _as_main_program)
    try:
        with enable(**params):
            if os.path.isfile(path):
                return _run_file(os.path.abspath(path), _as_main_program)
            return runpy.run_path(path, run_name="__main__")      # a directory or zip with __main__.py
    finally:
        if not _as_main_program:
            sys.argv = old_argv
            undo_path()


def _set_path0(entry: str, main_program: bool):
    """sys.path[0] as `python` sets it: the main program replaces the launcher's entry (python -m tracejit
    put the current directory there, a console script its bin directory; none under -P / PYTHONSAFEPATH);
    a library call inserts it. Returns the undo for the library call."""
    if main_program:
        if not sys.flags.safe_path and sys.path:
            sys.path[0] = entry
        return lambda: None
    sys.path.insert(0, entry)

    def undo():
        if sys.path and sys.path[0] == entry:
            del sys.path[0]
    return undo


def _new_main(**attrs) -> types.ModuleType:
    """A fresh __main__ module holding what CPython's own has (in its order): __name__, __doc__, __package__,
    __loader__, __spec__, __annotations__, __builtins__, then `attrs`."""
    import builtins
    from importlib.machinery import BuiltinImporter
    module = types.ModuleType("__main__")
    module.__loader__ = BuiltinImporter
    module.__annotations__ = {}
    module.__builtins__ = builtins
    for k, v in attrs.items():
        setattr(module, k, v)
    return module


def _run_file(abspath: str, main_program: bool = False) -> dict:
    """Execute a source file as __main__ the way `python file.py` does: absolute filename in code objects
    and __file__, a SourceFileLoader as __loader__, sys.argv[0] untouched, the module installed as
    sys.modules['__main__'] while it runs (and after, for the main program)."""
    from importlib.machinery import SourceFileLoader
    with io.open_code(abspath) as f:
        source = f.read()
    code = compile_source(source, abspath)
    module = _new_main(__file__=abspath, __cached__=None)
    module.__loader__ = SourceFileLoader("__main__", abspath)
    return _exec_main(code, module, main_program)


def _exec_main(code, module: types.ModuleType, main_program: bool) -> dict:
    old_main = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    hidden = _hide_launcher_frames(python_call=False)
    try:
        exec(code, module.__dict__)
    finally:
        _unhide_launcher_frames(hidden)
        if old_main is not None and not main_program:
            sys.modules["__main__"] = old_main
    return module.__dict__


def run_source(source: str | bytes, filename: str, argv: list[str]) -> dict:
    """The main program from source text with the JIT on, as `python -c CODE` (filename "<string>",
    sys.argv[0] '-c') or `python -` / a script on stdin (filename "<stdin>", sys.argv[0] '-' or '') run
    it: sys.path[0] '', CPython's own __main__ attributes; on 3.13+ the -c source is shown in tracebacks."""
    _runtime.as_main_program = True
    sys.argv = list(argv)
    _set_path0("", True)
    code = compile_source(source, filename)
    if filename == "<string>" and sys.version_info >= (3, 13):
        import linecache                                    # what 3.13's pymain_run_command registers
        text = source if isinstance(source, str) else source.decode()
        linecache.cache[filename] = (len(text), None, [line + "\n" for line in text.splitlines()], filename)
    module = _new_main(__file__=filename, __cached__=None) if filename == "<stdin>" else _new_main()
    with enable():
        return _exec_main(code, module, True)


def _hide_launcher_frames(python_call: bool) -> tuple:
    """For `python -m tracejit` (JIT on or off): make the thread's recursion counter, at the caller's level,
    what plain CPython has where it starts the program, so the program gets exactly as deep before
    RecursionError. 3.12+ count Python frames only: the whole limit. 3.11 also counts C-level calls, and the
    launcher's differ from CPython's own (its exec() of a script is one more builtin call; its Python call of
    runpy._run_module_as_main replaces CPython's C call, which counts the same): one more than the limit
    for a script, the limit for a module (measured with a recursion probe against plain runs, see
    tests/test_exit.py). Returns what `_unhide_launcher_frames` needs."""
    if not _runtime.as_main_program:
        return None, 0
    try:
        from .cpython.layout import LAYOUTS, VERSION, recursion_remaining
        word = recursion_remaining(LAYOUTS[VERSION])
    except Exception:           # noqa: BLE001 - an unsupported interpreter: the launcher frames count
        return None, 0
    if word is None:
        return None, 0
    caller = word.value + 1                         # this call took one
    target = sys.getrecursionlimit() + (0 if python_call or sys.version_info >= (3, 12) else 1)
    hidden = max(0, target - caller)
    word.value += hidden
    return word, hidden


def _unhide_launcher_frames(hidden: tuple) -> None:
    word, n = hidden
    if n:
        word.value -= n


def run_module(name: str, argv: list[str] | None = None, *, _as_main_program: bool = False, **params) -> dict:
    """Run a module like `python -m name argv...` with the JIT on (through runpy's own
    _run_module_as_main, as `python -m` does: same frames in tracebacks, same messages). For the main
    program (`_as_main_program`) sys.argv, sys.path[0] and sys.modules['__main__'] stay as it leaves them."""
    import runpy
    _runtime.as_main_program = _as_main_program
    old_argv, old_main = sys.argv, sys.modules.get("__main__")
    sys.argv = ["-m" if _as_main_program else name] + list(argv or [])   # argv[0] becomes the module's path
    undo_path = _set_path0(os.getcwd(), _as_main_program)
    sys.modules["__main__"] = _new_main()
    try:
        with enable(**params):
            hidden = _hide_launcher_frames(python_call=True)
            try:
                return runpy._run_module_as_main(name, alter_argv=True)
            finally:
                _unhide_launcher_frames(hidden)
    finally:
        if not _as_main_program:
            sys.argv = old_argv
            undo_path()
            if old_main is not None:
                sys.modules["__main__"] = old_main
