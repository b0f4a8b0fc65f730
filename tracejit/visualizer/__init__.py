"""The trace visualizer: a self-contained HTML report of how the JIT handled a program (`python -m tracejit
--view report.html script.py`). The run collects what the report needs in a Probe (line counts, events,
recording times); when the program ends, `write_report` builds the report's data (model.py) and renders
it (html.py), with a picture of each loop and its exits (graph.py).

May import: tracejit.runtime.probe, its own modules and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.runtime.probe import Probe

from .html import render
from .model import Report, build_report


def new_probe() -> Probe:
    """A Probe for a run that will be reported."""
    return Probe()


def write_report(path: str, engine, probe: Probe | None, program: str) -> Report:
    """Build the report of the finished run and write it as HTML (or as JSON data if `path` ends in .json)."""
    report = build_report(engine, probe, program)
    if path.endswith(".json"):
        import json
        text = json.dumps(report.as_dict(), indent=1)
    else:
        text = render(report)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return report


__all__ = ["new_probe", "write_report", "build_report", "render", "Report", "Probe"]
