# Index errors, type errors and unexpected item types inside compiled loops: the interpreter raises them
# at the right line after deoptimization.
import traceback

def walk(a, n):
    s = 0.0
    for i in range(n):
        s += a[i]
    return s

def walk_neg(a, n):
    s = 0
    for i in range(n):
        s += a[-i - 1]
    return s

data = [float(i) for i in range(2000)]
print(walk(data, 2000))
for n in (2001, 5000):
    try:
        walk(data, n)
    except IndexError as e:
        tb = traceback.extract_tb(e.__traceback__)[-1]
        print("IndexError", e, tb.name, tb.lineno)
print(walk_neg(list(range(3000)), 3000))
try:
    walk_neg(list(range(3000)), 3001)
except IndexError as e:
    print("IndexError", e)
mixed = [1.5] * 1500 + ["oops"] + [2.5] * 10
try:
    walk(mixed, len(mixed))
except TypeError as e:
    print("TypeError", e)
objs = [1.5] * 1500 + [None]
try:
    walk(objs, len(objs))
except TypeError as e:
    print("TypeError", e)
print(walk([1.5, 2, True, 3.25] * 600, 2400))
walk(data, 2500)
