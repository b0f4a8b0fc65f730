# Sums over a triangular index space; inner loop length varies.

s = 0
for i in range(50):
    for j in range(i + 1):
        s += i - j
print(s)

def weighted(n):
    w = 0.0
    for i in range(1, n):
        for j in range(1, i):
            w += j / i
    return w

print(repr(weighted(60)))
