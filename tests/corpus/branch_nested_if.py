# Nested ifs with several paths.

def run(n):
    counts0 = counts1 = counts2 = counts3 = 0
    acc = 0
    for i in range(n):
        if i % 2 == 0:
            if i % 3 == 0:
                counts0 += 1
                acc += i
            else:
                counts1 += 1
                acc -= 1
        else:
            if i > n // 2:
                if i % 5 == 0:
                    counts2 += 1
                else:
                    acc += 2
            else:
                counts3 += 1
    return counts0, counts1, counts2, counts3, acc

print(run(600))
print(run(301))
