# Nested for loops whose inner loop ends and starts again inside machine code: the inner loop's exit is
# bridged through the outer loop, which pops the finished iterator and makes a new one (iter(range(...)),
# iter(a_list)) that exists as an object only if an exit needs it. Exits at every point: inside the inner
# loop, after the inner loop ended, in the outer loop, when the outer loop ends; lists stored into while
# variables still hold their old items (the releases wait until the run ends).
import sys

def matmul(A, B, n):
    C = [[0.0] * n for _ in range(n)]
    for i in range(n):
        Ci = C[i]
        Ai = A[i]
        for j in range(n):
            s = 0.0
            for k in range(n):
                s += Ai[k] * B[k][j]
            Ci[j] = s
    return C

n = 24
A = [[(i * n + j) % 7 * 0.5 for j in range(n)] for i in range(n)]
B = [[(i + 2 * j) % 5 - 1.5 for j in range(n)] for i in range(n)]
C = matmul(A, B, n)
print(sum(map(sum, C)), C[3][:4])

def ragged(rows):
    total = 0
    count = 0
    for row in rows:
        for x in row:
            total += x
            count += 1
    return total, count
rows = [list(range(k % 7)) for k in range(300)]
print(ragged(rows))
rows[250] = [1, 2, "three"]
try:
    ragged(rows)
except TypeError as e:
    print("TypeError", e)

def triangle(n):
    s = 0
    for i in range(n):
        for j in range(i, n, 3):
            s += i * j
        if i % 97 == 96:
            s -= 1
    return s
print(triangle(300))

def steps_down(n):
    s = 0
    for i in range(n):
        for j in range(i, 0, -2):
            s += j
    return s
print(steps_down(250))

def stale_locals(bodies, steps):
    for _ in range(steps):
        for (p, v) in bodies:
            x, y = p
            p[0] = x + v[0] * 0.01
            p[1] = y + v[1] * 0.01
        for (p, v) in bodies:
            v[0] -= p[0] * 0.001
            v[1] -= p[1] * 0.001
    return x, y, bodies[-1]
bodies = [([float(k), float(-k)], [0.5 * k, 0.25]) for k in range(6)]
print(stale_locals(bodies, 400))
print(sys.getrefcount(bodies[0][0][0]), sys.getrefcount(bodies[-1][1][1]))

def outer_ends_early(grid, limit):
    found = None
    for r, row in enumerate(grid):
        for c in range(len(row)):
            if row[c] > limit:
                found = (r, c)
                break
        if found is not None:
            break
    return found
grid = [[(r * 31 + c * 17) % 1000 for c in range(40)] for r in range(60)]
print(outer_ends_early(grid, 998), outer_ends_early(grid, 2000))

def shared_iterator(a):
    it = iter(a)
    s = 0
    for x in it:
        for y in range(3):
            s += x * y
    return s, list(it)
print(shared_iterator(list(range(300))))
