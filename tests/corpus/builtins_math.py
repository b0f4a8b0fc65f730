# Builtins and math functions through names pinned at entry: len, abs, min, max, float, int, isinstance,
# math.sqrt/floor/ceil/fabs/sin/cos/tan/exp/log, math.pi and math.e; rebinding a name leaves the loop.
import math

def norms(xs):
    s = 0.0
    m = 0.0
    for i in range(len(xs)):
        x = xs[i]
        s += math.sqrt(abs(x)) + math.fabs(x) * math.pi
        m = max(m, abs(x))
    return s, m

def ints(n):
    lo = 10 ** 6
    hi = -10 ** 6
    t = 0
    for i in range(n):
        v = (i * 7919) % 2003 - 1000
        lo = min(lo, v)
        hi = max(hi, v)
        t += abs(v) + int(v * 0.5) + int(float(v) / 3)
    return lo, hi, t

def trig(n):
    acc = 0.0
    for i in range(n):
        x = i * 0.001
        acc += math.sin(x) * math.cos(x) + math.tan(x * 0.1) + math.exp(-x) + math.log(x + 1.0) - math.e
    return acc

def rounding(n):
    t = 0
    for i in range(n):
        x = (i - n / 2) * 0.37
        t += math.floor(x) + math.ceil(x) + int(x)
    return t

def kinds(xs):
    k = 0
    for x in xs:
        if isinstance(x, float):
            k += 1
    return k

def domain(n, start):
    s = 0.0
    for i in range(n):
        s += math.sqrt(start - i)        # negative after a while: ValueError from the interpreter
    return s

print(norms([(-1) ** i * i * 0.25 for i in range(3000)]))
print(ints(5000))
print(trig(4000))
print(rounding(3001))
print(kinds([1.5, 2, 3.5] * 1000))
try:
    domain(3000, 2500.0)
except ValueError as e:
    print("ValueError", e)
print(math.floor(2.5))
builtins_abs = abs
def abs(x):                              # a module-level `abs` shadows the builtin from now on
    return 42
print(ints(3000))
del abs
print(ints(3000))
def lengths(m):
    t = 0
    for row in m:
        t += len(row)
    return t
print(lengths([[0] * (i % 7) for i in range(3000)]))
