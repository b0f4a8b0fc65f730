# Leibniz and Nilakantha series for pi.

def leibniz(n):
    s = 0.0
    sign = 1.0
    for k in range(n):
        s += sign / (2 * k + 1)
        sign = -sign
    return 4 * s

def nilakantha(n):
    s = 3.0
    sign = 1.0
    k = 2
    for i in range(n):
        s += sign * 4.0 / (k * (k + 1) * (k + 2))
        sign = -sign
        k += 2
    return s, k

print(repr(leibniz(3000)))
print(nilakantha(500))
