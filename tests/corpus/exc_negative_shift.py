# Negative shift counts raise ValueError.

def run(n):
    s = 0
    i = 0
    try:
        for i in range(n):
            s += 1 << (300 - i)
    except ValueError as e:
        return i, s % 1000000007, str(e)
    return i, s

print(run(200))
print(run(500))
try:
    t = 0
    for j in range(600):
        t += 1024 >> (400 - j)
except ValueError as e:
    print("caught", j, t, e)
