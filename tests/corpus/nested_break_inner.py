# break in an inner loop only leaves that loop.

def run(n):
    total = 0
    breaks = 0
    for i in range(n):
        for j in range(n):
            if j > i:
                breaks += 1
                break
            total += j
    return total, breaks, i, j

print(run(40))

def primes(n):
    count = 0
    last = 0
    for p in range(2, n):
        d = 2
        while d * d <= p:
            if p % d == 0:
                break
            d += 1
        else:
            count += 1
            last = p
    return count, last

print(primes(2000))
