# Sets of ints (printed sorted) built in hot loops.

seen = set()
dups = 0
x = 1
for i in range(600):
    x = (x * 75 + 74) % 65537
    k = x % 500
    if k in seen:
        dups += 1
    seen.add(k)
print(len(seen), dups, sorted(seen)[:10])
a = {i for i in range(0, 300, 2)}
b = {i for i in range(0, 300, 3)}
print(len(a & b), len(a | b), sorted(a ^ b)[:8])
