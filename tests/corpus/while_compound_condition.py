# while with `and` / `or` / `not` in the condition.

def run(n):
    a = 0
    b = n
    steps = 0
    while a < n and b > 0:
        a += 3
        b -= 2
        steps += 1
    return a, b, steps

print(run(1000), run(500))
x = 0
y = 0
while not (x > 300 or y > 1000):
    x += 1
    y += x % 7
print(x, y)
i = 0
while i < 400 and (i % 97 != 96 or i < 200):
    i += 1
print(i)
