# A hot function compiled for int arguments is later called with other types.

def poly(x, n):
    s = 0
    for i in range(n):
        s = s * x % 1000003 + i
    return s

def poly2(x, n):
    s = x
    for i in range(n):
        s = s * 0 + s + x - x
    return s

print(poly(3, 400), poly(5, 400), poly(2.0, 400), poly(True, 400), poly(2 ** 70, 400))
print(poly2(7, 300), poly2(7.5, 300), poly2(False, 300), poly2(2 ** 65, 300), repr(poly2(-0.0, 300)))
