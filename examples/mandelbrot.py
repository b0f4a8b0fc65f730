"""Nested loops: the innermost loop is compiled first; its exit grows a bridge through the outer loops
back into it, so the whole nest runs as machine code."""


def mandelbrot(width, height, max_iter):
    total = 0
    y = 0
    while y < height:
        ci = y * 2.4 / height - 1.2
        x = 0
        while x < width:
            cr = x * 3.2 / width - 2.2
            zr = zi = zr2 = zi2 = 0.0
            it = 0
            while it < max_iter and zr2 + zi2 <= 4.0:
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                zr2 = zr * zr
                zi2 = zi * zi
                it += 1
            total += it
            x += 1
        y += 1
    return total


print(mandelbrot(120, 80, 100))
