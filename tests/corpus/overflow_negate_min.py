# Negating / multiplying -2**63 overflows int64.

MIN = -9223372036854775808

def run(n):
    s = 0
    v = 0
    for i in range(n):
        v = -(MIN + i % 2)
        s += v % 10
    return v, s

print(run(300), run(301))
w = 0
for i in range(300):
    w = MIN * -1
print(w)
x = 0
for i in range(300):
    x = MIN - 1 + i
print(x)
y = 0
for i in range(300):
    y = MIN * (i % 3 - 1)
print(y)
