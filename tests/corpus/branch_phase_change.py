# Branch direction changes mid-loop (first phase one way, then the other).

def run(n):
    a = 0
    b = 0
    for i in range(n):
        if i < n // 2:
            a += i
        else:
            b += i * 2
    return a, b

print(run(600))
x = 0
for i in range(1000):
    if i < 700:
        x += 1
    else:
        x -= 3
print(x)
y = 0
for i in range(900):
    if i > 600:
        y = y * 2 % 1000003
    else:
        y += i
print(y)
