# Reference counts stay exact when loops store into lists and append to them: objects whose lifetime is
# observable (weakref callbacks, sys.getrefcount) die exactly when they do without the JIT.
import sys
import weakref

events = []

class Token:
    def __init__(self, n):
        self.n = n

def note(ref, n):
    events.append(("died", n))

def fill(dst, objs, n):
    for i in range(n):
        dst.append(objs[i % len(objs)])
        dst.append(i * 0.5)
        dst.append(i)
        dst.append(i % 3 == 0)
    return dst

def overwrite(dst, objs):
    for i in range(len(dst)):
        if type(dst[i]) is float:
            dst[i] = objs[i % len(objs)]
    return dst

objs = [Token(k) for k in range(5)]
refs = [weakref.ref(o, lambda r, k=k: note(r, k)) for k, o in enumerate(objs)]
base = [sys.getrefcount(o) for o in objs]
lst = fill([], objs, 400)
print(len(lst), [sys.getrefcount(o) - b for o, b in zip(objs, base)])
overwrite(lst, objs)
print([sys.getrefcount(o) - b for o, b in zip(objs, base)])
events.append("drop objs")
del objs
events.append("drop list")
del lst
events.append("after")
print(events)

# floats and ints made by the loop: one reference each, held by the list only
made = fill([], [None], 300)
floats = [x for x in made if type(x) is float and x > 100.0]
print(len(floats), sorted({sys.getrefcount(x) for x in floats}))

# appending to the list being iterated over: the loop sees the new items (and stops at a guard)
grow = [1, 2, 3]
for x in grow:
    if len(grow) < 300:
        grow.append(x + 3)
print(len(grow), grow[-3:])

# the same list appended to itself and a list appended into another list
outer = []
inner = [0.0]
for i in range(200):
    outer.append(inner)
    inner.append(float(i))
print(len(outer), len(inner), outer[0] is inner, sys.getrefcount(inner) - 1)
