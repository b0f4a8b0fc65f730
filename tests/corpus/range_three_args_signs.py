# All combinations of start/stop/step signs, counted with loops.

def count(a, b, step):
    c = 0
    last = None
    for i in range(a, b, step):
        c += 1
        last = i
    return c, last

res = 0
for a in range(-20, 21, 5):
    for b in range(-20, 21, 5):
        for step in range(-4, 5):
            if step != 0:
                c = 0
                for i in range(a, b, step):
                    c += 1
                res = res * 7 + c
                res %= 1000000007
print(res)
print(count(-300, 300, 1), count(300, -300, -1), count(300, -300, 1), count(-300, 300, -1))
