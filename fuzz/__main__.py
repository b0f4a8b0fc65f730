"""Command line of the fuzzer.

    python -m fuzz --count 10000 --seed 0 [--jobs 2] [--params-sets 'threshold=1;threshold=2,...'] [--save] [--calls] [--strings]
    python -m fuzz --show SEED        print the program of a seed
    python -m fuzz --one SEED         run one seed (workers and fresh processes) and show both results
    python -m fuzz --shrink SEED      shrink one failing seed and save it under tests/corpus/

The interpreter running `python -m fuzz` is the one fuzzed (use .venv-3.X/bin/python). Exit status 1 if
any confirmed mismatch, crash or hang was found.
"""
from __future__ import annotations

import argparse
import sys

from .campaign import DEFAULT_PARAM_SETS, Job, params_for, run_campaign, save_failures, shrink_and_save
from .generate import generate
from .worker import run_subprocess_pair


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz", description="Differential fuzzer for tracejit.")
    ap.add_argument("--count", type=int, default=1000, help="number of programs (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel worker pairs (default 2)")
    ap.add_argument("--params-sets", default=None,
                    help="';'-separated JIT parameter sets, one chosen per seed (default: %s)"
                         % "; ".join(DEFAULT_PARAM_SETS))
    ap.add_argument("--params", default=None, help="with --one/--shrink: use these JIT params")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per program run (default 10)")
    ap.add_argument("--save", action="store_true", help="shrink confirmed failures and save them under tests/corpus/")
    ap.add_argument("--calls", action="store_true",
                    help="run only programs that define and call functions (the first COUNT such seeds from SEED)")
    ap.add_argument("--strings", action="store_true",
                    help="run only programs that use strings and dicts with str keys (the first COUNT such seeds "
                         "from SEED; with --calls: programs that do both)")
    ap.add_argument("--objects", action="store_true",
                    help="run only objects programs (instances, operators, attributes, methods: the generic path; "
                         "the first COUNT such seeds from SEED)")
    ap.add_argument("--max-saves", type=int, default=10)
    ap.add_argument("--shrink-budget", type=float, default=300.0, help="seconds per shrink (default 300)")
    ap.add_argument("--progress", type=float, default=30.0, help="seconds between progress lines (0: none)")
    ap.add_argument("--show", type=int, metavar="SEED")
    ap.add_argument("--one", type=int, metavar="SEED")
    ap.add_argument("--shrink", type=int, metavar="SEED")
    args = ap.parse_args(argv)
    sets = tuple(s.strip() for s in args.params_sets.split(";") if s.strip()) if args.params_sets \
        else DEFAULT_PARAM_SETS

    if args.show is not None:
        sys.stdout.write(generate(args.show))
        return 0
    if args.one is not None:
        return _one(args.one, args.params or params_for(args.one, sets), args.timeout)
    if args.shrink is not None:
        line = shrink_and_save(args.shrink, args.params or params_for(args.shrink, sets), None,
                               time_budget=args.shrink_budget)
        print(line or "nothing saved")
        return 0

    summary = run_campaign(args.seed, args.count, args.jobs, sets, timeout=args.timeout,
                           progress_every=args.progress, only_calls=args.calls,
                           only_strings=args.strings, only_objects=args.objects)
    print(summary.text(), flush=True)
    if args.save and summary.failed:
        for line in save_failures(summary, max_saves=args.max_saves, time_budget=args.shrink_budget):
            print(f"saved: {line}")
    return 1 if summary.failed else 0


def _one(seed: int, params: str, timeout: float) -> int:
    src = generate(seed)
    print(f"seed {seed}, params {params}, {len(src.splitlines())} lines")
    job = Job(sys.executable, timeout)
    try:
        o = job.check(seed, params)
    finally:
        job.close()
    print(f"workers: {o.status} {o.kind or ''} {o.detail}".rstrip())
    print(f"  compiled={o.compiled} native_entries={o.native_entries} bridges={o.bridges} "
          f"internal_errors={o.internal_errors}")
    pair = run_subprocess_pair(src, params)
    print(f"fresh processes: {pair.kind or 'same'} {'; '.join(pair.problems)}")
    for name, r in (("plain", pair.plain), ("tracejit", pair.jit)):
        print(f"--- {name}: exit {r.returncode}, {r.seconds:.2f} s, stdout:")
        sys.stdout.write(r.stdout)
        if r.stderr:
            print(f"--- {name} stderr:")
            print(r.stderr)
    return 1 if o.status in ("mismatch", "crash", "hang") or pair.kind else 0


if __name__ == "__main__":
    sys.exit(main())
