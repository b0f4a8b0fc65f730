# Infinity arithmetic.

inf = float("inf")

def run(n):
    a = 0.0
    big = 0
    small = 0
    for i in range(1, n):
        a = inf / i
        if a > 1e308:
            big += 1
        if 1.0 / (inf * i) == 0.0:
            small += 1
    return a, big, small

print(run(400))
x = 1.0
steps = 0
while x != inf:
    x = x * 2.0
    steps += 1
print(repr(x), steps)
y = -inf
for i in range(300):
    y = y + i * 1e300
print(repr(y), repr(inf - inf), repr(-inf * -1), repr(inf * 0.0))
c = 0
for i in range(300):
    c += (inf > 10 ** 400) + (-inf < -(10 ** 400)) + (inf == inf)
print(c, repr(1 / inf), repr(-1 / inf), repr(2 ** 1000 / inf))
