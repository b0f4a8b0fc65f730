# Small Mandelbrot escape-time counts (3-deep loop nest of floats).

def mandel(w, h, maxit):
    total = 0
    inside = 0
    for py in range(h):
        y0 = py * 2.0 / h - 1.0
        for px in range(w):
            x0 = px * 3.0 / w - 2.0
            x = 0.0
            y = 0.0
            it = 0
            while x * x + y * y <= 4.0 and it < maxit:
                xt = x * x - y * y + x0
                y = 2.0 * x * y + y0
                x = xt
                it += 1
            total += it
            if it == maxit:
                inside += 1
    return total, inside

print(mandel(24, 12, 50))
print(mandel(10, 10, 30))
