# Digit sums and reversals via // and %.

def digit_sum(n):
    s = 0
    while n > 0:
        s += n % 10
        n //= 10
    return s

total = 0
rev_total = 0
pal = 0
for i in range(1, 2000):
    n = i
    s = 0
    r = 0
    while n:
        d = n % 10
        s += d
        r = r * 10 + d
        n = n // 10
    total += s
    rev_total += r
    if r == i:
        pal += 1
print(total, rev_total, pal, n, r)
print(digit_sum(2 ** 100), digit_sum(99999999999999999999))
