# while True with break in various places.

def run(limit):
    i = 0
    s = 0
    while True:
        i += 1
        if i % 5 == 0:
            continue
        s += i
        if s > limit:
            break
    return i, s

print(run(10000), run(100000), run(0))
n = 0
while True:
    n += 3
    if n >= 1000:
        break
print(n)
x = 1.0
steps = 0
while 1:
    x *= 1.01
    steps += 1
    if x > 50.0:
        break
print(steps, repr(x))
