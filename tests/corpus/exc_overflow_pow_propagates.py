# Uncaught OverflowError from float ** inside a hot loop (~700 iterations).

def grow(x, n):
    i = 0
    for i in range(n):
        x = x ** 1.01
    return x, i

print(grow(2.0, 300))
print(grow(2.0, 5000))
print("not reached")
