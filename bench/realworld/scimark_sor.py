# Origin: pyperformance 1.14.0 (release wheel), file pyperformance/data-files/benchmarks/bm_scimark/run_benchmark.py
#   (project: github.com/python/pyperformance).
# License: MIT (pyperformance); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: a driver for scimark.py (the benchmark code, unchanged apart from its driver):
#   SOR_execute on a 100x100 Array2D, n cycles, the grid filled by SciMark's Random(7) (pyperformance times it
#   on a zero grid).
"""SciMark part, run from bench/realworld/scimark.py."""
from array import array

from scimark import *  # noqa: F403

def main(n):
    G = Random(7).RandomMatrix(Array2D(100, 100))
    SOR_execute(1.25, G, n, Array2D)
    print(repr(sum(G.data)))


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
