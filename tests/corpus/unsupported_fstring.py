# f-strings and str formatting in a hot loop.

def fmt(n):
    last = ""
    total = 0
    for i in range(n):
        last = f"{i:04d}|{i * 0.5:.2f}|{i % 3!r}"
        total += len(last)
    return last, total

print(fmt(400))
lines = []
for i in range(300):
    lines.append("%d-%x" % (i, i * 13))
print(lines[-1], len("".join(lines)))
