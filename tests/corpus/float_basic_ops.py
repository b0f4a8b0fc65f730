# Float + - * / in hot loops.

def run(n):
    a = 0.0
    b = 1.0
    c = 100.0
    for i in range(n):
        a = a + 0.1
        b = b * 1.001
        c = c - a / b
    return a, b, c

a, b, c = run(500)
print(repr(a), repr(b), repr(c))
x = 3.0
y = 0.0
for i in range(400):
    y += x * i - x / 3.0
    x = x + 0.5 - 0.25 * 2.0
print(repr(x), repr(y), type(y).__name__)
z = 1.0
for i in range(300):
    z = z / 1.5 + 1.0
print(repr(z))
