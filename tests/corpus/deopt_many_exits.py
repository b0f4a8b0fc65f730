# Many different guards fail at different points.

def run(n):
    x = 0
    y = 0
    z = 0.0
    for i in range(n):
        if i % 50 == 49:
            x = x + 0.25
        elif i % 77 == 0:
            y = y + 2 ** 63
        elif i % 91 == 3:
            z = z + 1
        x = x + 1
        y = y - 1
        z = z * 1.0
    return x, y, z

print(run(1000))
print(run(300))
