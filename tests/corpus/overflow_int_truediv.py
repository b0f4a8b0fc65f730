# int / int whose result is too large for a float.

def run(n):
    r = 0.0
    i = 0
    try:
        for i in range(n):
            r = (10 ** (i * 2)) / 3
    except OverflowError as e:
        return i, repr(r), str(e)
    return i, repr(r)

print(run(100))
print(run(300))
s = 0.0
for i in range(1, 400):
    s += 10 ** 400 / 10 ** 399 / i
print(repr(s))
t = 0.0
for i in range(1, 300):
    t = (2 ** 2000 + i) / 2 ** 1990
print(repr(t))
