"""The visualizer's data model: everything the report shows, as plain data built from a finished run.

`build_report(engine, probe, program)` reads the engine (compiled loops, their traces at every optimizer
stage, machine code, exits and counters) and the Probe (line counts, events, recording times) and
returns a `Report`: dataclasses of strings and numbers, which tracejit.visualizer.html renders, and which
`Report.as_dict()` and `report_from_dict` turn into JSON data (`--view report.json`) and back. Nothing here
touches a live frame or executable memory.

How often a line ran in machine code is derived, not sampled: a compiled loop counts its iterations (the
budget), and its machine code counts every exit it takes (CompiledLoop.exit_counts). Walking a trace in
order, each op runs as often as the trace was entered minus the exits taken at the guards before it.

May import: tracejit.visualizer.graph and the standard library (it reads the engine's and the Probe's objects
by attribute).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import difflib
import linecache
import os
import re
import sys
from dataclasses import asdict, dataclass, field

from .graph import loop_graph_svg

_PC_MARK = re.compile(r"#\s+@(\d+)(?: line (\d+))?(?: in (\S+))?\s*$")


@dataclass
class SourceFile:
    path: str
    name: str
    lines: list[str]
    heat: dict[int, tuple[int, int]]           # line -> (runs in the interpreter, runs in machine code)


@dataclass
class Event:
    t: float                                   # seconds since the JIT started
    event: str                                 # the events log's name (hot, abort, compiled, ...)
    text: str                                  # what happened, in words


@dataclass
class BytecodeRow:
    pc: int
    line: int | None
    text: str


@dataclass
class IRRow:
    text: str
    pc: int                                    # -1: no bytecode (label, jump, inputs)
    line: int | None
    op: int = -1                               # index of the op in the final trace (final stage only)
    runs: int | None = None                    # times it ran in machine code (final stage only)
    exit: int = -1                             # a guard's exit number
    frame: str = ""                            # the inlined call(s) it was recorded in ("f/g"), if any


@dataclass
class Stage:
    name: str                                  # 'recorded' or the optimizer pass that produced it
    rows: list[IRRow]
    diff: list[tuple[str, str]]                # ('+' | '-' | ' ', row text) against the previous stage
    changed: int                               # rows added plus rows removed


@dataclass
class AsmGroup:
    title: str                                 # the IR op (or block) these instructions came from
    op: int                                    # index of that op in the final trace (-1: none)
    rows: list[tuple[str, str]]                # (address, Intel-syntax instruction)


@dataclass
class MapView:
    """A class layout a trace relies on: CPython's map (the type's version tag, and the shared keys that give
    each attribute its index in an instance's values array), and what the trace reads and writes there."""
    cls: str                                   # the class's name ("?" where the recording did not note it)
    version: int                               # the type version tag its guards check
    slots: list[tuple[str, str]]               # (where: "[index]" in the values array or "+offset" of a
                                               # __slots__ member, the attribute's name), in order
    reads: int                                 # attribute loads in the compiled trace
    writes: int                                # attribute stores (and first stores into new instances)


@dataclass
class TraceView:
    kind: str                                  # loop / bridge
    name: str
    key: str                                   # unique in the report (ids in the page)
    version: int                               # 1, or 2.. for a loop recorded again for other types
    from_exit: int                             # bridge: the exit it starts at (-1 for the loop)
    code_bytes: int
    compile_ms: float
    entries: int                               # times the machine code of this trace was entered
    bytecode: list[BytecodeRow]
    stages: list[Stage]
    asm: list[AsmGroup]
    maps: list[MapView] = field(default_factory=list)


@dataclass
class GuardView:
    exit: int
    trace: str                                 # the trace (loop or bridge) the guard is in
    version: int                               # of the loop (TraceView.version)
    reason: str                                # type / branch / bounds / overflow / loop exit / budget ...
    guard: str                                 # the IR op
    pc: int                                    # where the interpreter resumes
    line: int | None
    taken: int                                 # times the machine code left through this exit
    deopts: int                                # of those, times the interpreter resumed (no bridge)
    bridge: str                                # none / recording / compiled / blocked / "exit N's" (linked)
    inlined: str = ""                          # a guard inside inlined calls ("f/g")
    resumes_in: str = ""                       # how its exit resumes inside them (ExitInfo.resumes_in)


@dataclass
class LoopTimes:
    interpreted_runs: int                      # times the interpreter ran the loop's header line
    native_iterations: int
    native_entries: int
    native_ms: float
    recording_ms: float
    compile_ms: float
    code_bytes: int
    native_ns_per_iteration: float | None      # entries and exits included (interpreted ones: see Probe)


@dataclass
class LoopView:
    key: str
    name: str
    file: str
    line: int | None
    status: str                                # compiled / aborted / blacklisted / counted ...
    timeline: list[Event]
    traces: list[TraceView]
    guards: list[GuardView]
    times: LoopTimes | None
    graph_svg: str
    lines: list[int]                           # source lines its traces cover


@dataclass
class Report:
    program: str
    python: str
    params: str
    jit: str                                   # 'on', or why it was off
    files: list[SourceFile]
    loops: list[LoopView]
    totals: dict
    events_dropped: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# ----------------------------------------------------------------------------------------------------------
# building


def build_report(engine, probe, program: str) -> Report:
    """The report of a finished run. `engine` may be None (JIT off) and `probe` None (no line counts)."""
    python = f"CPython {sys.version.split()[0]}"
    if engine is None:
        files = [_source_file(os.path.abspath(program), {}, {})] if os.path.isfile(program) else []
        return Report(program, python, "", "off", files, [], {})
    events = probe.events if probe is not None else []
    by_loop, seen_at = _events_by_loop(events)
    compiled: dict[str, list] = {}
    for loop in engine.all_loops:
        compiled.setdefault(loop.name, []).append(loop)

    interp = probe.line_counts if probe is not None else {}
    native: dict[tuple[str, int], int] = {}
    loops: list[LoopView] = []
    names = list(dict.fromkeys([n for n in by_loop if _worth_showing(by_loop[n])] + list(compiled)))
    # hottest first: iterations in machine code plus runs of the loop's header line in the interpreter
    names.sort(key=lambda n: -_heat(compiled.get(n, []), seen_at.get(n), interp))
    for k, name in enumerate(names):
        versions = compiled.get(name, [])
        loops.append(_loop_view(f"L{k}", name, versions, by_loop.get(name, []), seen_at.get(name), probe,
                                interp, native))
    wanted = {lv.file for lv in loops if lv.file}
    main = os.path.abspath(program) if os.path.isfile(program) else None
    ordered = ([main] if main else []) + sorted(f for f in wanted if f != main)
    files = [_source_file(f, interp, native) for f in ordered if f and os.path.isfile(f)]
    totals = engine.stats.as_dict()
    notes = []
    if probe is None:
        notes.append("lines were not counted in the interpreter (no probe)")
    if not engine.params.native:
        notes.append("native=0: traces ran in the IR interpreter, so no machine code and no exit counts")
    return Report(program, python, engine.params.text(), "on" if not engine.off_reason else engine.off_reason,
                  files, loops, totals, probe.events_dropped if probe is not None else 0, notes)


def report_from_events(events: list[dict], program: str) -> Report:
    """A report from a saved events log (`--log`): each loop's life, without traces, machine code or heat."""
    by_loop, seen_at = _events_by_loop(events)
    loops = []
    for k, (name, evs) in enumerate((n, ev) for n, ev in by_loop.items() if _worth_showing(ev)):
        file, line = seen_at.get(name, ("", None))
        loops.append(LoopView(f"L{k}", name, file or "", line, _status(evs, []), [_event(e) for e in evs],
                              [], [], None, "", []))
    paths = list(dict.fromkeys(lv.file for lv in loops if lv.file and os.path.isfile(lv.file)))
    files = [_source_file(p, {}, {}) for p in paths]
    counts: dict[str, int] = {}
    for e in events:
        counts[e.get("event", "?")] = counts.get(e.get("event", "?"), 0) + 1
    return Report(program, "", "", "on (from an events log)", files, loops, {"events": counts},
                  notes=["made from an events log: no traces, machine code or line counts"])


def report_from_dict(d: dict) -> Report:
    """The Report whose as_dict() (read back from JSON: lists for tuples, strings for int keys) is `d`."""
    def source(f: dict) -> SourceFile:
        return SourceFile(f["path"], f["name"], f["lines"], {int(k): tuple(v) for k, v in f["heat"].items()})

    def trace(t: dict) -> TraceView:
        stages = [Stage(st["name"], [IRRow(**r) for r in st["rows"]], [tuple(x) for x in st["diff"]],
                        st["changed"]) for st in t["stages"]]
        asm = [AsmGroup(g["title"], g["op"], [tuple(x) for x in g["rows"]]) for g in t["asm"]]
        return TraceView(**{**t, "bytecode": [BytecodeRow(**b) for b in t["bytecode"]], "stages": stages,
                            "asm": asm, "maps": [MapView(m["cls"], m["version"], [tuple(x) for x in m["slots"]],
                                                         m["reads"], m["writes"]) for m in t.get("maps", [])]})

    def loop(lv: dict) -> LoopView:
        return LoopView(**{**lv, "timeline": [Event(**e) for e in lv["timeline"]],
                           "traces": [trace(t) for t in lv["traces"]],
                           "guards": [GuardView(**g) for g in lv["guards"]],
                           "times": LoopTimes(**lv["times"]) if lv["times"] else None})
    return Report(**{**d, "files": [source(f) for f in d["files"]], "loops": [loop(lv) for lv in d["loops"]]})


def _events_by_loop(events: list[dict]) -> tuple[dict[str, list[dict]], dict[str, tuple]]:
    """The events of each loop (a bridge's belong to its loop), and where each loop is (from its 'seen')."""
    by_loop: dict[str, list[dict]] = {}
    seen_at: dict[str, tuple[str, int | None]] = {}
    for e in events:
        name = str(e.get("loop", "?")).split("/")[0]
        by_loop.setdefault(name, []).append(e)
        if e.get("event") == "seen":
            seen_at[name] = (e.get("file"), e.get("line"))
    return by_loop, seen_at


def _worth_showing(events: list[dict]) -> bool:
    """A loop that only had its back-edges counted is listed in the source's heat map, not as a loop."""
    return any(e["event"] != "seen" for e in events)


def _source_file(path: str, interp, native) -> SourceFile:
    lines = [ln.rstrip("\n") for ln in linecache.getlines(path)]
    heat = {}
    for n in range(1, len(lines) + 1):
        i, m = interp.get((path, n), 0), native.get((path, n), 0)
        if i or m:
            heat[n] = (i, m)
    return SourceFile(path, os.path.basename(path), lines, heat)


def _heat(versions: list, seen, interp) -> int:
    """How hot a loop was: its iterations in machine code plus the interpreter's runs of its header line."""
    file, line = seen if seen else (None, None)
    if line is None and versions and versions[0].blocks:
        file = file or versions[0].blocks[0].trace.filename
        line = versions[0].blocks[0].trace.lines.get(versions[0].header_pc)
    return sum(lp.native_iterations for lp in versions) + (interp.get((file, line), 0) if file else 0)


def _loop_view(key, name, versions, events, seen, probe, interp, native) -> LoopView:
    file, line = seen if seen else (None, None)
    traces, guards, lines = [], [], set()
    times = None
    drawn = 0, 0                     # the loop's first version is drawn: its traces and guards
    for v, loop in enumerate(versions):
        for b, block in enumerate(loop.blocks):
            t = block.trace
            file = file or t.filename
            runs, passed = _op_runs(loop, block)
            _add_native_lines(native, t, runs, passed, loop.blocks[0].trace.lines.get(loop.header_pc))
            lines.update(ln for ln in t.lines.values() if ln)
            traces.append(_trace_view(f"{key}v{v}b{b}", v + 1, loop, block, runs))
        _uncount_resumed_lines(native, loop)
        for info in sorted(loop.exits.values(), key=lambda i: i.exit_id):
            taken = loop.exit_counts[info.exit_id]
            guards.append(GuardView(info.exit_id, info.trace_name, v + 1, info.reason, info.guard, info.pc,
                                    _line_of(loop, info.pc), max(taken, loop.exit_fails(info)), loop.exit_fails(info),
                                    info.bridge if info.linked < 0 else f"exit {info.linked}'s",
                                    info.frame, info.resumes_in()))
        if v == 0:
            drawn = len(traces), len(guards)
    if line is None and versions:
        line = versions[0].blocks[0].trace.lines.get(versions[0].header_pc) if versions[0].blocks else None
    if versions:
        times = _times(name, versions, probe, interp.get((file, line), 0) if file else 0)
    status = _status(events, versions)
    return LoopView(key, name, file or "", line, status, [_event(e) for e in events], traces, guards, times,
                    loop_graph_svg(name, guards[:drawn[1]], traces[:drawn[0]]), sorted(lines))


def _status(events: list[dict], versions: list) -> str:
    kinds = {e["event"] for e in events}
    if "blacklist" in kinds:
        return "blacklisted"
    if any(not lp.retired for lp in versions):
        return "compiled"
    if versions:
        return "compiled, then freed"
    if "abort" in kinds:
        return "aborted"
    return "counted"


def _line_of(loop, pc: int) -> int | None:
    for block in loop.blocks:
        ln = block.trace.lines.get(pc)
        if ln:
            return ln
    return None


def _times(name: str, versions: list, probe, interpreted_runs: int) -> LoopTimes:
    iters = sum(lp.native_iterations for lp in versions)
    ns = sum(lp.native_ns for lp in versions)
    timed = sum(lp.native_iterations - lp.counters[1] for lp in versions)    # the back-edge stub's runs: untimed
    entries = sum(lp.entries for lp in versions)
    compile_s = sum(b.compile_seconds for lp in versions for b in lp.blocks)
    code = sum(b.size for lp in versions for b in lp.blocks)
    rec_s = probe.recording_seconds.get(name, 0.0) if probe is not None else 0.0
    native_ns = ns / timed if timed else None
    return LoopTimes(interpreted_runs, iters, entries, ns / 1e6, rec_s * 1e3, compile_s * 1e3, code,
                     round(native_ns, 2) if native_ns is not None else None)


def _block_entries(loop, block) -> int:
    """How often the machine code started this trace: the loop's iterations (each passes its budget guard)
    or, for a bridge, the exits taken at its guard, and at the guards linked to it, that did not return to the
    interpreter."""
    if block.trace.kind == "loop":
        return loop.native_iterations
    return sum(max(loop.exit_counts[info.exit_id] - loop.exit_fails(info), 0) for info in loop.exits.values()
               if info.exit_id == block.from_exit or info.linked == block.from_exit)     # (exits linked to it too)


def _op_runs(loop, block) -> tuple[list[int | None], list[int | None]]:
    """How often each op of the trace started and finished (its guard passed) in machine code; None for the
    loop's preamble, which runs once per entry."""
    t = block.trace
    c = _block_entries(loop, block)
    before: list[int | None] = []
    after: list[int | None] = []
    for i, op in enumerate(t.ops):
        if t.kind == "loop" and 0 < i <= t.preamble:
            before.append(None)
            after.append(None)
            continue
        before.append(c)
        if op.snapshot is not None and op.exit_id >= 0:
            c = max(c - loop.exit_counts[op.exit_id], 0)
        after.append(c)
    return before, after


def _add_native_lines(native: dict, t, before: list, after: list, header_line: int | None) -> None:
    """Add the runs of each source line the trace covers, as the interpreter would have counted its line
    events. The recorded instructions give the lines (an instruction may have left no op: a load). An
    instruction runs as often as its first op, or, when it has none, as often as the ops before it passed.
    A bridge starts at the instruction whose guard failed: the trace it left counted that line."""
    stretches: dict[int, list[list[int]]] = {}      # pc -> [runs before, runs after] per stretch of its ops
    prev = None
    for op, b, a in zip(t.ops, before, after):
        if op.pc < 0 or b is None:
            prev = None
            continue
        if op.pc == prev:
            stretches[op.pc][-1][1] = a
        else:
            stretches.setdefault(op.pc, []).append([b, a])
        prev = op.pc
    used: dict[int, int] = {}
    carry = next((b for b in before if b is not None), 0)
    last_line = t.lines.get(t.recorded[0][0]) if t.kind == "bridge" and t.recorded else None
    recorded = t.recorded
    if t.kind == "bridge":
        # it jumps to the loop's header: if it ends in the header's line, the loop trace counts that line
        end = len(recorded)
        while end and t.lines.get(recorded[end - 1][0]) in (header_line, None) and header_line:
            end -= 1
        recorded = recorded[:end] if end < len(recorded) and end > 0 else recorded
    for k, (pc, _text) in enumerate(recorded):
        current = carry
        mine = stretches.get(pc, [])
        n = used.get(pc, 0)
        if n < len(mine) and (k == 0 or t.recorded[k - 1][0] != pc):   # superinstruction parts share a pc
            current, carry = mine[n]
            used[pc] = n + 1
        line = t.lines.get(pc)
        if line and line != last_line:
            native[(t.filename, line)] = native.get((t.filename, line), 0) + current
        if line:
            last_line = line


def _uncount_resumed_lines(native: dict, loop) -> None:
    """An exit to the interpreter at the loop's header (a budget or loop-exit guard) lets the interpreter
    continue at the header, the target of the back-edge it was on, and count the header's line again: the
    machine code had counted it already."""
    header = loop.header_pc
    for info in loop.exits.values():
        if info.pc != header:
            continue
        deopts = loop.exit_fails(info) if info.bridge == "compiled" else loop.exit_counts[info.exit_id]
        block = next((b for b in loop.blocks if b.trace.name == info.trace_name), None)
        if deopts and block is not None:
            key = (block.trace.filename, block.trace.lines.get(header))
            if key in native:
                native[key] = max(native[key] - deopts, 0)


def _trace_view(key: str, version: int, loop, block, runs: list[int | None]) -> TraceView:
    t = block.trace
    bytecode = [BytecodeRow(pc, t.lines.get(pc), text) for pc, text in t.recorded]
    stages = _stages(block.stages, t, runs)
    asm = [AsmGroup(g.title, g.op_index, [(f"{a:#x}", text) for a, text in g.rows]) for g in block.groups]
    return TraceView(t.kind, t.name, key, version, block.from_exit, block.size,
                     round(block.compile_seconds * 1e3, 3), _block_entries(loop, block), bytecode, stages, asm,
                     _maps(t))


def _int_const(v) -> int | None:
    value = getattr(v, "value", None)          # a Const's (a Var has none)
    return value if type(value) is int else None


def _maps(t) -> list[MapView]:
    """The maps the compiled trace `t` relies on: each guard_version's tag, with the attributes read and written
    through it. An attribute op's object is tied to a tag by the guard on its type (`guard_version(type_of(obj),
    tag)`) or, for an instance the trace makes, by the guard on the class it calls (`new_instance(cls)`)."""
    type_var_of: dict[int, object] = {}        # id(type_of's result) -> its object
    tag_of: dict[int, int] = {}                # id(object or class variable) -> tag
    found: dict[int, tuple[dict[tuple, str], list[int]]] = {}   # tag -> ((member?, at) -> name, [reads, writes])
    for op in t.ops:
        if op.name == "type_of":
            type_var_of[id(op.result)] = op.args[0]
        elif op.name == "guard_version" and _int_const(op.args[1]) is not None:
            tag = op.args[1].value
            found.setdefault(tag, ({}, [0, 0]))
            subject = type_var_of.get(id(op.args[0]), op.args[0])      # an instance, or a class it calls
            tag_of[id(subject)] = tag
        elif op.name == "new_instance" and id(op.args[0]) in tag_of:
            tag_of[id(op.result)] = tag_of[id(op.args[0])]
        else:
            d = op.opdef
            tag = tag_of.get(id(op.args[0])) if d.field is not None and d.field[0] == "attr" else None
            if tag is None:
                continue
            name = getattr(op.args[d.field[1]], "value", "?")
            # the index (or a member's offset) is the op's first constant argument other than the name (ir.ops);
            # an op without one (fresh_setattr: a store by name into a new instance) has no place to show
            place = next((i for i in d.const_args if i != d.field[1]), None)
            at = _int_const(op.args[place]) if place is not None else None
            slots, counts = found[tag]
            slots.setdefault((op.name.startswith("member"), -1 if at is None else at), str(name))
            counts[1 if d.writes_heap else 0] += 1
    names = getattr(t, "class_names", {})
    return [MapView(names.get(tag, "?"), tag, [("(by name)" if at < 0 else f"+{at}" if member else f"[{at}]", name)
                                               for (member, at), name in sorted(slots.items())], reads, writes)
            for tag, (slots, (reads, writes)) in found.items()]


def _stages(texts: list[tuple[str, str]], t, runs) -> list[Stage]:
    """Each optimizer stage's IR rows with a diff against the one before; the last stage is the compiled
    trace itself, its rows linked to ops (and so to machine code)."""
    stages: list[Stage] = []
    prev: list[str] = []
    for name, text in texts or [("compiled", "")]:
        rows = _parse_stage(text) if text else []
        cur = [r.text for r in rows]
        diff: list[tuple[str, str]] = []
        if stages:
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=prev, b=cur, autojunk=False).get_opcodes():
                if tag == "equal":
                    diff.extend((" ", s) for s in prev[i1:i2])
                    continue
                diff.extend(("-", s) for s in prev[i1:i2])
                diff.extend(("+", s) for s in cur[j1:j2])
        changed = sum(1 for tag, _ in diff if tag != " ")
        stages.append(Stage(name, rows, diff, changed))
        prev = cur
    final = stages[-1]
    # link the final stage's op rows to the trace's ops (the text lists them in order)
    op_rows = [r for r in final.rows if not r.text.startswith(("inputs:", "jump stores:"))]
    if len(op_rows) == len(t.ops):
        for i, (r, op) in enumerate(zip(op_rows, t.ops)):
            r.op, r.runs = i, runs[i]
            if op.snapshot is not None:
                r.exit = op.exit_id
    return stages


def _parse_stage(text: str) -> list[IRRow]:
    """Rows of tracejit.ir.format_trace text (its first line, the trace's title, is dropped). An op's
    bytecode offset is marked only where it changes, so it carries over to the rows below."""
    rows: list[IRRow] = []
    pc, line, frame = -1, None, ""
    for raw in text.split("\n")[1:]:
        m = _PC_MARK.search(raw)
        body = raw[:m.start()].rstrip() if m else raw.rstrip()
        if m:
            pc, line = int(m.group(1)), int(m.group(2)) if m.group(2) else None
            frame = m.group(3) or ""
        stripped = body.strip()
        if not stripped:
            continue
        if stripped.startswith(("inputs:", "label(", "jump stores:")):
            rows.append(IRRow(stripped, -1, None))
            continue
        jump = stripped.startswith("jump(")
        rows.append(IRRow(stripped, -1 if jump else pc, None if jump else line, frame="" if jump else frame))
    return rows


def _event(e: dict) -> Event:
    return Event(e.get("t", 0.0), e["event"], describe_event(e))


def describe_event(e: dict) -> str:
    """One event of the log in words."""
    k = e["event"]
    g = e.get
    if k == "seen":
        return "first back-edge: the loop is counted"
    if k == "hot":
        count = g("count")
        if isinstance(count, int) and count > 0:
            return f"hot after {count} back-edges: recording one iteration"
        return "recording one iteration"           # a new version, after earlier attempts backed off
    if k == "abort":
        extra = (f" (retry {g('retry')})" if g("retry") else "") + (f", backing off x{g('backoff')}"
                                                                    if g("backoff") else "")
        return f"recording aborted: {g('reason')}{extra}"
    if k == "compiled":
        return (f"compiled: {g('ops')} IR ops, {g('bytes')} bytes of machine code, {g('exits')} exits, "
                f"in {1e3 * (g('seconds') or 0):.2f} ms")
    if k == "guard_failure":
        return (f"guard failed #{g('fails')}: exit #{g('exit')} ({g('reason')}), the interpreter resumes "
                f"at @{g('pc')}")
    if k == "bridge_recording":
        return f"exit #{g('exit')} failed often: recording a bridge from @{g('pc')}"
    if k == "bridge_compiled":
        return f"bridge from exit #{g('exit')} compiled: {g('ops')} IR ops, {g('bytes')} bytes"
    if k == "bridge_abort":
        return f"bridge from exit #{g('exit')} aborted: {g('reason')}"
    if k == "bridge_unlinked":
        return (f"exit #{g('exit')} no longer jumps to exit #{g('was')}'s bridge: a run spent its budget in a cycle "
                f"of bridges through it")
    if k == "bridge_linked":
        return (f"exit #{g('exit')} failed often: it stores what exit #{g('to')} stores, and jumps to that exit's "
                f"bridge (nothing recorded or compiled)")
    if k == "blacklist":
        return "blacklisted: the loop stays in the interpreter"
    if k == "short_runs":
        then = f"waiting {g('backoff')}x longer before judging again" if g("backoff") else "blacklisted"
        return (f"its runs in the interpreter average {g('average')} iterations ({g('runs')} runs): too short for "
                f"machine code to pay back each entry; {then}")
    if k == "spend_wait":
        if not g("wait"):
            return ("hot, but the JIT has spent its share of the run on recording and compiling (spend_ms), an "
                    "eleventh time: given up")
        return (f"hot, but the JIT has spent its share of the run on recording and compiling (spend_ms): waiting "
                f"{g('wait')}x threshold back-edges")
    if k == "site_spent":
        spent = (f"a version of it was dropped, and recording and compiling it has cost {g('spent_ms')} ms, more "
                 f"than its share plus the {g('saved_ms')} ms its machine code saved")
        if g("exit") is not None:
            return f"exit #{g('exit')} failed often, but {spent}: asking again after {g('wait')} failures"
        return f"{spent}: not recorded again"
    if k == "little_left":
        return (f"hot, but only {g('left')} iterations are left in this run of the loop: too few for machine code "
                f"to pay for compiling it; waiting for its next run")
    if k == "inline_less":
        return (f"exit #{g('exit')} inside the inlined {g('not_inlined')}() failed often and no bridge could grow "
                f"there (each failure rebuilds the callee's frame): recording the loop again calling "
                f"{g('not_inlined')}()")
    if k == "entry_rejected":
        return f"entry refused: {g('reason')}"
    if k == "new_version":
        return f"new types at entry: recording version {(g('versions') or 0) + 1}"
    if k in ("retired", "dropped"):
        return f"{k}: {g('reason')}"
    if k == "retrace":
        return (f"the bridge of exit #{g('exit')} ({g('guard')}) took {round(100 * (g('share') or 0))}% of the "
                f"loop's iterations: the types it was recorded for have changed, so it is recorded again")
    if k == "entry_backoff":
        return f"no version fits and none can be recorded: not entering for {g('skip')} back-edges"
    if k in ("native_tracer_unavailable", "native_timer_unavailable"):
        what = "C-level trace function" if k == "native_tracer_unavailable" else "native timer"
        return f"3.11: no {what} ({g('reason')}): profiling falls back to a slower way"
    if k == "given_up":
        return f"given up (left to the interpreter, back-edge no longer reported): {g('reason')}"
    if k == "internal_error":
        return f"internal error (loop left to the interpreter): {g('error')}"
    rest = ", ".join(f"{a}={b}" for a, b in e.items() if a not in ("t", "event", "loop"))
    return f"{k} {rest}".strip()
