# int vs float comparisons must be exact, even beyond 2**53.

F = 9007199254740992.0  # 2**53

def run(n):
    eq = lt = gt = 0
    for i in range(n):
        k = 2 ** 53 - 150 + i
        if k == F:
            eq += 1
        if k < F:
            lt += 1
        if k > F:
            gt += 1
    return eq, lt, gt

print(run(300))
c = 0
for i in range(300):
    c += (2 ** 53 + 1 == F + 1) + (2 ** 53 + 1 > F + 1.0) + (2 ** 63 == 9.223372036854775808e18)
print(c)
d = 0
for i in range(300):
    d += (i == i * 1.0) + (i < i + 0.5) + (-i <= -i * 1.0) + (10 ** 30 > 1e30) + (10 ** 400 > 1e308)
print(d)
e = 0
big = 2 ** 64
for i in range(300):
    e += (big + i == big + i * 1.0) + (big - i < 1.8446744073709552e19)
print(e)
