"""dot_product: dot products of two lists of floats, by index.

`s += a[i] * b[i]` over range(len(a)): every iteration reads two list items (type and bounds guards,
unboxing the floats). Measures list reads and float arithmetic on boxed floats stored in lists.
"""

N = 200_000
ROUNDS = 25


def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s


def main():
    a = [(i % 1000) * 0.001 for i in range(N)]
    b = [1.0 / (1 + i % 977) for i in range(N)]
    total = 0.0
    for _ in range(ROUNDS):
        total += dot(a, b)
    print("dot checksum:", repr(total))


if __name__ == "__main__":
    main()
