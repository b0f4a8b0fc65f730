# int op float promotes to float; int op int stays int.

def f(n):
    a = 0
    b = 0.0
    c = 0
    for i in range(n):
        a += i * 3
        b += i * 0.5
        c += i // 2
        b = b - i + 0.25
    return a, b, c

a, b, c = f(400)
print(a, repr(b), c, type(a).__name__, type(b).__name__)
x = 1
y = 0
for i in range(300):
    y = x + 0.0
    x = x + 1
print(repr(y), x, type(y).__name__, type(x).__name__)
z = 0
for i in range(300):
    z = i * 1.0 - i
print(repr(z), type(z).__name__)
q = 10
for i in range(1, 300):
    q = (q * i) % 1000003 + i / 2 - i / 2
print(repr(q), type(q).__name__)
