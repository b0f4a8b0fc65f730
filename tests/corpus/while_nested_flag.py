# Nested while loops with a flag to exit both.

def run(n):
    i = 0
    found = 0
    pairs = 0
    while i < n and not found:
        j = 0
        while j < n:
            pairs += 1
            if i * j == 2491:
                found = i * 1000 + j
                break
            j += 1
        i += 1
    return i, j, pairs, found

print(run(100), run(30))
