# Uncaught ZeroDivisionError from % in a module-level loop.

print("start")
s = 0
checkpoint = 0
for i in range(1, 1000):
    d = 600 - i
    s += i % d
    if i % 100 == 0:
        checkpoint = s
print("not reached", s, checkpoint)
