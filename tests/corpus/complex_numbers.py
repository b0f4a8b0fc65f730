# Complex numbers kept unboxed as pairs of doubles: arithmetic, abs, .real/.imag, complex(a, b); mixed with
# ints, floats and bools; signed zeros, infinities and NaNs; deoptimization when a value stops being complex
# and when abs() overflows.
import math

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

def show(z):
    return (repr(z), math.copysign(1.0, z.real), math.copysign(1.0, z.imag))

zs = [complex(-1.5 + 0.03 * k, 0.02 * k - 1.0) for k in range(100)]
cs = [complex(-0.62772, -0.42193)] * len(zs)
print(sum(calculate_z(60, zs, cs)), calculate_z(60, zs, cs)[:20])

def mixed(n):
    z = 0j
    w = complex(1, -1)
    acc = 0.0
    for i in range(n):
        z = z + i            # complex + int
        z = z * 0.5          # complex * float (the float becomes complex(x, 0.0) first, as in CPython)
        z = 1.5 - z          # float - complex
        z = -z + w * 2
        z = z - True         # bool operand
        w = +w * complex(0, 1)
        acc += z.real - z.imag + abs(w)
    return z, w, acc
print(mixed(300))

def parts(n):
    re = im = 0.0
    for i in range(n):
        z = complex(i, -i * 0.5)
        q = complex(float(i))
        re += z.real * q.real
        im += z.imag + q.imag
    return re, im
print(parts(200))

def signed_zeros(n):
    out = []
    z = complex(-0.0, 0.0)
    for i in range(n):
        z = z * -1.0 + (-0.0)
        if i % 50 == 0:
            out.append(show(z))
    return out
print(signed_zeros(200))

def specials(n):
    z = complex(1.0, 2.0)
    hits = 0
    for i in range(n):
        z = z * 1.5
        if abs(z) > 1e300:
            hits += 1
    return show(z), hits
try:
    print(specials(3000))
except OverflowError as e:
    print("OverflowError", e)

def nan_inf(n):
    z = complex(math.inf, 1.0)
    total = 0
    for i in range(n):
        w = z * 0.0
        total += (w.real != w.real) + (w.imag != w.imag)
    return total, show(z * 0.0)
print(nan_inf(200))

def becomes_float(xs):
    total = 0j
    for x in xs:
        total = total + x * x
    return total
print(becomes_float([complex(i, 1) for i in range(150)] + [2.5] + [complex(1, i) for i in range(150)]))
print(becomes_float([1.0] * 100 + [1j] * 100))

def type_flip(n):
    z = 1 + 1j
    for i in range(n):
        z = z * 1j
        if i == n - 5:
            z = 2.0
    return z
print(type_flip(300))

def overflow_abs(n):
    z = complex(1e300, 1e300)
    s = 0.0
    for i in range(n):
        s += abs(z) * 1e-300
        if i == n - 3:
            z = z * 1.5e8
    return s
try:
    print(overflow_abs(300))
except OverflowError as e:
    print("OverflowError", e)

def attr_errors(xs):
    s = 0.0
    for x in xs:
        s += x.real + x.imag
    return s
print(attr_errors([1j] * 100 + [3.0, 5] + [2 + 3j] * 100))

def builtins_of_complex(zs):
    out = []
    for z in zs:
        out.append((type(z) is complex, abs(z)))
        try:
            float(z)
        except TypeError:
            out.append("no float()")
    return out[-3:]
print(builtins_of_complex([1j, 2 + 0j] * 100))

def build(n):
    zs = []
    for i in range(n):
        zs.append(complex(i * 0.5, -i))
        zs.append(zs[-1].real * 1j) if False else None
    return zs[-2:], len(zs)
print(build(300))

def build_grid(w):
    zs = []
    for r in range(w):
        y = 1.8 - r * 0.1
        for c in range(w):
            zs.append(complex(-1.8 + c * 0.1, y) * 2 - 1j)
    return len(zs), zs[w + 3], zs[-1]
print(build_grid(40))

def divide(zs, w):
    out = []
    acc = 0j
    for z in zs:
        q = z / w
        acc = acc + q / (1 + 0.25j) - 2.0 / z
        out.append(q)
    return acc, out[:2], out[-1]
zs = [complex(k * 0.5 - 30, 3 - k * 0.1) for k in range(1, 200)]
print(divide(zs, 0.5 - 2j), divide(zs, 3 + 0.1j), divide(zs, complex(-0.0, 1e-300)))
print(divide(zs, complex(1e308, 1e308)), divide(zs[:150] + [complex(math.inf, 1)], 1 + 1j))
print(divide(zs[:150] + [complex(math.nan, 1)], 2j))
try:
    divide(zs, 0j)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
try:
    divide(zs[:150] + [0j], 1j)
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)

def store_all(zs, k):
    out = [0.0] * len(zs)
    for i in range(len(zs)):
        out[i] = zs[i] * k - 1j
    return out[:2], out[-1], sum(1 for z in out if type(z) is complex)
print(store_all([complex(i, -i) for i in range(300)], 0.5))
print(store_all([complex(i, -i) for i in range(150)] + [2.0] + [1j] * 100, 2))
