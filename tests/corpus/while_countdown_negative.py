# Countdown into negative numbers.

def run(start):
    i = start
    s = 0
    while i > -start:
        s += i
        i -= 1
    return i, s

print(run(400), run(0), run(1))
k = 350
neg = 0
while k >= -350:
    if k < 0:
        neg += 1
    k -= 1
print(k, neg)
