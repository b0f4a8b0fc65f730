# The exact ZeroDivisionError messages for float operands.

def run(n, k):
    x = 1.0
    try:
        for i in range(n):
            d = (n - 1 - i) * 1.0
            if k == 0:
                x = x + 1.0 / d
            elif k == 1:
                x = x + 1.0 // d
            elif k == 2:
                x = x + 1.0 % d
            else:
                x = x + 1 / (n - 1 - i)
    except ZeroDivisionError as e:
        # float modulo's message differs between versions ("float modulo"
        # vs "float modulo by zero"), so only its type is printed.
        print(k, i, repr(x), type(e).__name__ if k == 2 else e)

for k in range(4):
    run(400, k)
