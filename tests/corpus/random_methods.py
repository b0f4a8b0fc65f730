# random.Random's methods in hot loops (recorder/randoms.py): the same numbers in the same order as plain
# CPython, the errors raised where it raises them, and every change that makes the ops wrong noticed.
import random


def draws(rnd, n):
    total = 0
    fl = 0.0
    for i in range(n):
        total += rnd.randrange(1000) + rnd.randrange(-50, 50) + rnd.randint(1, 6)
        total += rnd.getrandbits(i % 64) % 1000003
        fl += rnd.random()
        total += rnd.choice([3, 5, 7]) + rnd.choice((11, 13))
    return total, round(fl, 9)


def module_functions(n):
    random.seed(5)
    total = 0
    fl = 0.0
    for i in range(n):
        total += random.randrange(100) + random.randint(-3, 3) + random.getrandbits(20)
        fl += random.random()
        total += random.choice([1, 2, 3, 4])
    return total, round(fl, 9)


def until_empty(rnd, n):
    out = []
    for i in range(n, -5, -1):
        out.append(rnd.randrange(i))           # randrange(0): ValueError, as plain CPython raises it
    return out


def bits_until_too_many(rnd):
    out = 0
    for k in range(0, 80):                     # k = 64 and beyond: ints beyond int64 (the interpreter's)
        out ^= rnd.getrandbits(k)
    return out


def choose_until_empty(rnd, items):
    out = []
    while True:
        out.append(rnd.choice(items))          # an empty list: IndexError
        items.pop()


def shadowed(rnd, n):
    total = 0
    for i in range(n):
        if i == n // 2:
            rnd.getrandbits = lambda k: 1      # the instance's own getrandbits: the stdlib's code calls it
        total += rnd.randrange(1000)
    return total


def patched(rnd, n):
    total = 0
    original = random.Random.randrange
    for i in range(n):
        if i == n // 2:
            random.Random.randrange = lambda self, *a: 7
        total += rnd.randrange(1000)
    random.Random.randrange = original
    return total


class Dice(random.Random):
    def random(self):                          # random() overridden: _randbelow without getrandbits
        return 0.5


class Counted(random.Random):
    draws = 0


def main():
    print(draws(random.Random(1), 3000))
    print(draws(Counted(2), 3000))
    print(module_functions(3000))
    rnd = random.Random(3)
    try:
        until_empty(rnd, 800)
    except ValueError as e:
        print("ValueError", e, rnd.random())
    print(bits_until_too_many(random.Random(4)))
    for k in range(300):
        bits_until_too_many(random.Random(k))
    try:
        choose_until_empty(random.Random(6), list(range(400)))
    except IndexError as e:
        print("IndexError", e)
    print(shadowed(random.Random(7), 2000))
    print(patched(random.Random(8), 2000))
    print(draws(Dice(9), 500)[0])
    sr = random.SystemRandom()
    print(all(0 <= sr.randrange(10) < 10 for _ in range(2000)))


main()
