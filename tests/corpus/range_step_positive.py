# range with step > 1.

def run(a, b, step):
    s = 0
    c = 0
    last = None
    for i in range(a, b, step):
        s += i
        c += 1
        last = i
    return s, c, last

print(run(0, 1000, 3))
print(run(-500, 500, 7))
print(run(5, 2000, 6))
print(run(0, 10, 20))
t = 0
for j in range(1, 3000, 9):
    t += j
print(t, j)
