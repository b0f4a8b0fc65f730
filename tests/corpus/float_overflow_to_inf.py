# Float * overflows silently to inf (no exception), then inf - inf is nan.

INF = float("inf")

def grow(n):
    x = 1.0
    became_inf = -1
    for i in range(n):
        x = x * 1e10
        if x == INF and became_inf < 0:
            became_inf = i
    return x, became_inf

x, k = grow(300)
print(repr(x), k)
y = x - x
print(repr(y))
z = -1.0
for i in range(300):
    z *= 1e100
print(repr(z))
s = 1e308
for i in range(300):
    s = s + s
print(repr(s))
