# for loops inside while loops.

def run(limit):
    total = 0
    rounds = 0
    i = -1
    while total < limit:
        for i in range(rounds % 50 + 1):
            total += i
        rounds += 1
    return total, rounds, i

print(run(100000), run(0))
n = 0
acc = 0
while n < 40:
    for j in range(n, 0, -1):
        acc += j * n
    n += 1
print(n, acc, j)
