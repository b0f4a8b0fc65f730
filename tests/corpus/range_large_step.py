# Steps larger than the range, or huge steps.

def run(a, b, step):
    c = 0
    s = 0
    for i in range(a, b, step):
        c += 1
        s += i
    return c, s

tot = 0
for k in range(1, 400):
    c = 0
    for i in range(0, 1000, k):
        c += 1
    tot += c
print(tot, i)
print(run(0, 1000, 333), run(1000, 0, -7), run(0, 2 ** 64, 2 ** 60), run(0, 10 ** 20, 10 ** 18))
t = 0
for i in range(-10 ** 19, 10 ** 19, 10 ** 17):
    t += 1
print(t, i)
