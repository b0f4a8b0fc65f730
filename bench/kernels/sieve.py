"""sieve: the sieve of Eratosthenes on a list of bools.

Nested while loops; the inner one stores False into the list at a stride (a list store of an immortal
object, the old item's type guarded), the outer one reads flags[i]; a for loop counts the primes.
"""

N = 1_000_000


def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            j = i * i
            while j <= n:
                flags[j] = False
                j += i
        i += 1
    count = 0
    for f in flags:
        if f:
            count += 1
    return count


def main():
    total = 0
    for _ in range(3):
        total += sieve(N)
    print("sieve checksum:", total)


if __name__ == "__main__":
    main()
