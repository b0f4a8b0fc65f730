# Division producing subnormals and underflow to zero.

x = 1.0
count = 0
while x > 0.0:
    x = x / 2.0
    count += 1
print(count, repr(x))

y = 1.0
for i in range(1070):
    y /= 2.0
print(repr(y), y > 0.0)

def run(n):
    z = 5e-324
    acc = 0.0
    for i in range(1, n):
        acc += z * i
        acc -= z * (i - 1)
    return acc

print(repr(run(400)))
q = 0.0
for i in range(1, 300):
    q = 1e-310 / i
print(repr(q), repr(-1e-320 / 3))
