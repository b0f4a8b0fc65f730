# Module-level loop overflowing int64.

v = 1
for i in range(200):
    v = v * 3
print(v)
w = 0
for i in range(300):
    w += 2 ** 62
print(w, w // 2 ** 62)
u = -1
for i in range(100):
    u = u * 7 - 1
print(u)
