# Values leave the int64 range in the middle of a hot loop.

def run(n):
    x = 1
    for i in range(n):
        x = x * 2 + 1
    return x

print(run(62), run(63), run(64), run(300))
y = 2 ** 62
for i in range(400):
    if i == 350:
        y = y * 4
    y = y + 1
print(y, y > 2 ** 63)
