# Closures: hot loops reading and writing cell variables.

def outer(n):
    total = 0
    step = 3

    def bump(k):
        nonlocal total
        total += k * step

    for i in range(n):
        bump(i)
        total += step
    return total

print(outer(500))

def counter():
    c = 0
    for i in range(400):
        c += i

    def get():
        return c
    return get

print(counter()())
