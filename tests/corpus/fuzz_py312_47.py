# Fuzz regression case: `python -m fuzz --one 47` (CPython 3.12.1),
# fuzz params threshold=2,bridge_threshold=1,short_run=0; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: crash:-11 (exit status differs: plain=0 jit=-11)
# plain exit 0, stdout (tail):
#   
# tracejit exit -11, stdout (tail):
#   
def f1(a, b, n):
    for i in range(1, 8, 1):
        if i & 0 or i % 1 == 0:
            continue
        if x1 > 0 or x1 < 0:
            x1 %= 0
        for j in range(0, 0, 0):
            if x1 <= (b or x0):
                if x1 > (i if i < i <= i else j):
                    pass
                elif g2 == g2 & 0:
                    if g2 or j % 0 == 0:
                        pass
            elif j >= 0:
                if 0 + j > x0:
                    pass
            elif 0 > -i:
                pass
            for k in range(0):
                pass
            if i % 0 == 0:
                if a >= g0:
                    x0 = g2 <= b and b > 1e+308
                    if x0 > 0 or x0 < 0:
                        x0 %= 0
                    x1 = x1 << (b & 0)
                    if x1 > 0 or x1 < 0:
                        x1 %= 0
            x0 = b / (x0 or 1) + (g2 or x0)
            if x0 > 0 or x0 < 0:
                x0 %= 0
f1(7.75, False, 0)
