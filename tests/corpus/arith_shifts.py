# << and >> including large shift counts and negative values.

def left(n):
    total = 0
    last = 0
    for i in range(n):
        last = 1 << (i % 80)
        total += last >> 3
    return total, last

t, l = left(400)
print(t, l, type(l).__name__)

x = 0
for i in range(300):
    x = 1 << 70
print(x, x >> 70, x >> 71, x >> 200)

acc = 0
for i in range(-300, 300):
    acc += i >> 2
    acc += (i << 5) >> 4
    acc += i >> 100
print("acc", acc)

big = 0
for i in range(300):
    big = (i + 1) << 62
print(big, big >> 62, -big >> 61)

neg = 0
for i in range(1, 400):
    neg += (-i) >> 64
    neg += (-i) << 1
print("neg", neg)
print(-1 >> 1000, 1 >> 1000, 5 << 0, -5 >> 0)
