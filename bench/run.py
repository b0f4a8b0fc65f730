#!/usr/bin/env python3
"""Benchmark bench/kernels/*.py as whole processes: plain CPython vs tracejit.

For each kernel, on one interpreter:

1. run it once plainly (`python kernel.py`) and once under the JIT
   (`python -m tracejit kernel.py`) and compare the two stdouts (the kernels
   print a checksum); a difference is reported loudly and makes the script
   exit non-zero;
2. time both modes with `python -m pyperf command` (process-level timing,
   including interpreter start-up and JIT compilation) and save the pyperf
   JSON to bench/results/<kernel>.<mode>.py<X.Y>.json;
3. print a table: kernel | plain (ms) | tracejit (ms) | ratio (plain/jit).

A mode that fails (e.g. the JIT crashes) is reported per kernel; the other
kernels still run.  With --quick, step 2 is skipped and the single timed run
of step 1 is what gets saved and reported.

Usage: python bench/run.py [--quick] [--python PY] [kernel ...]
"""

import argparse
import difflib
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERNELS_DIR = os.path.join(HERE, "kernels")
RESULTS_DIR = os.path.join(HERE, "results")

MODES = ("plain", "tracejit")


def available_kernels():
    return sorted(f[:-3] for f in os.listdir(KERNELS_DIR)
                  if f.endswith(".py") and not f.startswith("_"))


def mode_command(python, mode, kernel_path):
    if mode == "plain":
        return [python, kernel_path]
    return [python, "-m", "tracejit", kernel_path]


def python_version(python):
    out = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        check=True, capture_output=True, text=True).stdout
    return out.strip()


def last_lines(text, n=6):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-n:]


class ModeResult:
    def __init__(self, mode):
        self.mode = mode
        self.ok = False
        self.error = None        # short description of a failure
        self.details = []        # extra lines (stderr tail) for the report
        self.stdout = None
        self.single_time = None  # seconds, the checksum run
        self.mean = None         # seconds
        self.stdev = None
        self.nvalues = 0
        self.json_path = None


def checksum_run(cmd, timeout):
    """Run cmd once, return (returncode or None on timeout, stdout, stderr,
    elapsed seconds)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        def _s(b):
            if b is None:
                return ""
            return b.decode(errors="replace") if isinstance(b, bytes) else b
        return None, _s(exc.stdout), _s(exc.stderr), time.perf_counter() - t0
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - t0


def save_quick_json(res, name, cmd, path):
    import pyperf
    run = pyperf.Run([res.single_time],
                     metadata={"name": name, "loops": 1,
                               "command": shlex.join(cmd),
                               "description": "bench/run.py --quick: single run"},
                     collect_metadata=True)
    pyperf.Benchmark([run]).dump(path, replace=True)


def pyperf_time(res, name, cmd, path, args):
    """Time cmd with `python -m pyperf command`; fill res.mean/stdev."""
    import pyperf
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.unlink(tmp)
    inherit = sorted(k for k in os.environ if k.startswith("TRACEJIT"))
    pcmd = [sys.executable, "-m", "pyperf", "command", "--quiet",
            "--processes", str(args.processes), "--values", str(args.values),
            "--warmups", str(args.warmups), "--loops", "1",
            "--timeout", str(args.timeout),
            "--name", name, "-o", tmp]
    if inherit:
        pcmd += ["--inherit-environ", ",".join(inherit)]
    pcmd += ["--"] + cmd
    proc = subprocess.run(pcmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0 or not os.path.exists(tmp):
        res.ok = False
        res.error = "pyperf run failed (exit %d)" % proc.returncode
        res.details = last_lines(proc.stdout + "\n" + proc.stderr)
        for f in (tmp, path):
            if os.path.exists(f):
                os.unlink(f)
        return
    os.replace(tmp, path)
    bench = pyperf.Benchmark.load(path)
    res.nvalues = bench.get_nvalue()
    res.mean = bench.mean()
    res.stdev = bench.stdev() if res.nvalues > 1 else 0.0


def bench_kernel(kernel, python, pyver, args):
    kpath = os.path.join(KERNELS_DIR, kernel + ".py")
    results = {}
    for mode in MODES:
        res = ModeResult(mode)
        results[mode] = res
        if mode == "tracejit" and args.no_jit:
            res.error = "skipped (--no-jit)"
            continue
        cmd = mode_command(python, mode, kpath)
        print("  %-9s %s" % (mode, shlex.join(cmd)), flush=True)
        rc, out, err, elapsed = checksum_run(cmd, args.timeout)
        if rc is None:
            res.error = "TIMEOUT after %gs" % args.timeout
            res.details = last_lines(err)
            continue
        if rc != 0:
            res.error = "FAILED (exit %d)" % rc
            res.details = last_lines(err or out)
            continue
        res.ok = True
        res.stdout = out
        res.single_time = elapsed

    plain, jit = results["plain"], results["tracejit"]
    mismatch = plain.ok and jit.ok and plain.stdout != jit.stdout
    if mismatch:
        print()
        print("!" * 72)
        print("!!! CHECKSUM MISMATCH in %s: tracejit output differs from plain"
              % kernel)
        for line in difflib.unified_diff(
                plain.stdout.splitlines(), jit.stdout.splitlines(),
                "plain", "tracejit", lineterm="", n=1):
            print("!!!   " + line)
        print("!" * 72)
        print(flush=True)

    for mode in MODES:
        res = results[mode]
        json_path = os.path.join(
            RESULTS_DIR, "%s.%s.py%s.json" % (kernel, mode, pyver))
        if not res.ok:
            # Don't leave a result from an earlier run that looks current.
            if os.path.exists(json_path) and not res.error.startswith("skip"):
                os.unlink(json_path)
            continue
        name = "%s-%s" % (kernel, mode)
        cmd = mode_command(python, mode, kpath)
        res.json_path = json_path
        if args.quick:
            res.mean, res.stdev, res.nvalues = res.single_time, 0.0, 1
            save_quick_json(res, name, cmd, res.json_path)
        else:
            pyperf_time(res, name, cmd, res.json_path, args)
    return results, mismatch


def fmt_time(res):
    if res.ok and res.mean is not None:
        if res.nvalues > 1:
            return "%.0f ± %.0f" % (res.mean * 1e3, res.stdev * 1e3)
        return "%.0f" % (res.mean * 1e3)
    return res.error or "-"


def print_table(rows, pyver, python, quick):
    header = ("kernel", "plain (ms)", "tracejit (ms)", "ratio (plain/jit)",
              "checksum")
    table = []
    for kernel, results, mismatch in rows:
        plain, jit = results["plain"], results["tracejit"]
        if plain.ok and jit.ok and plain.mean and jit.mean:
            ratio = "%.2fx" % (plain.mean / jit.mean)
        else:
            ratio = "-"
        if mismatch:
            check = "MISMATCH !!!"
        elif plain.ok and jit.ok:
            check = "ok"
        else:
            check = "n/a"
        table.append((kernel, fmt_time(plain), fmt_time(jit), ratio, check))
    widths = [max(len(r[i]) for r in table + [header])
              for i in range(len(header))]

    def line(cells):
        return " | ".join(c.ljust(w) if i == 0 else c.rjust(w)
                          for i, (c, w) in enumerate(zip(cells, widths)))

    print()
    print("Python %s (%s)%s" % (pyver, python,
                                "  [--quick: single run each]" if quick else ""))
    print(line(header))
    print("-+-".join("-" * w for w in widths))
    for row in table:
        print(line(row))

    problems = []
    for kernel, results, mismatch in rows:
        for mode in MODES:
            res = results[mode]
            if not res.ok and res.error and not res.error.startswith("skipped"):
                problems.append((kernel, mode, res))
    if problems:
        print()
        for kernel, mode, res in problems:
            print("%s [%s]: %s" % (kernel, mode, res.error))
            for d in res.details:
                print("    " + d)


def main(argv=None):
    kernels = available_kernels()
    p = argparse.ArgumentParser(
        description="Time bench/kernels plain vs. `python -m tracejit`.",
        epilog="kernels: " + ", ".join(kernels))
    p.add_argument("kernels", nargs="*", metavar="KERNEL",
                   help="only run these kernels (default: all)")
    p.add_argument("--quick", action="store_true",
                   help="single run per mode, no pyperf statistics")
    p.add_argument("--python", default=sys.executable,
                   help="interpreter to benchmark (default: this one)")
    p.add_argument("--processes", "-p", type=int, default=3,
                   help="pyperf worker processes (default 3)")
    p.add_argument("--values", "-n", type=int, default=2,
                   help="timed runs per process (default 2)")
    p.add_argument("--warmups", "-w", type=int, default=1,
                   help="untimed runs per process (default 1)")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds before a single run is killed (default 300)")
    p.add_argument("--no-jit", action="store_true",
                   help="only run the plain CPython side")
    args = p.parse_args(argv)

    selected = []
    for k in args.kernels:
        k = os.path.basename(k)
        k = k[:-3] if k.endswith(".py") else k
        if k not in kernels:
            p.error("unknown kernel %r (available: %s)"
                    % (k, ", ".join(kernels)))
        if k not in selected:
            selected.append(k)
    selected = selected or kernels

    try:
        import pyperf  # noqa: F401
    except ImportError:
        p.error("pyperf is not installed for %s (pip install -e '.[bench]')"
                % sys.executable)

    python = os.path.abspath(args.python) if os.sep in args.python \
        else args.python
    pyver = python_version(python)
    os.makedirs(RESULTS_DIR, exist_ok=True)

    rows = []
    for kernel in selected:
        print("[%s] python %s" % (kernel, pyver), flush=True)
        results, mismatch = bench_kernel(kernel, python, pyver, args)
        rows.append((kernel, results, mismatch))

    print_table(rows, pyver, python, args.quick)

    n_mismatch = sum(1 for _, _, m in rows if m)
    n_failed = sum(1 for _, results, _ in rows for r in results.values()
                   if not r.ok and not (r.error or "").startswith("skipped"))
    if n_mismatch:
        print("\n!!! %d kernel(s) with CHECKSUM MISMATCH !!!" % n_mismatch)
    if n_failed:
        print("\n%d run(s) failed (see above)." % n_failed)
    print("\nResults: %s" % os.path.relpath(RESULTS_DIR))
    return 1 if (n_mismatch or n_failed) else 0


if __name__ == "__main__":
    sys.exit(main())
