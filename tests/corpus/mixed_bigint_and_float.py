# Factorials (big ints) and their float approximations side by side.

def run(n):
    f = 1
    lf = 1.0
    ratio = 0.0
    for i in range(1, n):
        f = f * i
        if i < 170:
            lf = lf * i
            ratio = f / lf
    return f % 1000000007, repr(lf), repr(ratio)

print(run(300))
print(run(50))
