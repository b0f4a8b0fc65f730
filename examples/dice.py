"""Random numbers in a hot loop: `rnd.randint(1, 6)` is an op of the trace, not a call of random.py's Python code.

    python -m tracejit --dump examples/dice.py 2> dump.txt

docs/tutorial.md, chapter 12, reads its trace.
"""
import random


def roll(n, seed):
    rnd = random.Random(seed)
    sixes = 0
    for _ in range(n):
        if rnd.randint(1, 6) == 6:
            sixes += 1
    return sixes


print("sixes in 200,000 rolls:", roll(200_000, 1))
