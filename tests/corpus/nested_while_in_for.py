# while loops inside for loops.

def run(n):
    total = 0
    maxlen = 0
    for i in range(1, n):
        x = i
        length = 0
        while x > 0:
            x //= 3
            length += 1
        total += length
        if length > maxlen:
            maxlen = length
    return total, maxlen, x, length

print(run(2000))
s = 0
for i in range(300):
    k = i
    while k % 2 == 0 and k > 0:
        k //= 2
        s += 1
print(s, k)
