"""helper_inline: helper_calls.py with its helpers written inline by hand (the reference it is compared with)."""

N = 2_000_000


def main():
    total = 0.0
    count = 0
    for i in range(N):
        x = i * 0.0001 - 50.0
        v = x * (1.0 - 0.25) + 2.0 * x * 0.25
        if v < 0.0:
            v = 0.0
        elif v > 100.0:
            v = 100.0
        c = x
        if c < 0.0:
            c = 0.0
        elif c > 1.0:
            c = 1.0
        total += v + c
        count += (6 if i % 16 == 0 else 3) + (2 if i % 16 == 0 else 1)
    print("helper_calls checksum: %.6f %d" % (total, count))


if __name__ == "__main__":
    main()
