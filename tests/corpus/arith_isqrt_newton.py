# Integer square root by Newton's method.

def isqrt(n):
    if n < 2:
        return n
    x = n
    y = (x + 1) // 2
    while y < x:
        x = y
        y = (x + n // x) // 2
    return x

ok = 0
s = 0
for n in range(0, 1500):
    r = n
    if n >= 2:
        x = n
        y = (x + 1) // 2
        while y < x:
            x = y
            y = (x + n // x) // 2
        r = x
    s += r
    if r * r <= n < (r + 1) * (r + 1):
        ok += 1
print(ok, s, r)
print(isqrt(2 ** 64), isqrt(10 ** 30), isqrt(2 ** 63 - 1))
