# Nested loops at module level.

t = 0
for i in range(30):
    j = 0
    while j < 30:
        t += i * j % 7
        j += 1
print(t, i, j)
c = 0
for a in range(12):
    for b in range(12):
        for d in range(12):
            if (a + b + d) % 5 == 0:
                c += 1
print(c, a, b, d)
