# Negative float ** fractional float gives a complex number mid-loop.

def run(n):
    s = 0.0
    for i in range(n):
        base = 2.0 - i * 0.01
        s = s + base ** 0.5
    return s, type(s).__name__

r, t = run(300)
print(repr(r.real), repr(r.imag), t)
r, t = run(150)
print(repr(r), t)
