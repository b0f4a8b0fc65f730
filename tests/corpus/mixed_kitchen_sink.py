# Many supported operations in one loop body.

def run(n):
    a = 0
    b = 1.0
    c = True
    d = -5
    e = 0
    for i in range(n):
        a += (i * 3 - 7) // 4 + (i % 11) ** 2 - (i << 2) + (i >> 1)
        b = b * 1.0001 - (i & 3) * 0.001 + (i / 7.0) % 1.5
        c = not c or (i % 13 == 0)
        d = -d if d < 0 else ~d
        e ^= (a & 0xFFFF) | (i << 3)
        if 100 < i <= 200 and c:
            a -= 1
        elif i > 250 or not c:
            e += 1
        else:
            b += -0.5
    return a, repr(b), c, d, e

print(run(400))
print(run(1000))
