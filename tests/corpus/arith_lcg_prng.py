# Linear congruential generators with masks (products exceed int64).

def lcg64(seed, n):
    x = seed
    acc = 0
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        acc ^= x >> 33
    return x, acc

print(lcg64(42, 1000))

def lcg32(seed, n):
    x = seed
    hist0 = 0
    hist1 = 0
    hist2 = 0
    for i in range(n):
        x = (1103515245 * x + 12345) % 2147483648
        r = x % 3
        if r == 0:
            hist0 += 1
        elif r == 1:
            hist1 += 1
        else:
            hist2 += 1
    return x, hist0, hist1, hist2

print(lcg32(1, 2000))
