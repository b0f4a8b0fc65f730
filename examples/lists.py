"""Loops over lists: what the JIT does with list reads, stores, appends and tuples.

Run it with `python -m tracejit --stats examples/lists.py`, or `--dump`-style with `make traces` to see the
traces. Each function below is a hot loop that compiles:

- dot(a, b): `a[i] * b[i]` reads two items per iteration behind a type guard (the list is a list, the
  index is in range, the item is a float) and unboxes them; nothing is allocated.
- sieve(n): `flags[j] = False` stores an object; the old item's type is guarded (a bool: releasing it runs
  no Python code) and reference counts change inline.
- prefix_sums(a): `p[i] = s` boxes the int at the store (a cached object for -5..256).
- matmul(A, B, n): `Ai[k] * B[k][j]` reads a list of lists; the inner loop's exit is bridged through the
  two outer loops, which start the next `range` iterator in machine code.
- pairs(points): `for x, y in points` unpacks tuples without allocating any, `zip` and `enumerate` too.
"""


def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s


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
    return sum(flags)


def prefix_sums(a):
    p = [0] * len(a)
    s = 0
    for i in range(len(a)):
        s += a[i]
        p[i] = s
    return p


def matmul(A, B, n):
    C = [[0.0] * n for _ in range(n)]
    for i in range(n):
        Ci = C[i]
        Ai = A[i]
        for j in range(n):
            s = 0.0
            for k in range(n):
                s += Ai[k] * B[k][j]
            Ci[j] = s
    return C


def pairs(points, weights):
    cx = cy = 0.0
    for x, y in points:
        cx += x
        cy += y
    w = 0.0
    for (x, y), m in zip(points, weights):
        w += m * (x * x + y * y)
    last = -1
    for i, m in enumerate(weights):
        if m > 0.5:
            last = i
    return cx, cy, w, last


if __name__ == "__main__":
    a = [(i % 100) * 0.01 for i in range(100_000)]
    b = [1.0 / (i + 1) for i in range(100_000)]
    print("dot:", dot(a, b))
    print("primes below 200000:", sieve(200_000))
    print("prefix sums:", prefix_sums(list(range(50_000)))[-3:])
    n = 60
    A = [[(i + j) % 7 * 0.5 for j in range(n)] for i in range(n)]
    B = [[(i * j) % 5 - 2.0 for j in range(n)] for i in range(n)]
    print("matmul trace:", sum(matmul(A, B, n)[i][i] for i in range(n)))
    pts = [(i * 0.001, 1.0 - i * 0.002) for i in range(50_000)]
    print("pairs:", pairs(pts, [(i % 10) * 0.1 for i in range(50_000)]))
