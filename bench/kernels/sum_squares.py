"""sum_squares: sum of i*i over range(N), small-int arithmetic only.

Measures the basic integer fast path: a `for ... in range()` loop with one
multiply and one add per iteration.  N is chosen so the sum stays below 2**63
(no big-int overflow; see int_overflow.py for that); the loop is repeated
REPEAT times from an outer loop to get a measurable run time.
"""

N = 3_000_000  # sum(i*i for i < N) ~= 9.0e18 < 2**63 - 1
REPEAT = 3


def main():
    checksum = 0
    for rep in range(REPEAT):
        total = 0
        for i in range(N - rep):
            total += i * i
        checksum = (checksum * 31 + total) % 1_000_000_007
    print("sum_squares checksum:", checksum, total)


if __name__ == "__main__":
    main()
