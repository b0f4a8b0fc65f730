# int / int always gives a float, correctly rounded even for big operands.

def small(n):
    s = 0.0
    for i in range(1, n):
        s += i / 7
        s -= (i * 3) / (i + 1)
    return s

print(repr(small(400)))

def big(n):
    acc = 0.0
    last = 0.0
    base = 2 ** 53 + 1
    for i in range(n):
        last = (base + i) / 3
        acc += last - (base / 3)
    return acc, last

acc, last = big(500)
print(repr(acc), repr(last), type(last).__name__)
print(repr((2 ** 53 + 1) / 3))
print(repr((10 ** 30 + 7) / (10 ** 12 + 3)))

# Quotients of huge ints that are exactly representable / need rounding.
x = 10 ** 40
total = 0.0
for i in range(1, 300):
    total += (x + i) / (x // 3 + i)
print(repr(total))
r = 0.0
for i in range(1, 400):
    r = (2 ** 64 + i) / (2 ** 11 + i)
print(repr(r))
print(repr(-7 / 2), repr(7 / -2), repr(0 / -5), repr(-0 / 5))
