# // and % with every sign combination; Python floors toward -infinity.

def check(lo, hi):
    acc_q = 0
    acc_r = 0
    mix = 0
    count = 0
    for a in range(lo, hi):
        q1 = a // 7
        r1 = a % 7
        q2 = a // -7
        r2 = a % -7
        q3 = a // 3
        r3 = a % -3
        acc_q += q1 * 3 + q2 * 5 + q3
        acc_r += r1 * 11 + r2 * 13 + r3
        mix ^= (q1 * 7 + r1 - a) + (q2 * -7 + r2 - a) + 1
        count += 1
    return acc_q, acc_r, mix, count

print(check(-400, 400))
print(check(-1000, -500))

# Identity a == (a // b) * b + a % b must hold for all signs.
bad = 0
for a in range(-350, 350):
    b = (a % 13) - 6
    if b == 0:
        b = 5
    if (a // b) * b + a % b != a:
        bad += 1
    r = a % b
    if b > 0 and not (0 <= r < b):
        bad += 1
    if b < 0 and not (b < r <= 0):
        bad += 1
print("bad", bad, "last", a, b, a // b, a % b)
print(-1 // 2, -1 % 2, 1 // -2, 1 % -2, -9 // -4, -9 % -4)
