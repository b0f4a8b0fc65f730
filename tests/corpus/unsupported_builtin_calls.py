# Builtin calls (abs, min, max, divmod, int, float, round) in a hot loop.

def run(n):
    s = 0
    lo = 10 ** 9
    hi = -10 ** 9
    f = 0.0
    for i in range(-n, n):
        s += abs(i) + divmod(i, 7)[1]
        lo = min(lo, i * 3 % 101)
        hi = max(hi, i * 5 % 103)
        f += float(i) / 3 + round(i / 7) + int(i * 0.7)
    return s, lo, hi, repr(f)

print(run(400))
