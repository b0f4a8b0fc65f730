# Origin: pyperformance 1.14.0 (release wheel), file pyperformance/data-files/benchmarks/bm_coroutines/run_benchmark.py
#   (project: github.com/python/pyperformance).
# License: MIT (pyperformance); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: the pyperf driver replaced by main(n) at the end (n from argv); the benchmark
#   code above it is unchanged.
"""
Benchmark for recursive coroutines.

Author: Kumar Aditya
"""



async def fibonacci(n: int) -> int:
    if n <= 1:
        return n
    return await fibonacci(n - 1) + await fibonacci(n - 2)


# --- driver (bench/realworld) ---
def main(n):
    coro = fibonacci(n)
    try:
        while True:
            coro.send(None)
    except StopIteration as e:
        print(e.value)


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
