# `for x in some_list`: numbers, objects, nested lists, lists changed between loops, module level.

def total(a):
    s = 0.0
    for x in a:
        s += x
    return s

def count_if(a, lo):
    n = 0
    for x in a:
        if x >= lo:
            n += 1
    return n

def last_and_count(a):
    y = None
    k = 0
    for x in a:
        y = x
        k += 1
    return y, k

def grid_sum(m):
    t = 0
    for row in m:
        for v in row:
            t += v
    return t

def rows_cols(m):
    t = 0.0
    for i in range(len(m)):
        row = m[i]
        for j in range(len(row)):
            t += row[j] * (i - j)
    return t

vals = [((i * 37) % 101) * 0.25 for i in range(5000)]
print(total(vals), total(vals[:7]), total([]))
print(count_if(list(range(-2500, 2500)), 17), count_if(vals, 12.5))
print(last_and_count(list(range(4000))), last_and_count([]), last_and_count(["a", 1, 2.5, None] * 500))
m = [[(i * j) % 17 for j in range(120)] for i in range(90)]
print(grid_sum(m))
fm = [[(i - j) * 0.5 for j in range(80)] for i in range(70)]
print(rows_cols(fm))
vals.append(1e300)
print(total(vals))
vals[100] = 7                               # an int among floats
print(total(vals))

acc = 0
for x in list(range(20000)):
    acc += x * x % 13
print(acc)
