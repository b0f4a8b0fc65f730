# Values right at the int64 boundary must behave like unbounded ints.

MAX = 2 ** 63 - 1
MIN = -2 ** 63

def up(start, n):
    x = start
    crossed = 0
    for i in range(n):
        x = x + 1
        if x > MAX:
            crossed += 1
    return x, crossed

print(up(MAX - 200, 400))

def down(start, n):
    x = start
    crossed = 0
    for i in range(n):
        x -= 1
        if x < MIN:
            crossed += 1
    return x, crossed

print(down(MIN + 150, 300))

v = 0
for i in range(300):
    v = -(MIN + i % 3)
print(v, type(v).__name__)

p = 0
for i in range(300):
    p = (2 ** 31) * (2 ** 32) + i - i
print(p, p == 2 ** 63, p - 1 == MAX)
w = 0
for i in range(350):
    w = MIN * -1 - i
print(w)
m = 0
for i in range(300):
    m = MAX * 2 - MAX - MAX + i
print(m)
n = MIN
for i in range(300):
    n = n // 1 + 0
print(n, n - 1, n + MAX)
