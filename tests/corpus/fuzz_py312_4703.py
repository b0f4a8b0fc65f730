# Fuzz regression case: `python -m fuzz --one 4703` (CPython 3.12.1),
# fuzz params threshold=1,bridge_threshold=2,optimize=0; found as: mismatch.
# After shrinking, `range(5 ** 3)` was raised to `range(2000)` by hand (bridges then get built under bridge_threshold=20).
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   end 0 0
# tracejit exit 0, stdout (tail):
#   end None 0
def h0(a=0, b=4500000000000000.0, c=None):
    return 0

def h3(a, b=0):
    pass
FS = [h3, h0]
for i in range(2000):
    fn0 = FS[i % 2]
    if i % 13 == 0:
        g0 = fn0(0, b=i)
print('end', g0, 0)
