# Chained comparisons on floats.

def run(n):
    inside = 0
    outside = 0
    for i in range(n):
        x = i * 0.01 - 1.5
        if -1.0 < x <= 1.0:
            inside += 1
        elif x < -1.0 or 1.0 < x < 2.0:
            outside += 1
    return inside, outside

print(run(400))
c = 0
for i in range(300):
    x = i / 100
    c += (0.5 < x < 1.5) + (x == 1.0) + (x != 2.5 != x) + (0 <= x <= 3)
print(c)
