# ZeroDivisionError after many iterations, caught outside the loop.

def run(n, zero_at):
    s = 0
    i = 0
    try:
        for i in range(n):
            s += 1000 // (zero_at - i)
    except ZeroDivisionError as e:
        return "caught", i, s, str(e)
    return "done", i, s

print(run(1000, 500))
print(run(1000, 5000))
print(run(400, 399))

def run_mod(n):
    s = 0
    try:
        for i in range(n):
            s += i % (350 - i)
    except ZeroDivisionError as e:
        print("mod caught", i, s, e)

run_mod(600)
try:
    t = 0.0
    for j in range(1000):
        t += 1 / (700 - j)
except ZeroDivisionError as e:
    print("truediv caught", j, repr(t), e)
