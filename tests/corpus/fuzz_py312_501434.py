# Fuzz regression case: `python -m fuzz --one 501434` (CPython 3.12.1),
# fuzz params threshold=2,bridge_threshold=1,short_run=0; found as: mismatch.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: crash:-11 (exit status differs: plain=1 jit=-11; stderr differs)
# plain exit 1, stdout (tail):
#   
# plain stderr (tail):
#   Traceback (most recent call last):
#     File "/tmp/fuzz-mhd29pon/fuzz_prog.py", line 16, in <module>
#       for n, seed in ((6, 1), 0, 0, 0):
#           ^^^^^^^
#   TypeError: cannot unpack non-iterable int object
# tracejit exit -11, stdout (tail):
#   
class P:
    __slots__ = 'y'

    def __init__(self, x):
        self.y = 1

class W:

    def __init__(self, k, o=None, scale=1):
        self.o = P(0)

def f0(n, seed):
    acc, t = (0, 0.5)
    for i in range(n):
        W(0, scale=3).o.y
for n, seed in ((6, 1), 0, 0, 0):
    f0(n, 0)
