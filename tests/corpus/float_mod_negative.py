# Float % follows the sign of the divisor; signed zeros matter.

def run(n):
    acc = 0.0
    neg_zero = 0
    pos_zero = 0
    last = 0.0
    for i in range(-n, n):
        x = i * 0.75
        r1 = x % 2.5
        r2 = x % -2.5
        acc += r1 * 3.0 + r2
        last = r2
        if r2 == 0.0:
            neg_zero += 1
        if r1 == 0.0:
            pos_zero += 1
    return acc, neg_zero, pos_zero, last

print(run(300))
v = 0.0
for i in range(300):
    v = -0.0 % 5.0
w = 0.0
for i in range(300):
    w = 0.0 % -5.0
print(repr(v), repr(w))
a = b = c = d = 0.0
for i in range(300):
    a = -3.5 % 2.0
    b = 3.5 % -2.0
    c = -1e-300 % 1.0
    d = 1e-300 % -1.0
print(repr(a), repr(b), repr(c), repr(d))
e = 0.0
for i in range(1, 300):
    e += (-i * 1.1) % 0.7 + (i * 1.1) % -0.7
print(repr(e), repr(7.0 % float("inf")), repr(-7.0 % float("inf")))
