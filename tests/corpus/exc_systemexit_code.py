# Exit status after a hot loop: sys.exit with a computed code.

import sys

s = 0
for i in range(500):
    s = (s + i * i) % 251
print("s =", s)
sys.stdout.flush()
sys.exit(s % 100 + 3)
