# Prime counting by trial division and by a divisor-count loop.

def trial(n):
    count = 0
    for k in range(2, n):
        is_p = 1
        d = 2
        while d * d <= k:
            if k % d == 0:
                is_p = 0
                break
            d += 1
        count += is_p
    return count

def divisors(n):
    best = 0
    best_k = 0
    for k in range(1, n):
        c = 0
        for d in range(1, k + 1):
            if k % d == 0:
                c += 1
        if c > best:
            best = c
            best_k = k
    return best, best_k

print(trial(3000), divisors(300))
