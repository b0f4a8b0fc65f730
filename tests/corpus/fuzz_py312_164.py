# Fuzz regression case: `python -m fuzz --one 164` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0; found as: mismatch:stdout.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=3,bridge_threshold=1,reject_limit=5,short_run=0.
# Differs: None ()
# plain exit 0, stdout (tail):
#   f0 (1000, 0, 1, 43, 108)
#   43
#   end 5e-324 43 9223372036854775808
# tracejit exit 0, stdout (tail):
#   f0 (1000, 0, 1, 43, 108)
#   43
#   end 5e-324 43 9223372036854775808
nan = float('nan')
inf = float('inf')
g0 = 5e-324
g1 = -9223372036854775808
g2 = 9223372036854775808

def tb_line(e):
    t = e.__traceback__
    while t.tb_next is not None:
        t = t.tb_next
    return t.tb_lineno

def f0(a, b, n):
    global g1
    x0 = a
    x1 = a
    x2 = False
    x3 = a
    acc = 0
    for i in range(10 ** 18):
        if i >= 65:
            break
        if a + g0 != a + g0:
            acc += 1
            break
        x1 *= x2 if g1 else x2
        if x1 > 1000000000000000 or x1 < -1000000000000000:
            x1 %= 2147483647
        if i % 2 == 1:
            if 1000 ^ g1 or 9.223372036854776e+18 / 0.5 == (g2 if x3 != a else x0):
                x2 = x3 // (13 | 1)
                if x2 > 9223372036854775807 or x2 < -9223372036854775807:
                    x2 %= 2147483647
                if i == 33:
                    continue
            elif not x2 != x2:
                acc += 1000
                continue
            if i >= 38:
                x2 = ~(x0 - a)
                if x2 > 9223372036854775807 or x2 < -9223372036854775807:
                    x2 %= 2147483647
                x0 &= i and -7
            else:
                x2 = g1 % (2 | 1) % 2147483647
        elif x3 < 1 <= a or x3 != g1:
            x1 = x3 - x3
            if x1 > 1000000000000000 or x1 < -1000000000000000:
                x1 %= 2147483647
        elif x0:
            if i & 8:
                x0 = x2 - -128
                acc = acc * 31 + i & 4294967295
        if x3 < 1 and 1 <= i < 43:
            x1 -= -(-1 // 0.5) * (x0 * 5e-324 * (x0 / (a or 1)))
            if x1 > 1000000000000000 or x1 < -1000000000000000:
                x1 %= 2147483647
            if i & 8:
                x0 = i & 255
                if x0 > 9223372036854775807 or x0 < -9223372036854775807:
                    x0 %= 2147483647
                if i > 33:
                    acc += 7
                    continue
        elif 3 < 2 >> (a & 15) <= a:
            x3 = x3 + (x2 + 3)
        elif g1 & 64 != x0 & g1:
            if (x3 if 0 != g1 else g1) != 5e-324:
                acc += 1
                continue
            if i < x3 + a <= -0.0:
                continue
        elif x0 ** 0:
            acc += 1
            continue
    else:
        acc += 1000
    for i in range(56):
        x2 = (i <= 56) % 2147483647
        if x2 * x0 != x0 + i:
            continue
        for j in range(44):
            d = {j % 3: g1}
            acc += len(d)
            if i < (13 or a) <= a:
                if 3 / (x3 or 1) < -a:
                    x1 %= x1 % -2 or 1
                    if j <= 13:
                        acc += 1
                        continue
                else:
                    x3 = j
                    if x3 > 9223372036854775807 or x3 < -9223372036854775807:
                        x3 %= 2147483647
            if (x3 > -9223372036854775808) == (i == x2):
                x1 = x0
                if x1 > 1000000000000000 or x1 < -1000000000000000:
                    x1 %= 2147483647
                if j >= 19:
                    if i >= 29:
                        x1 = x1 * 1.0
                    if j == 31:
                        break
                elif g1 > g1 - x2:
                    x1 += (5 or g0 if i % 2 != 0 else x1) * (9.223372036854776e+18 / (g2 or 1) if (x2 if x2 else j) >= j else x2 / (x3 or 1))
                    if x1 > 1000000000000000 or x1 < -1000000000000000:
                        x1 %= 2147483647
                elif i % 2 == 1:
                    break
            else:
                x0 ^= -(i ^ i)
        g1 = x3 & x3
        if g1 > 9223372036854775807 or g1 < -9223372036854775807:
            g1 %= 2147483647
    return (x0, x1, x2, x3, acc)
try:
    print('f0', f0(1000, 100, 10000))
except Exception as e:
    print('caught', type(e).__name__, e, tb_line(e))
print(g1)
print('end', g0, g1, g2)
