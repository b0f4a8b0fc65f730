# Two-level for loops.

def table(n, m):
    s = 0
    diag = 0
    for i in range(n):
        for j in range(m):
            s += i * j
            if i == j:
                diag += i
    return s, diag, i, j

print(table(40, 30), table(1, 500), table(300, 2))
c = 0
for a in range(25):
    for b in range(25):
        c += (a ^ b) & 3
print(c, a, b)
