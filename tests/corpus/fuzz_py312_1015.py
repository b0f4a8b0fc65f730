# Fuzz regression case: `python -m fuzz --one 1015` (CPython 3.12.1),
# fuzz params threshold=1,bridge_threshold=2,optimize=0; found as: mismatch.
# After shrinking, `range(51)` was raised to `range(198)` by hand (bridges then get built under bridge_threshold=20).
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   f0 None
# tracejit exit 0, stdout (tail):
#   f0 0
def h0(a=0, b=0, c=0):
    return 0

def h0_alt(a=0, b=0, c=1):
    pass
h0_std = h0

def f0(a, b, n):
    global h0
    for j in range(198):
        x0 = h0(0)
        if j % 7 == 0:
            h0 = h0_alt
        elif j % 3:
            h0 = h0_std
    return x0
print('f0', f0(0, 0, 0))
