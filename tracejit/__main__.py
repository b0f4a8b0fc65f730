"""Command line: python -m tracejit [options] (script.py | -m module | -c code | - ) [args...]
                python -m tracejit view FILE
                (the `tracejit` console script is the same command)

Options (they stop at the program): --params k=v,...  --off  --stats  --log PATH  --dump  --view PATH,
--version, --help. The program runs as __main__ exactly like `python script.py` / `python -m module` /
`python -c code` / `python -` (or no program and a non-terminal stdin, like `python < file`): same output,
exit status, tracebacks, atexit handlers, and on an uncaught KeyboardInterrupt the same death by SIGINT
(the exception is left to CPython, which does all that; only the launcher's frames are dropped from its
traceback). Every setting (options, TRACEJIT, TRACEJIT_PARAMS, TRACEJIT_LOG) is checked before the
program starts; a bad one ends with one line `tracejit: ...` and exit status 2.
--dump prints every compiled trace at every stage (IR after each pass, machine code, exits) to stderr when
the program ends, coloured on a terminal (not when NO_COLOR is set).
--view PATH writes the visualizer's self-contained HTML report (PATH ending in .json: its data) when the
program ends. `view FILE` opens a report in a browser; given report data (.json) or an events log (--log),
it first renders FILE.html from it.
What tracejit prints at exit goes after the program's own atexit handlers, to the process's stderr (fd 2 if
the program closed sys.stderr; nothing if fd 2 is closed).

May import: tracejit.api, tracejit.params, tracejit.tools.dump_traces, tracejit.visualizer, the standard
library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import atexit
import os
import sys

from .params import Params, check_writable, disabled_by_environment, from_environment

USAGE = ("usage: python -m tracejit [--params k=v,...] [--off] [--stats] [--log PATH] [--dump] [--view PATH]\n"
         "                          (script.py | -m module | -c code | -) [args...]\n"
         "       python -m tracejit view (REPORT.html | REPORT.json | EVENTS.log)\n"
         "       python -m tracejit --version")
HELP = USAGE + """

Runs the program like python does, with the JIT on. With no program and stdin not a terminal, runs stdin.
  --params k=v,...  JIT parameters (see README: Parameters); over TRACEJIT_PARAMS
  --off             run with the JIT off (like TRACEJIT=off)
  --stats           print the JIT's statistics to stderr at exit
  --log PATH        write one JSON line per JIT event (like TRACEJIT_LOG=PATH)
  --dump            print every compiled trace at every stage to stderr at exit
  --view PATH       write the trace visualizer's HTML report (PATH.json: its data) at exit
  view FILE         open a report (rendering report data or an events log first)
  --version         print tracejit's and CPython's versions"""

_WITH_VALUE = ("--params", "--log", "--view")
_FLAGS = ("--off", "--stats", "--dump")


class _Bad(Exception):
    """A bad command line or setting: reported as one line `tracejit: ...`, exit status 2."""


def _parse(argv: list[str]) -> tuple[dict, str, str, list[str]]:
    """(options, what, target, rest): what is "script", "module", "command" or "stdin" (target '-' or '')."""
    opts: dict = {"params": None, "off": False, "stats": False, "log": None, "dump": False, "view": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=")
        if name in _WITH_VALUE and eq:
            opts[name[2:]] = value; i += 1
        elif a in _WITH_VALUE or a in ("-m", "-c"):
            if i + 1 >= len(argv):
                raise _Bad(f"option {a} needs a value")
            if a == "-m":
                return opts, "module", argv[i + 1], argv[i + 2:]
            if a == "-c":
                return opts, "command", argv[i + 1], argv[i + 2:]
            opts[a[2:]] = argv[i + 1]; i += 2
        elif a in _FLAGS:
            opts[a[2:]] = True; i += 1
        elif a in ("-h", "--help"):
            print(HELP); sys.exit(0)
        elif a in ("-V", "--version"):
            print(version_line()); sys.exit(0)
        elif a == "-":
            return opts, "stdin", "-", argv[i + 1:]
        elif a == "--":
            if i + 1 < len(argv):
                return opts, "script", argv[i + 1], argv[i + 2:]
            i += 1
        elif a.startswith("-"):
            raise _Bad(f"unknown option {a} (python -m tracejit --help lists them)")
        else:
            return opts, "script", a, argv[i + 1:]
    if sys.stdin is not None and not _isatty(sys.stdin):
        return opts, "stdin", "", []                        # like `python < file`: sys.argv == ['']
    raise _Bad("no program given (python -m tracejit --help)")


def _isatty(f) -> bool:
    try:
        return f.isatty()
    except (ValueError, OSError):
        return False


def version_line() -> str:
    from . import __version__
    return f"tracejit {__version__} (CPython {sys.version.split()[0]})"


def _settings(opts: dict) -> tuple[str | None, Params, str | None]:
    """Check every setting before the program starts: (off reason or None, params, log path). Raises ValueError
    naming the bad setting."""
    off = "switched off by --off" if opts["off"] else \
        ("switched off by TRACEJIT" if disabled_by_environment() else None)
    params = from_environment()
    if opts["params"] is not None:
        params = Params.parse(opts["params"], params, "--params")
    log = opts["log"]
    if log is not None:
        check_writable(log, "--log")
    elif os.environ.get("TRACEJIT_LOG"):
        log = os.environ["TRACEJIT_LOG"]
        check_writable(log, "TRACEJIT_LOG")
    if opts["view"] is not None:
        check_writable(opts["view"], "--view")
    return off, params, log


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["view"]:
        sys.exit(_view(args[1:]))
    try:
        opts, what, target, rest = _parse(args)
        off, params, log = _settings(opts)
    except (_Bad, ValueError) as e:
        print(f"tracejit: {e}", file=sys.stderr)
        sys.exit(2)
    if what == "script" and not os.path.exists(target):
        print(f"{sys.executable}: can't open file {os.path.abspath(target)!r}: "
              f"[Errno 2] No such file or directory", file=sys.stderr)
        sys.exit(2)
    from . import api
    if off:
        api.configure(off=off)
    else:
        if opts["view"]:
            from .visualizer import new_probe
            opts["probe"] = new_probe()
        api.configure(params, log, opts.get("probe"))
    program = {"script": target, "module": target, "command": "-c", "stdin": "<stdin>"}[what]
    atexit.register(_finish, opts, program)     # after the program's own atexit handlers
    try:
        if what == "script":
            api.run(target, rest, _as_main_program=True)
        elif what == "module":
            api.run_module(target, rest, _as_main_program=True)
        elif what == "command":
            api.run_source(target, "<string>", ["-c", *rest])
        else:
            api.run_source(sys.stdin.buffer.read(), "<stdin>", [target, *rest])
    except SystemExit:
        raise
    except BaseException as e:
        _leave_to_python(e, what)
        raise


def _leave_to_python(e: BaseException, what: str) -> None:
    """The program raised `e`: let it propagate out of main(), so that CPython itself prints it (through
    sys.excepthook), runs the atexit handlers, flushes and closes files, and sets the exit status (an
    uncaught KeyboardInterrupt: death by SIGINT after all that, as for `python -m module`). A one-shot
    sys.excepthook in front of the program's drops the launcher's frames from the traceback first."""
    user_tb = _user_traceback(e.__traceback__, what)
    missing = object()
    program_hook = getattr(sys, "excepthook", missing)

    def hook(typ, value, tb):
        if program_hook is missing:
            del sys.excepthook
        else:
            sys.excepthook = program_hook
        if value is e:
            tb = value.__traceback__ = user_tb
            sys.last_traceback = tb
        if program_hook is missing:              # what CPython does without a sys.excepthook
            print("sys.excepthook is missing", file=sys.stderr)
            sys.__excepthook__(typ, value, tb)
        else:
            program_hook(typ, value, tb)

    sys.excepthook = hook


def _user_traceback(tb, what: str):
    """Drop tracejit's and runpy's own frames from the front, as `python script.py` would show it; for a
    module keep runpy's _run_module_as_main and what follows, as `python -m module` shows it."""
    run_as_main = None
    while tb is not None:
        code = tb.tb_frame.f_code
        fn = code.co_filename
        if not (fn.startswith(_PKG_DIR) or os.path.basename(fn).startswith("runpy") or fn == "<frozen runpy>"):
            break
        if what == "module" and code.co_name == "_run_module_as_main" and run_as_main is None \
                and not fn.startswith(_PKG_DIR):
            run_as_main = tb
        tb = tb.tb_next
    return run_as_main if run_as_main is not None else tb


_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _say(text: str) -> None:
    """Write tracejit's own text at exit to the process's stderr, whatever the program did to sys.stderr
    (replaced or closed it); fd 2 if sys.__stderr__ is unusable; nothing if that fails too."""
    if not text.endswith("\n"):
        text += "\n"
    try:
        out = sys.__stdout__
        if out is not None and not out.closed and out.isatty():
            out.flush()                 # the program's output first on a terminal
    except Exception:                   # noqa: BLE001 - best effort only
        pass
    err = sys.__stderr__
    try:
        if err is not None and not err.closed:
            err.write(text)
            err.flush()
            return
    except Exception:                   # noqa: BLE001 - fall back to the file descriptor
        pass
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:
        pass


def _finish(opts: dict, program: str) -> None:
    """At exit (an atexit handler registered before the program's): --view, --dump, --stats."""
    from . import api
    if opts["view"]:
        try:
            from .visualizer import write_report
            write_report(opts["view"], api.engine(), opts.get("probe"), program)
            _say(f"tracejit: report written to {opts['view']} (open it with: python -m tracejit view "
                 f"{opts['view']})")
        except Exception as e:      # noqa: BLE001 - the program has run; its exit status stays its own
            _say(f"tracejit: could not write the report: {type(e).__name__}: {e}")
    if opts["dump"]:
        try:
            from .tools.dump_traces import colourise, format_engine
            text = format_engine(api.engine(), program)
            err = sys.__stderr__
            if err is not None and _isatty(err) and not os.environ.get("NO_COLOR"):
                text = colourise(text)
            _say(text)
        except Exception as e:      # noqa: BLE001
            _say(f"tracejit: could not dump the traces: {type(e).__name__}: {e}")
    if opts["stats"]:
        eng = api.engine()
        if eng is not None:
            _say(eng.stats.text())
        else:
            _say(f"tracejit stats: JIT off ({api.stats()['reason']})")


def _view(args: list[str]) -> int:
    """`python -m tracejit view FILE`: open an HTML report in a browser. Report data (--view report.json) or
    an events log (--log, JSON lines: the life of each loop, no traces or line counts) is first rendered into
    FILE.html. A file that is none of these, or cannot be read: one line, exit status 2."""
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m tracejit view (REPORT.html | REPORT.json | EVENTS.log)", file=sys.stderr)
        return 2
    path = args[0]
    try:
        if os.path.isdir(path):
            raise ValueError("it is a directory")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        path = _render_if_data(path, text)
    except (OSError, UnicodeDecodeError) as e:
        print(f"tracejit: cannot read {path}: {e.strerror if isinstance(e, OSError) and e.strerror else e}",
              file=sys.stderr)
        return 2
    except Exception as e:          # noqa: BLE001 - wrong shape of data: one line, no traceback
        print(f"tracejit: {path} is neither report data nor an events log (nor an HTML report): {e}",
              file=sys.stderr)
        return 2
    import webbrowser
    url = "file://" + os.path.abspath(path)
    try:
        opened = webbrowser.get().open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        print(f"tracejit: no browser found here; open {url}", file=sys.stderr)
    return 0


def _render_if_data(path: str, text: str) -> str:
    """The HTML file to open: `path` itself if it is HTML, else FILE.html rendered from the report data or
    events log in it. Raises (ValueError, KeyError, TypeError...) for anything else."""
    head = text[:200].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")):
        return path
    if not head.startswith("{"):
        raise ValueError("neither HTML nor JSON")
    import json
    from .visualizer import render
    from .visualizer.model import report_from_dict, report_from_events
    try:
        data = json.loads(text)                 # report data (--view report.json)
    except ValueError:
        data = None
    if data is not None:
        if not isinstance(data, dict):
            raise ValueError("report data must be a JSON object")
        report, what = report_from_dict(data), "the report data"
    else:                                       # an events log (--log): one JSON object per line
        events = [json.loads(line) for line in text.splitlines() if line.strip()]
        if not all(isinstance(ev, dict) and "event" in ev for ev in events):
            raise ValueError("an events log has one JSON object with an 'event' per line")
        report, what = report_from_events(events, path), "the events log"
    html = render(report)
    out = path + ".html"
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"tracejit: rendered {out} from {what}", file=sys.stderr)
    return out


if __name__ == "__main__":
    main()
