# Collatz stopping times (while inside for).

def steps(n):
    c = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        c += 1
    return c

best = 0
best_n = 0
total = 0
for n in range(1, 600):
    s = 0
    m = n
    while m != 1:
        if m & 1:
            m = 3 * m + 1
        else:
            m >>= 1
        s += 1
    total += s
    if s > best:
        best = s
        best_n = n
print(best, best_n, total, m, s)
print(steps(27), steps(97), steps(871))
