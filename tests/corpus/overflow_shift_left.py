# Left shifts past 64 bits.

def run(n):
    s = 0
    for i in range(n):
        s += 1 << i
    return s

print(run(63), run(64), run(65), run(130) == 2 ** 130 - 1)
t = 0
for i in range(300):
    t ^= 3 << (i % 70)
print(t)
u = 1
for i in range(300):
    u = (u << 1) | 1
print(u % 1000003, u > 2 ** 299)
v = -1
for i in range(100):
    v = v << 1
print(v)
