# `and` / `or` return one of their operands, not necessarily a bool.

def run(n):
    s = 0
    zeros = 0
    fsum = 0.0
    last_or = None
    last_and = None
    for i in range(n):
        a = i % 4
        b = i % 5
        x = a or b
        y = a and b
        z = (a and 7) or 100
        s += x + y + z
        if not (a or b):
            zeros += 1
        f = (i % 2) * 0.5 or -1.5
        fsum += f
        last_or = x
        last_and = y
    return s, zeros, fsum, last_or, last_and

print(run(400))
v = 0
for i in range(300):
    v = i or 99
print(v, type(v).__name__)
w = 1
for i in range(300):
    w = 0.0 or i and i > 150
print(w, type(w).__name__)
u = 5
for i in range(301):
    u = (i > 1000) or 0.0
print(repr(u), type(u).__name__)
t = 0
for i in range(300):
    t = (i and True) or False
print(t, type(t).__name__)
