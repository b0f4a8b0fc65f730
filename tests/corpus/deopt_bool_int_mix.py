# Values alternating between bool and int.

def run(n):
    x = False
    s = 0
    for i in range(n):
        if i % 2:
            x = True
        else:
            x = i
        s = s + x
    return s, x, type(x).__name__

print(run(400), run(401))
acc = True
for i in range(300):
    acc = acc and i
print(acc, type(acc).__name__)
b = True
for i in range(300):
    b = b + (i > 100)
print(b, type(b).__name__)
