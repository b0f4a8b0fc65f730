"""Memory soak: compile and discard thousands of loops under the JIT and show that memory stays flat.

    python tools/memory_soak.py [--loops 5000] [--batch 500] [--cap-kb 0]

Each batch creates `--batch` new functions (new code objects, each with its own hot loop), runs each under
`tracejit.enable(threshold=2)` until its loop is compiled and entered, checks the result against the same
computation without the JIT, and drops the functions. After every batch it prints: loops compiled so far,
Python memory traced by tracemalloc (started after the first batch, so imports and first-use caches are
excluded), RSS, the JIT's executable memory (mapped bytes and bytes in use) and the sizes of the engine's
tables. With `--cap-kb K` the functions are kept alive instead and `max_code_kb=K` must evict old loops.

Exit status 1 if a result differs, if fewer loops compiled than functions ran, if (after the first
batch) tracemalloc's figure, RSS or executable memory grow by more than the budgets below from the second
batch to the last, or, with --cap-kb, if executable memory passes the cap or nothing was evicted.
"""
from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tracejit  # noqa: E402

# the same source compiled again for every kernel: a new code object each time, but no new strings (code
# object names are interned, and interned strings live forever on 3.12+, JIT or not)
LOOP_SOURCE = """
def kernel(n):
    s = K
    i = 0
    while i < n:
        s = (s * 31 + i * K) % 1000003
        i += 1
    return s
"""
PY_BUDGET = 2 << 20         # bytes of Python memory growth allowed between the second and the last batch
RSS_BUDGET = 16 << 10       # KiB
MAPPED_BUDGET = 64 << 10    # bytes of executable memory


def make_kernel(k: int):
    ns: dict = {"K": k}
    exec(compile(LOOP_SOURCE, "<kernel>", "exec"), ns)
    return ns["kernel"]


def plain(k: int, n: int) -> int:
    s, i = k, 0
    while i < n:
        s = (s * 31 + i * k) % 1000003
        i += 1
    return s


def rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loops", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--cap-kb", type=int, default=0, help="keep functions alive; max_code_kb=K must evict")
    args = ap.parse_args(argv)
    params = dict(threshold=2, history=50)
    if args.cap_kb:
        params["max_code_kb"] = args.cap_kb
    kept = []
    wrong = 0
    rows = []
    print(f"Python {sys.version.split()[0]}: {args.loops} loops in batches of {args.batch}"
          + (f", functions kept alive, max_code_kb={args.cap_kb}" if args.cap_kb else ", functions dropped"))
    print(f"{'loops':>6} {'compiled':>8} {'py KiB':>8} {'RSS KiB':>8} {'mapped KiB':>10} {'in use KiB':>10} "
          f"{'history':>7} {'sites':>6} {'evicted':>7}")
    for start in range(0, args.loops, args.batch):
        with tracejit.enable(**params):
            for k in range(start, min(start + args.batch, args.loops)):
                f = make_kernel(k + 1)
                wrong += f(300) != plain(k + 1, 300)
                if args.cap_kb:
                    kept.append(f)
                del f
            gc.collect()
            make_kernel(0)(3)        # the engine frees what died at the next back-edge it sees
        if start == 0:
            tracemalloc.start()
        engine = tracejit.engine()
        if engine is None:
            print(f"JIT off: {tracejit.stats().get('reason')}")
            return 1
        py = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        row = (min(start + args.batch, args.loops), engine.stats.traces_compiled, py >> 10, rss_kb(),
               engine.mem.bytes_mapped >> 10, engine.mem.bytes_in_use >> 10, len(engine.all_loops),
               len(engine.sites), engine.stats.loops_evicted)
        rows.append(row)
        print(" ".join(f"{v:>{w}}" for v, w in zip(row, (6, 8, 8, 8, 10, 10, 7, 6, 7))), flush=True)
    problems = []
    if wrong:
        problems.append(f"{wrong} results differ from plain CPython")
    if rows[-1][1] < args.loops:
        problems.append(f"only {rows[-1][1]} of {args.loops} loops compiled")
    if args.cap_kb:
        if max(r[4] for r in rows) > args.cap_kb:
            problems.append(f"executable memory passed the cap: {max(r[4] for r in rows)} KiB")
        if not rows[-1][8]:
            problems.append("nothing was evicted")
    elif len(rows) >= 3:
        first, last = rows[1], rows[-1]
        if (last[2] - first[2]) << 10 > PY_BUDGET:
            problems.append(f"Python memory grew by {last[2] - first[2]} KiB")
        if last[3] - first[3] > RSS_BUDGET:
            problems.append(f"RSS grew by {last[3] - first[3]} KiB")
        if (last[4] - first[4]) << 10 > MAPPED_BUDGET:
            problems.append(f"executable memory grew by {last[4] - first[4]} KiB")
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("ok: results equal, " + ("executable memory within the cap" if args.cap_kb
                                       else "memory flat after the first batch"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
