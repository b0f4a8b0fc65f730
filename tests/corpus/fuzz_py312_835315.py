# Fuzz regression case: `python -m fuzz --one 835315` (CPython 3.12.1),
# fuzz params threshold=2,bridge_threshold=2; found as: crash:-11.
# Fails under the corpus test's params (threshold=2): no (tests/test_dicts.py runs it with bridge_threshold=2).
# A bridge from an exit where x3 (kept by the loop as an object: a dict value) held an unboxed int wrote x3
# before reading it: its input was taken as an object, so earlier exits boxed the int's bits as a pointer.
nan = float('nan')
inf = float('inf')
g0 = False
g1 = 9.223372036854776e18
S0 = '\xe0' + 'ee\xe01\xe910\xe0' * 18
S1 = '\xe9\U0010ffff\xe91\xe910\xe9\t0\xe90'
S2 = 'ee' * 54
W = ['', '\t0\t1', '10\t', '\xe01', '01\xe0']
TW = tuple(W)
D0 = {'': 10, '\t0\t1': 100, '\xe01': -1, '01\xe0': 7, 'e': 7, '0': -128, '\u0800': 42}
D1 = {'': -1, '\t0\t1': 5, '01\xe0': 255, 'e': -4, '0': 100, '\u0800': 0}
D2 = {w: len(w) * 3 for w in W}
OUT = []
def tb_line(e):
    t = e.__traceback__
    while t.tb_next is not None:
        t = t.tb_next
    return t.tb_lineno
def f0(a, b, n):
    global g1
    x0 = a
    x1 = 9.223372036854776e18
    x2 = 10
    x3 = (-0x7fffffffffffffff)
    acc = 0
    for i in range(100, 250, 3):
        c0 = 0
        while True:
            c0 += 1
            if c0 > 21:
                break
            x2 += (-i)
            if x2 > 1000000000 or x2 < -1000000000: x2 %= 97
            if (i & 8):
                acc = (acc * 31 + ord(S2[-1 - c0 % len(S2)])) & 0xFFFFFFFF
                x0 = (-0x4000000000000000)
                if x0 > 0x4000000000000000 or x0 < -0x4000000000000000: x0 %= 97
            else:
                x3 = ((x3 | x2) and b) & 0xFFFFFFFFFFFF
            if 13 <= c0 < 17:
                if (not W[(c0 * 7) % len(W)]):
                    continue
            try:
                x3 = D0[W[(c0 + 6) % len(W)]]
            except KeyError:
                acc += 7
        x0 = max(x0, (b + b), (-x2))
        if x0 > 0x4000000000000000 or x0 < -0x4000000000000000: x0 %= 97
        x0 = (b)
        if x0 > 0x4000000000000000 or x0 < -0x4000000000000000: x0 %= 97
        x0 = (-(a if i < b else x3)) % 97
    for i in range(32):
        if i == 21:
            x1 = inf
        x0 = min(x0, (-3), (a * x0))
        if x0 > 0x4000000000000000 or x0 < -0x4000000000000000: x0 %= 97
    else:
        acc += 1000
    return (x0, x1, x2, x3, acc)
try:
    print('f0', f0(0x3fffffffffffffff, 0x20000000000001, 2500))
except Exception as e:
    print('caught', type(e).__name__, e, tb_line(e))
print(g1)
try:
    print('f0', f0(False, (-0x7fffffffffffffff), 1542))
except Exception as e:
    print('caught', type(e).__name__, e, tb_line(e))
print(g1)
def sf1(ss, tt, dd, ww, n):
    acc = miss = mx = 0
    fm = 0.0
    out = []
    last = 0
    c2 = 'a'
    for i in range(n):
        wa = ww[i % len(ww)]
        wb = ww[(i * 3 + 4) % len(ww)]
        if not wa or ss:
            continue
        acc += len(wa) * 3 + len(dd) + (wb >= '\xe9')
        acc += len(ss) - len(tt)
    return acc, miss, mx, fm, len(out), ascii(out[-6:]), ascii(last), ascii(c2)
print('sf1', sf1(S2, S0, D1, W, 1000))
print('sf1', sf1(S2, S0, D2, W, 2500))
print('strs', len(S0), ascii(S0[:12]), len(S1), ascii(S1[:12]), len(S2), ascii(S2[:12]))
print('words', ascii(W))
print('dict', len(D0), ascii(list(D0.items())))
print('dict', len(D1), ascii(list(D1.items())))
print('dict', len(D2), ascii(list(D2.items())))
print('out', len(OUT), ascii(OUT[-8:]))
print('end', g0, g1)
