# Three levels of nesting, mixing for and while.

def run(n):
    s = 0
    c = 0
    for i in range(n):
        j = 0
        while j < i:
            for k in range(j, i):
                s += (i * j) ^ k
                c += 1
            j += 3
    return s, c

print(run(30))

def cube(n):
    cnt = 0
    for a in range(1, n):
        for b in range(a, n):
            for c in range(b, n):
                if a * a + b * b == c * c:
                    cnt += 1
    return cnt, a, b, c

print(cube(40))
x = 0
i = 0
while i < 12:
    for j in range(12):
        k = 0
        while k < 5:
            x += i - j + k
            k += 1
    i += 1
print(x, i, j, k)
