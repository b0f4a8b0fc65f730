# Fuzz regression case: `python -m fuzz --one 5747` (CPython 3.12.1),
# fuzz params threshold=3,bridge_threshold=1,reject_limit=5,short_run=0; found as: mismatch.
# Fails under the corpus test's params (threshold=2): NO, only under threshold=3,bridge_threshold=1,reject_limit=5,short_run=0.
# Differs: mismatch:status+stderr (exit status differs: plain=1 jit=0; stderr differs)
# plain exit 1, stdout (tail):
#   
# plain stderr (tail):
#   Traceback (most recent call last):
#     File "/tmp/fuzz-0m8562yg/fuzz_prog.py", line 10, in <module>
#       fn0(0)
#   TypeError: 'int' object is not callable
# tracejit exit 0, stdout (tail):
#   
def h0(a):
    pass

def h1(a):
    pass
FS = [h0, h1, 0]
for i in range(47):
    fn0 = FS[i % 3]
    if i % 13 == 0:
        fn0(0)
