# The loop bound is a global that changes between calls.

N = 300

def count():
    c = 0
    s = 0
    for i in range(N):
        c += 1
        s += i
    return c, s

def count_while():
    i = 0
    while i < N:
        i += 1
    return i

print(count(), count_while())
N = 1000
print(count(), count_while())
N = 0
print(count(), count_while())
N = 450
print(count(), count_while())
