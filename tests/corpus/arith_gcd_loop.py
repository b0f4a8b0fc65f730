# Euclid's algorithm, nested loops.

def gcd_sum(n):
    total = 0
    coprime = 0
    for a in range(1, n):
        b = n * 7 + 3
        x = a
        y = b
        while y:
            t = x % y
            x = y
            y = t
        total += x
        if x == 1:
            coprime += 1
    return total, coprime, x, y

print(gcd_sum(400))
print(gcd_sum(330))
s = 0
for a in range(-300, 300, 7):
    x = a
    y = 84
    while y != 0:
        t = x % y
        x = y
        y = t
    s += x
print(s)
