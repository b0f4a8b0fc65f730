# Fuzz regression case: `python -m fuzz --one 8102846` (CPython 3.13.0),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=3,bridge_threshold=1,reject_limit=5,short_run=0.
# Differs: crash:-11 (exit status differs: plain=1 jit=-11; stderr differs)
# plain exit 1, stdout (tail):
#   
# plain stderr (tail):
#   Traceback (most recent call last):
#     File "/tmp/fuzz-eh151wj8/fuzz_prog.py", line 12, in <module>
#       if ww[r >> 1] == tt:
#          ~~^^^^^^^^
#   IndexError: list index out of range
# tracejit exit -11, stdout (tail):
#   
class K(str):
    pass
S2 = 'Aÿÿ𝄞ÿAAÿe'
S3 = '!!\x80\x80e'
W = ['!!!', 'A', '', '𐀀e', 'ÿ', K('ÿ𝄞ÿe'), 'e\x80ÿ\x80', '!!']
ss, tt, dd, ww, n = (S3, S2, 0, W, 20)
sb = ss
for r in range(n):
    for ca in ss:
        sb = sb + tt
        for cb in tt:
            if ww[r >> 1] == tt:
                pass
            if len(ww):
                pass
