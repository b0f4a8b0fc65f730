# ** with small int exponents, negative exponents (float result), zero exp.

def powers(n):
    sq = 0
    cube = 0
    neg = 0
    zero = 0
    for i in range(n):
        sq += i ** 2
        cube += i ** 3
        neg += (-i) ** 3
        zero += i ** 0
    return sq, cube, neg, zero

print(powers(400))

two = 0
for i in range(80):
    two = 2 ** i
print("2**79 =", two, type(two).__name__)

inv = 0.0
for i in range(1, 400):
    inv += i ** -1
print("harmonic", repr(inv), type(i ** -1).__name__)

f = 0.0
for i in range(300):
    f += (i * 0.5) ** 2
    f -= 1.5 ** 3
print(repr(f))
print(repr(2 ** -2), (-3) ** 3, (-2) ** 63, (-2) ** 64, 0 ** 0)
