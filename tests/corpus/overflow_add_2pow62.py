# x += 2**62 repeatedly crosses into big ints on the second iteration.

def run(n):
    x = 0
    for i in range(n):
        x += 2 ** 62
    return x

print(run(1), run(2), run(3), run(400))
y = 0
for i in range(400):
    y += 4611686018427387904
    y -= 4611686018427387903
print(y)
z = 0
for i in range(300):
    z = z + 2 ** 62 + 2 ** 62
print(z, z // 2 ** 63)
