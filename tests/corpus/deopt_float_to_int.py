# A float variable reset to an int mid-loop.

def run(n):
    x = 0.0
    resets = 0
    for i in range(n):
        x = x + 1.5
        if x > 100:
            x = 0
            resets += 1
    return x, resets, type(x).__name__

print(run(500), run(69), run(67))
