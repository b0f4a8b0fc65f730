# Repeated x = x * 3 overflows int64 after ~40 iterations.

def run(n):
    x = 1
    first_big = -1
    for i in range(n):
        x = x * 3
        if x > 9223372036854775807 and first_big < 0:
            first_big = i
    return x, first_big

x, k = run(300)
print(k, x % 1000000007, len(str(x)))
y = -1
for i in range(300):
    y = y * 3
print(y % 1000000007, y < 0)
z = 5
for i in range(50):
    z *= 3
print(z)
