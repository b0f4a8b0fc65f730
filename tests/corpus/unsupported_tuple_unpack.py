# Tuple packing/unpacking in a hot loop.

def fib(n):
    a, b = 0, 1
    for i in range(n):
        a, b = b, a + b
    return a

print(fib(300) % 1000000007)
pairs = 0
for i in range(400):
    q, r = divmod(i * 37, 11)
    x, y, z = i, q, r
    pairs += x - y + z
print(pairs)
t = (1, 2, 3)
acc = 0
for i in range(300):
    a, *rest = t
    acc += a + len(rest)
print(acc)
