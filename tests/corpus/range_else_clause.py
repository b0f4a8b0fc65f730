# for ... else with and without break.

def find(n, target):
    for i in range(n):
        if i * i == target:
            found = i
            break
    else:
        found = -1
    return found, i

print(find(1000, 361 * 361), find(400, 7), find(400, 0))
hits = 0
for k in range(300):
    for j in range(2, 20):
        if k % j == 0 and k != j:
            break
    else:
        hits += 1
print(hits, k, j)
for w in range(500):
    if w > 10000:
        break
else:
    print("else ran", w)
