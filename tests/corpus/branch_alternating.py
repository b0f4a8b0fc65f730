# Alternating branch patterns.

def run(n):
    even = odd = 0
    t0 = t1 = t2 = 0
    for i in range(n):
        if i % 2 == 0:
            even += i
        else:
            odd += i
        m = i % 3
        if m == 0:
            t0 += 1
        elif m == 1:
            t1 += 2
        else:
            t2 += 3
    return even, odd, t0, t1, t2

print(run(1000))
