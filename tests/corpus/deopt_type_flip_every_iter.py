# Types flip on every iteration: int, float, bool, big int.

def run(n):
    s = 0
    for i in range(n):
        m = i % 4
        if m == 0:
            v = i
        elif m == 1:
            v = i * 0.5
        elif m == 2:
            v = i > 200
        else:
            v = i * 2 ** 64
        s = s + v
    return s, type(s).__name__

print(run(400))
print(run(5))
