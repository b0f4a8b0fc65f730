# Dict updates in a hot loop (int keys; insertion order is deterministic).

def histogram(n):
    h = {}
    for i in range(n):
        k = (i * i) % 17
        h[k] = h.get(k, 0) + 1
    return h

h = histogram(1000)
print(sorted(h.items()))
print(list(h.keys())[:5])
d = {"a": 0, "b": 0}
for i in range(300):
    if i % 2:
        d["a"] += i
    else:
        d["b"] -= i
print(d)
