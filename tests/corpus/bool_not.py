# `not` on ints, floats, bools.

def run(n):
    a = b = c = 0
    for i in range(-n, n):
        a += not i
        b += not (i * 0.5)
        c += not not i
    return a, b, c

print(run(300))
x = 0
for i in range(300):
    x += (not (i % 7)) + (not (i < 150)) * 2
print(x)
flag = False
flips = 0
for i in range(333):
    flag = not flag
    if flag:
        flips += 1
print(flag, flips, type(not 5).__name__)
nanv = float("nan")
nanc = 0
for i in range(300):
    nanc += not nanv
print(nanc, not 0.0, not -0.0)
