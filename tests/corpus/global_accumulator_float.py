# Float global accumulators, updated from a loop in a function and at module level.

energy = 0.0

def integrate(n, dt):
    global energy
    v = 1.0
    for i in range(n):
        v = v - 0.1 * v * dt
        energy += v * v * dt
    return v

print(repr(integrate(500, 0.01)), repr(energy))
print(repr(integrate(500, 0.02)), repr(energy))
for i in range(300):
    energy -= 0.001
print(repr(energy))
