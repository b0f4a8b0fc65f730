# Edge cases of // and %: MIN // -1 overflows int64, division by +-1.

MIN = -2 ** 63

def run(n):
    q = 0
    r = 0
    for i in range(n):
        q = (MIN + i - i) // -1
        r = (MIN + i - i) % -1
    return q, r

print(run(300))
a = 0
for i in range(-300, 300):
    a += i // 1 + i // -1 + i % 1 + i % -1
print(a)
big = 0
for i in range(300):
    big = (2 ** 64 + i) // (2 ** 32)
print(big)
x = 0
for i in range(1, 400):
    x += (10 ** 20) // i - (10 ** 20) % i
print(x)
print(MIN // -1, MIN % -1, MIN // 2, MIN % 3, (MIN + 1) // -1)
