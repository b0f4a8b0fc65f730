# Unary ops on bools produce ints.

s = 0
last = None
for i in range(300):
    b = i % 2 == 0
    last = -b
    s += -b + +b + ~(b + 0)
print(s, last, type(last).__name__, type(+True).__name__, -True, ~(False + 0))

def run(n):
    acc = 0
    for i in range(n):
        acc += (-(i > 5)) * 3 + (~((i < 10) * 1))
    return acc

print(run(400))
