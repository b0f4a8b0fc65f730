# Fuzz regression case: `python -m fuzz --one 976` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0; found as: mismatch.
# After shrinking, `range(2)` was raised to `range(40)` by hand (bridges then get built under bridge_threshold=20).
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   end 0 1
# tracejit exit 0, stdout (tail):
#   end 0 None
def h1(a=0, b=1):
    pass

def h2(a=0, b=0):
    pass

def mk_h3(k):

    def inner(a):
        return 1
    return inner
h3 = mk_h3(0)
FS = [h2, h3, h1]
for i in range(40):
    c1 = 0
    while True:
        c1 += 1
        if c1 > 7:
            break
        fn0 = FS[c1 % 3]
        if i:
            g1 = fn0(0)
print('end', 0, g1)
