# round(x) and divmod(a, b) in traces: ties to even, negative zero, huge and special floats (the
# interpreter raises or makes a long), int and float operands, zero divisors (ZeroDivisionError).
import math

def rounding(xs):
    out = []
    for x in xs:
        out.append(round(x))
    return out

xs = [k * 0.5 - 20.0 for k in range(120)] + [2.675, -0.5, -0.0, 1e15 + 0.5, 4503599627370497.0, 7]
print(rounding(xs))
print(rounding([0.5] * 100 + [1e300]))
for bad in (math.inf, math.nan):
    try:
        rounding([1.5] * 100 + [bad])
    except (OverflowError, ValueError) as e:
        print(type(e).__name__, e)

def digits(n, base):
    s = 0
    count = 0
    while n:
        n, d = divmod(n, base)
        s += d
        count += 1
    return s, count
print([digits(k * 7919 + 12345, 10) for k in range(60)][-3:], digits(98765, 7))

def float_parts(xs, m):
    q = r = 0.0
    for x in xs:
        a, b = divmod(x, m)
        q += a
        r += b
    return q, r
print(float_parts([k * 0.37 - 30 for k in range(300)], 2.5), float_parts(list(range(-150, 150)), 1.5))
print(float_parts([5.5] * 100 + [-0.0], -2.0))
try:
    print(float_parts([1.0] * 100 + [2.0], 0.0))
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)

def divisors(ns, d):
    total = 0
    for n in ns:
        q, r = divmod(n, d)
        total += q * 3 + r
    return total
print(divisors(list(range(-200, 200)), 7))
try:
    divisors(list(range(200)), 0)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)

# sum(a_list): CPython's own sum, called once the items are all ints (int result) or ints and floats
def sums(rows):
    t = 0
    f = 0.0
    for row in rows:
        if type(row[0]) is int:
            t += sum(row)
        else:
            f += sum(row)
    return t, f
rows = [[k, k + 1, k * 3] for k in range(200)] + [[0.1 * k, 1, 2.5] for k in range(200)]
print(sums(rows))
print(sums(rows + [[2**62, 2**62]]))                 # an int sum beyond int64: the interpreter's
print(sums([[0.1] * 7] * 150 + [[1e308, 1e308]]))   # inf
try:
    print(sums([[1, 2]] * 150 + [[1, "x"]]))
except TypeError as e:
    print("TypeError", e)
print(sums([[1, 2]] * 150 + [[True, 2]]))
