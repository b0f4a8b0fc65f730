# Comparisons and chained comparisons.

def classify(n):
    lt = le = gt = ge = eq = ne = chain = chain2 = 0
    for i in range(n):
        j = (i * 37) % 101
        if i < j:
            lt += 1
        if i <= j:
            le += 1
        if i > j:
            gt += 1
        if i >= j:
            ge += 1
        if i == j:
            eq += 1
        if i != j:
            ne += 1
        if 10 < j < 50:
            chain += 1
        if 0 <= j < i <= 90 != j:
            chain2 += 1
    return lt, le, gt, ge, eq, ne, chain, chain2

print(classify(500))
c = 0
last = None
for i in range(400):
    last = 3 < i < 200 == (i + 0) * 1
    c += last
print(c, last)
cnt = 0
for i in range(350):
    cnt += (i % 3 == 0) + (1 < i % 5 < 4) + (i > 100 > 50)
print(cnt)
