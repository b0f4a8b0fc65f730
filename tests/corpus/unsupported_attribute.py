# Attribute loads and stores in a hot loop.

class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

def run(n):
    p = Point(0, 0)
    for i in range(n):
        p.x += i
        p.y = p.x % 1000 - p.y
    return p.x, p.y

print(run(500))

class Acc:
    total = 0

for i in range(300):
    Acc.total += i
print(Acc.total, (3.5).real, (7).denominator)
