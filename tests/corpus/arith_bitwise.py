# & | ^ ~ with positive and negative ints.

a_and = 0
a_or = 0
a_xor = 0
for i in range(-400, 400):
    a_and += i & 0x5A
    a_or += i | 0x33
    a_xor += (i ^ -17) & 0xFF
print(a_and, a_or, a_xor)

def mix(n):
    h = 0
    inv = 0
    for i in range(n):
        h = (h ^ (i * 2654435761)) & 0xFFFFFFFF
        h = ((h << 5) | (h >> 27)) & 0xFFFFFFFF
        inv += ~i
    return h, inv

print(mix(1000))

m = -1
for i in range(300):
    m = m & ~(1 << (i % 64))
print(m, type(m).__name__)
pc = 0
for i in range(1024):
    v = i
    while v:
        v &= v - 1
        pc += 1
print("popcount total", pc)
