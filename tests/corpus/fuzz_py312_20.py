# Fuzz regression case: `python -m fuzz --one 20` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=3; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: crash:-11 (exit status differs: plain=0 jit=-11)
# plain exit 0, stdout (tail):
#   
# tracejit exit -11, stdout (tail):
#   
g0 = 0
c0 = 0
while c0 < 7:
    c0 += 1
    if (g0 < g0 <= 0) < c0:
        if g0 + c0 <= 0:
            pass
        elif c0 < 0 <= c0:
            pass
        elif c0 % 5 != 0 and 0 <= g0:
            if g0:
                continue
        if c0 & 1:
            continue
    elif (c0 if c0 < 0 else 0) >= g0 + g1:
        pass
    elif c0 >= 0:
        if g0 - g0 < g0 + c0:
            if g1 > 0 or g1 < 0:
                g1 %= 0
        elif 0.0 < 1e+308 / (c0 or 1):
            g0 = 0
        elif c0 - g0 == g0 % (g0 | 1):
            acc2 = acc2 * 0 + c0 & 0
        else:
            g1 = (c0 and g0) % 0
    elif c0 >= 0:
        if c0 % 0 != 0:
            pass
    else:
        g1 = (c0 >= g0 or -g0) + (g0 or c0)
    g1 = (g0 * g0) ** 0 % 1
    for j in range(-9223372036854775808, -9223372036854775828, -1):
        g0 -= g0
        if j <= 0:
            pass
        g0 = (0 if c0 >= 5 else -c0) % 4
