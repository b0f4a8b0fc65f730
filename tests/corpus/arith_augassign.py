# Every augmented assignment operator in a hot loop.

def run(n):
    a = 1
    b = 1000000
    c = 0
    d = 12345
    e = 0
    f = 3
    g = -1
    h = 0
    for i in range(1, n):
        a += i
        b -= i
        c ^= i
        d |= i & 7
        d &= 0xFFFFF
        e += i % 9
        f *= 3
        f %= 1000003
        g <<= 1
        g >>= 1
        h += 1
        h //= 1
    return a, b, c, d, e, f, g, h

print(run(500))

x = 2.0
for i in range(300):
    x **= 1.0
    x /= 1.0001
    x *= 1.00009
print(repr(x))
k = 3
for i in range(300):
    k **= 1
    k += 2
    k %= 97
print(k)
