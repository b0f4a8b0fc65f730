# Fuzz regression case: `python -m fuzz --one 504` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=3; found as: mismatch:stdout.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=3,bridge_threshold=3.
# Differs: None ()
# plain exit 0, stdout (tail):
#   m0 -5 9.223372036854776e+18 True 9.223372036854776e+18 0
#   f1 (100, 167586.0, -2147483648, 0)
#   92.25 9.223372036854776e+18
#   f1 (100, 3.0, -2147483648, 0)
#   92.25 9.223372036854776e+18
#   end 92.25 9.223372036854776e+18 True 9.223372036854776e+18
# tracejit exit 0, stdout (tail):
#   m0 -5 9.223372036854776e+18 True 9.223372036854776e+18 0
#   f1 (100, 167586.0, -2147483648, 0)
#   92.25 9.223372036854776e+18
#   f1 (100, 3.0, -2147483648, 0)
#   92.25 9.223372036854776e+18
#   end 92.25 9.223372036854776e+18 True 9.223372036854776e+18
nan = float('nan')
inf = float('inf')
g0 = 13
g1 = 9.223372036854776e+18
g2 = -1.0
g3 = 5e-324

def tb_line(e):
    t = e.__traceback__
    while t.tb_next is not None:
        t = t.tb_next
    return t.tb_lineno
acc0 = 0
try:
    c0 = 0
    while c0 < 52:
        c0 += 1
        c1 = 0
        while c1 < 5:
            c1 += 1
            g0 = 9007199254740992.0
            if g0 > 1000000000000000 or g0 < -1000000000000000:
                g0 %= 1000003
            if c1 & 255:
                if c0 >= 29:
                    g2 = True
            elif c0 or c1 % 16 == 11:
                break
            g0 = g1
            if g0 > 1000000000000000 or g0 < -1000000000000000:
                g0 %= 1000003
            if c0 < (1 or g1) <= g1:
                g0 = 1 % (64 or 1)
                if g0 > 1000000000000000 or g0 < -1000000000000000:
                    g0 %= 1000003
            elif c1 == 4 or g3 != g3:
                g0 = c1 - g3 - c0 - g1 // -2
                if g0 > 1000000000000000 or g0 < -1000000000000000:
                    g0 %= 1000003
            elif 5 <= c0 < 33:
                g2 += c0
                if g2 > 1000000000000000 or g2 < -1000000000000000:
                    g2 %= 1000003
                g3 %= (c1 or 1) ** (-1) or 1
                if g3 > 1000000000000000 or g3 < -1000000000000000:
                    g3 %= 1000003
            else:
                g0 = -c1
        g3 = g1
except Exception as e:
    print('caught', type(e).__name__, e, tb_line(e))
print('m0', g0, g1, g2, g3, acc0)

def f1(a, b, n):
    global g0, g1
    x0 = 100
    x1 = b
    x2 = -2147483648
    acc = 0
    for i in range(n):
        x1 = ((a if i < -7 <= i else x1) if i % 5 != 3 and i % 4 == 0 else b + g2) + (g1 / (a or 1) if b + g1 > i else x0)
        if x1 > 1000000000000000 or x1 < -1000000000000000:
            x1 %= 1000003
        if not a:
            if i == 973:
                x1 = 13 / (g3 or 1)
                if x1 > 1000000000000000 or x1 < -1000000000000000:
                    x1 %= 1000003
                x2 = (i & 8) + (b if -128 != -128 else b)
            elif b != b & b:
                if i - -7.75 >= (i == 288):
                    break
            elif i < 2807:
                if (i or b) == i + i:
                    continue
        elif i % 2 == 1 and g3 != g3:
            if i == 3574:
                break
        elif (255 < g3 <= i) >= 9.223372036854776e+18 // (g2 or 1):
            acc = acc * 31 + i & 4294967295
        else:
            g0 = x0 + -7.75
            if g0 > 1000000000000000 or g0 < -1000000000000000:
                g0 %= 1000003
    return (x0, x1, x2, acc)
try:
    print('f1', f1(10, 0, 5000))
except Exception as e:
    print('caught', type(e).__name__, e, tb_line(e))
print(g0, g1)
try:
    print('f1', f1(-9223372036854775808, 3, 724))
except Exception as e:
    print('caught', type(e).__name__, e, tb_line(e))
print(g0, g1)
print('end', g0, g1, g2, g3)
