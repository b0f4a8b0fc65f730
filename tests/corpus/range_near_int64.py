# Ranges whose bounds and loop variable cross the int64 limits.

MAX = 2 ** 63 - 1
MIN = -2 ** 63

def up(n):
    s = 0
    c = 0
    for i in range(MAX - n // 2, MAX + n // 2):
        s += i - MAX
        c += 1
    return s, c, i, i - MAX

print(up(400))

def down(n):
    s = 0
    for i in range(MIN + n // 2, MIN - n // 2, -1):
        s += i - MIN
    return s, i

print(down(300))
t = 0
for i in range(2 ** 62, 2 ** 62 + 500):
    t += i
print(t, i)
u = 0
for i in range(2 ** 70, 2 ** 70 + 3000, 7):
    u += i % 1000
print(u, i)
v = 0
for i in range(MAX - 1000, MAX, 3):
    v ^= i
print(v, i)
