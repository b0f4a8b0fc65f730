# A hot function updating module globals via `global`.

counter = 0
total = 0

def work(n):
    global counter, total
    for i in range(n):
        counter += 1
        total += i * 2

work(300)
print(counter, total)
work(500)
print(counter, total)
work(0)
print(counter, total)
for r in range(5):
    work(350)
print(counter, total, type(total).__name__)
