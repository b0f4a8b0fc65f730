#!/usr/bin/env python3
"""Run CPython's own regression tests plain and under tracejit, and compare every test's outcome.

    python tools/stdlib_tests.py [options] [test_module ...]

For the interpreter running this script (use a venv with tracejit installed), each test module is run
twice, one regrtest process per module and run, tests executed sequentially inside that process (no -j:
regrtest's worker subprocesses would run without the JIT):

    python -m test --randseed SEED --junit-xml plain.xml MODULE
    python -m tracejit --params threshold=1,trace_idle_ms=0,spend_ms=0,little_left=0 --stats --log jit.jsonl -m test --randseed SEED --junit-xml jit.xml MODULE

and the per-testcase outcomes (passed, failed, errored, skipped, expected failure, unexpected success),
regrtest's exit status and its "Result:" line are compared. A table per module shows tests run, failures
plain vs. JIT, wall times and what the JIT actually did (loops recorded, traces and bridges compiled,
native entries, aborts, internal errors; from --stats and the events log).

Exit status: 0 if every module's JIT run matches its plain run, 1 if any outcome differs (or a run timed
out or crashed), 2 on bad usage. Artefacts (XML, logs, captured output) go to --outdir
(default build/stdlib-tests/pyX.Y).

May import: the standard library only (tracejit is only ever run in the child processes).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

# Test modules run by default: numeric and core-language modules with many loops over ints and floats,
# plus containers, iteration, bytes/strings and the compiler. Deterministic, no network, no large
# resources (no -u option is given, so resource-gated tests are skipped in both runs alike), present on
# 3.11, 3.12 and 3.13.
MODULES = [
    # numbers
    "test_int", "test_long", "test_float", "test_bool", "test_math", "test_cmath", "test_complex",
    "test_fractions", "test_decimal", "test_statistics", "test_random", "test_pow", "test_int_literal",
    "test_strtod", "test_abstract_numbers", "test_numeric_tower", "test_binop", "test_augassign",
    "test_unary", "test_compare", "test_richcmp", "test_operator", "test_index", "test_hash", "test_colorsys",
    # sequences, containers, iteration
    "test_range", "test_enumerate", "test_iter", "test_itertools", "test_heapq", "test_bisect", "test_sort",
    "test_list", "test_tuple", "test_userlist", "test_deque", "test_dict", "test_userdict", "test_ordered_dict",
    "test_set", "test_array", "test_struct", "test_bytes", "test_memoryview", "test_buffer", "test_slice",
    "test_contains", "test_listcomps", "test_genexps", "test_setcomps", "test_dictcomps", "test_functools",
    "test_collections", "test_copy", "test_marshal",
    # strings
    "test_userstring", "test_textwrap", "test_re", "test_json", "test_binascii", "test_fstring",
    # the language itself
    "test_builtin", "test_grammar", "test_opcodes", "test_scope", "test_exceptions", "test_baseexception",
    "test_raise", "test_with", "test_unpack", "test_keywordonlyarg", "test_class", "test_descr",
    "test_format", "test_compile", "test_peepholer",
]

# Modules that install their own tracer or debugger (sys.settrace / bdb). The JIT steps aside while a
# foreign tool is active; --tracing adds them.
TRACING_MODULES = ["test_sys_settrace", "test_bdb", "test_trace"]

# Left out, with the reason (see docs/reliability.md).
EXCLUDED = {
    "test_monitoring": "its setUp asserts that no sys.monitoring tool has events set; on 3.12+ the JIT is one",
    "test_dis": "test_super_instructions disassembles adaptive (quickened) code, which differs while a "
                "sys.monitoring tool (the JIT on 3.12+) has instrumented the code",
    "test_generators": "test_raise_and_yield_from depends on signal timing; fails now and then without the JIT",
    "test_pdb": "fails now and then without the JIT on this machine (timing)",
}

DEFAULT_THRESHOLD = 1
DEFAULT_SEED = 20240601
MAX_DIFF_LINES = 12         # differences printed per module

OUTCOMES = ("passed", "failed", "errored", "skipped", "xfail", "xpass")


# --- outcome extraction -------------------------------------------------------------------------------

def testcase_outcomes(xml_path: str) -> list[tuple[str, str]]:
    """(test id, outcome) for every <testcase> of regrtest's --junit-xml file, in file order.

    regrtest's XML result records a test with failing subTest()s as a <testcase> without attributes (its
    addSubTest does not write XML); such an entry is named after the test before it and counted as
    "failed (subtests)" so it is still compared.
    """
    root = ET.parse(xml_path).getroot()
    out: list[tuple[str, str]] = []
    prev = "<start>"
    for tc in root.iter("testcase"):
        name = tc.get("name")
        if name is None:
            out.append((f"<unnamed test after {prev}>", "failed (subtests)"))
            continue
        tags = {child.tag for child in tc}
        if "error" in tags:
            outcome = "errored"
        elif "failure" in tags:
            outcome = "failed"
        elif "skipped" in tags:
            outcome = "skipped"
        elif "output" in tags:
            outcome = "xfail"
        elif "outcome" in tags:
            outcome = "xpass"
        else:
            outcome = "passed"
        out.append((name, outcome))
        prev = name
    return out


STATS_LINE = re.compile(r"^  (\w+)\s+(\S+)$")
ABORT_LINE = re.compile(r"^  abort: (.*) x(\d+)$")


def parse_stats(text: str) -> dict | None:
    """The block printed by `python -m tracejit --stats` (last one in the output)."""
    i = text.rfind("tracejit stats:")
    if i < 0:
        return None
    stats: dict = {"aborts": {}}
    for line in text[i:].splitlines()[1:]:
        m = ABORT_LINE.match(line)
        if m:
            stats["aborts"][m.group(1)] = int(m.group(2))
            continue
        m = STATS_LINE.match(line)
        if not m:
            break
        v = m.group(2)
        stats[m.group(1)] = float(v) if "." in v else int(v)
    return stats


def parse_log(path: str) -> dict:
    """Event counts of the JSON-lines events log and the names of the loops that were compiled."""
    events: Counter = Counter()
    compiled: list[str] = []
    errors: list[str] = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                events[e.get("event")] += 1
                if e.get("event") == "compiled":
                    compiled.append(e.get("loop", "?"))
                elif e.get("event") == "internal_error":
                    errors.append(f"{e.get('loop')}: {e.get('error')}")
    except OSError:
        pass
    return {"events": events, "compiled": compiled, "internal_errors": errors}


RESULT_LINE = re.compile(r"^Result: (.*)$", re.M)
TOTAL_LINE = re.compile(r"^Total tests: (.*)$", re.M)


# --- one run --------------------------------------------------------------------------------------------

@dataclass
class Run:
    rc: int | None                  # None: timed out
    seconds: float
    result: str                     # regrtest's "Result:" line, or TIMEOUT / NO RESULT
    total: str                      # regrtest's "Total tests:" line
    cases: list = field(default_factory=list)
    stats: dict | None = None
    log: dict | None = None

    def counts(self) -> Counter:
        return Counter(outcome for _, outcome in self.cases)

    def totals(self) -> dict:
        """regrtest's "Total tests: run=N failures=F skipped=S" as a dict (it also counts the tests skipped
        by a decorator, which unittest reports without startTest, so they are missing from the XML)."""
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", self.total)}


def run_regrtest(module: str, jit: bool, outdir: str, params: str, seed: int, timeout: float) -> Run:
    tag = "jit" if jit else "plain"
    xml = os.path.join(outdir, f"{module}.{tag}.xml")
    out = os.path.join(outdir, f"{module}.{tag}.out")
    log = os.path.join(outdir, f"{module}.jit.jsonl")
    for p in (xml, out) + ((log,) if jit else ()):
        if os.path.exists(p):
            os.remove(p)
    regrtest = ["-m", "test", "--randseed", str(seed), "--junit-xml", xml, module]
    if jit:
        cmd = [sys.executable, "-m", "tracejit", "--params", params, "--stats",
               "--log", log] + regrtest
    else:
        cmd = [sys.executable] + regrtest
    env = dict(os.environ)
    for var in ("TRACEJIT", "TRACEJIT_PARAMS", "TRACEJIT_LOG"):
        env.pop(var, None)
    workdir = os.path.join(outdir, "cwd")
    os.makedirs(workdir, exist_ok=True)
    t0 = time.perf_counter()
    with open(out, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=workdir, env=env, start_new_session=True)
        try:
            rc: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)       # the regrtest process and anything it started
            proc.wait()
            rc = None
    seconds = time.perf_counter() - t0
    with open(out, errors="replace") as f:
        text = f.read()
    m = RESULT_LINE.findall(text)
    result = "TIMEOUT" if rc is None else (m[-1].strip() if m else f"NO RESULT (exit status {rc})")
    m = TOTAL_LINE.findall(text)
    run = Run(rc, seconds, result, m[-1].strip() if m else "")
    if os.path.exists(xml):
        try:
            run.cases = testcase_outcomes(xml)
        except ET.ParseError as e:
            run.result += f" (bad XML: {e})"
    if jit:
        run.stats = parse_stats(text)
        run.log = parse_log(log)
    return run


def differences(plain: Run, jit: Run) -> list[str]:
    diffs = []
    if plain.rc != jit.rc:
        diffs.append(f"exit status: plain {plain.rc}, JIT {'TIMEOUT' if jit.rc is None else jit.rc}")
    if plain.result != jit.result:
        diffs.append(f"result: plain {plain.result!r}, JIT {jit.result!r}")
    if plain.total != jit.total:
        diffs.append(f"totals: plain {plain.total!r}, JIT {jit.total!r}")
    p, j = Counter(plain.cases), Counter(jit.cases)
    for name, outcome in sorted((p - j).elements()):
        other = sorted({o for n, o in j if n == name}) or ["(not run)"]
        diffs.append(f"{name}: plain {outcome}, JIT {'/'.join(other)}")
    for name, outcome in sorted((j - p).elements()):
        if not any(n == name for n, _ in p):
            diffs.append(f"{name}: plain (not run), JIT {outcome}")
    return diffs


# --- report ----------------------------------------------------------------------------------------------

def jit_summary(run: Run) -> dict:
    s = run.stats or {}
    log = run.log or {"events": Counter(), "internal_errors": []}
    return {
        "hot": s.get("loops_hot", 0),
        "compiled": s.get("traces_compiled", 0),
        "bridges": s.get("bridges_compiled", 0),
        "entries": s.get("native_entries", 0),
        "guard_fail": s.get("guard_failures", 0),
        "aborts": sum(s.get("aborts", {}).values()),
        "blacklisted": s.get("blacklisted", 0),
        "internal": s.get("internal_errors", 0),
        "stats_found": run.stats is not None,
    }


def markdown_table(json_path: str) -> str:
    """The per-module results of a --json file as a Markdown table with a totals row."""
    with open(json_path) as f:
        data = json.load(f)
    cols = ("hot", "compiled", "bridges", "entries", "aborts", "internal")
    lines = ["| module | tests | skipped | failed plain | failed JIT | plain s | JIT s | hot | traces | bridges "
             "| native entries | aborts | internal errors | verdict |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    total = Counter()
    for m in data["modules"]:
        pt, jt = m["plain_totals"], m["jit_totals"]
        js = {"hot": 0, "compiled": 0, "bridges": 0, "entries": 0, "aborts": 0, "internal": 0}
        st = m["jit_stats"] or {}
        js.update(hot=st.get("loops_hot", 0), compiled=st.get("traces_compiled", 0),
                  bridges=st.get("bridges_compiled", 0), entries=st.get("native_entries", 0),
                  aborts=sum(st.get("aborts", {}).values()), internal=st.get("internal_errors", 0))
        verdict = "**differs**" if m["differences"] else "same"
        lines.append(f"| {m['module']} | {pt.get('run', 0)} | {pt.get('skipped', 0)} | {pt.get('failures', 0)} | "
                     f"{jt.get('failures', 0)} | {m['plain_seconds']:.1f} | {m['jit_seconds']:.1f} | "
                     + " | ".join(str(js[c]) for c in cols) + f" | {verdict} |")
        total.update({"tests": pt.get("run", 0), "skipped": pt.get("skipped", 0), "plain_s": m["plain_seconds"],
                      "jit_s": m["jit_seconds"], **js})
    lines.append(f"| **total ({len(data['modules'])} modules)** | {total['tests']} | {total['skipped']} | | | "
                 f"{total['plain_s']:.0f} | {total['jit_s']:.0f} | " + " | ".join(str(total[c]) for c in cols) + " | |")
    return "\n".join(lines)


def fmt_fail(run: Run) -> str:
    """Failed + errored tests (regrtest's failures= count; the XML's count if regrtest printed none)."""
    if run.rc is None:
        return "TIMEOUT"
    if not run.total and not run.cases:
        return "NO RESULT"
    c = run.counts()
    return str(max(run.totals().get("failures", 0), c["failed"] + c["errored"] + c["failed (subtests)"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="left out of MODULES:\n" + "\n".join(f"  {m}: {why}" for m, why in EXCLUDED.items()))
    ap.add_argument("modules", nargs="*", help=f"test modules (default: the {len(MODULES)} in MODULES)")
    ap.add_argument("--tracing", action="store_true",
                    help="also run TRACING_MODULES (" + " ".join(TRACING_MODULES) + ")")
    ap.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD,
                    help=f"tracejit threshold parameter (default {DEFAULT_THRESHOLD})")
    ap.add_argument("--params", default="",
                    help="more tracejit parameters for the JIT run, e.g. short_run=0,max_aborts=10")
    ap.add_argument("--randseed", type=int, default=DEFAULT_SEED, help=f"regrtest --randseed (default {DEFAULT_SEED})")
    ap.add_argument("--timeout", type=float, default=900.0,
                    help="seconds per regrtest process before it is killed and counted as a difference (default 900)")
    ap.add_argument("--outdir", default=None, help="artefacts directory (default build/stdlib-tests/pyX.Y)")
    ap.add_argument("--json", default=None, help="also write the results as JSON to this file")
    ap.add_argument("--markdown", metavar="JSON", default=None,
                    help="print the per-module table of a --json file as Markdown (for docs/reliability.md) and exit")
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown_table(args.markdown))
        return 0

    modules = list(args.modules) or list(MODULES)
    if args.tracing:
        modules += TRACING_MODULES
    modules = list(dict.fromkeys(modules))          # no duplicates, order kept
    # trace_idle_ms=0: on 3.11 the main thread stays traced all along, so every loop the tests run can compile;
    # spend_ms=0: a module's tests run many small loops, whose compiling would soon pass the JIT's share of the time;
    # little_left=0: most run once, and would wait for a later run
    params = ",".join(filter(None, [f"threshold={args.threshold}", "trace_idle_ms=0", "spend_ms=0", "little_left=0",
                                    args.params]))
    ver = "%d.%d" % sys.version_info[:2]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = os.path.abspath(args.outdir or os.path.join(repo, "build", "stdlib-tests", f"py{ver}"))
    os.makedirs(outdir, exist_ok=True)

    probe = subprocess.run([sys.executable, "-c", "import tracejit"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"stdlib_tests: tracejit is not importable by {sys.executable}:\n{probe.stderr}", file=sys.stderr)
        return 2

    print(f"stdlib_tests: Python {sys.version.split()[0]} ({sys.executable}), {len(modules)} modules, "
          f"JIT --params {params}, randseed={args.randseed}, artefacts in {outdir}", flush=True)
    hdr = (f"{'module':<22} {'tests':>5} {'skip':>4} {'fail plain':>10} {'fail JIT':>8} {'plain s':>7} "
           f"{'JIT s':>7} {'hot':>5} {'traces':>6} {'bridges':>7} {'entries':>7} {'aborts':>6} {'int.err':>7}  verdict")
    print(hdr)
    print("-" * len(hdr), flush=True)

    rows = []
    all_diffs: dict[str, list[str]] = {}
    totals = Counter()
    abort_reasons: Counter = Counter()
    compiled_loops: dict[str, list[str]] = {}
    t_start = time.perf_counter()
    for mod in modules:
        plain = run_regrtest(mod, False, outdir, params, args.randseed, args.timeout)
        jit = run_regrtest(mod, True, outdir, params, args.randseed, args.timeout)
        diffs = differences(plain, jit)
        js = jit_summary(jit)
        if not js["stats_found"] and jit.rc is not None:
            diffs.append("the JIT run printed no tracejit stats (JIT not active?)")
        if diffs:
            all_diffs[mod] = diffs
        pt = plain.totals()
        verdict = "DIFFERS" if diffs else "same"
        print(f"{mod:<22} {pt.get('run', 0):>5} {pt.get('skipped', 0):>4} {fmt_fail(plain):>10} {fmt_fail(jit):>8} "
              f"{plain.seconds:>7.1f} {jit.seconds:>7.1f} {js['hot']:>5} {js['compiled']:>6} {js['bridges']:>7} "
              f"{js['entries']:>7} {js['aborts']:>6} {js['internal']:>7}  {verdict}", flush=True)
        for d in diffs[:MAX_DIFF_LINES]:
            print(f"    ! {d}", flush=True)
        if len(diffs) > MAX_DIFF_LINES:
            print(f"    ! ... {len(diffs) - MAX_DIFF_LINES} more (all in the --json file)", flush=True)
        totals.update({"tests": pt.get("run", 0), "skipped": pt.get("skipped", 0), "plain_s": plain.seconds,
                       "jit_s": jit.seconds, **{k: v for k, v in js.items() if k != "stats_found"}})
        abort_reasons.update((jit.stats or {}).get("aborts", {}))
        if jit.log and jit.log["compiled"]:
            compiled_loops[mod] = jit.log["compiled"]
        rows.append({"module": mod, "tests": pt.get("run", 0), "testcases_in_xml": len(plain.cases),
                     "plain_totals": pt, "jit_totals": jit.totals(), "plain": dict(plain.counts()),
                     "jit": dict(jit.counts()), "plain_result": plain.result, "jit_result": jit.result,
                     "plain_rc": plain.rc, "jit_rc": jit.rc, "plain_seconds": round(plain.seconds, 2),
                     "jit_seconds": round(jit.seconds, 2), "jit_stats": jit.stats,
                     "compiled_loops": jit.log["compiled"] if jit.log else [],
                     "internal_errors": jit.log["internal_errors"] if jit.log else [], "differences": diffs})

    print("-" * len(hdr))
    print(f"{'TOTAL':<22} {totals['tests']:>5} {totals['skipped']:>4} {'':>10} {'':>8} {totals['plain_s']:>7.1f} "
          f"{totals['jit_s']:>7.1f} {totals['hot']:>5} {totals['compiled']:>6} {totals['bridges']:>7} "
          f"{totals['entries']:>7} {totals['aborts']:>6} {totals['internal']:>7}")
    print(f"\nwall time {time.perf_counter() - t_start:.0f} s; modules whose JIT run compiled something: "
          f"{len(compiled_loops)}/{len(modules)}")
    if abort_reasons:
        top = ", ".join(f"{r} x{n}" for r, n in abort_reasons.most_common(8))
        print(f"most frequent abort reasons: {top}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version, "executable": sys.executable, "params": params,
                       "randseed": args.randseed, "modules": rows,
                       "abort_reasons": dict(abort_reasons.most_common())}, f, indent=1)
    if all_diffs:
        print(f"\nstdlib_tests: JIT run DIFFERS from the plain run in {len(all_diffs)} module(s): "
              + " ".join(all_diffs) + f" (outputs in {outdir})")
        return 1
    print(f"\nstdlib_tests: all {len(modules)} modules: every test outcome under the JIT equals the plain run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
