"""julia: the Julia set from "High Performance Python" on lists of complex numbers.

`calculate_z(maxiter, zs, cs)`: for each point, `while n < maxiter and abs(z) < 2: z = z * z + c; n += 1`,
then `output[i] = n`. The inner loop keeps z and c unboxed as pairs of doubles; the exit of the inner loop
is bridged through the `for i` loop (a list store, two list reads of complex objects). Measures complex
arithmetic, abs(z) and nested loops with a data-dependent exit.
"""

WIDTH = 300
MAX_ITER = 300
X1, X2, Y1, Y2 = -1.8, 1.8, -1.8, 1.8
C = complex(-0.62772, -0.42193)


def calculate_z(maxiter, zs, cs):
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


def points(width):
    step = (X2 - X1) / width
    zs = []
    for row in range(width):
        y = Y2 - row * step
        for col in range(width):
            zs.append(complex(X1 + col * step, y))
    return zs


def main():
    zs = points(WIDTH)
    cs = [C] * len(zs)
    output = calculate_z(MAX_ITER, zs, cs)
    print("julia checksum:", sum(output))


if __name__ == "__main__":
    main()
