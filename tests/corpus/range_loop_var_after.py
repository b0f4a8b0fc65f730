# Loop variable after normal completion and after break.

def completed(n):
    for i in range(n):
        pass
    return i

def broken(n, stop):
    for i in range(n):
        if i == stop:
            break
    return i

print(completed(300), completed(1000), broken(1000, 450), broken(500, 10000))
for i in range(350):
    x = i * 2
print(i, x)
for j in range(10, 1000, 3):
    if j > 700:
        break
print(j)
for k in range(900, 0, -2):
    if k < 333:
        break
print(k)
for q in range(-1, -500, -1):
    pass
print(q)
