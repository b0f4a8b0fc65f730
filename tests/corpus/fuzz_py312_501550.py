# Fuzz regression case: `python -m fuzz --one 501550` (CPython 3.12.1),
# fuzz params threshold=1,bridge_threshold=2,optimize=0,cost_model=0; found as: mismatch.
# Fails under the corpus test's params (threshold=2): yes.
# Differs: mismatch:stderr (stderr differs)
# plain exit 1, stdout (tail):
#   
# plain stderr (tail):
#   Traceback (most recent call last):
#     File "/tmp/fuzz-teczv75t/fuzz_prog.py", line 15, in <module>
#       for n, seed in ((6, 1), 0, 0, 0):
#           ^^^^^^^
#   TypeError: cannot unpack non-iterable int object
# tracejit exit 1, stdout (tail):
#   
# tracejit stderr (tail):
#   Traceback (most recent call last):
#     File "/tmp/fuzz-teczv75t/fuzz_prog.py", line 16, in <module>
#       f0(n, 0)
#     File "/tmp/fuzz-teczv75t/fuzz_prog.py", line 14, in f0
#       W(0, scale=3).o.y
#   AttributeError: 'list_iterator' object has no attribute 'y'
class P:
    __slots__ = 'y'

    def __init__(self, x):
        self.y = 1

class W:

    def __init__(self, k, o=None, scale=1):
        self.o = P(1)

def f0(n, seed):
    for i in range(n):
        W(0, scale=3).o.y
for n, seed in ((6, 1), 0, 0, 0):
    f0(n, 0)
