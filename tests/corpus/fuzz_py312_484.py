# Fuzz regression case: `python -m fuzz --one 484` (CPython 3.12.1),
# fuzz params threshold=1,bridge_threshold=2,optimize=0; found as: mismatch.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=1,bridge_threshold=2,optimize=0.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   m0 1 0 0 0
# tracejit exit 0, stdout (tail):
#   m0 None 0 0 0
def h0(a, b=1.0):
    pass

def h0_alt(a, b=1.0):
    return 1
h0_std = h0
for i in range(33):
    g0 = h0(0)
    if i % 4 == 3:
        h0 = h0_alt
    elif i % 2 == 0:
        h0 = h0_std
print('m0', g0, 0, 0, 0)
