# Module-level loops with break / else / continue.

for i in range(1000):
    if i * i > 200000:
        break
else:
    i = -1
print(i)
odd = 0
for j in range(700):
    if j % 2 == 0:
        continue
    odd += j
else:
    print("completed", j)
print(odd)
k = 0
while True:
    k += 7
    if k > 3000:
        break
print(k)
