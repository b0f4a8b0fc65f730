# while ... else.

def search(n, target):
    i = 0
    while i < n:
        if i * 7 % 1000 == target:
            break
        i += 1
    else:
        return "not found", i
    return "found", i

print(search(1000, 999), search(1000, 1), search(100, 3))
k = 0
while k < 500:
    k += 1
else:
    k = -k
print(k)
m = 0
hits = 0
while m < 300:
    m += 1
    j = 2
    while j * j <= m:
        if m % j == 0:
            break
        j += 1
    else:
        hits += 1
print(hits, m, j)
