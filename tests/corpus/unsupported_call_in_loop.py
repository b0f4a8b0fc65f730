# Python function calls inside a hot loop.

def sq(x):
    return x * x

def add3(a, b, c):
    return a + b + c

def run(n):
    s = 0
    for i in range(n):
        s += sq(i) - add3(i, 1, 2)
    return s

print(run(500))
t = 0
for i in range(400):
    t = add3(t, i, -1) % 100003
print(t)
