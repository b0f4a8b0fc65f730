# List indexing, slicing and item assignment in hot loops.

def run(n):
    xs = [0] * 16
    for i in range(n):
        xs[i % 16] += i
        xs[(i * 7) % 16] -= xs[i % 5]
    return xs

r = run(600)
print(r, sum(r))
fib = [0, 1]
for i in range(300):
    fib.append((fib[-1] + fib[-2]) % 1000000007)
print(fib[-1], fib[100], len(fib), fib[-3:])
