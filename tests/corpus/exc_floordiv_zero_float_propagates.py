# Uncaught float floor division by zero in a while loop.

def run(start):
    x = start
    acc = 0.0
    while True:
        acc += 1000.0 // x
        x -= 1.0
        if x < -5.0:
            return acc

print(repr(run(300.5)))
print(repr(run(300.0)))
