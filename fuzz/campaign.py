"""A fuzzing campaign: seeds -> programs -> plain and JIT workers -> comparison -> confirmation -> summary.

Each job (a thread; two by default, one per core) owns a plain worker and one JIT worker per parameter set,
started lazily. The parameter set of a seed is a deterministic function of the seed. A difference between
the workers, or a JIT worker that dies or hangs, is confirmed by running the program as two fresh processes
(`python prog.py` vs `python -m tracejit --params P prog.py`): confirmed differences count as mismatches,
crashes or hangs; unconfirmed ones as "worker-only" (the fuzzer's or the long-lived engine's fault, reported
with the seeds the worker ran before). With `save`, confirmed failures are shrunk and saved under
tests/corpus/ (deduplicated by shrunk program).
"""
from __future__ import annotations

import queue
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from .gen_calls import wants_calls
from .gen_objects import wants_objects
from .gen_strings import wants_strings
from .generate import generate
from .shrink import FastOracle, ShrinkStats, coarse, coarse_kind, existing_reproducers, pair_oracle, save_reproducer, shrink, strip_header
from .worker import ProgramResult, Worker, WorkerFailure, compare_results, run_subprocess_pair

# cost_model=0 in half of them: traces the cost model would leave to the interpreter (calls that may run Python
# code, attribute reads) are compiled too, so that the fuzzer exercises them. spend_ms=0 in all: a worker runs
# thousands of small programs in one process, whose recording and compiling soon pass the JIT's share of its CPU
# time (a 300-program run compiled in 26% of the programs instead of 76%). little_left=0 in four: a program's
# loops run once, and would wait for a later run that never comes (two sets keep the wait, to exercise it)
DEFAULT_PARAM_SETS: tuple[str, ...] = (
    "threshold=1,bridge_threshold=1,cost_model=0,spend_ms=0,little_left=0",
    "threshold=2,bridge_threshold=2,spend_ms=0",
    "threshold=3,bridge_threshold=3,cost_model=0,spend_ms=0,little_left=0",
    "threshold=2,bridge_threshold=1,short_run=0,spend_ms=0",
    "threshold=1,bridge_threshold=2,optimize=0,cost_model=0,spend_ms=0,little_left=0",
    "threshold=3,bridge_threshold=1,reject_limit=5,short_run=0,spend_ms=0,little_left=0",
)
FAILURES = ("mismatch", "crash", "hang", "invalid")


def params_for(seed: int, param_sets: tuple[str, ...] = DEFAULT_PARAM_SETS) -> str:
    """The JIT parameters a seed runs with (deterministic)."""
    return param_sets[random.Random(f"fuzz-params:{seed}").randrange(len(param_sets))]


@dataclass
class Outcome:
    """The verdict on one seed."""
    seed: int
    params: str
    status: str            # "ok", "mismatch", "crash", "hang", "worker-only", "plain-fail", "invalid" (the
                           # generated program does not compile: a generator bug)
    kind: str | None = None
    detail: str = ""
    compiled: bool = False
    native: bool = False
    native_entries: int = 0
    bridges: int = 0
    internal_errors: int = 0
    exception: bool = False
    seconds: float = 0.0


@dataclass
class Summary:
    python: str
    start: int
    count: int
    jobs: int
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    only: str = ""              # the seeds run were only these ("calls": those whose programs make calls;
                                # "strings": those whose programs use strings and dicts; or both)

    def n(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return any(o.status in FAILURES for o in self.outcomes)

    def text(self) -> str:
        runs = len(self.outcomes)
        pct = lambda k: f"{k} ({100.0 * k / runs:.1f}%)" if runs else "0"  # noqa: E731
        lines = [
            f"fuzz summary: Python {self.python}, seeds {self.start}.."
            f"{self.outcomes[-1].seed if self.outcomes else self.start + self.count - 1}"
            f"{f' (only {self.only} programs)' if self.only else ''}, jobs {self.jobs}",
            f"  programs run:               {runs}",
            f"  compiled >= 1 loop:         {pct(sum(o.compiled for o in self.outcomes))}",
            f"  ran native code:            {pct(sum(o.native for o in self.outcomes))}",
            f"  native entries (total):     {sum(o.native_entries for o in self.outcomes)}",
            f"  bridges compiled (total):   {sum(o.bridges for o in self.outcomes)}",
            f"  ended with an exception:    {pct(sum(o.exception for o in self.outcomes))}",
            f"  mismatches:                 {self.n('mismatch')}",
            f"  crashes:                    {self.n('crash')}",
            f"  hangs:                      {self.n('hang')}",
            f"  worker-only differences:    {self.n('worker-only')}",
            f"  plain-run failures (fuzzer):{self.n('plain-fail'):>2}",
            f"  programs that do not compile (generator bugs): {self.n('invalid')}",
            f"  JIT internal errors:        {sum(o.internal_errors for o in self.outcomes)} "
            f"in {sum(1 for o in self.outcomes if o.internal_errors)} programs",
            f"  time:                       {self.seconds:.1f} s ({runs / self.seconds if self.seconds else 0:.1f} programs/s)",
        ]
        bad = [o for o in self.outcomes if o.status not in ("ok",)]
        if bad:
            lines.append("  failing seeds:")
            for o in bad[:50]:
                lines.append(f"    seed {o.seed} [{o.params}]: {o.status} {o.kind or ''} {o.detail}".rstrip())
            if len(bad) > 50:
                lines.append(f"    ... and {len(bad) - 50} more")
        internal = [o for o in self.outcomes if o.internal_errors]
        if internal:    # a JIT bug the engine caught (the loop was left to the interpreter): worth a look
            lines.append("  seeds with JIT internal errors: " + ", ".join(
                f"{o.seed} [{o.params}]" for o in internal[:20]) + (" ..." if len(internal) > 20 else ""))
        return "\n".join(lines)


class Job:
    """One thread's workers: a plain one and a JIT one per parameter set."""

    def __init__(self, python: str, timeout: float):
        self.python = python
        self.timeout = timeout
        self.plain = Worker(None, python)
        self.jits: dict[str, Worker] = {}

    def close(self) -> None:
        self.plain.close()
        for w in self.jits.values():
            w.close()

    def check(self, seed: int, params: str) -> Outcome:
        src = generate(seed)
        t0 = time.monotonic()
        try:
            compile(src, "<fuzz>", "exec")
        except SyntaxError as e:        # a generator bug: both runs would fail alike and count as the same
            return Outcome(seed, params, "invalid", "syntax", f"the generated program does not compile: {e}",
                           seconds=time.monotonic() - t0)
        plain = self.plain.run(src, self.timeout, seed)
        if isinstance(plain, WorkerFailure):
            return Outcome(seed, params, "plain-fail", plain.kind, f"plain worker {plain.kind}",
                           seconds=time.monotonic() - t0)
        jw = self.jits.get(params)
        if jw is None:
            jw = self.jits[params] = Worker(params, self.python)
        history = list(jw.history[-5:])
        jit = jw.run(src, self.timeout, seed)
        out = Outcome(seed, params, "ok", exception=plain.exc_type is not None)
        if isinstance(jit, ProgramResult):
            st = jit.stats
            out.compiled = st.get("traces_compiled", 0) > 0
            out.native_entries = st.get("native_entries", 0)
            out.native = out.native_entries > 0
            out.bridges = st.get("bridges_compiled", 0)
            out.internal_errors = st.get("internal_errors", 0)
            diffs = compare_results(plain, jit)
            if not diffs:
                out.seconds = time.monotonic() - t0
                return out
            worker_kind = "mismatch:" + "+".join(diffs)
            worker_detail = _describe_worker_diff(plain, jit, diffs)
        else:
            worker_kind = f"{jit.kind}" + (f":{jit.returncode}" if jit.returncode is not None else "")
            tail = [ln for ln in jit.stderr_tail.strip().split("\n") if ln][-3:]
            worker_detail = f"JIT worker {jit.kind}: " + " | ".join(tail)
        pair = run_subprocess_pair(src, params, self.python, timeout=max(20.0, 2 * self.timeout))
        if pair.kind is None:
            out.status, out.kind = "worker-only", worker_kind
            out.detail = f"{worker_detail}; not reproduced by fresh processes; worker ran before: {history}"
        elif pair.kind == "plain-timeout":
            out.status, out.kind, out.detail = "plain-fail", pair.kind, "plain subprocess timed out"
        else:
            out.status = pair.kind.split(":")[0]
            out.kind = pair.kind
            out.detail = worker_detail
        out.seconds = time.monotonic() - t0
        return out


def _describe_worker_diff(plain: ProgramResult, jit: ProgramResult, diffs: list[str]) -> str:
    parts = []
    if "stdout" in diffs:
        a, b = plain.stdout.split("\n"), jit.stdout.split("\n")
        k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        parts.append(f"stdout line {k + 1}: plain {a[k] if k < len(a) else '<eof>'!r} "
                     f"jit {b[k] if k < len(b) else '<eof>'!r}")
    if "exception" in diffs or "line" in diffs:
        parts.append(f"exception plain {plain.exc_type}({plain.exc_msg!r}) line {plain.exc_line}, "
                     f"jit {jit.exc_type}({jit.exc_msg!r}) line {jit.exc_line}")
    if "status" in diffs:
        parts.append(f"status plain {plain.status} jit {jit.status}")
    if "stderr" in diffs:
        parts.append(f"stderr plain {plain.stderr[-200:]!r} jit {jit.stderr[-200:]!r}")
    return "; ".join(parts)[:600]


def run_campaign(start: int, count: int, jobs: int = 2, param_sets: tuple[str, ...] = DEFAULT_PARAM_SETS,
                 python: str = sys.executable, timeout: float = 10.0, progress_every: float = 30.0,
                 log: Callable[[str], None] | None = print, python_version: str | None = None,
                 only_calls: bool = False, only_strings: bool = False, only_objects: bool = False) -> Summary:
    """Run seeds start..start+count-1 on `jobs` threads (only_calls: the first `count` seeds from start whose
    programs define and call functions; only_strings: whose programs use strings and dicts; both: both;
    only_objects: the objects programs of fuzz/gen_objects.py);
    returns the summary (outcomes in seed order)."""
    version = python_version or sys.version.split()[0]
    only = "+".join(k for k, on in (("calls", only_calls), ("strings", only_strings), ("objects", only_objects))
                    if on)
    summary = Summary(version, start, count, jobs, only=only)
    seeds: queue.Queue[int] = queue.Queue()
    s, n = start, 0
    while n < count:
        if only_objects:
            chosen = wants_objects(s)
        else:
            chosen = (not only_calls or wants_calls(s)) and (not only_strings or wants_strings(s))
        if chosen:
            seeds.put(s)
            n += 1
        s += 1
    results: dict[int, Outcome] = {}
    lock = threading.Lock()
    t0 = time.monotonic()

    def run_job() -> None:
        job = Job(python, timeout)
        try:
            while True:
                try:
                    seed = seeds.get_nowait()
                except queue.Empty:
                    return
                try:
                    o = job.check(seed, params_for(seed, param_sets))
                except Exception as e:     # a fuzzer bug must not stop the campaign
                    o = Outcome(seed, params_for(seed, param_sets), "worker-only", "fuzzer-error",
                                f"{type(e).__name__}: {e}")
                with lock:
                    results[seed] = o
                    if log and o.status != "ok":
                        log(f"seed {seed} [{o.params}]: {o.status} {o.kind or ''} {o.detail}")
        finally:
            job.close()

    threads = [threading.Thread(target=run_job, daemon=True) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    last = time.monotonic()
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)
        if log and progress_every and time.monotonic() - last >= progress_every:
            last = time.monotonic()
            with lock:
                done = list(results.values())
            el = last - t0
            log(f"[{len(done)}/{count}] {len(done) / el:.1f} programs/s, "
                f"compiled {sum(o.compiled for o in done)}, "
                f"failures {sum(o.status in FAILURES for o in done)}, "
                f"worker-only {sum(o.status == 'worker-only' for o in done)}")
    summary.outcomes = [results[s] for s in sorted(results)]
    summary.seconds = time.monotonic() - t0
    return summary


def save_failures(summary: Summary, python: str = sys.executable, max_saves: int = 10,
                  time_budget: float = 300.0, log: Callable[[str], None] | None = print) -> list[str]:
    """Shrink the confirmed failures (in seed order) and save new, distinct reproducers under tests/corpus/."""
    known = existing_reproducers()
    saved: list[str] = []
    seen_kinds: dict[str, int] = {}
    for o in summary.outcomes:
        if o.status not in FAILURES or o.status == "invalid" or len(saved) >= max_saves:
            continue
        seen_kinds[o.kind or ""] = seen_kinds.get(o.kind or "", 0) + 1
        if seen_kinds[o.kind or ""] > 3:         # many seeds failing the same way: shrink a few of them
            continue
        line = shrink_and_save(o.seed, o.params, o.kind, python, known, time_budget, log)
        if line:
            saved.append(line)
    return saved


def shrink_and_save(seed: int, params: str, kind: str | None, python: str = sys.executable,
                    known: set[str] | None = None, time_budget: float = 300.0,
                    log: Callable[[str], None] | None = print) -> str | None:
    """Shrink one failing seed and save it unless an identical reproducer exists; a one-line report.

    Shrinking runs on the fast oracle (workers, fresh engine per program) and the result is checked with
    fresh processes; if that check fails (or the seed fails only in fresh processes), it shrinks again
    with the exact oracle from the original program."""
    known = existing_reproducers() if known is None else known
    src = generate(seed)
    exact = coarse(pair_oracle(params, python))
    kind = coarse_kind(kind) or exact(src)
    if kind is None:
        if log:
            log(f"seed {seed}: does not fail in fresh processes; nothing to shrink")
        return None
    t0 = time.monotonic()
    st = ShrinkStats()
    small = None
    fast = FastOracle(params, python)
    try:
        fast_kind = coarse(fast)(src)
        if fast_kind is not None:
            small = shrink(src, coarse(fast), fast_kind, time_budget=time_budget, stats=st)
    finally:
        fast.close()
    if small is not None and exact(small) is None:
        small = None
    if small is None:
        small = shrink(src, exact, kind, time_budget=max(30.0, time_budget - (time.monotonic() - t0)), stats=st)
    if log:
        log(f"seed {seed}: shrunk {len(src.splitlines())} -> {len(small.splitlines())} lines "
            f"({st.tests} tests, {time.monotonic() - t0:.0f} s{', fixpoint' if st.fixpoint else ', budget spent'})")
    if strip_header(small) in known:
        return f"seed {seed}: duplicate of an existing reproducer ({kind})"
    known.add(strip_header(small))
    path, res, at_corpus = save_reproducer(small, seed, params, python, kind)
    return (f"{path.relative_to(path.parents[2])}: seed {seed} [{params}] {kind}; "
            f"fails under threshold=2: {'yes' if at_corpus else 'NO'} ({res.kind})")
