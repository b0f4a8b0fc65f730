"""spectral_norm: the spectral norm of an infinite matrix (Computer Language Benchmarks Game).

A[i][j] = 1 / ((i + j) * (i + j + 1) // 2 + i + 1); ten power iterations of u -> A^T A u on lists of floats.
The matrix entry is computed inline (calls of Python functions are not compiled), so each inner loop is
int arithmetic with overflow guards, an int-to-float division and a float accumulation, and the inner
loop's exit is bridged through the outer loop, which starts the next range() in machine code.
"""

import math

N = 250


def eval_A_times_u(u):
    n = len(u)
    out = [0.0] * n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += u[j] / ((i + j) * (i + j + 1) // 2 + i + 1)
        out[i] = s
    return out


def eval_At_times_u(u):
    n = len(u)
    out = [0.0] * n
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += u[j] / ((i + j) * (i + j + 1) // 2 + j + 1)
        out[i] = s
    return out


def spectral_norm(n):
    u = [1.0] * n
    v = u
    for _ in range(10):
        v = eval_At_times_u(eval_A_times_u(u))
        u = eval_At_times_u(eval_A_times_u(v))
    vBv = vv = 0.0
    for ue, ve in zip(u, v):
        vBv += ue * ve
        vv += ve * ve
    return math.sqrt(vBv / vv)


def main():
    print("spectral norm: %.9f" % spectral_norm(N))


if __name__ == "__main__":
    main()
