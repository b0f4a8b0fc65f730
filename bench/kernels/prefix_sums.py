"""prefix_sums: running sums of a list of ints into a second list.

One for loop over range(len(a)): a list read, an int add, a list store of a new int object per iteration.
"""

N = 300_000


def prefix(a, p):
    s = 0
    for i in range(len(a)):
        s += a[i]
        p[i] = s
    return p


def main():
    a = [(i * 7919) % 1000 - 500 for i in range(N)]
    p = [0] * N
    for _ in range(10):
        prefix(a, p)
    print("prefix checksum:", p[-1], p[N // 2])


if __name__ == "__main__":
    main()
