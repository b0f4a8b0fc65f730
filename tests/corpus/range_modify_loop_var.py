# Rebinding the loop variable in the body does not affect iteration.

def run(n):
    s = 0
    for i in range(n):
        i = i * 10
        s += i
    return s, i

print(run(400))
c = 0
for i in range(300):
    c += 1
    i = -1
print(c, i)
t = 0
for i in range(0, 600, 2):
    i += 1
    t += i
print(t, i)
