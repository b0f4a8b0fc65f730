# Float exponentiation.

def run(n):
    s = 0.0
    r = 0.0
    for i in range(1, n):
        x = i * 0.01
        s += x ** 2.0
        s -= x ** 0.5
        r += 2.0 ** (-i)
    return s, r

print(run(400))
a = 0.0
for i in range(300):
    a = (i + 0.5) ** 3
print(repr(a))
b = 0.0
for i in range(300):
    b = 1.0001 ** i
print(repr(b))
c = 0.0
for i in range(300):
    c = (-2.0) ** 3 + (-2.0) ** 2.0 + 4 ** 0.5 + 0.0 ** 0
print(repr(c))
d = 0.0
for i in range(1, 301):
    d += i ** 0.5 - 1.0 / i ** 0.5
print(repr(d), repr(0.0 ** 2.5), repr((-0.0) ** 3), repr((-0.0) ** 2), repr(1.0 ** float("nan")))
