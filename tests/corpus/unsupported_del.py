# del of locals and list items inside a hot loop.

def run(n):
    s = 0
    for i in range(n):
        tmp = i * 2
        s += tmp
        del tmp
    return s

print(run(500))
xs = list(range(600))
k = 0
while len(xs) > 300:
    del xs[0]
    k += 1
print(k, xs[0], len(xs))
d = {i: i for i in range(400)}
for i in range(0, 400, 2):
    del d[i]
print(len(d), sum(d))
