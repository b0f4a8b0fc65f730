# Lambdas created and called inside hot loops.

def run(n):
    f = lambda x: x * 2 + 1
    s = 0
    for i in range(n):
        g = lambda y, i=i: y + i
        s += f(i) - g(3)
    return s

print(run(500))
fs = sorted(range(300), key=lambda v: (v % 7, -v))
print(fs[:10], fs[-3:])
