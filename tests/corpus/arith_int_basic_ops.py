# Basic int + - * in hot loops, in a function and at module level.

def accumulate(n):
    total = 0
    diff = 0
    prod = 1
    for i in range(n):
        total = total + i
        diff = diff - i * 2
        prod = (prod * 7 + i) - (prod * 6)
    return total, diff, prod


t, d, p = accumulate(500)
print("total", t)
print("diff", d)
print("prod", p)
print(type(t).__name__, type(d).__name__, type(p).__name__)

s = 0
k = 0
for j in range(1000):
    s += j * j - 3 * j + 1
    k = k + 1
print("module sum", s, "iterations", k, "last j", j)
