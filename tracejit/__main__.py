"""Command line: python -m tracejit [options] script.py [args...]  |  python -m tracejit [options] -m module [args...]
                python -m tracejit view FILE

Options (they stop at the script name): --params k=v,...  --off  --stats  --log PATH  --dump  --view PATH.
The script runs as __main__ exactly like `python script.py`: same output, exit status and tracebacks.
--dump prints every compiled trace at every stage (IR after each pass, machine code, exits) to stderr when
the program ends, coloured on a terminal (not when NO_COLOR is set).
--view PATH writes the visualizer's self-contained HTML report (PATH ending in .json: its data) when the
program ends. `view FILE` opens a report in a browser; given report data (.json) or an events log (--log),
it first renders FILE.html from it.

May import: tracejit.api, tracejit.params, tracejit.tools.dump_traces, tracejit.visualizer, the standard
library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import os
import signal
import sys

from .params import Params, disabled_by_environment, from_environment

USAGE = ("usage: python -m tracejit [--params k=v,...] [--off] [--stats] [--log PATH] [--dump] [--view PATH] "
         "(script.py | -m module) [args...]\n       python -m tracejit view (REPORT.html | REPORT.json | EVENTS.log)")


def _parse(argv: list[str]):
    opts = {"params": None, "off": False, "stats": False, "log": None, "dump": False, "view": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--params" and i + 1 < len(argv):
            opts["params"] = argv[i + 1]; i += 2
        elif a.startswith("--params="):
            opts["params"] = a.split("=", 1)[1]; i += 1
        elif a == "--off":
            opts["off"] = True; i += 1
        elif a == "--stats":
            opts["stats"] = True; i += 1
        elif a == "--dump":
            opts["dump"] = True; i += 1
        elif a == "--view" and i + 1 < len(argv):
            opts["view"] = argv[i + 1]; i += 2
        elif a.startswith("--view="):
            opts["view"] = a.split("=", 1)[1]; i += 1
        elif a == "--log" and i + 1 < len(argv):
            opts["log"] = argv[i + 1]; i += 2
        elif a.startswith("--log="):
            opts["log"] = a.split("=", 1)[1]; i += 1
        elif a == "-m" and i + 1 < len(argv):
            return opts, ("module", argv[i + 1]), argv[i + 2:]
        elif a in ("-h", "--help"):
            print(USAGE); sys.exit(0)
        elif a.startswith("-"):
            print(f"tracejit: unknown option {a}\n{USAGE}", file=sys.stderr); sys.exit(2)
        else:
            return opts, ("script", a), argv[i + 1:]
    print(USAGE, file=sys.stderr)
    sys.exit(2)


def _user_traceback(tb, target: str):
    """Drop tracejit's and runpy's own frames from the front, as `python script.py` would show it."""
    while tb is not None:
        fn = tb.tb_frame.f_code.co_filename
        if not (fn.startswith(_PKG_DIR) or "runpy" in os.path.basename(fn) or fn.startswith("<frozen runpy")):
            break
        tb = tb.tb_next
    return tb


_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["view"]:
        sys.exit(_view(args[1:]))
    opts, (what, target), rest = _parse(args)
    if opts["off"]:
        os.environ["TRACEJIT"] = "off"
    try:
        params = Params.parse(opts["params"], from_environment()) if opts["params"] else from_environment()
    except ValueError as e:
        print(f"tracejit: {e}", file=sys.stderr)
        sys.exit(2)
    from . import api
    if not opts["off"] and not disabled_by_environment():
        probe = None
        if opts["view"]:
            from .visualizer import new_probe
            probe = opts["probe"] = new_probe()
        api.configure(params, opts["log"], probe)
    sys.argv = [target] + rest
    code = 0
    try:
        if what == "script":
            if not os.path.exists(target):
                print(f"{sys.executable}: can't open file {os.path.abspath(target)!r}: "
                      f"[Errno 2] No such file or directory", file=sys.stderr)
                sys.exit(2)
            api.run(target, rest, _as_main_program=True)
        else:
            api.run_module(target, rest, _as_main_program=True)
    except SystemExit as e:
        code = e.code
    except KeyboardInterrupt as e:
        _report(e, target)
        _finish(opts)
        sys.stdout.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException as e:
        _report(e, target)
        code = 1
    _finish(opts)
    sys.exit(code)


def _report(e: BaseException, target: str) -> None:
    tb = _user_traceback(e.__traceback__, target)
    e.__traceback__ = tb            # the C excepthook prints the exception's own traceback
    sys.excepthook(type(e), e, tb)


def _finish(opts) -> None:
    if opts["view"]:
        from . import api
        from .visualizer import write_report
        sys.stdout.flush()
        try:
            write_report(opts["view"], api.engine(), opts.get("probe"), sys.argv[0])
            print(f"tracejit: report written to {opts['view']} (open it with: python -m tracejit view "
                  f"{opts['view']})", file=sys.stderr)
        except Exception as e:      # noqa: BLE001 - the program has run; its exit status stays its own
            print(f"tracejit: could not write the report: {type(e).__name__}: {e}", file=sys.stderr)
    if opts["dump"]:
        from . import api
        from .tools.dump_traces import colourise, format_engine
        text = format_engine(api.engine(), sys.argv[0])
        if sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
            text = colourise(text)
        sys.stdout.flush()
        sys.stderr.write(text)
    if opts["stats"]:
        from . import api
        eng = api.engine()
        text = eng.stats.text() if eng is not None else "tracejit stats: JIT off"
        sys.stdout.flush()
        print(text, file=sys.stderr)


def _view(args: list[str]) -> int:
    """`python -m tracejit view FILE`: open an HTML report in a browser. Report data (--view report.json) or
    an events log (--log, JSON lines: the life of each loop, no traces or line counts) is first rendered into
    FILE.html."""
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m tracejit view (REPORT.html | REPORT.json | EVENTS.log)", file=sys.stderr)
        return 2
    path = args[0]
    if not os.path.isfile(path):
        print(f"tracejit: no such file: {path}", file=sys.stderr)
        return 2
    with open(path, encoding="utf-8", errors="replace") as f:
        head = f.read(64).lstrip()
    if head.startswith("{"):
        import json
        from .visualizer import render
        from .visualizer.model import report_from_dict, report_from_events
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            data = json.loads(text)                 # report data (--view report.json)
            report, what = report_from_dict(data), "the report data"
        except (ValueError, TypeError, KeyError):
            try:                                    # an events log (--log): one JSON object per line
                events = [json.loads(line) for line in text.splitlines() if line.strip()]
            except ValueError as e:
                print(f"tracejit: {path} is neither report data nor an events log (one JSON object per line): "
                      f"{e}", file=sys.stderr)
                return 2
            report, what = report_from_events(events, path), "the events log"
        out = path + ".html"
        with open(out, "w", encoding="utf-8") as f:
            f.write(render(report))
        print(f"tracejit: rendered {out} from {what}", file=sys.stderr)
        path = out
    import webbrowser
    url = "file://" + os.path.abspath(path)
    try:
        opened = webbrowser.get().open(url)
    except webbrowser.Error:
        opened = False
    if not opened:
        print(f"tracejit: no browser found here; open {url}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    main()
