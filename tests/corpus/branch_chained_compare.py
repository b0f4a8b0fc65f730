# Branching on chained comparisons.

def bucket(n):
    b0 = b1 = b2 = b3 = 0
    for i in range(n):
        v = (i * 53) % 211
        if 0 <= v < 50:
            b0 += 1
        elif 50 <= v < 100:
            b1 += 1
        elif 100 <= v < 150 != v:
            b2 += 1
        else:
            b3 += 1
    return b0, b1, b2, b3

print(bucket(1000))
s = 0
for i in range(400):
    if i > 100 > 50 > i // 10:
        s += 1
    if 1 < 2 < i < 300 < 301:
        s += 2
print(s)
