# Float division by zero (float / 0.0, float // 0.0, float % 0.0).

def run(op, n):
    x = 0.0
    i = 0
    try:
        for i in range(n):
            d = (400 - i) * 1.0
            if op == 0:
                x += 1.0 / d
            elif op == 1:
                x += 7.5 // d
            else:
                x += 7.5 % d
    except ZeroDivisionError as e:
        return op, i, repr(x), type(e).__name__
    return op, i, repr(x)

print(run(0, 1000))
print(run(1, 1000))
print(run(2, 1000))
print(run(0, 300))
