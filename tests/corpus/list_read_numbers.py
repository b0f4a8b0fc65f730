# Reading list items by index: floats, ints, negative indices, lists changed between calls.

def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s

def isum(a):
    s = 0
    for i in range(len(a)):
        s += a[i]
    return s

def backwards(a):
    s = 0
    n = len(a)
    i = -1
    while i >= -n:
        s = s * 3 + a[i]
        s %= 1000003
        i -= 1
    return s

def prefix_max(a):
    best = a[0]
    k = 0
    for i in range(1, len(a)):
        if a[i] > best:
            best = a[i]
            k = i
    return best, k

xs = [i * 0.5 - 100.0 for i in range(3000)]
ys = [1.0 / (i + 1) for i in range(3000)]
print(repr(dot(xs, ys)), repr(dot(xs[:10], ys[:10])), dot([], []))
ints = [(i * 7919) % 1000 - 500 for i in range(4000)]
print(isum(ints), isum(ints[:3]))
ints[2000] = 2 ** 45                      # a two-digit int
print(isum(ints))
ints[2001] = 2 ** 61                      # three digits: unboxed (an int64)
print(isum(ints))
ints[2002] = 2 ** 80                      # a big int: the sum becomes a big int
print(isum(ints))
ints[2003] = True
print(isum(ints))
print(backwards(list(range(5000))))
print(prefix_max([(i * 31) % 977 for i in range(3000)]))
print(prefix_max([0.5 * ((i * 31) % 977) for i in range(3000)]))
