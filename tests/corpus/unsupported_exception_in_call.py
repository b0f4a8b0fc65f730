# An exception raised inside a function called from a hot loop (uncaught).

def check(i):
    if i == 420:
        raise RuntimeError("bad value %d" % i)
    return i % 3

def run(n):
    s = 0
    for i in range(n):
        s += check(i)
    return s

print(run(400))
print(run(1000))
