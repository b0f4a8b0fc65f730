# Stores into lists: floats and ints boxed into new objects, bools, objects; the old items released;
# aliasing between lists read and written; errors from the interpreter after deoptimization.
import sys
import weakref

def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            j = i * i
            while j <= n:
                flags[j] = False
                j += i
        i += 1
    count = 0
    for f in flags:
        if f:
            count += 1
    return count

def prefix(a):
    p = [0] * len(a)
    s = 0
    for i in range(len(a)):
        s += a[i]
        p[i] = s
    return p

def scale(a, k):
    for i in range(len(a)):
        a[i] = a[i] * k
    return a

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

def copy_objs(src, dst):
    for i in range(len(src)):
        dst[i] = src[i]
    return dst

def swap_halves(a):
    n = len(a) // 2
    for i in range(n):
        t = a[i]
        a[i] = a[i + n]
        a[i + n] = t
    return a

print(sieve(100000))
p = prefix(list(range(5000)))
print(p[:5], p[-1], len(p))
fl = scale([i * 0.5 for i in range(4000)], 3.0)
print(fl[:3], fl[-1], sum(fl))
A = [[(i + j) % 7 * 0.5 for j in range(30)] for i in range(30)]
B = [[(i * j) % 5 * 0.25 for j in range(30)] for i in range(30)]
C = matmul(A, B, 30)
print(C[0][:4], sum(sum(r) for r in C))
objs = [object() for _ in range(3000)]
dst = copy_objs(objs, [None] * 3000)
print(all(a is b for a, b in zip(objs, dst)), sys.getrefcount(objs[5]) - 1)
print(swap_halves(list(range(4000)))[:3], swap_halves([i * 1.5 for i in range(3000)])[-2:])
big = prefix([2 ** 40] * 3000)          # sums beyond int64 on the way: the interpreter takes over
print(big[-1])
try:
    scale([1.0] * 3000 + ["x"] + [2.0], 2.0)
except TypeError as e:
    print("TypeError", e)
class Box:
    pass
boxes = [Box() for _ in range(5)]
seen = []
r = weakref.ref(boxes[0], lambda _: seen.append("freed"))
target = [boxes[0]] + [1.0] * 3000
print(scale(target[1:], 2.0)[-1], seen)
del boxes
print(seen)
try:
    prefix_bad = [0] * 10
    for i in range(20):
        prefix_bad[i] = i
except IndexError as e:
    print("IndexError", e)
