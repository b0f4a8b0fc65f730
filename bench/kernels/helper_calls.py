"""helper_calls: a loop calling small helper functions (default and keyword arguments, a branch in a helper).

The same computation as helper_inline.py, written with helpers: `clamp(v, lo=..., hi=...)`, `weight(i, k=3)`
with a branch, and `blend(a, b, t=0.5)` calling `clamp`. tracejit inlines the calls into the trace (no frame, no
call in the machine code); the target is at most 1.5x the time of the hand-inlined version.
"""

N = 2_000_000


def clamp(v, lo=0.0, hi=1.0):
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


def weight(i, k=3):
    if i % 16 == 0:
        return k * 2
    return k


def blend(a, b, t=0.5):
    return clamp(a * (1.0 - t) + b * t, hi=100.0)


def main():
    total = 0.0
    count = 0
    for i in range(N):
        x = i * 0.0001 - 50.0
        total += blend(x, 2.0 * x, t=0.25) + clamp(x)
        count += weight(i) + weight(i, k=1)
    print("helper_calls checksum: %.6f %d" % (total, count))


if __name__ == "__main__":
    main()
