# Fuzz regression case: `python -m fuzz --one 1706963` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=3; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=3,bridge_threshold=3.
# Differs: crash:-7 (exit status differs: plain=0 jit=-7)
# plain exit 0, stdout (tail):
#   
# tracejit exit -7, stdout (tail):
#   
S3 = '9\xa0\x9f99àAd\x9f\x9fd'
W = '-9\x9f'
D0 = 'à--'

def sf1(ss, tt, dd, ww, n):
    for r in range(n):
        for c in ss:
            if W[r % len(W)] in D0:
                continue
            sb = ss + ss
            if r < 2:
                pass
            elif r == 2:
                pass
sf1(S3, 0, 0, 0, 8)
