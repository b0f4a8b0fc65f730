"""mandelbrot: escape-time iteration counts over a grid, floats only.

Three nested while loops (rows, columns, iterations) with float arithmetic in
the innermost loop and a data-dependent exit condition; no lists, no complex
numbers, no calls.  Measures float-heavy nested loops and loop exits that
depend on float comparisons.
"""

WIDTH = 420
HEIGHT = 300
MAX_ITER = 200


def main():
    total = 0
    inside = 0
    y = 0
    while y < HEIGHT:
        ci = y * 2.4 / HEIGHT - 1.2
        x = 0
        while x < WIDTH:
            cr = x * 3.2 / WIDTH - 2.2
            zr = 0.0
            zi = 0.0
            zr2 = 0.0
            zi2 = 0.0
            it = 0
            while it < MAX_ITER and zr2 + zi2 <= 4.0:
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                zr2 = zr * zr
                zi2 = zi * zi
                it += 1
            total += it
            if it == MAX_ITER:
                inside += 1
            x += 1
        y += 1
    print("mandelbrot checksum:", total, inside)


if __name__ == "__main__":
    main()
