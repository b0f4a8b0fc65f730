# Fuzz regression case: `python -m fuzz --one 5019` (CPython 3.12.1),
# fuzz params threshold=2,bridge_threshold=2; found as: mismatch.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   f0 True
# tracejit exit 0, stdout (tail):
#   f0 1
g1 = True

def f0(a, b, n):
    x1 = 0
    for i in range(1164):
        x1 //= 1
        x1 = g1
        if i % 4 != 3:
            x1 *= 0
    return x1
print('f0', f0(False, 0, 0))
