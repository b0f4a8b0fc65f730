# & | ^ between bools stay bools; with ints they become ints.

def run(n):
    band = bor = bxor = 0
    last = None
    for i in range(n):
        p = i % 2 == 0
        q = i % 3 == 0
        band += p & q
        bor += p | q
        bxor += p ^ q
        last = p ^ q
    return band, bor, bxor, last, type(last).__name__

print(run(400))
x = True
for i in range(300):
    x = x & (i < 1000)
y = False
for i in range(300):
    y = y | 1
z = True
for i in range(301):
    z = z ^ True
print(x, type(x).__name__, y, type(y).__name__, z, type(z).__name__)
w = 0
for i in range(300):
    w += ~(True + 0) + -False + (True << 2) + (True >> 1)
print(w)
