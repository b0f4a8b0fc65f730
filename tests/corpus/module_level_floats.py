# Module-level float loops with special values.

acc = 0.0
for i in range(1, 600):
    acc += 1.0 / (i * i)
print(repr(acc))
m = 1.0
for i in range(1100):
    m = m * 0.5
print(repr(m))
g = 1e300
for i in range(300):
    g = g * 10.0
print(repr(g), repr(g - g))
