# Module constants read inside hot loops.

LIMIT = 1000
STEP = 7
SCALE = 2.5
MASK = 0xFFFF

def run():
    s = 0
    f = 0.0
    i = 0
    while i < LIMIT:
        s = (s + i * STEP) & MASK
        f += SCALE
        i += 1
    return s, f

print(run())
LIMIT = 300
print(run())
