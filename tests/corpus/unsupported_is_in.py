# `is`, `is not`, `in`, `not in` in hot loops.

def run(n):
    primes = (2, 3, 5, 7, 11, 13)
    hits = 0
    nones = 0
    x = None
    for i in range(n):
        if i % 17 in primes:
            hits += 1
        if x is None:
            nones += 1
        if i % 50 == 49:
            x = i
        elif x is not None and i % 50 == 0:
            x = None
    return hits, nones, x

print(run(600))
r = range(100, 200)
c = 0
for i in range(400):
    c += (i in r) + (i not in r)
print(c)
