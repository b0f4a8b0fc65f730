"""matmul: matrix multiply on lists of lists of floats.

Three nested for loops over range(); the innermost reads A[i][k] through a row variable and B[k][j]
(a list read giving a list, then a list read giving a float); the result row is stored into (a boxed float
per store).
"""

N = 120


def matmul(A, B, n):
    C = [[0.0] * n for _ in range(n)]
    for i in range(n):
        Ai = A[i]
        Ci = C[i]
        for j in range(n):
            s = 0.0
            for k in range(n):
                s += Ai[k] * B[k][j]
            Ci[j] = s
    return C


def main():
    A = [[((i * 7 + j * 3) % 11) * 0.25 for j in range(N)] for i in range(N)]
    B = [[((i * 5 + j) % 13) * 0.5 for j in range(N)] for i in range(N)]
    C = matmul(A, B, N)
    print("matmul checksum:", repr(sum(sum(row) for row in C)))


if __name__ == "__main__":
    main()
