# float / int, int / float, and big int / float.

def run(n):
    a = 0.0
    b = 0.0
    c = 0.0
    for i in range(1, n):
        a += i / 2.5
        b += 2.5 / i
        c += (10 ** 20 + i) / 3.0
    return a, b, c

print(run(400))
x = 0.0
for i in range(-300, 300):
    if i != 0:
        x += 1.0 / i
print(repr(x))
y = 0.0
for i in range(300):
    y = 7 / 2.0 + 7.0 / 2 + (-7) / 2.0
print(repr(y))
