# Generators driven by hot loops.

def gen(n):
    i = 0
    while i < n:
        yield i * i
        i += 1

def evens(n):
    for i in range(n):
        if i % 2 == 0:
            yield i

s = 0
for v in gen(500):
    s += v
print(s)
print(sum(evens(1000)), list(evens(10)))
g = gen(400)
t = 0
for i in range(300):
    t += next(g)
print(t)
