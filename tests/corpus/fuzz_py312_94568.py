# Fuzz regression case: `python -m fuzz --one 94568` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0,spend_ms=0,little_left=0; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=3,bridge_threshold=1,reject_limit=5,short_run=0,spend_ms=0,little_left=0.
# Differs: crash:-11 (exit status differs: plain=1 jit=-11; stderr differs)
# plain exit 1, stdout (tail):
#   
# plain stderr (tail):
#   Traceback (most recent call last):
#     File "/tmp/fuzz-7but6hc6/fuzz_prog.py", line 7, in <module>
#       if t2 >= ss[r]:
#                ~~^^^
#   IndexError: string index out of range
# tracejit exit -11, stdout (tail):
#   
S1 = '099~09b9~~中~b'
S2 = '~9~'
ss, tt, dd, ww, n = (S1, S2, 0, 0, 18)
for r in range(n):
    for c in ss:
        t2 = ss[:2].zfill(0)
        if t2 >= ss[r]:
            continue
        last = t2
        if tt[r % len(tt)] == '~':
            pass
