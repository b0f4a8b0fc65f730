# Numerical integration (Simpson's rule) of polynomials.

def simpson(a, b, n):
    h = (b - a) / n
    s = 0.0
    for i in range(n + 1):
        x = a + i * h
        fx = x * x * x - 2 * x + 1
        if i == 0 or i == n:
            s += fx
        elif i % 2:
            s += 4 * fx
        else:
            s += 2 * fx
    return s * h / 3

print(repr(simpson(0, 2, 400)), repr(simpson(-1.5, 1.5, 1000)), repr(simpson(0, 1, 300)))
