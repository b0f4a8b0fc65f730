# Fuzz regression case: `python -m fuzz --one 294` (CPython 3.12.1),
# fuzz params threshold=2,bridge_threshold=2; found as: mismatch.
# After shrinking, `range(26)` was raised to `range(400)` by hand (bridges then get built under bridge_threshold=20).
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   f2 None
# tracejit exit 0, stdout (tail):
#   f2 0
def h2(a, b=0, c=None):
    return 0

def h2_alt(a, b=0, c=None):
    pass
h2_std = h2

def f2(a, b, n):
    global g1, g2, h0, h2
    for i in range(400):
        for j in range(0, 5):
            x1 = h2(0, 0)
            if i % 2:
                h2 = h2_alt
            elif i:
                h2 = h2_std
    return x1
print('f2', f2(0, False, 0))
