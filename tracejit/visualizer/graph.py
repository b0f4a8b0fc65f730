"""A picture of one compiled loop and its exits, as SVG text: the loop's trace runs down from its header to
the jump back up; each guard of the loop leaves it sideways, either to the interpreter (a deoptimization,
resuming at a bytecode offset) or into a bridge, which jumps back to the loop's header.

May import: the standard library only.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from html import escape

ROW = 30          # vertical distance between two guards
TOP = 46          # y of the first guard


def loop_graph_svg(name: str, guards: list, traces: list) -> str:
    """SVG of the loop `name`: `guards` are GuardViews, `traces` TraceViews (the loop's first version is drawn;
    a loop never compiled has no picture)."""
    loop_trace = next((t for t in traces if t.kind == "loop"), None)
    if loop_trace is None:
        return ""
    mine = [g for g in guards if g.trace == loop_trace.name]
    bridges = {t.from_exit: t for t in traces if t.kind == "bridge" and t.name.startswith(loop_trace.name + "/")}
    height = TOP + ROW * max(len(mine), 1) + 40
    x_bar, x_box = 70, 300
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="loopgraph" width="640" height="{height}" '
           f'viewBox="0 0 640 {height}" role="img" aria-label="{escape(name)}: loop and exits">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
           f'<text x="{x_bar - 50}" y="20" class="g-title">{escape(loop_trace.name)}: header, '
           f'{loop_trace.entries:,} iterations in machine code</text>',
           f'<line x1="{x_bar}" y1="28" x2="{x_bar}" y2="{height - 24}" class="g-trace"/>',
           f'<path d="M{x_bar},{height - 24} C{x_bar - 60},{height - 24} {x_bar - 60},28 {x_bar - 4},28" '
           f'class="g-back" marker-end="url(#arrow)"/>',
           f'<text x="{x_bar - 58}" y="{height - 8}" class="g-note">jump back to the header</text>']
    for k, g in enumerate(mine):
        y = TOP + ROW * k
        bridge = bridges.get(g.exit)
        cls = "g-guard hot" if g.taken else "g-guard"
        label = f"#{g.exit} {g.reason}"
        out.append(f'<g class="g-exit" data-exit="{g.exit}" data-trace="{escape(g.trace)}">'
                   f'<circle cx="{x_bar}" cy="{y}" r="6" class="{cls}"><title>{escape(g.guard)}</title></circle>'
                   f'<text x="{x_bar + 12}" y="{y + 4}" class="g-label">{escape(label)}</text>')
        if g.taken:
            out.append(f'<line x1="{x_bar + 120}" y1="{y}" x2="{x_box - 4}" y2="{y}" class="g-edge" '
                       f'marker-end="url(#arrow)"/><text x="{x_bar + 126}" y="{y - 4}" class="g-count">'
                       f'{g.taken:,}x</text>')
            if bridge is None and g.bridge.startswith("exit "):       # linked: another exit's bridge
                text = f"the bridge of {g.bridge[:-2]} (the same start)"
                out.append(f'<rect x="{x_box}" y="{y - 11}" width="300" height="22" rx="4" class="g-bridge"/>'
                           f'<text x="{x_box + 8}" y="{y + 4}" class="g-label">{escape(text)}</text>')
            elif bridge is not None:
                ops = sum(1 for r in bridge.stages[-1].rows if r.op >= 0) if bridge.stages else 0
                text = f"bridge: {ops} IR ops, {bridge.code_bytes} bytes, {bridge.entries:,} runs"
                out.append(f'<rect x="{x_box}" y="{y - 11}" width="300" height="22" rx="4" class="g-bridge"/>'
                           f'<text x="{x_box + 8}" y="{y + 4}" class="g-label">{escape(text)}</text>')
            else:
                where = f"interpreter at @{g.pc}" + (f" (line {g.line})" if g.line else "")
                out.append(f'<rect x="{x_box}" y="{y - 11}" width="300" height="22" rx="4" class="g-interp"/>'
                           f'<text x="{x_box + 8}" y="{y + 4}" class="g-label">{escape(where)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
