# Float loop conditions.

def run(step):
    x = 0.0
    c = 0
    while x < 100.0:
        x += step
        c += 1
    return x, c

print(run(0.1), run(0.3), run(0.25))
y = 1000.0
k = 0
while y > 1.0:
    y = y * 0.99
    k += 1
print(repr(y), k)
