# A mostly supported loop with a function call on a rare path.

log = []

def note(i, s):
    log.append((i, s))

def run(n):
    s = 0
    for i in range(n):
        s += i * i % 7
        if i % 100 == 99:
            note(i, s)
    return s

print(run(1000))
print(log)
