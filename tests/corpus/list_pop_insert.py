# list.pop / list.insert as ops (recorder/lists.py): found by review. Borrowed aliases of popped items, an
# __index__ of the index (Python code: not inside the op), indexes that overflow or are floats, pop while
# iterating, inserts clamped, getsizeof after shrinking.

# --- alias
class N_alias:
    def __init__(self, k): self.k = k
def f_alias(n):
    a = [N_alias(i) for i in range(n)]
    out = []
    for i in range(n - 1):
        y = a[-1]
        a.pop()
        out.append(y)
    return sum(o.k for o in out)
print(f_alias(2000))

# --- aliasint
def f_aliasint(n):
    a = [10**20 + i for i in range(n)]
    out = []
    t = 0
    for i in range(n - 1):
        y = a[-1]
        t += a.pop() - 10**20
        out.append(y)
    return t, sum(out) - 10**20 * len(out)
print(f_aliasint(2000))

# --- idx
import sys
calls_idx = []
class I_idx:
    def __index__(self):
        calls_idx.append(sys._getframe(1).f_code.co_name)
        return 0
def f_idx(n, idx):
    a = list(range(3 * n))
    t = 0
    for i in range(n):
        t += a.pop(idx[i])
        a.insert(idx[i], i)
    return t, len(a)
idx = [1, 2, 0, 1] * 50 + [I_idx()] * 3 + [1] * 50
print(f_idx(len(idx), idx))
print(calls_idx)

# --- idx2
calls_idx2 = 0
class I_idx2:
    def __index__(self):
        global calls_idx2
        calls_idx2 += 1
        raise ValueError("no")
def f_idx2(n, idx):
    a = list(range(3 * n))
    t = 0
    for i in range(n):
        try:
            t += a.pop(idx[i])
        except ValueError:
            t += 1000
    return t, len(a)
idx = [1, 2, 0, 1] * 50 + [I_idx2()] * 3 + [1] * 50
print(f_idx2(len(idx), idx), calls_idx2)

# --- ovf3
def g_ovf3(n, idx):
    a = list(range(n))
    r = 0
    for i in range(n):
        try:
            r += a.pop(idx[i])
        except (IndexError, OverflowError, TypeError) as e:
            r += 1000
        try:
            a.insert(idx[i], i)
        except (OverflowError, TypeError) as e:
            r += 7
    return r, len(a)
print(g_ovf3(300, [1, 2, 0] * 50 + [1.5] * 5 + [1] * 145))

# --- iter
import sys
def f_iter(n):
    a = [[i] for i in range(n)]
    out = []
    for x in a:
        a.pop()
        out.append(x)
    return len(out), sum(o[0] for o in out), len(a), sys.getsizeof(a)
print(f_iter(2001))

# --- ins
import sys
def f_ins(n):
    a = []
    for i in range(n):
        a.insert(i * 7 - 3 * n if i % 3 else 10**18 * (i % 2 * 2 - 1), i)
        a.insert(-10**18, -i)
        if i % 5 == 0 and len(a) > 3:
            a.pop(-1)
            a.pop(0)
            a.pop(len(a) // 2)
    return sum(a), a[:10], a[-10:], len(a), sys.getsizeof(a)
print(f_ins(3000))
def g_ins(n):
    a = list(range(n))
    r = []
    for i in range(n):
        try:
            r.append(a.pop(i % 7 - 3 if i % 11 else 10**30))
        except (IndexError, OverflowError) as e:
            r.append(repr(e))
        try:
            a.insert(True, i)
        except Exception as e:
            r.append(repr(e))
    return r[:20], r[-5:], len(a), sys.getsizeof(a)
print(g_ins(500))
def h_ins(n):
    a = list(range(n))
    t = 0
    for i in range(n // 2):
        t += a.pop(i % 2 == 0)
        t += a.pop(1.5 if i == n//2 - 3 else 0) if i > 3 else 0
    return t
try:
    print(h_ins(100))
except TypeError as e:
    print("TypeError", e)

