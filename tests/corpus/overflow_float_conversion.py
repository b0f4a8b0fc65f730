# Mixing a too-large int with a float raises OverflowError.

def run(n):
    f = 0.5
    i = 0
    try:
        for i in range(n):
            f = f + 10 ** (i * 2)
    except OverflowError as e:
        return "overflow", i, repr(f), str(e)
    return "ok", i, repr(f)

print(run(100))
print(run(300))
try:
    g = 1.0
    for k in range(1, 400):
        g = 2 ** (k * 3) * 1.0
except OverflowError as e:
    print("caught", k, repr(g), str(e))
