"""Real programs, plain CPython vs. tracejit, as whole processes.

Runs every program of bench/realworld (pyperformance benchmarks, Computer Language Benchmarks Game
programs as pyperformance ships them, textbook algorithms from the `algorithms` package: see the
comment at the top of each file) as `python PROG.py N` and `python -m tracejit PROG.py N`, alternating the
two, R times each; compares their stdout (a difference is a loud MISMATCH and a non-zero exit status); prints a
markdown table (median wall times, ratio plain/JIT, loops compiled, the most frequent abort reasons) and writes
it with a JSON copy to bench/results/realworld-py3.X.md/.json. The loops compiled and the abort reasons come
from one more, untimed, JIT run with `--log LOG` (the events log: with it on, the JIT hands every guard exit to
Python to log it, so the timed runs, as a user runs a program, are without it).

May import: the standard library only (it runs under any interpreter; tracejit is only needed by the
interpreter given with --python).
"""
from __future__ import annotations

import argparse
import collections
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RESULTS = REPO / "bench" / "results"
TIMEOUT = 300  # seconds, per process
SLOWER = 0.97  # a ratio below this counts as "JIT slower"

PP = "pyperformance"
CLBG = "CLBG via pyperformance"
ALG = "algorithms pkg"


@dataclass(frozen=True)
class Program:
    name: str      # bench/realworld/<name>.py
    origin: str    # short origin for the table (the file's header has the details)
    size: int      # argv[1]: plain CPython 3.12 takes about 0.5-1.3 s on the reference machine
    quick: int     # argv[1] with --quick (and in tests/test_realworld.py): a small fraction of that


PROGRAMS: list[Program] = [
    Program("richards", PP, 20, 2),
    Program("deltablue", PP, 20000, 1000),
    Program("chaos", PP, 60000, 3000),
    Program("go", PP, 800, 40),
    Program("hexiom", PP, 120, 4),
    Program("raytrace", PP, 150, 25),
    Program("float", PP, 600000, 20000),
    Program("nqueens", PP, 6, 1),
    Program("generators", PP, 200000, 10000),
    Program("coroutines", PP, 30, 18),
    Program("comprehensions", PP, 40000, 1000),
    Program("barnes_hut", PP, 50, 2),
    Program("scimark_sor", PP, 40, 2),
    Program("scimark_sparse", PP, 80, 4),
    Program("scimark_monte_carlo", PP, 1000000, 40000),
    Program("scimark_lu", PP, 180, 40),
    Program("scimark_fft", PP, 80, 4),
    Program("nbody", CLBG, 100000, 5000),
    Program("spectral_norm", CLBG, 300, 40),
    Program("fannkuch", CLBG, 9, 7),
    Program("meteor_contest", CLBG, 8, 1),
    Program("sieve", ALG, 2000000, 100000),
    Program("quick_sort", ALG, 300000, 15000),
    Program("merge_sort", ALG, 250000, 12000),
    Program("edit_distance", ALG, 1200, 150),
    Program("lcs", ALG, 1400, 200),
    Program("knapsack", ALG, 400, 40),
    Program("matrix_multiply", ALG, 160, 40),
    Program("dijkstra_heap", ALG, 20000, 1000),
    Program("dijkstra_matrix", ALG, 1200, 150),
    Program("red_black_tree", ALG, 100000, 5000),
    Program("trie", ALG, 120000, 6000),
]


def program_env() -> dict[str, str]:
    """The environment of both runs: the inherited one, with a fixed hash seed (set iteration order)."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    for name in ("PYTHONSTARTUP", "PYTHONINSPECT", "TRACEJIT_LOG"):
        env.pop(name, None)
    return env


def plain_argv(python: str, prog: Program, n: int) -> list[str]:
    return [python, str(HERE / f"{prog.name}.py"), str(n)]


def jit_argv(python: str, prog: Program, n: int, log: str | None = None,
             params: str | None = None) -> list[str]:
    argv = [python, "-m", "tracejit"]
    if params:
        argv += ["--params", params]
    if log:
        argv += ["--log", log]
    return argv + [str(HERE / f"{prog.name}.py"), str(n)]


@dataclass
class Run:
    seconds: float     # wall time
    cpu: float         # user + system time of the process (less sensitive to a busy machine)
    stdout: str
    stderr: str
    returncode: int


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(argv: list[str]) -> Run:
    """One process; runs are sequential, so the children's CPU time it adds is this process's."""
    c0 = _children_cpu()
    t0 = time.perf_counter()
    try:
        p = subprocess.run(argv, cwd=str(HERE), env=program_env(), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        return Run(time.perf_counter() - t0, _children_cpu() - c0,
                   (exc.stdout or b"").decode("utf-8", "replace"), f"timed out after {TIMEOUT} s", -1)
    return Run(time.perf_counter() - t0, _children_cpu() - c0, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"), p.returncode)


def short_reason(reason: str, width: int = 48) -> str:
    text = " ".join(str(reason).split())
    m = re.match(r"^attribute \S+ of an? (.+)$", text)
    if m:
        text = "attribute of " + ("an instance" if m.group(1)[:1].isupper() else "a " + m.group(1))
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class LogSummary:
    compiled: int = 0
    bridges: int = 0
    aborts: int = 0
    blacklisted: int = 0
    internal_errors: int = 0
    top_aborts: list[tuple[str, int]] = field(default_factory=list)


def read_log(path: str) -> LogSummary:
    s = LogSummary()
    reasons: collections.Counter[str] = collections.Counter()
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return s
    for line in lines:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        kind = ev.get("event")
        if kind == "compiled":
            s.compiled += 1
        elif kind == "bridge_compiled":
            s.bridges += 1
        elif kind == "abort":
            s.aborts += 1
            reasons[short_reason(ev.get("reason", "?"))] += 1
        elif kind == "blacklist":
            s.blacklisted += 1
        elif kind == "internal_error":
            s.internal_errors += 1
    s.top_aborts = reasons.most_common(3)
    return s


@dataclass
class Row:
    name: str
    origin: str
    n: int
    plain_s: float | None
    jit_s: float | None
    ratio: float | None
    plain_cpu: float | None
    jit_cpu: float | None
    cpu_ratio: float | None
    log: LogSummary
    same_output: bool
    failure: str = ""


def measure(python: str, prog: Program, n: int, repeat: int) -> Row:
    plain_times: list[float] = []
    jit_times: list[float] = []
    plain_cpu: list[float] = []
    jit_cpu: list[float] = []
    failure = ""
    same = True
    log = LogSummary()
    with tempfile.TemporaryDirectory(prefix="realworld-") as tmp:
        logpath = os.path.join(tmp, "log.jsonl")
        logged = run(jit_argv(python, prog, n, log=logpath))      # untimed: the events log slows exits
        if logged.returncode == 0:
            log = read_log(logpath)
        for i in range(repeat):
            p = run(plain_argv(python, prog, n))
            j = run(jit_argv(python, prog, n))
            if p.returncode != 0 or j.returncode != 0:
                bad = p if p.returncode != 0 else j
                mode = "plain" if bad is p else "JIT"
                failure = f"{mode} run failed (exit status {bad.returncode}):\n{bad.stderr[-3000:]}"
            if p.stdout != j.stdout:
                same = False
                failure = failure or (f"stdout differs\n--- plain ---\n{p.stdout[-1500:]}\n"
                                      f"--- JIT ---\n{j.stdout[-1500:]}")
            if failure:
                break
            plain_times.append(p.seconds)
            jit_times.append(j.seconds)
            plain_cpu.append(p.cpu)
            jit_cpu.append(j.cpu)
    plain_s = statistics.median(plain_times) if plain_times else None
    jit_s = statistics.median(jit_times) if jit_times else None
    ratio = plain_s / jit_s if plain_s and jit_s else None
    pc = statistics.median(plain_cpu) if plain_cpu else None
    jc = statistics.median(jit_cpu) if jit_cpu else None
    cpu_ratio = pc / jc if pc and jc else None
    return Row(prog.name, prog.origin, n, plain_s, jit_s, ratio, pc, jc, cpu_ratio, log, same, failure)


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def table(rows: list[Row]) -> str:
    out = ["| program | origin | n | plain s | JIT s | ratio | loops compiled | top abort reasons |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.failure:
            what = "**OUTPUT MISMATCH**" if not r.same_output else "**FAILED**"
            out.append(f"| {r.name} | {r.origin} | {r.n} | | | {what} | | |")
            continue
        comp = str(r.log.compiled) + (f" (+{r.log.bridges} bridges)" if r.log.bridges else "")
        if r.log.internal_errors:
            comp += f", {r.log.internal_errors} internal errors"
        aborts = "; ".join(f"{reason} ({k})" for reason, k in r.log.top_aborts) or "-"
        out.append(f"| {r.name} | {r.origin} | {r.n} | {r.plain_s:.2f} | {r.jit_s:.2f} | "
                   f"{r.ratio:.2f}x | {comp} | {aborts.replace('|', '/')} |")
    ratios = [r.ratio for r in rows if r.ratio]
    if ratios:
        worst = min((r for r in rows if r.ratio), key=lambda r: r.ratio)
        below = [r.name for r in rows if r.ratio and r.ratio < SLOWER]
        out.append("")
        out.append(f"Geometric mean of the ratios: **{geomean(ratios):.2f}x** over {len(ratios)} programs; "
                   f"min {worst.ratio:.2f}x ({worst.name}); {len(below)} below {SLOWER}x"
                   + (f" ({', '.join(below)})" if below else "") + ".")
        cpu = [r.cpu_ratio for r in rows if r.cpu_ratio]
        if cpu:
            out.append(f"Measured on CPU time (user + system) instead of wall time: geometric mean "
                       f"{geomean(cpu):.2f}x, min {min(cpu):.2f}x, {sum(c < SLOWER for c in cpu)} below {SLOWER}x.")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=sys.executable, help="interpreter to run (default: this one)")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this program (repeatable; a comma-separated list works too)")
    ap.add_argument("--repeat", type=int, default=3, metavar="R", help="runs per mode (default 3)")
    ap.add_argument("--quick", action="store_true", help="the small sizes (a smoke run, not a measurement)")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = ap.parse_args(argv)

    progs = PROGRAMS
    if args.only:
        wanted = {w for item in args.only for w in item.split(",") if w}
        unknown = wanted - {p.name for p in PROGRAMS}
        if unknown:
            ap.error(f"unknown program(s): {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(p.name for p in PROGRAMS)}")
        progs = [p for p in PROGRAMS if p.name in wanted]

    version = subprocess.run([args.python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    print(f"bench/realworld: {len(progs)} programs, Python {version} ({args.python}), "
          f"{args.repeat} runs per mode{', quick sizes' if args.quick else ''}", flush=True)
    rows: list[Row] = []
    for prog in progs:
        n = prog.quick if args.quick else prog.size
        row = measure(args.python, prog, n, args.repeat)
        rows.append(row)
        if row.failure:
            print(f"  {prog.name:22s} FAILED", flush=True)
        else:
            print(f"  {prog.name:22s} plain {row.plain_s:6.2f} s  JIT {row.jit_s:6.2f} s  "
                  f"{row.ratio:5.2f}x  compiled {row.log.compiled}", flush=True)

    text = table(rows)
    print()
    print(text)
    failed = [r for r in rows if r.failure]
    for r in failed:
        banner = "OUTPUT MISMATCH" if not r.same_output else "FAILURE"
        print("=" * 30 + f" {banner}: {r.name} (n={r.n}) " + "=" * 30, file=sys.stderr)
        print(r.failure, file=sys.stderr)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        major = ".".join(version.split(".")[:2])
        stem = f"realworld-py{major}{'-quick' if args.quick else ''}"
        md, js = RESULTS / f"{stem}.md", RESULTS / f"{stem}.json"  # (not with_suffix: "3.12" has a dot)
        head = (f"bench/realworld, Python {version}, {platform.machine()}, {args.repeat} runs per mode, "
                f"{time.strftime('%Y-%m-%d')}\n\n")
        md.write_text(head + text, encoding="utf-8")
        js.write_text(json.dumps({
            "python": version, "date": time.strftime("%Y-%m-%d"), "repeat": args.repeat,
            "quick": args.quick, "rows": [asdict(r) for r in rows],
        }, indent=1) + "\n", encoding="utf-8")
        print(f"written: {md.relative_to(REPO)}, {js.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
