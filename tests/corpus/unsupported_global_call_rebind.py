# The hot loop calls a global function that is rebound between calls.

def f(x):
    return x + 1

def run(n):
    s = 0
    for i in range(n):
        s += f(i)
    return s

print(run(400))

def f(x):
    return x * 2

print(run(400))
f = abs
print(run(400))
