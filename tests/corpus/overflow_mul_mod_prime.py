# Modular multiplication with intermediate products beyond int64.

P = 2 ** 61 - 1

def run(n):
    x = 123456789
    acc = 0
    for i in range(n):
        x = x * 1000000007 % P
        acc = (acc + x * x) % P
    return x, acc

print(run(500))
h = 0
for i in range(400):
    h = (h * 1099511628211 + i) % 2 ** 64
print(h)
