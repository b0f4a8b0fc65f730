# FizzBuzz-like classification with if/elif/else.

def run(n):
    fizz = buzz = fizzbuzz = plain = 0
    for i in range(1, n):
        if i % 15 == 0:
            fizzbuzz += 1
        elif i % 3 == 0:
            fizz += 1
        elif i % 5 == 0:
            buzz += 1
        else:
            plain += i
    return fizz, buzz, fizzbuzz, plain

print(run(1000))
a = b = c = d = f = 0
for score in range(0, 500):
    s = (score * 37) % 101
    if s >= 90:
        a += 1
    elif s >= 80:
        b += 1
    elif s >= 70:
        c += 1
    elif s >= 60:
        d += 1
    else:
        f += 1
print(a, b, c, d, f, score, s)
