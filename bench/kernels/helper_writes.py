"""helper_writes: a loop calling a helper that stores into a list and a global, then computes.

`record(x)` counts `x` into a histogram (a list item) and a global total, then returns `x * scale + 1`: the
overflow guard of that multiplication comes after the writes. An exit there cannot restart the call (the
writes would run twice): tracejit rebuilds the inlined frame mid-body instead (runtime/resume.py).
"""

N = 3_000_000

hist = [0] * 16
total = 0


def record(x, scale=3):
    global total
    hist[x & 15] += 1
    total += x
    return x * scale + 1


def main():
    s = 0
    for i in range(N):
        s += record(i)
    print("helper_writes checksum:", s, hist[:4], total)


if __name__ == "__main__":
    main()
