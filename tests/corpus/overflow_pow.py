# Int powers overflowing int64.

def run(n):
    s = 0
    for i in range(n):
        s += 3 ** (i % 60)
    return s

print(run(300))
t = 0
for i in range(300):
    t += i ** 9
print(t)
u = 0
for i in range(300):
    u = (-i) ** 15
print(u)
w = 0
for i in range(2, 300):
    w = 2 ** i - 2 ** (i - 1)
print(w == 2 ** 298)
