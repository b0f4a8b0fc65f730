# Recursive functions containing hot loops.

def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

def tri(n):
    if n == 0:
        return 0
    s = 0
    for i in range(n * 20):
        s += i % 3
    return s + tri(n - 1)

print(fact(100) % 1000000007, tri(20))

def ack(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ack(m - 1, 1)
    return ack(m - 1, ack(m, n - 1))

print(ack(2, 50))
