# Integer and float accumulators updated together.

def stats(n):
    count = 0
    total = 0
    sq = 0
    mean = 0.0
    m2 = 0.0
    for i in range(n):
        x = (i * 7919) % 1000
        count += 1
        total += x
        sq += x * x
        delta = x - mean
        mean += delta / count
        m2 += delta * (x - mean)
    return count, total, sq, mean, m2 / (count - 1)

print(stats(500))
print(stats(1000))
