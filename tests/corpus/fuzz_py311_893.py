# Fuzz regression case: `python -m fuzz --one 893` (CPython 3.11.7),
# fuzz params threshold=2,bridge_threshold=2; found as: mismatch:stdout.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stdout (stdout differs)
# plain exit 0, stdout (tail):
#   end 1 1 0 0
# tracejit exit 0, stdout (tail):
#   end 1 1 False 0
g2 = 1
c0 = 0
while True:
    c0 += 1
    if c0 > 4:
        break
    g2 *= 0
    if 0 <= c0 < 4:
        g2 = 0 >= 0
print('end', 1, 1, g2, 0)
