# Empty ranges: the body never runs and the loop variable keeps its old value.

def run(n):
    i = -42
    hits = 0
    for outer in range(n):
        for i in range(outer, outer):
            hits += 1
        for i in range(5, 0):
            hits += 1
        for i in range(0, 5, -1):
            hits += 1
    return hits, i, outer

print(run(400))
i = 123
for i in range(0):
    print("never")
print("after empty", i)
j = 7
total = 0
for k in range(500):
    for j in range(k, k - 10, 1):
        total += 1
print(total, j, k)
m = 0
for k in range(300):
    for m in range(k % 3):
        total += m
print(total, m)
