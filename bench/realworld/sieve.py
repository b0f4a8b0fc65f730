# Origin: the `algorithms` package 1.0.1 (release wheel), file algorithms/math/primes_sieve_of_eratosthenes.py
#   (project: github.com/keon/algorithms).
# License: MIT (the `algorithms` package); the notice is in bench/realworld/LICENSES.md.
# Adapted for bench/realworld: main(n) added at the end (input generated from a seeded random.Random, n from
#   argv); the algorithm code above it is unchanged.
"""
Sieve of Eratosthenes

Generate all prime numbers less than n using an optimized sieve that skips
even numbers.

Reference: https://en.wikipedia.org/wiki/Sieve_of_Eratosthenes

Complexity:
    Time:  O(n log log n)
    Space: O(n)
"""

from __future__ import annotations


def get_primes(n: int) -> list[int]:
    """Return all primes less than n using the Sieve of Eratosthenes.

    Args:
        n: Upper bound (exclusive). Must be a positive integer.

    Returns:
        A sorted list of all primes less than n.

    Raises:
        ValueError: If n is not positive.

    Examples:
        >>> get_primes(7)
        [2, 3, 5, 7]
    """
    if n <= 0:
        raise ValueError("'n' must be a positive integer.")
    sieve_size = (n // 2 - 1) if n % 2 == 0 else (n // 2)
    sieve = [True for _ in range(sieve_size)]
    primes: list[int] = []
    if n >= 2:
        primes.append(2)
    for i in range(sieve_size):
        if sieve[i]:
            value_at_i = i * 2 + 3
            primes.append(value_at_i)
            for j in range(i, sieve_size, value_at_i):
                sieve[j] = False
    return primes


# --- driver (bench/realworld) ---
def main(n):
    for _ in range(3):
        primes = get_primes(n)
    print(len(primes), primes[-3:], sum(primes))


if __name__ == "__main__":
    import sys
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000000)
