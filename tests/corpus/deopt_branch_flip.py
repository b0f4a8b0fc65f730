# Branches that are perfectly biased during compilation and then flip.

def run(n, flip):
    a = 0
    b = 0
    for i in range(n):
        if i < flip:
            a += i
        else:
            b -= i
        if (i >= flip) == (i % 2 == 0):
            a += 1
    return a, b

print(run(1000, 600), run(1000, 5), run(1000, 999))

def late_guard(n):
    s = 0
    for i in range(n):
        if i > 700 and i % 3 == 0:
            s = s * 2 + 1
        s += 1
    return s

print(late_guard(900))
