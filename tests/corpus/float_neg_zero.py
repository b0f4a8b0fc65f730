# Signed zeros: repr distinguishes -0.0 from 0.0.

def run(n):
    a = 0.0
    b = 0.0
    c = 0.0
    d = 0.0
    neg_count = 0
    for i in range(n):
        a = -0.0 + -0.0
        b = 0.0 * -1.0
        c = -0.0 - 0.0
        d = -0.0 + 0.0
        e = -(i * 0.0)
        if e == 0.0:
            neg_count += 1
    return a, b, c, d, e, neg_count

a, b, c, d, e, k = run(400)
print(repr(a), repr(b), repr(c), repr(d), repr(e), k)
z = 1.0
for i in range(1200):
    z = z / -2.0
print(repr(z))
m = -0.0
for i in range(300):
    m = m * 5.0
print(repr(m), repr(-m), repr(m + 0), repr(m * 0), repr(0 * m), repr(m - 0))
n = 0.0
for i in range(301):
    n = -n
print(repr(n), repr(-0.0 * 0), repr(-0.0 / 3), repr(0.0 / -3), repr(-0.0 ** 1))
