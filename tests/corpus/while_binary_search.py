# Integer binary search, many searches in a hot loop.

def isqrt_bs(n):
    lo = 0
    hi = n + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid * mid <= n:
            lo = mid
        else:
            hi = mid
    return lo

total = 0
for n in range(1, 800):
    lo = 0
    hi = n + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid * mid * mid <= n:
            lo = mid
        else:
            hi = mid
    total += lo
print(total, lo, hi)
print(isqrt_bs(10 ** 30), isqrt_bs(2 ** 127), isqrt_bs(0))
