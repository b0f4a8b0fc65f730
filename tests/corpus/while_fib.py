# Fibonacci numbers grow past int64 into big ints.

def fib(n):
    a = 0
    b = 1
    i = 0
    while i < n:
        t = a + b
        a = b
        b = t
        i += 1
    return a

print(fib(0), fib(1), fib(90), fib(92), fib(93), fib(300))
a = 0
b = 1
k = 0
while b < 10 ** 60:
    t = a + b
    a = b
    b = t
    k += 1
print(k, a, type(a).__name__)
m = 0
n = 1
for i in range(500):
    t = (m + n) % 1000000007
    m = n
    n = t
print(m, n)
