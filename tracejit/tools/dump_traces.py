"""Record the traces of example programs and write their text forms (one file per program).

    python -m tracejit.tools.dump_traces examples traces

For each examples/NAME.py, runs it under the JIT (threshold 50) in a subprocess and writes traces/NAME.txt
with every compiled loop and bridge: IR after each optimizer pass, exits, and the machine-code listing.

May import: tracejit (public API) and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import os
import re
import subprocess
import sys

DUMP_SNIPPET = r"""
import io, sys, contextlib, runpy
import tracejit
from tracejit.tools.dump_traces import format_engine
path = sys.argv[1]
sys.argv = [path]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    tracejit.run(path, threshold=50)
sys.stdout.write(format_engine(tracejit.engine(), path))
"""


def format_engine(engine, path: str) -> str:
    """Text form of everything the engine compiled."""
    lines = [f"# traces of {os.path.basename(path)} (CPython {sys.version.split()[0]})", ""]
    if engine is None:
        return "\n".join(lines + ["JIT off"]) + "\n"
    for loop in engine.all_loops:
        for block in loop.blocks:
            t = block.trace
            lines.append("=" * 100)
            lines.append(f"{t.kind} {t.name}  ({block.size} bytes of machine code)")
            for stage, text in block.stages:
                lines.append(f"--- IR: {stage}")
                lines.append(_strip_paths(text))
            lines.append("--- machine code")
            lines.append(_strip_addresses(block.listing, block.address, block.size))
        lines.append("--- exits")
        for info in loop.exits.values():
            lines.append(f"  exit {info.exit_id:3}: resume @{info.pc:<5} {info.reason:<10} {info.guard:<40} "
                         f"bridge={info.bridge}" + info.resumes_in())
        lines.append("")
    st = engine.stats.as_dict()
    aborts = st.pop("aborts")
    lines.append("aborts: " + (", ".join(f"{k} x{v}" for k, v in aborts.items()) or "none"))
    return "\n".join(lines) + "\n"


_STYLES = [                                      # (line test, ANSI style), the first match wins
    (lambda ln: ln.startswith("=" * 20), "2"),                     # separator: dim
    (lambda ln: ln.startswith(("loop ", "bridge ")), "1"),          # a trace's title: bold
    (lambda ln: ln.startswith("--- "), "1;36"),                     # a stage: bold cyan
    (lambda ln: ln.lstrip().startswith(("label(", "jump(")), "32"), # loop boundaries: green
    (lambda ln: " -> " in ln or ln.lstrip().startswith("exit "), "33"),   # guards and exits: yellow
    (lambda ln: ln.lstrip().startswith("+0x"), "2"),               # machine instructions: dim
]


def colourise(text: str) -> str:
    """ANSI colours for a terminal: trace titles, stages, loop boundaries, guards and exits, instructions."""
    out = []
    for line in text.split("\n"):
        style = next((st for test, st in _STYLES if test(line)), None)
        out.append(f"\x1b[{style}m{line}\x1b[0m" if style and line else line)
    return "\n".join(out)


def _strip_paths(text: str) -> str:
    first, _, rest = text.partition("\n")
    if "(" in first:
        head, _, tail = first.partition("(")
        fname, _, after = tail.partition(")")
        first = f"{head}({os.path.basename(fname)}){after}"
    return first + "\n" + rest


_HEX = re.compile(r"0x([0-9a-f]{9,16})")


def _strip_addresses(listing: str, base: int, size: int) -> str:
    """Deterministic listing: code addresses become offsets from the block start (+0x...), other absolute
    addresses (bridge table, other blocks) become <addr>, so regenerated traces diff cleanly."""
    if not listing:
        return "(none)"

    def sub(m: re.Match) -> str:
        value = int(m.group(1), 16)
        if base <= value < base + size:
            return f"+0x{value - base:04x}"
        return "<addr>"
    return _HEX.sub(sub, listing)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tracejit.tools.dump_traces EXAMPLES_DIR TRACES_DIR", file=sys.stderr)
        return 2
    src, dst = argv
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".py"):
            continue
        path = os.path.join(src, name)
        r = subprocess.run([sys.executable, "-c", DUMP_SNIPPET, path], capture_output=True, text=True)
        out = os.path.join(dst, name[:-3] + ".txt")
        with open(out, "w") as f:
            f.write(r.stdout if r.returncode == 0 else f"dump failed:\n{r.stderr}")
        print(f"{out}: {'ok' if r.returncode == 0 else 'FAILED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
