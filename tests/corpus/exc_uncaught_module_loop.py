# Uncaught exception in a module-level while loop after many iterations.

n = 0
total = 0
while n < 10000:
    total += 1000000 // (777 - n)
    n += 1
print("unreachable", n, total)
