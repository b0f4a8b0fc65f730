"""float_poly: polynomial evaluation in Horner form, float arithmetic only.

Evaluates a degree-8 polynomial (coefficients in local variables, no lists)
at N evenly spaced points in [-1, 1) and sums the results.  Measures unboxed
float arithmetic (mul/add chains).  The checksum is the exact repr of the
float sum, so any reassociation / FMA contraction by the JIT shows up as a
checksum mismatch.
"""

N = 5_000_000


def main():
    c0 = 0.5
    c1 = -1.25
    c2 = 2.0
    c3 = 0.75
    c4 = -3.5
    c5 = 1.125
    c6 = 0.3
    c7 = -0.0625
    c8 = 1.5
    x = -1.0
    step = 2.0 / N
    acc = 0.0
    for _ in range(N):
        y = ((((((((c8 * x + c7) * x + c6) * x + c5) * x + c4) * x + c3)
                * x + c2) * x + c1) * x + c0)
        acc += y
        x += step
    print("float_poly checksum:", repr(acc), repr(x))


if __name__ == "__main__":
    main()
