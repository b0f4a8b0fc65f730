# Simple counting while loops.

def run(n):
    i = 0
    s = 0
    while i < n:
        s += i
        i += 1
    return i, s

print(run(500), run(0), run(-5))
i = 10
p = 1
while i <= 400:
    p = (p * i) % 1000000007
    i += 3
print(i, p)
j = 1000
while j > 0:
    j -= 7
print(j)
