# Compare loop results with closed forms.

def check(n):
    s1 = 0
    s2 = 0
    s3 = 0
    for i in range(1, n + 1):
        s1 += i
        s2 += i * i
        s3 += i * i * i
    return s1 == n * (n + 1) // 2, s2 == n * (n + 1) * (2 * n + 1) // 6, s3 == s1 * s1, s3

for n in (300, 999, 4000):
    print(n, check(n))
alt = 0
for i in range(1000):
    if i % 2:
        alt -= i
    else:
        alt += i
print(alt)
