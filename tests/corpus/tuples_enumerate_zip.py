# Tuples in traces: unpacking tuples and lists (guarded exact type and length), virtual tuples from
# BUILD_TUPLE, enumerate() and zip() over lists (the item tuples never allocated), tuple subscripts,
# comprehensions (LIST_APPEND); and every way these leave the trace.
import sys

def enum_sum(a, start=0):
    s = 0.0
    last = None
    for i, x in enumerate(a, start):
        s += i * x
        last = i
    return s, last

a = [k * 0.25 for k in range(400)]
print(enum_sum(a), enum_sum(a, 7), enum_sum([]))
print(enum_sum([1.0] * 200 + [2] + [3.5] * 100))          # an int item: a guard, then a bridge
try:
    print(enum_sum([1.0] * 200 + ["x"] + [1.0] * 10))
except TypeError as e:
    print("TypeError", e)
print(enum_sum([0.5] * 50, sys.maxsize - 20))              # the count leaves Py_ssize_t: the interpreter's

def enum_grow(a):
    n = 0
    for i, x in enumerate(a):
        if len(a) < 300:
            a.append(x + i)
        n += 1
    return n, a[-1]
print(enum_grow([1, 2, 3]))

def zip_dot(a, b):
    s = 0.0
    n = 0
    for x, y in zip(a, b):
        s += x * y
        n += 1
    return s, n

b = [1.0 / (k + 1) for k in range(300)]
print(zip_dot(a, b), zip_dot(b, a), zip_dot(a, []))
print(zip_dot([2.0] * 150 + [3] + [2.0] * 100, b))

def zip3(a, b, c):
    out = []
    for x, y, z in zip(a, b, c):
        out.append(x + y * z)
    return len(out), out[:3], out[-1]
print(zip3(list(range(200)), list(range(1, 300)), [2] * 250))

def zip_strict(a, b):
    s = 0
    for x, y in zip(a, b, strict=True):
        s += x - y
    return s
print(zip_strict(list(range(300)), list(range(300))))
try:
    zip_strict(list(range(300)), list(range(299)))
except ValueError as e:
    print("ValueError", e)

def zip_same_iterator(a):
    it = iter(a)
    s = 0
    for x, y in zip(it, it):
        s += x * y
    return s
print(zip_same_iterator(list(range(400))))

def unpack_pairs(pts):
    sx = sy = 0.0
    for x, y in pts:
        sx += x
        sy += y
    return sx, sy
pts = [(float(k), k * 0.5) for k in range(300)]
print(unpack_pairs(pts), unpack_pairs([[1.0, 2.0]] * 200))
try:
    unpack_pairs(pts[:200] + [(1.0, 2.0, 3.0)])
except ValueError as e:
    print("ValueError", e)
print(unpack_pairs(pts[:200] + [[4.0, 5.0]] + pts[:50]))    # a list among tuples

def nested(bodies):
    e = 0.0
    for ([x, y, z], v, m) in bodies:
        e += m * (x * x + y * y + z * z) + v[0] * v[-1]
    return e
bodies = [([k * 1.0, k * 2.0, k * 3.0], [1.5, -0.5, 2.0], 0.1 * k) for k in range(250)]
print(nested(bodies))

def subscripts(ts):
    s = 0.0
    for t in ts:
        s += t[0] - t[1] + t[-1]
    return s
print(subscripts(pts))
try:
    subscripts(pts[:200] + [(1.0,)])
except IndexError as e:
    print("IndexError", e)

def rotate(n):
    a, b, c, d = 1, 2, 3, 4
    for i in range(n):
        a, b, c, d = b, c, d, a + i
    return a, b, c, d
print(rotate(300))

def squares(n):
    return [i * i for i in range(n)], [x * 0.5 for x in range(n) if x % 3], [i > 5 for i in range(n)]
print([sum(map(float, l)) for l in squares(400)])
