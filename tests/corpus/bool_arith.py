# Bools are ints: arithmetic on them gives ints.

def run(n):
    s = 0
    t = True
    p = 0
    for i in range(n):
        b = i % 3 == 0
        s += b
        p = p + b * 2 - (not b)
        t = t + False
    return s, p, t, type(t).__name__, type(b).__name__

print(run(400))
x = True
for i in range(300):
    x = x * True
print(x, type(x).__name__)
y = False
for i in range(300):
    y = y + True
print(y, type(y).__name__)
z = 0
for i in range(300):
    z += True // 1 + True % 2 + (True ** 2) + (False - True)
print(z, repr(True / 2), True << 3, type(True << 0).__name__)
