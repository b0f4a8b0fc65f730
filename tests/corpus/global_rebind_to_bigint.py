# Global rebound to a huge int, then back to a small one.

OFFSET = 1

def bump(v):
    global OFFSET
    OFFSET = v

def hot(n):
    t = 0
    for i in range(n):
        t += OFFSET + i
    return t

print(hot(300))
bump(2 ** 63 - 1)
print(hot(300))
bump(-2 ** 63)
print(hot(300))
bump(10 ** 50)
print(hot(300))
bump(1)
print(hot(300))
