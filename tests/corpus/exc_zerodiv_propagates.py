# Uncaught ZeroDivisionError deep in a hot loop: traceback and exit status.

def inner(n):
    s = 0
    for i in range(n):
        s += 10 // (450 - i)
    return s

def outer():
    print("before", inner(400))
    print("again", inner(1000))
    print("not reached")

outer()
