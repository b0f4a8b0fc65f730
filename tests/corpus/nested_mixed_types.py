# Outer loop over ints, inner loop on floats, results combined.

def run(n):
    total = 0.0
    icount = 0
    for i in range(n):
        x = i * 0.5
        while x > 1.0:
            x = x / 2.0
            icount += 1
        total += x
    return total, icount

print(run(1000))
acc = 0
facc = 0.0
for i in range(20):
    for j in range(20):
        if (i + j) % 2:
            acc += i * j
        else:
            facc += i / (j + 1)
print(acc, repr(facc))
