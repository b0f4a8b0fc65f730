# Inner range depends on outer loop variable (triangular iteration).

def tri(n):
    s = 0
    c = 0
    for i in range(n):
        for j in range(i):
            s += j
            c += 1
    return s, c

print(tri(60), tri(1), tri(0))

def upper(n):
    s = 0
    for i in range(n):
        for j in range(i, n):
            s += i * j
    return s, i, j

print(upper(50))
s = 0
for i in range(40, 0, -1):
    for j in range(i, 0, -2):
        s += j
print(s, i, j)
