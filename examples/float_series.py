"""Float arithmetic in SSE2 registers: the Leibniz series for pi (division guarded against zero)."""


def leibniz(terms):
    acc = 0.0
    sign = 1.0
    k = 0
    while k < terms:
        acc += sign / (2 * k + 1)
        sign = -sign
        k += 1
    return 4 * acc


print(leibniz(1_000_000))
