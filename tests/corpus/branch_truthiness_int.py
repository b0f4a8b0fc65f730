# Truthiness of ints, including negatives and big ints.

def run(n):
    t = f = 0
    for i in range(-n, n):
        if i:
            t += 1
        else:
            f += 1
        if i % 5:
            t += 1
    return t, f

print(run(300))
big = 2 ** 70
c = 0
for i in range(300):
    v = big - big + i % 2
    if v:
        c += 1
    if big:
        c += 1
print(c)
