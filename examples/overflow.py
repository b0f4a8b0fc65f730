"""Deoptimization: the accumulator overflows int64 mid-loop; the guard fails and the interpreter carries
on with a big int, exactly where the machine code stopped."""


def grow(n):
    x = 1
    for i in range(n):
        x = x * 3 + i
    return x


print(grow(60) % 1_000_003, grow(200) % 1_000_003)
