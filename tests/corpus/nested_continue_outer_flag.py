# Emulating "continue outer" with a flag.

def run(n):
    good = 0
    checked = 0
    for i in range(2, n):
        skip = False
        for j in range(2, 12):
            checked += 1
            if i % j == 0 and i != j:
                skip = True
                break
        if skip:
            continue
        good += i
    return good, checked

print(run(1200))
