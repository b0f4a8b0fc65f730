"""The HTML report: one self-contained file (styles and script inline, no server, works offline), rendered
from a Report (tracejit.visualizer.model). The page is plain HTML; its script only adds the interaction:
clicking a source line, a bytecode, an IR op or an instruction highlights its counterparts, and the IR's
stage buttons switch between the optimizer's stages and their diffs.

Every clickable element carries `data-k` (the keys it stands for) and `data-sel` (the keys its click
selects); a click marks every element whose `data-k` shares a key with the clicked one's `data-sel`:
  S<f>:<line>  a source line (only the source row has it)      L<f>:<line>  anything from that line
  P<loop>:<pc> anything from that bytecode offset of the loop    O<trace>:<i> the i-th op of a trace and its
                                                                              machine code

May import: tracejit.visualizer.model and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import math
import os
from html import escape
from importlib import resources

from .model import IRRow, LoopView, Report, SourceFile, TraceView


def render(report: Report) -> str:
    files = {f.path: k for k, f in enumerate(report.files)}
    css = resources.files("tracejit.visualizer").joinpath("assets/report.css").read_text()
    js = resources.files("tracejit.visualizer").joinpath("assets/report.js").read_text()
    title = f"tracejit report: {os.path.basename(report.program)}"
    body = [_header(report), _source_section(report, files), _loops_section(report, files), _help()]
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><style>{css}</style></head>\n<body>\n'
            + "\n".join(body) + f"\n<script>{js}</script>\n</body></html>\n")


def _attrs(k: list[str], sel: list[str]) -> str:
    """The selection attributes of an element (none for one that stands for nothing: an entry block)."""
    return (f' data-k="{" ".join(k)}"' if k else "") + (f' data-sel="{" ".join(sel)}"' if sel else "")


# ----------------------------------------------------------------------------------------------------------


def _header(r: Report) -> str:
    t = r.totals
    facts = [("program", r.program), ("interpreter", r.python), ("JIT", r.jit), ("parameters", r.params)]
    rows = "".join(f"<tr><th>{escape(a)}</th><td>{escape(str(b))}</td></tr>" for a, b in facts if b)
    nums = [("loops seen", t.get("loops_seen")), ("loops hot", t.get("loops_hot")),
            ("loops compiled", t.get("traces_compiled")), ("bridges", t.get("bridges_compiled")),
            ("blacklisted", t.get("blacklisted")), ("native entries", t.get("native_entries")),
            ("guard failures", t.get("guard_failures")),
            ("recording", _ms(1e3 * t["recording_seconds"]) if "recording_seconds" in t else None),
            ("compiling", _ms(1e3 * t["compiling_seconds"]) if "compiling_seconds" in t else None),
            ("machine code", f"{t['code_bytes']:,} bytes" if "code_bytes" in t else None)]
    cells = "".join(f'<div class="num"><b>{escape(_fmt(v))}</b><span>{escape(a)}</span></div>'
                    for a, v in nums if v is not None)
    aborts = t.get("aborts") or {}
    ab = ("<p class='aborts'>aborted recordings: " + ", ".join(f"{escape(k)} &times;{v}" for k, v in
                                                               sorted(aborts.items(), key=lambda kv: -kv[1]))
          + "</p>") if aborts else ""
    notes = "".join(f"<p class='note'>{escape(n)}</p>" for n in r.notes)
    nav = "".join(f'<a href="#{lv.key}">{escape(lv.name)}</a>' for lv in r.loops)
    return (f'<header id="summary"><h1>tracejit report</h1><table class="facts">{rows}</table>'
            f'<div class="totals">{cells}</div>{ab}{notes}'
            f'<nav><a href="#source">source</a>{nav}<a href="#help">how to read this</a></nav></header>')


def _fmt(v) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


def _ms(x: float) -> str:
    return f"{x:.1f} ms" if x >= 1 else f"{x:.3f} ms"


# ----------------------------------------------------------------------------------------------------------


def _source_section(r: Report, files: dict[str, int]) -> str:
    if not r.files:
        return '<section id="source"><h2>Source</h2><p>No source file.</p></section>'
    loops_at: dict[tuple[str, int], list[LoopView]] = {}
    covered: dict[tuple[str, int], list[LoopView]] = {}
    for lv in r.loops:
        if lv.line:
            loops_at.setdefault((lv.file, lv.line), []).append(lv)
        for ln in lv.lines:
            covered.setdefault((lv.file, ln), []).append(lv)
    top = max((max(i, n) for f in r.files for i, n in f.heat.values()), default=1) or 1
    parts = ['<section id="source"><h2>Source: how often each line ran</h2>',
             '<p class="legend"><span class="sw interp"></span> in the interpreter '
             '<span class="sw native"></span> in machine code (derived from the machine code\'s counters); '
             'bars on a log scale. Click a line to see its bytecode, IR and machine code below.</p>']
    for f in r.files:
        parts.append(_source_file(f, files[f.path], top, loops_at, covered))
    parts.append("</section>")
    return "\n".join(parts)


def _bar(n: int, top: int, cls: str) -> str:
    if not n:
        return ""
    w = max(2.0, 100 * math.log1p(n) / math.log1p(top))
    return f'<span class="bar {cls}" style="width:{w:.1f}%"></span>'


def _source_file(f: SourceFile, fi: int, top: int, loops_at, covered) -> str:
    rows = []
    for n, text in enumerate(f.lines, 1):
        i, m = f.heat.get(n, (0, 0))
        marks = "".join(f'<a class="loopmark" href="#{lv.key}" title="{escape(lv.status)}">{escape(lv.status)}</a>'
                        for lv in loops_at.get((f.path, n), []))
        cls = "src" + (" inloop" if (f.path, n) in covered else "") + (" ran" if i or m else "")
        rows.append(f'<tr class="{cls}" id="src{fi}-{n}"{_attrs([f"S{fi}:{n}", f"L{fi}:{n}"], [f"L{fi}:{n}"])}>'
                    f'<td class="ln">{n}</td><td class="cnt">{i:,}</td><td class="cnt">{m:,}</td>'
                    f'<td class="heat">{_bar(i, top, "interp")}{_bar(m, top, "native")}</td>'
                    f'<td class="code"><code>{escape(text) or " "}</code>{marks}</td></tr>')
    return (f'<h3 class="file">{escape(f.name)} <small>{escape(f.path)}</small></h3>'
            f'<table class="source" data-file="{fi}"><thead><tr><th>line</th><th>interpreter</th>'
            f'<th>machine code</th><th>heat</th><th>source</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


# ----------------------------------------------------------------------------------------------------------


def _loops_section(r: Report, files: dict[str, int]) -> str:
    parts = ['<section id="loops"><h2>Loops</h2>']
    if not r.loops:
        parts.append("<p>No loop got hot.</p>")
    sources = {f.path: f.lines for f in r.files}
    for lv in r.loops:
        parts.append(_loop(lv, files.get(lv.file, -1), sources.get(lv.file, [])))
    parts.append("</section>")
    return "\n".join(parts)


def _loop(lv: LoopView, fi: int, source: list[str]) -> str:
    where = f"{os.path.basename(lv.file)} line {lv.line}" if lv.line else os.path.basename(lv.file)
    out = [f'<section class="loop" id="{lv.key}"><h3>{escape(lv.name)} <small>{escape(where)}</small> '
           f'<span class="status s-{escape(lv.status.split(",")[0].replace(" ", "-"))}">{escape(lv.status)}'
           f'</span></h3>']
    out.append(_timeline(lv))
    if lv.times is not None:
        out.append(_times(lv))
    if lv.graph_svg:
        out.append(f'<div class="graph"><h4>Loop and exits</h4>{lv.graph_svg}</div>')
    if lv.guards:
        out.append(_guards(lv))
    for tv in lv.traces:
        out.append(_trace(lv, tv, fi, source))
    out.append("</section>")
    return "\n".join(out)


def _timeline(lv: LoopView) -> str:
    items = "".join(f'<li class="ev ev-{escape(e.event)}"><span class="t">{e.t:.4f} s</span>'
                    f'<span class="what">{escape(e.text)}</span></li>' for e in lv.timeline)
    return f'<div class="timeline"><h4>Life of the loop</h4><ol>{items or "<li>no events</li>"}</ol></div>'


def _times(lv: LoopView) -> str:
    t = lv.times
    speed = (f"{t.native_ns_per_iteration:,.2f} ns per iteration in machine code ({t.native_iterations:,} "
             f"iterations in {_ms(t.native_ms)}, entries and exits included). Interpreted iterations are not timed "
             f"in this run: counting their lines makes them several times slower than in a plain run. "
             f"<code>make bench</code> measures speedups against plain CPython."
             if t.native_ns_per_iteration is not None else "no iteration ran in machine code")
    rows = [("iterations", f"{t.interpreted_runs:,} interpreted, {t.native_iterations:,} in machine code "
                           f"({t.native_entries:,} entries)"),
            ("time", f"machine code {_ms(t.native_ms)}, recording {_ms(t.recording_ms)}, "
                     f"compiling {_ms(t.compile_ms)}"),
            ("speed", speed), ("machine code", f"{t.code_bytes:,} bytes")]
    body = "".join(f"<tr><th>{a}</th><td>{b}</td></tr>" for a, b in rows)
    return f'<div class="times"><h4>Totals</h4><table>{body}</table></div>'


def _guards(lv: LoopView) -> str:
    several = any(g.version > 1 for g in lv.guards)
    rows = "".join(
        f'<tr class="{"taken" if g.taken else ""}"><td>#{g.exit}</td><td>{escape(g.reason)}</td>'
        f'<td><code>{escape(g.guard)}</code></td><td>@{g.pc}{f" line {g.line}" if g.line else ""}'
        f'{escape(g.resumes_in)}</td>'
        f'<td class="cnt">{g.taken:,}</td><td class="cnt">{g.deopts:,}</td><td>{escape(g.bridge)}</td>'
        f'<td>{escape(g.trace)}{f" (version {g.version})" if several else ""}</td></tr>' for g in lv.guards)
    return (f'<div class="guards"><h4>Guards and exits</h4><table><thead><tr><th>exit</th><th>reason</th>'
            f'<th>guard</th><th>resumes at</th><th>taken</th><th>to the interpreter</th><th>bridge</th>'
            f'<th>trace</th></tr></thead><tbody>{rows}</tbody></table></div>')


def _keys(lv: LoopView, fi: int, pc: int, line: int | None) -> tuple[list[str], list[str]]:
    k, sel = [], []
    if line:
        k.append(f"L{fi}:{line}")
        sel.append(f"S{fi}:{line}")
    if pc >= 0:
        k.append(f"P{lv.key}:{pc}")
        sel.append(f"P{lv.key}:{pc}")
    return k, sel


def _trace(lv: LoopView, tv: TraceView, fi: int, source: list[str]) -> str:
    title = "Loop trace" if tv.kind == "loop" else f"Bridge from exit #{tv.from_exit}"
    if tv.version > 1 or any(t.version > 1 for t in lv.traces):
        title += f" (version {tv.version})"
    bc = []
    last_line = None
    for row in tv.bytecode:
        if row.line and row.line != last_line and 0 < row.line <= len(source):   # the source line above its code
            bc.append(f'<div class="row srcline"{_attrs([f"L{fi}:{row.line}"], [f"L{fi}:{row.line}"])}>'
                      f'<span class="ln">{row.line}</span><code>{escape(source[row.line - 1].strip())}</code></div>')
        last_line = row.line or last_line
        k, sel = _keys(lv, fi, row.pc, row.line)
        bc.append(f'<div class="row bc"{_attrs(k, sel)}><span class="pc">@{row.pc}</span>'
                  f'<span class="ln">{row.line or ""}</span><code>{escape(row.text)}</code></div>')
    final = tv.stages[-1] if tv.stages else None
    op_keys = {r.op: (r.pc, r.line) for r in final.rows if r.op >= 0} if final else {}
    buttons, panes = [], []
    for s, st in enumerate(tv.stages):       # the recording, then each pass as a diff
        label = st.name + (f" ({st.changed} changed)" if s else "")
        buttons.append(f'<button type="button" class="stage" data-pane="{tv.key}-s{s}">{escape(label)}</button>')
        panes.append(_stage_pane(lv, tv, fi, f"{tv.key}-s{s}", st.rows, st.diff if s else [], False))
    if final is not None:                    # the compiled trace: ops linked to machine code, with run counts
        buttons.append(f'<button type="button" class="stage on" data-pane="{tv.key}-final">'
                       f'compiled ({sum(1 for r in final.rows if r.op >= 0)} ops)</button>')
        panes.append(_stage_pane(lv, tv, fi, f"{tv.key}-final", final.rows, [], True))
    asm = []
    for g in tv.asm:
        pc, line = op_keys.get(g.op, (-1, None))
        k, sel = _keys(lv, fi, pc, line)
        if g.op >= 0:
            k.append(f"O{tv.key}:{g.op}")
            sel.append(f"O{tv.key}:{g.op}")
        rows = "".join(f'<div class="ins"><span class="addr">{a}</span><code>{escape(t)}</code></div>'
                       for a, t in g.rows)
        asm.append(f'<div class="asmgroup"{_attrs(k, sel)}><div class="gt">{escape(g.title)}</div>{rows}</div>')
    stats = (f"{tv.entries:,} runs in machine code, {tv.code_bytes:,} bytes, compiled in {tv.compile_ms:.2f} ms")
    return (f'<div class="trace" id="{tv.key}"><h4>{title}: <code>{escape(tv.name)}</code> '
            f'<small>{escape(stats)}</small></h4>{_maps(tv)}<div class="panels">'
            f'<div class="panel bytecode"><h5>Recorded bytecode</h5><div class="scroll">{"".join(bc)}</div></div>'
            f'<div class="panel ir"><h5>IR</h5><div class="stages">{"".join(buttons)}</div>'
            f'<div class="scroll">{"".join(panes)}</div></div>'
            f'<div class="panel asm"><h5>Machine code (x86-64, Intel syntax)</h5>'
            f'<div class="scroll">{"".join(asm) or "<p>(no machine code: native=0)</p>"}</div></div>'
            f'</div></div>')


def _maps(tv: TraceView) -> str:
    """The class layouts (maps) the trace relies on: each class's type version tag, which its guards check, and
    the index of each attribute in an instance's values array (CPython's shared keys), which its loads use."""
    if not tv.maps:
        return ""
    items = []
    for m in tv.maps:
        shape = " ".join(f"<code>{escape(where)} {escape(name)}</code>" for where, name in m.slots) or \
            "<small>(its methods or constructor only)</small>"
        use = f"{m.reads} read{'s' * (m.reads != 1)}, {m.writes} write{'s' * (m.writes != 1)}"
        items.append(f"<li><code>{escape(m.cls)}</code> <small>type version {m.version}</small>: {shape} "
                     f"<small>{use}</small></li>")
    return ('<div class="maps"><h5>Maps this trace relies on</h5><p><small>Each attribute access is a guard on '
            "the class's type version (the map: it changes when the class does) and a load or store at a fixed "
            'index of the instance\'s values array ([i], the class\'s shared keys) or at a fixed offset of a '
            f'__slots__ member (+n): no dictionary lookup.</small></p><ul>{"".join(items)}</ul></div>')


def _stage_pane(lv: LoopView, tv: TraceView, fi: int, pane: str, rows: list[IRRow], diff, last: bool) -> str:
    out = [f'<div class="pane{" on" if last else ""}" id="{pane}">']
    if diff:
        out.append('<div class="diff">')
        for tag, text in diff:
            cls = {"+": "add", "-": "del"}.get(tag, "same")
            out.append(f'<div class="row {cls}"><span class="tag">{escape(tag)}</span>'
                       f'<code>{escape(text)}</code></div>')
        out.append("</div>")
    else:
        for r in rows:
            k, sel = _keys(lv, fi, r.pc, r.line)
            if last and r.op >= 0:
                k.append(f"O{tv.key}:{r.op}")
                sel.append(f"O{tv.key}:{r.op}")
            runs = f'<span class="runs">{r.runs:,}&times;</span>' if last and r.runs is not None else \
                '<span class="runs"></span>'
            guard = " guard" if r.exit >= 0 else ""
            frame = f'<span class="frame">in {escape(r.frame)}</span>' if r.frame else ""
            out.append(f'<div class="row irop{guard}"{_attrs(k, sel)}>{runs}<code>{escape(r.text)}</code>{frame}'
                       f'</div>')
    out.append("</div>")
    return "".join(out)


def _help() -> str:
    return """<section id="help"><h2>How to read this report</h2>
<dl>
<dt>Trace</dt><dd>When a loop has run its back-edge often enough (the <i>threshold</i>), tracejit watches the
interpreter run one iteration and records the bytecode it executed: the <i>recorded bytecode</i>. Branches not
taken are not in it; each becomes a guard.</dd>
<dt>IR</dt><dd>The recording becomes typed operations on unboxed values (<code>i</code> ints, <code>f</code> floats,
<code>b</code> booleans, <code>r</code> object references). The stage buttons show what each optimizer pass
changed: <span class="add">+</span> rows it added, <span class="del">-</span> rows it removed.</dd>
<dt>Guard</dt><dd>An op with <code>-&gt;</code> checks an assumption the recording made (a type, a branch
direction, no overflow, an index in bounds). When it fails, the machine code exits and the interpreter resumes at
the bytecode offset shown (deoptimization): the values it needs are written back into the frame.</dd>
<dt>Bridge</dt><dd>A guard that fails often gets its own trace, starting where it failed and jumping back into the
loop, so that path runs in machine code too.</dd>
<dt>Maps</dt><dd>An attribute of an instance is read the way CPython's own specialized instructions read it: a
guard that the class still has the version tag the recording saw (its map: any change to the class changes it),
then a load at the index the class's shared keys gave the name while recording. Each trace lists the maps it
relies on and the attributes it reaches through them.</dd>
<dt>Heat</dt><dd>The interpreter column counts line events; the machine-code column is derived from the loop's
iteration count and the machine code's exit counters.</dd>
</dl><p>More in <code>docs/tutorial.md</code>.</p></section>"""
