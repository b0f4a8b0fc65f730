# Origin: pyperformance 1.14.0 (release wheel), file pyperformance/data-files/benchmarks/bm_scimark/run_benchmark.py
#   (project: github.com/python/pyperformance).
# License: MIT (pyperformance); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: a driver for scimark.py (the benchmark code, unchanged apart from its driver):
#   bench_FFT's loop body, n cycles of FFT_transform/FFT_inverse on 1024 complex numbers.
"""SciMark part, run from bench/realworld/scimark.py."""
from array import array

from scimark import *  # noqa: F403

def main(n):
    twoN = 2 * 1024
    x = copy_vector(Random(7).RandomVector(twoN))
    for i in range(n):
        FFT_transform(twoN, x)
        FFT_inverse(twoN, x)
    print(repr(sum(x)))


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 80)
