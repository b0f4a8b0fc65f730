# `continue` on several paths.

def run(n):
    s = 0
    skipped = 0
    for i in range(n):
        if i % 3 == 0:
            skipped += 1
            continue
        if i % 7 == 0:
            continue
        s += i
    return s, skipped, i

print(run(500))
i = 0
t = 0
while i < 600:
    i += 1
    if i % 2:
        continue
    t += i
print(i, t)
