# Items keep their identity: a variable assigned from a list holds the very object; `is` and `is None`.

def pick(a):
    found = None
    for i in range(len(a)):
        x = a[i]
        if x is not None:
            found = x
    return found

def same_count(a, b):
    n = 0
    for i in range(len(a)):
        if a[i] is b[i]:
            n += 1
    return n

objs = [object() for _ in range(10)]
data = [None] * 3000 + objs + [None] * 3000
p = pick(data)
print(p is objs[-1], pick([None] * 2000))
big = [10.0 ** k for k in range(300)] * 10
alias = list(big)
print(same_count(big, alias), same_count(big, [float(x) for x in big]))

def last_float(a):
    y = 0.0
    for x in a:
        y = x
    return y

fl = [i + 0.5 for i in range(4000)]
y = last_float(fl)
print(y, y is fl[-1])
