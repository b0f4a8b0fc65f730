# Float // with negatives and signed zeros.

def run(n):
    acc = 0.0
    last1 = last2 = 0.0
    for i in range(-n, n):
        x = i * 0.5
        last1 = x // 3.0
        last2 = x // -3.0
        acc += last1 * 2.0 - last2
    return acc, last1, last2

print(run(350))
a = b = c = d = 0.0
for i in range(300):
    a = -7.5 // 2
    b = 7.5 // -2
    c = -0.0 // 1.0
    d = 0.0 // -1.0
print(repr(a), repr(b), repr(c), repr(d))
e = f = g = 0.0
for i in range(300):
    e = 1.0 // 3.0
    f = -1.0 // 3.0
    g = 0.5 // -0.25
print(repr(e), repr(f), repr(g))
h = 0.0
for i in range(1, 300):
    h += (i * 1.3) // 0.1 - (-i * 1.3) // 0.1
print(repr(h), repr(5.0 // float("inf")), repr(-5.0 // float("inf")))
