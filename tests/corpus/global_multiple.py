# Several globals updated together, some only read.

a = 1
b = 0
c = 0.0
RATE = 0.01

def step(n):
    global a, b, c
    for i in range(n):
        a = (a * 31 + i) % 65521
        b = b + a % 7
        c = c + a * RATE

for k in range(4):
    step(300)
    print(a, b, repr(c))
RATE = 2
step(300)
print(a, b, repr(c))
