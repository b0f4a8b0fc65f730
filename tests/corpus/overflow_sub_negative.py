# Subtraction below -2**63.

def run(n):
    x = 0
    below = 0
    for i in range(n):
        x -= 2 ** 61
        if x < -2 ** 63:
            below += 1
    return x, below

print(run(3), run(4), run(5), run(400))
y = -9223372036854775000
for i in range(1000):
    y -= 1
print(y, y + 9223372036854775808)
