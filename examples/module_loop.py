"""A loop at module level: its variables are module globals (LOAD_NAME/STORE_NAME), kept in registers
while the loop runs and written back when it exits."""

total = 0
count = 0
n = 0
while n < 500_000:
    if n % 7 == 3:
        count += 1
    total += n // 3
    n += 1
print(total, count, n)
