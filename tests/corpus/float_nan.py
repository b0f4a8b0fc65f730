# NaN semantics: all comparisons false except !=, propagation, truthiness.

nan = float("nan")
inf = float("inf")

def run(n):
    eq = ne = lt = gt = le = ge = truthy = 0
    x = 0.0
    for i in range(n):
        v = nan if i % 3 == 0 else i * 1.0
        if v == v:
            eq += 1
        if v != v:
            ne += 1
        if v < 100.0:
            lt += 1
        if v > 100.0:
            gt += 1
        if v <= 100.0:
            le += 1
        if v >= 100.0:
            ge += 1
        if v:
            truthy += 1
        x = x + v * 0.0
    return eq, ne, lt, gt, le, ge, truthy, x

print(run(400))
y = 1.0
for i in range(300):
    y = inf - inf + i
print(repr(y), y == y, not (y < 0) and not (y >= 0))
z = 0
for i in range(300):
    z += (nan == nan) + (nan != nan) + (0.0 * inf != 0.0 * inf)
print(z)
w = nan
for i in range(300):
    w = w + 1.0
print(repr(w), repr(-w), repr(nan * 0), repr(nan ** 0))
