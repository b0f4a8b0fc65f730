# Accumulating rounding errors must match exactly.

s = 0.0
for i in range(1000):
    s += 0.1
print(repr(s), s == 100.0)

h = 0.0
for k in range(1, 2000):
    h += 1.0 / k
print(repr(h))

def kahan(n):
    total = 0.0
    comp = 0.0
    for i in range(n):
        y = 0.1 - comp
        t = total + y
        comp = (t - total) - y
        total = t
    return total, comp

print(kahan(1000))
p = 1.0
for i in range(300):
    p *= 1.0 + 1e-3
print(repr(p))
