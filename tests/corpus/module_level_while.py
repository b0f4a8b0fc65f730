# Hot while loops at module top level.

n = 0
s = 0
while n < 800:
    s += n % 17
    n += 1
print(n, s)
x = 27
steps = 0
while x != 1:
    if x % 2:
        x = 3 * x + 1
    else:
        x = x // 2
    steps += 1
print(x, steps)
