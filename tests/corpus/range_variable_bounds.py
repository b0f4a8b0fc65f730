# Bounds and steps computed at run time, including zero-length cases.

def run(n):
    total = 0
    calls = 0
    for k in range(1, n):
        lo = k - 5
        hi = k * 2 - 10
        step = k % 4 + 1
        for j in range(lo, hi, step):
            total += j
            calls += 1
    return total, calls

print(run(120))
s = 0
a = -50
b = 350
st = 2
for i in range(a, b, st):
    s += i
print(s, i)
st = -st
for i in range(b, a, st):
    s -= i
print(s, i)
