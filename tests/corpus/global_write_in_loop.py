# Globals written every iteration; another function reads them afterwards.

last = None
best = -1

def scan(n):
    global last, best
    for i in range(n):
        last = (i * 7919) % 1009
        if last > best:
            best = last

def report():
    return last, best

scan(400)
print(report())
best = 10 ** 30
scan(400)
print(report())
best = -1.5
scan(300)
print(report(), type(best).__name__)
