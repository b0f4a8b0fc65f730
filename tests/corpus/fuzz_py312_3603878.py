# Fuzz regression case: `python -m fuzz --one 3603878` (CPython 3.12.1),
# fuzz params threshold=1,bridge_threshold=1,cost_model=0; found as: mismatch.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=1,bridge_threshold=1,cost_model=0.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   f0 1.0
# tracejit exit 0, stdout (tail):
#   f0 None
def h4(a=9.223372036854776e+18, b=None):
    return 1.0

def h4_alt(a=9.223372036854776e+18, b=None):
    pass

def f0(a, b, n):
    x0 = 0
    for j in range(25):
        x3 = h4(b=x0)
        h4.__code__, h4_alt.__code__ = (h4_alt.__code__, h4.__code__)
    return x3
print('f0', f0(0, 0, 0))
