# Counters started just below 2**63 must not wrap around.

def run(start, n):
    c = start
    neg = 0
    for i in range(n):
        c += 1
        if c < 0:
            neg += 1
    return c, neg

print(run(2 ** 63 - 100, 300))
print(run(-2 ** 63 + 100, 300))
d = 2 ** 63 - 3
k = 0
while d > 0 and k < 500:
    d += 1
    k += 1
print(d, k)
