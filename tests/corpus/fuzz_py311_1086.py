# Fuzz regression case: `python -m fuzz --one 1086` (CPython 3.11.7),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0; found as: mismatch.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   0 6 0
# tracejit exit 0, stdout (tail):
#   0 True 0
g2 = 1e+16

def f0(a, b, n):
    global g0, g2, g3
    for i in range(n):
        g2 += 1
        if i <= 6:
            g2 = b
f0(1, True, 12)
print(0, g2, 0)
