# Hot for loops at module top level (globals are the loop variables).

s = 0
for i in range(1000):
    s += i * i
print(s, i)
p = 1
for i in range(1, 400):
    p = p * i % 1000000007
print(p, i)
f = 0.0
for i in range(500):
    f += i / 3
print(repr(f), i)
