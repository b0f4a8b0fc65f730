# Random walk with float position and integer bookkeeping.

def walk(n, seed):
    x = 0.0
    maxx = 0.0
    minx = 0.0
    crossings = 0
    s = seed
    for i in range(n):
        s = (s * 6364136223846793005 + 1) % 2 ** 64
        step = ((s >> 40) % 2001 - 1000) / 1000.0
        nx = x + step
        if (x < 0.0) != (nx < 0.0):
            crossings += 1
        x = nx
        if x > maxx:
            maxx = x
        if x < minx:
            minx = x
    return repr(x), repr(maxx), repr(minx), crossings

print(walk(1000, 1))
print(walk(3000, 99))
