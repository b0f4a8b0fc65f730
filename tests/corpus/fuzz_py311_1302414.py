# Fuzz regression case: `python -m fuzz --one 1302414` (CPython 3.11.7),
# fuzz params threshold=2,bridge_threshold=2; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=2,bridge_threshold=2.
# Differs: crash:-11 (exit status differs: plain=0 jit=-11)
# plain exit 0, stdout (tail):
#   
# tracejit exit -11, stdout (tail):
#   
S2 = 'AcZZAcAZcZ'
W = 'AAA'
D0 = 'AAA'

def sf2(ss, tt, dd, ww, n):
    for r in range(n):
        for wa in ww:
            t2 = tt[:r]
            last = t2
            if tt[r] in dd:
                pass
sf2(0, S2, D0, W, 4)
