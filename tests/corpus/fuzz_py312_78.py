# Fuzz regression case: `python -m fuzz --one 78` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: crash:-11 (exit status differs: plain=0 jit=-11)
# plain exit 0, stdout (tail):
#   
# tracejit exit -11, stdout (tail):
#   
inf = float('inf')
g1 = 1e+308
g2 = 0
g3 = 0
for i in range(6):
    if g3 - 0.5 != g3 - 0.5:
        if i % 0 == 0:
            g0 = (g0 if i == 0 else g3 - g3) % 0
    elif g2 <= inf and i < 0:
        g0 = g0 + g1
    elif g1 - g3 < (g3 if g3 <= g2 else g0):
        g0 %= (g1 ** 0 or 5e-324) * (g2 - g3 / (i or 1)) or 1
        if g0 > 0 or g0 < 0:
            g0 %= 0
    g2 <<= 0
    if g2 > 0 or g2 < 0:
        g2 %= 0
    if i == 0:
        if g1 > 0 or g1 < 0:
            g1 %= 1
        if i / 1 != i / 1:
            pass
        else:
            g1 /= -g3 or 1
            if g1 > 0 or g1 < 0:
                g1 %= 0

def f1(a, b, n):
    global g0, g3
