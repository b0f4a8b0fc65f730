# Big ints times floats, and floats growing to inf without exceptions.

def run(n):
    x = 1.0
    for i in range(n):
        x = x * 3
    return x

print(repr(run(300)), repr(run(700)))
y = 0.0
for i in range(300):
    y = 2 ** 60 * 1.5 + i
print(repr(y))
z = 1
for i in range(1000):
    z = z * 1.8
print(repr(z), repr(-z), repr(z * 0))
