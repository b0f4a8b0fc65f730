# A branch taken rarely (every 97th iteration) and only late.

def run(n):
    common = 0
    rare = 0
    late = 0
    for i in range(n):
        if i % 97 == 96:
            rare += i
        else:
            common += 1
        if i == n - 3:
            late = i * 1000
    return common, rare, late

print(run(1000))
z = 0
for i in range(500):
    if i == 450:
        z = z + 0.5
    z += 1
print(repr(z), type(z).__name__)
