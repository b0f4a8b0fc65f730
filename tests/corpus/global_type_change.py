# A global changes type (int -> float -> big int -> bool) between calls.

FACTOR = 2

def scale(n):
    acc = 0
    for i in range(n):
        acc = acc + i * FACTOR
    return acc

def change(v):
    global FACTOR
    FACTOR = v

r1 = scale(500)
change(2.5)
r2 = scale(500)
change(2 ** 80)
r3 = scale(500)
change(False)
r4 = scale(500)
change(-1)
r5 = scale(500)
print(r1, r2, r3, r4, r5)
print(type(r1).__name__, type(r2).__name__, type(r3).__name__, type(r4).__name__)
