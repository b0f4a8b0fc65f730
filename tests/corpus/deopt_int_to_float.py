# A variable that is an int for a while and then becomes a float.

def run(n, switch):
    x = 0
    for i in range(n):
        if i == switch:
            x = x + 0.5
        x = x + i
    return x

print(repr(run(600, 300)), repr(run(600, 599)), repr(run(600, 0)), repr(run(600, 1000)))
y = 0
for i in range(500):
    y += 1
    if i >= 400:
        y /= 2
print(repr(y), type(y).__name__)
