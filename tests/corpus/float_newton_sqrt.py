# Newton iteration for square roots.

def sqrt(a):
    x = a
    i = 0
    while i < 60:
        nx = 0.5 * (x + a / x)
        if nx == x:
            break
        x = nx
        i += 1
    return x, i

total = 0.0
for n in range(1, 400):
    x = n * 1.0
    for k in range(30):
        x = 0.5 * (x + n / x)
    total += x
print(repr(total))
print(sqrt(2.0), sqrt(1e10), sqrt(1e-10))
