# Building lists in hot loops: append compiles (numbers boxed, objects by reference); pop does not.

def squares(n):
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(i * i)
    return out

s = squares(1000)
print(len(s), s[:5], s[-2:], sum(s))
acc = []
i = 0
while i < 400:
    acc.append(i % 7)
    if len(acc) > 50:
        acc.pop(0)
    i += 1
print(acc)
