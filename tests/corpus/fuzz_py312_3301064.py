# Fuzz regression case: `python -m fuzz --one 3301064` (CPython 3.12.1),
# fuzz params threshold=2,bridge_threshold=1,short_run=0; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=2,bridge_threshold=1,short_run=0.
# Differs: crash:-11 (exit status differs: plain=0 jit=-11)
# plain exit 0, stdout (tail):
#   
# tracejit exit -11, stdout (tail):
#   
S0 = 'AA~0'
ss, tt, dd, ww, n = (S0, S0, 0, 0, 9)
for i in range(n):
    t2 = tt[0:2]
    last = t2
    t2 = ss[i % 2 - 1:]
