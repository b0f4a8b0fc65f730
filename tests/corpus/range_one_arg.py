# for i in range(n)

def run(n):
    s = 0
    c = 0
    for i in range(n):
        s += i
        c += 1
    return s, c, i

print(run(300))
print(run(1000))
print(run(1))
t = 0
for k in range(777):
    t += k % 13
print(t, k)
