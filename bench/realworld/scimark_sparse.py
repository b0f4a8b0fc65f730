# Origin: pyperformance 1.14.0 (release wheel), file pyperformance/data-files/benchmarks/bm_scimark/run_benchmark.py
#   (project: github.com/python/pyperformance).
# License: MIT (pyperformance); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: a driver for scimark.py (the benchmark code, unchanged apart from its driver):
#   bench_SparseMatMult's set-up with x and val filled by SciMark's Random(7) (pyperformance uses zeros), then
#   SparseCompRow_matmult n times.
"""SciMark part, run from bench/realworld/scimark.py."""
from array import array

from scimark import *  # noqa: F403

def main(n):
    N, nz = 1000, 50 * 1000
    rnd = Random(7)
    x = rnd.RandomVector(N)
    y = array('d', [0]) * N
    nr = nz // N
    anz = nr * N
    val = rnd.RandomVector(anz)
    col = array('i', [0]) * nz
    row = array('i', [0]) * (N + 1)
    row[0] = 0
    for r in range(N):
        rowr = row[r]
        step = r // nr
        row[r + 1] = rowr + nr
        if step < 1:
            step = 1
        for i in range(nr):
            col[rowr + i] = i * step
    SparseCompRow_matmult(N, y, val, row, col, x, n)
    print(repr(sum(y)))


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 80)
