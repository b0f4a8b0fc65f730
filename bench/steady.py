"""Steady-state benchmark: each kernel's main() timed in-process by pyperf, plain vs under tracejit.

    python bench/steady.py [--fast] [-o results.json] [kernel ...]

pyperf spawns worker processes; in the tracejit variant each worker enables the JIT, so pyperf's warm-up
runs record and compile the loops and the timed runs measure the machine code. Compile time and start-up
are excluded here (bench/run.py measures whole processes, which include them). Output of the kernels is
discarded. The table prints plain and tracejit times and their ratio on the same interpreter in one run.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys

import pyperf

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = ["sum_squares", "float_poly", "collatz", "int_overflow", "mandelbrot", "entry_overhead",
           "dot_product", "list_sum", "sieve", "matmul", "prefix_sums", "julia", "nbody", "spectral_norm"]


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"kernel_{name}", os.path.join(HERE, "kernels", f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def plain(main):
    with contextlib.redirect_stdout(io.StringIO()):
        main()


def jitted(main):
    import tracejit
    with tracejit.enable(), contextlib.redirect_stdout(io.StringIO()):
        main()


def add_cmdline_args(cmd, args):
    cmd.extend(args.kernels)


def main() -> None:
    runner = pyperf.Runner(add_cmdline_args=add_cmdline_args, values=3, processes=3, warmups=1)
    runner.argparser.add_argument("kernels", nargs="*", default=KERNELS)
    args = runner.parse_args()
    results = {}
    for name in args.kernels or KERNELS:
        mod = load(name)
        p = runner.bench_func(f"{name}-plain", plain, mod.main)
        j = runner.bench_func(f"{name}-tracejit", jitted, mod.main)
        if p is not None and j is not None:
            results[name] = (p.median(), j.median())
    if results and not runner.args.worker:
        v = sys.version.split()[0]
        print(f"\nsteady state on CPython {v} (median of pyperf values, warm-up excluded)")
        print(f"{'kernel':<16}{'plain (ms)':>12}{'tracejit (ms)':>15}{'ratio':>9}")
        for name, (p, j) in results.items():
            print(f"{name:<16}{p * 1e3:>12.1f}{j * 1e3:>15.2f}{p / j:>8.1f}x")


if __name__ == "__main__":
    main()
