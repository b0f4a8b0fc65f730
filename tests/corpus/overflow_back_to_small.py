# Values overflow to big ints and then come back into int64 range.

def run(n):
    x = 1
    trips = 0
    for i in range(n):
        x = x * 1000
        if x > 10 ** 30:
            x = x // 10 ** 28
            trips += 1
    return x, trips, type(x).__name__

print(run(500))
y = 2 ** 63 - 10
for i in range(400):
    y += 5
    if y > 2 ** 63 + 100:
        y -= 200
print(y)
