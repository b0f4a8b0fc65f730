# Short circuiting guards a division that would otherwise fail.

def run(n):
    hits = 0
    misses = 0
    for i in range(n):
        d = i % 10
        if d != 0 and i % d == 0:
            hits += 1
        if d == 0 or 100 // d > 20:
            misses += 1
    return hits, misses

print(run(500))
c = 0
for i in range(400):
    d = i % 6
    ok = d and (i // d) % 2 == 0
    c += ok
print(c, ok)
e = 0
for i in range(300):
    e += (i > 100 and i < 200) or (i == 5)
print(e)
