# Only the last iterations overflow int64, long after compilation.

def run(n):
    x = 1
    s = 0
    for i in range(n):
        if i > n - 5:
            x = x * 2 ** 40
        s += x & 0xFF
    return x, s

print(run(600), run(300))
a = 9223372036854775000
for i in range(1000):
    a += 1
print(a, a - 9223372036854775807)
