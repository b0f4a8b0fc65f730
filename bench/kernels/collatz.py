"""collatz: Collatz chain lengths for every start in range(1, N).

One function, two nested loops (for + while), an if/else on n % 2 and
integer // and * / + in the inner loop; no calls inside the loops.  Measures
branchy integer code, guards/side exits on a data-dependent branch, and a
short, variable-trip-count inner loop nested in a hot outer loop.  All values
stay well inside int64 (max ~5.7e10 for start < 1e6).
"""

N = 65_000


def main():
    total_steps = 0
    best_start = 1
    best_len = 0
    for start in range(1, N):
        n = start
        steps = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        total_steps += steps
        if steps > best_len:
            best_len = steps
            best_start = start
    print("collatz checksum:", total_steps, best_start, best_len)


if __name__ == "__main__":
    main()
