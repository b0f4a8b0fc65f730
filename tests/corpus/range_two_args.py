# for i in range(a, b) with negative and positive bounds.

def run(a, b):
    s = 0
    c = 0
    for i in range(a, b):
        s += i * 3 - 1
        c += 1
    return s, c, i

print(run(-300, 300))
print(run(100, 500))
print(run(-1000, -400))
t = 0
for j in range(-350, 0):
    t -= j
print(t, j)
