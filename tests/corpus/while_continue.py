# continue in while loops (must not skip the increment).

def run(n):
    i = 0
    s = 0
    skipped = 0
    while i < n:
        i += 1
        if i % 4 == 0:
            skipped += 1
            continue
        if i % 9 == 0:
            continue
        s += i
    return i, s, skipped

print(run(700))
i = 0
c = 0
while i < 500:
    i += 2
    if i % 3:
        continue
    c += 1
print(i, c)
