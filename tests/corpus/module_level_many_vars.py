# Many module-level variables live across a hot loop.

a = 1
b = 2
c = 3
d = 4.0
e = 5
f = 6
g = True
h = 0
for i in range(500):
    t = a + b
    a = b
    b = t
    a %= 1000
    b %= 1000
    c = (c * a + b) % 9973
    d = d * 0.999 + c * 0.001
    e ^= c
    f = f + (g and 1 or 2)
    g = not g
    h += a - b + c - e
print(a, b, c, repr(d), e, f, g, h, i)
