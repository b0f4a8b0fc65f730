# Convergents of sqrt(2) with big-int numerators and float ratios.

def convergents(n):
    p0 = 1
    q0 = 0
    p1 = 1
    q1 = 1
    err = 0.0
    for i in range(n):
        p2 = 2 * p1 + p0
        q2 = 2 * q1 + q0
        p0 = p1
        q0 = q1
        p1 = p2
        q1 = q2
        if i < 20:
            err = p1 / q1 - 1.4142135623730951
    return p1 % 1000000007, q1 % 1000000007, repr(err), p1 * p1 - 2 * q1 * q1

print(convergents(300))
print(convergents(10))
