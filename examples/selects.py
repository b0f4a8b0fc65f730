"""Branches over numbers without a guard: a random walk whose every step goes up or down by chance. Both sides
of each `if` only compute numbers into variables, so the trace computes both and a select (x86 cmov) keeps the
value of the side the condition picks: one trace, no guard on the coin, no bridge. Compare examples/branches.py,
whose `if` appends to a list: a guard, and a bridge for the other side."""


def walk(n):
    seed, pos, highest, ups = 1, 0, 0, 0
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        if seed & 0x10000:
            pos += 1
            ups += 1
        else:
            pos -= 1
        if pos > highest:
            highest = pos
    return pos, highest, ups


print(walk(1_000_000))
