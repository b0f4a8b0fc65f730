# float ** that overflows raises OverflowError inside the hot loop (caught outside).

def run(n):
    x = 0.0
    i = 0
    try:
        for i in range(n):
            x = 2.0 ** (i * 3)
    except OverflowError as e:
        return "overflow", i, repr(x), str(e)
    return "ok", i, repr(x)

print(run(300))
print(run(500))
try:
    y = 1.5
    for k in range(1000):
        y = y ** 2
except OverflowError as e:
    print("caught at", k, repr(y), type(e).__name__)
