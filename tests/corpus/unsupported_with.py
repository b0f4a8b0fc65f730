# A with-statement inside a hot loop.

class Counter:
    entered = 0
    exited = 0

    def __enter__(self):
        Counter.entered += 1
        return self

    def __exit__(self, *exc):
        Counter.exited += 1
        return False

def run(n):
    s = 0
    c = Counter()
    for i in range(n):
        with c:
            s += i
    return s

print(run(400), Counter.entered, Counter.exited)
