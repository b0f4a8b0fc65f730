# A module-level variable changes type mid-loop.

x = 0
for i in range(600):
    if i == 300:
        x = x + 0.5
    x = x + 1
print(repr(x), type(x).__name__)
y = 1
for i in range(500):
    if i == 250:
        y = True
    y = y * 1
print(y, type(y).__name__)
z = 1.5
for i in range(400):
    if i == 200:
        z = 3
    z = z * 1
print(z, type(z).__name__)
