# Conditional expressions.

def run(n):
    s = 0
    fl = 0.0
    for i in range(n):
        s += i if i % 2 else -i
        fl += 0.5 if i > 100 else 1
        s += 1 if 10 < i < 20 else (2 if i < 300 else 3)
    return s, fl

print(run(500))
x = 0
for i in range(300):
    x = x + 1 if x < 100 else 0
print(x)
