# ~ on a bool: an int result; on 3.12+ it also emits a DeprecationWarning
# (once per source location, in __main__) that must be preserved.

def run(n):
    s = 0
    last = 0
    for i in range(n):
        b = i % 3 == 0
        last = ~b
        s += last
    return s, last, type(last).__name__

print(run(400))
t = 0
for i in range(300):
    t += ~(i > 150)
print(t)
