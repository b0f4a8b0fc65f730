# Exception in an inner loop propagates through the outer loop to a handler.

def run(n):
    total = 0
    i = j = 0
    try:
        for i in range(n):
            for j in range(n):
                total += (i * j) // (i * n + j - 950)
    except ZeroDivisionError:
        return "stopped", i, j, total
    return "done", i, j, total

print(run(20))
print(run(40))
