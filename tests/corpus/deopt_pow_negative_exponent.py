# An int ** int whose exponent turns negative mid-loop gives a float.

def run(n):
    s = 0
    for i in range(n):
        e = 3 - i // 100
        s = s + 2 ** e
    return s, type(s).__name__

print(run(300), run(600))
t = 0
for i in range(400):
    t = (i % 5) ** (2 - i // 200)
print(repr(t), type(t).__name__)
