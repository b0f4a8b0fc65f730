# Unary - + ~ not on ints and floats.

def f(n):
    s1 = 0
    s2 = 0
    s3 = 0
    nots = 0
    fl = 0.0
    for i in range(-n, n):
        s1 += -i
        s2 += +i * 2
        s3 += ~i
        nots += not i
        fl += -(i * 0.25)
    return s1, s2, s3, nots, fl

print(f(300))
x = 5
for i in range(301):
    x = -x
print(x)
y = 7
for i in range(300):
    y = ~y
print(y)
z = 0.0
for i in range(301):
    z = -z
print(repr(z))
b = True
for i in range(301):
    b = not b
print(b, type(b).__name__)
print(-(-9223372036854775808), ~9223372036854775807, +(-0.0))
