"""The Julia set from "High Performance Python" (Gorelick & Ozsvald): complex numbers in lists.

`calculate_z` walks two lists of complex numbers. Its inner while loop keeps `z` and `c` unboxed as pairs of
doubles: `z * z + c` becomes four multiplications and four additions, `abs(z)` one call of libm's hypot.
When the inner loop ends, its exit grows a bridge through the `for i` loop (`output[i] = n`, the next
`zs[i]` and `cs[i]` read out of the lists behind a type guard) back into the inner loop, so the whole
function runs as machine code. Run it with `python -m tracejit --stats examples/julia.py`.
"""

X1, X2, Y1, Y2 = -1.8, 1.8, -1.8, 1.8
C_REAL, C_IMAG = -0.62772, -0.42193


def calculate_z(maxiter, zs, cs):
    """Calculate output list using Julia update rule."""
    output = [0] * len(zs)
    for i in range(len(zs)):
        n = 0
        z = zs[i]
        c = cs[i]
        while n < maxiter and abs(z) < 2:
            z = z * z + c
            n += 1
        output[i] = n
    return output


def calc_pure_python(width, max_iterations):
    """Create a list of complex coordinates (zs) and complex parameters (cs), build the Julia set."""
    x_step = (X2 - X1) / width
    y_step = (Y1 - Y2) / width
    x = []
    y = []
    ycoord = Y2
    while ycoord > Y1:
        y.append(ycoord)
        ycoord += y_step
    xcoord = X1
    while xcoord < X2:
        x.append(xcoord)
        xcoord += x_step
    zs = []
    cs = []
    for ycoord in y:
        for xcoord in x:
            zs.append(complex(xcoord, ycoord))
            cs.append(complex(C_REAL, C_IMAG))
    output = calculate_z(max_iterations, zs, cs)
    return len(zs), sum(output)


if __name__ == "__main__":
    points, total = calc_pure_python(width=300, max_iterations=300)
    print(f"{points} points, {total} iterations in total")
