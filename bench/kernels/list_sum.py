"""list_sum: sums and counts over lists with `for x in a_list`.

A list iterator in the loop header, items of two types (ints, floats) in separate lists, a data-dependent
branch. Measures list iteration, unboxing of ints and floats, and guards on the items' types.
"""

N = 300_000
ROUNDS = 15


def stats(values, threshold):
    total = 0
    above = 0
    for x in values:
        total += x
        if x > threshold:
            above += 1
    return total, above


def main():
    ints = [(i * 7919) % 10007 for i in range(N)]
    floats = [((i * 31) % 1013) * 0.5 for i in range(N)]
    acc = 0
    for r in range(ROUNDS):
        t, k = stats(ints, 5000 + r)
        acc += t + k
        u, m = stats(floats, 250.0)
        acc += int(u) + m
    print("list_sum checksum:", acc)


if __name__ == "__main__":
    main()
