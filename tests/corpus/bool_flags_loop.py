# Boolean state machine flags in hot loops.

def run(n):
    on = False
    seen_on = 0
    edges = 0
    prev = False
    for i in range(n):
        if i % 7 == 0:
            on = not on
        if on:
            seen_on += 1
        if on != prev:
            edges += 1
        prev = on
    return on, seen_on, edges, prev

print(run(500))
done = False
i = 0
while not done:
    i += 1
    done = i * i > 100000
print(i, done)
