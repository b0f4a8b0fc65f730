# 0 ** negative raises ZeroDivisionError (int and float bases).

def run(n, base):
    s = 0
    i = 0
    try:
        for i in range(n):
            e = 200 - i
            s = s + base ** e
    except ZeroDivisionError as ex:
        return i, repr(s), type(ex).__name__, str(ex)
    return i, repr(s)

print(run(100, 0))
print(run(300, 0))
print(run(300, 0.0))
print(run(300, 1))
print(run(300, -1))
