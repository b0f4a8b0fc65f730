"""The visualizer's report: its data model (checked against plain CPython's own line counts and the engine's
events), its HTML page (structure, selection keys, self-contained) and `python -m tracejit view`.

The report is made by `python -m tracejit --view FILE` in a subprocess, as a user makes it; FILE ending in .json
gives the data model itself (tracejit.visualizer.model.Report.as_dict()).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import tracejit  # noqa: E402
from tracejit.visualizer import render  # noqa: E402
from tracejit.visualizer.model import describe_event, report_from_dict, report_from_events  # noqa: E402

STAGES = ["recorded", "fold_constants", "guard_implied_constants", "common_subexpressions",
          "remove_redundant_guards", "remove_dead_code", "hoist_loop_invariants", "remove_negative_index_checks"]

# a loop whose branch flips (a guard that fails until it gets a bridge), a float loop, and a loop the JIT
# cannot compile (a generator: aborted, then blacklisted); every loop spans several lines
PROGRAM = '''\
def flip(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            total += abs(i)     # (a call: the branch is a guard and gets a bridge, not a select)
        else:
            total -= 1
    return total


def harmonic(n):
    s = 0.0
    k = 1
    while k <= n:
        s += 1.0 / k
        k += 1
    return s


def squares(n):
    for i in range(n):
        yield i * i


def gen_sum(n):
    total = 0
    for x in squares(n):
        total += x
    return total


print(flip(30_000), harmonic(40_000), gen_sum(3_000))
'''

# counts the line events of one file under plain CPython, the way the report's interpreter column does
LINE_COUNTER = '''\
import collections, io, contextlib, json, runpy, sys
path = sys.argv[1]
counts = collections.Counter()
if sys.version_info >= (3, 12):
    m = sys.monitoring
    m.use_tool_id(3, "count")
    m.register_callback(3, m.events.LINE, lambda code, line: counts.update([line]) if code.co_filename == path
                        else None)
    m.set_events(3, m.events.LINE)
else:
    def local(frame, event, arg):
        if event == "line":
            counts[frame.f_lineno] += 1
        return local
    sys.settrace(lambda frame, event, arg: local if frame.f_code.co_filename == path else None)
with contextlib.redirect_stdout(io.StringIO()):
    runpy.run_path(path, run_name="__main__")
sys.settrace(None)
print(json.dumps(counts))
'''


def _run(args: list[str], cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The program run plainly, under --view (JSON and HTML) and under a plain line counter."""
    d = tmp_path_factory.mktemp("report")
    script = d / "prog.py"
    script.write_text(PROGRAM)
    plain = _run([str(script)], d)
    as_json = _run(["-m", "tracejit", "--params", "threshold=50,little_left=0", "--view", "r.json", str(script)], d)
    as_html = _run(["-m", "tracejit", "--params", "threshold=50,little_left=0", "--view", "r.html", str(script)], d)
    counted = _run(["-c", LINE_COUNTER, str(script)], d)
    assert counted.returncode == 0, counted.stderr
    return {"dir": d, "script": script, "plain": plain, "json": as_json, "html": as_html,
            "report": json.loads((d / "r.json").read_text()), "page": (d / "r.html").read_text(),
            "lines": {int(k): v for k, v in json.loads(counted.stdout).items()}}


def _loop(report: dict, func: str) -> dict:
    return next(lv for lv in report["loops"] if lv["name"].startswith(func + ":"))


# ----------------------------------------------------------------------------------------------------------
# the program is unchanged


def test_view_leaves_the_program_alone(made):
    for run in (made["json"], made["html"]):
        assert run.stdout == made["plain"].stdout
        assert run.returncode == made["plain"].returncode == 0
        others = [ln for ln in run.stderr.splitlines() if not ln.startswith("tracejit:")]
        assert others == []
        assert "tracejit: report written to" in run.stderr


# ----------------------------------------------------------------------------------------------------------
# the data model


def test_heat_map_matches_plain_line_counts(made):
    """Interpreter runs plus machine-code runs of each line = the line events plain CPython reports."""
    src = made["report"]["files"][0]
    assert src["path"] == str(made["script"])
    heat = {int(k): v for k, v in src["heat"].items()}
    plain = made["lines"]
    assert set(heat) == set(plain)
    for line, n in plain.items():
        interp, native = heat[line]
        assert abs(interp + native - n) <= max(3, n // 100), (line, interp, native, n)
    # the hot lines ran mostly in machine code
    for line in (4, 5, 7, 15, 16):
        assert heat[line][1] > 10 * heat[line][0], (line, heat[line])


def test_counting_lines_keeps_the_3_11_tracer_on(fresh_engine):
    """On 3.11 the main thread's tracer goes after a quiet stretch (`trace_idle_ms`); while lines are counted
    for a report it must stay, or the heat map loses the lines after it (a loaded machine's runs lost line 29
    above, and 170 iterations of the generator loop)."""
    from tracejit.params import Params
    from tracejit.runtime.probe import Probe
    tracejit.configure(Params())
    engine = tracejit.engine()
    assert engine.tracer_idle_seconds > 0
    engine.probe = Probe()
    try:
        assert engine.tracer_idle_seconds == 0
    finally:
        engine.probe = None


def test_loops_and_their_life(made):
    report = made["report"]
    flip, harmonic = _loop(report, "flip"), _loop(report, "harmonic")
    assert flip["status"] == harmonic["status"] == "compiled"
    assert (flip["file"], flip["line"]) == (str(made["script"]), 3)
    events = [e["event"] for e in flip["timeline"]]
    assert events[:3] == ["seen", "hot", "compiled"]
    assert "guard_failure" in events and "bridge_recording" in events and "bridge_compiled" in events
    times = [e["t"] for e in flip["timeline"]]
    assert times == sorted(times)
    assert flip["timeline"][1]["text"] == "hot after 50 back-edges: recording one iteration"
    # the generator loop cannot be compiled: it is aborted twice for the same reason, then blacklisted (3.12+:
    # once, its generic call of the generator's __next__ making it hopelessly slower than the interpreter)
    gen = _loop(report, "gen_sum")
    assert gen["status"] == "blacklisted" and gen["traces"] == [] and gen["times"] is None
    aborts = [e["text"] for e in gen["timeline"] if e["event"] == "abort"]
    assert all(t.startswith("recording aborted: ") for t in aborts)
    assert len(aborts) == 2 or (len(aborts) == 1 and "slower than the interpreter" in aborts[0]), aborts
    assert gen["timeline"][-1]["event"] == "blacklist"


def test_traces_stages_and_machine_code(made):
    flip = _loop(made["report"], "flip")
    kinds = [t["kind"] for t in flip["traces"]]
    assert kinds == ["loop", "bridge"]
    loop, bridge = flip["traces"]
    assert [s["name"] for s in loop["stages"]] == STAGES
    # recorded bytecode: in order, starting at the loop header, with the source lines
    assert loop["bytecode"][0]["line"] == 3 and "FOR_ITER" in loop["bytecode"][0]["text"]
    assert {r["line"] for r in loop["bytecode"]} >= {3, 4}
    assert {r["line"] for r in loop["bytecode"] + bridge["bytecode"]} >= {3, 4, 5, 7}    # both branches
    # each stage's diff replays it from the stage before
    for before, after in zip(loop["stages"], loop["stages"][1:]):
        assert [t for tag, t in after["diff"] if tag != "-"] == [r["text"] for r in after["rows"]]
        assert [t for tag, t in after["diff"] if tag != "+"] == [r["text"] for r in before["rows"]]
        assert after["changed"] == sum(tag != " " for tag, _ in after["diff"])
    # the final stage is linked to ops, their run counts and their machine code
    final = loop["stages"][-1]["rows"]
    ops = [r for r in final if r["op"] >= 0]
    assert ops[0]["text"].startswith("label(") and ops[-1]["text"].startswith("jump(")
    assert [r["op"] for r in ops] == list(range(len(ops)))
    budget = next(r for r in ops if r["text"].startswith("guard_budget"))
    assert budget["runs"] == loop["entries"] > 20_000
    groups = {g["op"] for g in loop["asm"] if g["op"] >= 0}
    guards = [r for r in ops if r["exit"] >= 0]
    assert {r["op"] for r in guards} <= groups        # a guard's code and its exit stub
    assert any(g["title"].startswith("exit #") for g in loop["asm"])
    for r in guards:        # a comparison may be fused into its guard, but a guard always has instructions
        assert any(g["rows"] for g in loop["asm"] if g["op"] == r["op"]), r["text"]
    instructions = [t for g in loop["asm"] for _, t in g["rows"]]
    assert any(t.startswith(("mov ", "add ", "cmp ")) for t in instructions)      # Intel syntax
    assert loop["code_bytes"] > 0 and bridge["code_bytes"] > 0
    assert bridge["from_exit"] >= 0 and bridge["entries"] > 0


def test_guards_and_times(made):
    report = made["report"]
    flip = _loop(report, "flip")
    reasons = {g["reason"] for g in flip["guards"]}
    assert {"budget", "loop exit", "branch"} <= reasons
    branch = next(g for g in flip["guards"] if g["reason"] == "branch" and g["bridge"] == "compiled")
    assert branch["taken"] > 5_000 and 0 < branch["deopts"] <= 20   # bridge_threshold failures, then bridged
    assert branch["line"] == 4
    assert all(g["taken"] >= g["deopts"] >= 0 for g in flip["guards"])
    deopts = sum(g["deopts"] for lv in report["loops"] for g in lv["guards"] if g["reason"] != "budget")
    assert deopts == report["totals"]["guard_failures"]
    t = flip["times"]
    assert t["native_iterations"] == flip["traces"][0]["entries"]
    assert t["native_iterations"] + t["interpreted_runs"] >= 30_000
    assert t["native_ms"] > 0 and t["compile_ms"] > 0 and t["recording_ms"] > 0
    assert t["code_bytes"] == sum(tr["code_bytes"] for tr in flip["traces"])
    assert t["native_ns_per_iteration"] == pytest.approx(t["native_ms"] * 1e6 / t["native_iterations"], rel=0.01)
    assert report["totals"]["loops_seen"] == 4       # flip, harmonic, gen_sum and the generator's loop


def test_loop_graph_is_svg(made):
    flip = _loop(made["report"], "flip")
    svg = ET.fromstring(flip["graph_svg"])
    assert svg.tag.endswith("svg")
    text = " ".join(t.text or "" for t in svg.iter() if t.tag.endswith("text"))
    assert "bridge:" in text and "interpreter at @" in text and "loop exit" in text
    assert _loop(made["report"], "gen_sum")["graph_svg"] == ""


# ----------------------------------------------------------------------------------------------------------
# the HTML page


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.keys, self.sels, self.external, self.scripts = set(), set(), [], [], 0
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if "data-k" in a:
            self.keys.update(a["data-k"].split())
        if "data-sel" in a:
            self.sels.append(a["data-sel"].split())
        for name in ("src", "href"):
            if a.get(name, "").startswith(("http:", "https:", "//")):
                self.external.append(a[name])
        if tag in ("link", "img", "iframe"):
            self.external.append(tag)
        self.scripts += tag == "script"


def test_page_is_self_contained_and_complete(made):
    page = made["page"]
    p = _Page()
    p.feed(page)
    assert p.external == [] and p.scripts == 1
    assert {"summary", "source", "loops", "help"} <= p.ids
    flip = _loop(made["report"], "flip")
    assert flip["key"] in p.ids
    assert all(t["key"] in p.ids for t in flip["traces"])
    # every click selects something: each selection key belongs to some element
    assert p.sels and all(any(k in p.keys for k in sel) for sel in p.sels)
    # a source line of the loop selects ops of its trace and their machine code
    assert "L0:5" in p.keys and 'data-k="S0:5 L0:5"' in page
    assert 'class="row irop' in page and 'class="asmgroup"' in page
    assert "-&gt; @" in page and "-> @" not in page        # the IR's text is escaped


def test_dump_and_view_together(made, tmp_path):
    run = _run(["-m", "tracejit", "--params", "threshold=50,little_left=0", "--dump", "--view", "v.html",
                str(made["script"])], tmp_path, {"NO_COLOR": "1"})
    assert run.stdout == made["plain"].stdout
    assert "--- machine code" in run.stderr and (tmp_path / "v.html").stat().st_size > 10_000


def test_report_with_the_jit_off(made, tmp_path):
    run = _run(["-m", "tracejit", "--off", "--view", "off.json", str(made["script"])], tmp_path)
    assert run.stdout == made["plain"].stdout
    report = json.loads((tmp_path / "off.json").read_text())
    assert report["jit"] == "off" and report["loops"] == [] and report["files"][0]["heat"] == {}


def test_report_path_that_cannot_be_written(made, tmp_path):
    """Checked before the program starts: one line naming --view, exit status 2, the program not run."""
    run = _run(["-m", "tracejit", "--view", str(tmp_path / "no" / "such" / "dir.html"), str(made["script"])],
               tmp_path)
    assert run.stdout == "" and run.returncode == 2
    assert run.stderr.startswith("tracejit: --view: cannot write") and len(run.stderr.splitlines()) == 1


# ----------------------------------------------------------------------------------------------------------
# python -m tracejit view


def test_view_command_opens_a_report(made, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = f'{sys.executable} -c "import sys; open(\'{opened}\', \'w\').write(sys.argv[1])" %s'
    run = _run(["-m", "tracejit", "view", "r.html"], made["dir"], {"BROWSER": browser})
    assert run.returncode == 0, run.stderr
    assert opened.read_text() == "file://" + str(made["dir"] / "r.html")


def test_view_command_renders_an_events_log(made, tmp_path):
    run = _run(["-m", "tracejit", "--params", "threshold=50,little_left=0", "--log", "events.log", str(made["script"])],
               tmp_path)
    assert run.stdout == made["plain"].stdout
    view = _run(["-m", "tracejit", "view", "events.log"], tmp_path, {"BROWSER": f"{sys.executable} -c pass %s"})
    assert view.returncode == 0, view.stderr
    page = (tmp_path / "events.log.html").read_text()
    assert "flip:1@" in page and "blacklisted" in page and "recording aborted" in page


def test_view_command_renders_report_data(made):
    """--view r.json, then view r.json: the same page as --view r.html made (the data round-trips)."""
    view = _run(["-m", "tracejit", "view", "r.json"], made["dir"], {"BROWSER": f"{sys.executable} -c pass %s"})
    assert view.returncode == 0, view.stderr
    assert "rendered r.json.html from the report data" in view.stderr
    page = (made["dir"] / "r.json.html").read_text()
    expected = render(report_from_dict(made["report"]))
    assert page == expected
    p = _Page()
    p.feed(page)
    assert {"summary", "source", "loops", "help"} <= p.ids and _loop(made["report"], "flip")["key"] in p.ids


def test_view_command_errors(tmp_path):
    (tmp_path / "bad.log").write_text("{not json\n")
    assert _run(["-m", "tracejit", "view", "missing.html"], tmp_path).returncode == 2
    bad = _run(["-m", "tracejit", "view", "bad.log"], tmp_path)
    assert bad.returncode == 2 and "neither report data nor an events log" in bad.stderr
    assert _run(["-m", "tracejit", "view"], tmp_path).returncode == 2


# ----------------------------------------------------------------------------------------------------------
# pieces


def test_report_from_events():
    events = [{"t": 0.1, "event": "seen", "loop": "f:1@10", "file": "/nowhere.py", "line": 2},
              {"t": 0.2, "event": "hot", "loop": "f:1@10", "count": 100},
              {"t": 0.3, "event": "abort", "loop": "f:1@10", "reason": "unsupported instruction X", "attempt": 1},
              {"t": 0.4, "event": "seen", "loop": "g:5@8", "file": "/nowhere.py", "line": 6}]
    r = report_from_events(events, "log")
    assert [lv.name for lv in r.loops] == ["f:1@10"]          # g was only counted
    lv = r.loops[0]
    assert (lv.status, lv.line) == ("aborted", 2)
    assert [e.text for e in lv.timeline][1:] == ["hot after 100 back-edges: recording one iteration",
                                                 "recording aborted: unsupported instruction X"]


def test_describe_event_covers_the_engine_events():
    engine = "".join((REPO / "tracejit" / "runtime" / f).read_text() for f in ("engine.py", "compiling.py"))
    import re
    names = set(re.findall(r'self\.log\("(\w+)"', engine))
    assert {"seen", "hot", "abort", "compiled", "guard_failure", "blacklist"} <= names
    for name in names:
        text = describe_event({"event": name, "loop": "f:1@2", "reason": "r", "exit": 1, "pc": 4})
        assert "=" not in text, f"event {name} has no description of its own: {text}"



def test_inlined_calls_in_the_report(tmp_path):
    """examples/calls.py: the recorded bytecode lists each inlined function's instructions (name, line,
    offset) under the caller's CALL; IR ops recorded inside an inlined call name its function."""
    run = _run(["-m", "tracejit", "--view", "r.json", str(REPO / "examples" / "calls.py")], tmp_path)
    assert run.returncode == 0, run.stderr
    main = _loop(json.loads((tmp_path / "r.json").read_text()), "main")
    loop = main["traces"][0]
    callee = [r for r in loop["bytecode"] if r["text"].lstrip().startswith(("clamp:", "weight:"))]
    calls = {r["pc"] for r in loop["bytecode"] if r["text"].startswith(("CALL", "KW_NAMES"))}
    assert callee and {r["pc"] for r in callee} <= calls, (callee, calls)
    assert {r["text"].split(":")[0].strip() for r in callee} == {"clamp", "weight"}
    final = loop["stages"][-1]["rows"]
    frames = {r["frame"] for r in final}
    assert {"clamp", "weight", ""} <= frames, frames
    assert all(r["text"].startswith(("guard", "b", "i", "f")) for r in final if r["frame"])
    # a guard inside an inlined call restarts the call: its exit says so, and resumes at the caller's CALL
    inside = [g for g in main["guards"] if g["inlined"]]
    assert {g["inlined"] for g in inside} == {"clamp", "weight"}, main["guards"]
    assert all(g["pc"] in calls for g in inside)
    page = (tmp_path / "r.html")
    run = _run(["-m", "tracejit", "--view", str(page), str(REPO / "examples" / "calls.py")], tmp_path)
    assert "(in clamp: the call is made again)" in page.read_text()



MAPS_PROGRAM = """
import ctypes, json


class Particle:
    def __init__(self, x, v):
        self.x = x
        self.v = v
        self.n = 0

    def step(self, dt):
        self.x = self.x + self.v * dt


class Pair:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b


def run(ps, n):
    e = 0.0
    pair = Pair(1.0, 2.0)
    for k in range(n):
        for p in ps:
            p.step(0.01)
            p.n = 3                     # a constant stored: the map shows the index, not the constant
            pair.a = 4
            e += p.v * pair.b
        q = Particle(1.0, 2.0)
        e += q.x
    return e


print(run([Particle(float(i), 1.0) for i in range(100)], 200))
# what CPython itself says of the layouts: the order of a Particle's attributes (its values array), and the
# offset of Pair's member b (where a Pair's memory holds its b)
p, pair = Particle(0.0, 0.0), Pair(1.5, 2.5)
offsets = {name: next(o for o in range(16, 64, 8)
                      if ctypes.c_void_p.from_address(id(pair) + o).value == id(getattr(pair, name)))
           for name in ("a", "b")}
print(json.dumps({"order": list(vars(p)), "offsets": offsets}))
"""


def test_maps_in_the_report(tmp_path):
    """The report lists, per trace, each class layout its attribute accesses rely on (the type version its guards
    check, each attribute's index in the values array or a __slots__ member's offset, what is read and written):
    indices in CPython's own order, the member at its real offset, and the same after the JSON round trip."""
    script = tmp_path / "maps.py"
    script.write_text(MAPS_PROGRAM)
    plain = _run([str(script)], tmp_path)
    run = _run(["-m", "tracejit", "--view", "r.json", str(script)], tmp_path)
    assert run.returncode == plain.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == plain.stdout.splitlines()[0]
    truth = json.loads(plain.stdout.splitlines()[1])
    data = json.loads((tmp_path / "r.json").read_text())
    traces = _loop(data, "run")["traces"]
    loop_maps = {m["cls"]: m for m in traces[0]["maps"]}
    particle = loop_maps["Particle"]
    assert particle["slots"] == [[f"[{i}]", name] for i, name in enumerate(truth["order"])] == [
        ["[0]", "x"], ["[1]", "v"], ["[2]", "n"]]
    assert particle["reads"] >= 2 and particle["writes"] == 2, particle     # x and v read; x and n written
    offsets = truth["offsets"]
    assert loop_maps["Pair"]["slots"] == sorted([[f"+{offsets['a']}", "a"], [f"+{offsets['b']}", "b"]]), loop_maps
    assert loop_maps["Pair"]["reads"] >= 1 and loop_maps["Pair"]["writes"] == 1
    assert all(m["version"] > 0 for m in traces[0]["maps"])
    # the path that makes a Particle (a bridge, or the loop itself): its two first stores go through the map
    assert any(m["cls"] == "Particle" and m["writes"] >= 2 for t in traces for m in t["maps"]), traces
    again = report_from_dict(data)
    views = [t for lv in again.loops for t in lv.traces if t.name == traces[0]["name"]]
    assert [(m.cls, m.slots) for m in views[0].maps] == [(m["cls"], [tuple(x) for x in m["slots"]])
                                                          for m in traces[0]["maps"]]
    page = render(again)
    assert "Maps this trace relies on" in page and "<code>[1] v</code>" in page
