# range with negative steps.

def run(a, b, step):
    s = 0
    c = 0
    last = None
    for i in range(a, b, step):
        s += i * 2
        c += 1
        last = i
    return s, c, last

print(run(500, 0, -1))
print(run(300, -300, -3))
print(run(0, -1000, -7))
print(run(-5, -400, -2))
t = 0
for j in range(1000, 0, -4):
    t += j
print(t, j)
u = 0
for j in range(400, -1, -1):
    u = u * 3 % 10007 + j
print(u, j)
