# A global read in a hot loop is rebound by another function between calls.

K = 3

def set_k(v):
    global K
    K = v

def hot(n):
    s = 0
    for i in range(n):
        s += i * K
    return s

print(hot(400))
set_k(5)
print(hot(400))
set_k(-7)
print(hot(400))
set_k(2 ** 62)
print(hot(400))
set_k(0.5)
print(hot(400))
set_k(True)
print(hot(400))
set_k(3)
print(hot(400))
