# Dot products of implicitly generated vectors (no lists).

def dot(n, scale):
    s = 0.0
    si = 0
    for i in range(n):
        u = (i * 31 % 17) - 8
        v = (i * 17 % 31) - 15
        si += u * v
        s += u * scale * (v + 0.5)
    return si, repr(s)

print(dot(500, 1), dot(500, 0.1), dot(1000, -2.5))
