"""tracejit demo: three hot loops that become machine code.

    python examples/demo.py                  # plain CPython
    python -m tracejit --stats examples/demo.py   # the same program under the JIT
"""
import time


def sum_of_squares(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def collatz_longest(limit):
    best, best_start = 0, 0
    for start in range(1, limit):
        n = start
        steps = 0
        while n != 1:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        if steps > best:
            best, best_start = steps, start
    return best_start, best


def leibniz_pi(terms):
    acc = 0.0
    sign = 1.0
    k = 0
    while k < terms:
        acc += sign / (2 * k + 1)
        sign = -sign
        k += 1
    return 4 * acc


t0 = time.perf_counter()
print("sum of squares below 3_000_000:", sum_of_squares(3_000_000))
print("longest Collatz chain below 100_000 (start, steps):", collatz_longest(100_000))
print("pi by 3_000_000 Leibniz terms:", leibniz_pi(3_000_000))
