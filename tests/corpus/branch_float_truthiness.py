# Truthiness of floats: 0.0 and -0.0 are false, nan is true.

nan = float("nan")

def run(n):
    t = f = 0
    for i in range(n):
        m = i % 4
        if m == 0:
            v = 0.0
        elif m == 1:
            v = -0.0
        elif m == 2:
            v = nan
        else:
            v = i * 0.5
        if v:
            t += 1
        else:
            f += 1
    return t, f

print(run(400))
c = 0
x = 1.0
while x:
    x = x / 4.0
    c += 1
print(c, repr(x))
