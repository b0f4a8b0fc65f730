# try/except/finally inside the hot loop.

def run(n):
    caught = 0
    fin = 0
    s = 0
    for i in range(n):
        try:
            s += 100 // (i % 7)
        except ZeroDivisionError:
            caught += 1
        finally:
            fin += 1
    return s, caught, fin

print(run(700))
errs = 0
for i in range(300):
    try:
        if i % 50 == 0:
            raise ValueError(i)
    except ValueError as e:
        errs += e.args[0]
print(errs)
