"""Calls in a trace: a loop calling small helpers, inlined into its machine code.

`clamp` has defaults and a branch; `weight` is called with a keyword argument. The trace contains the
helpers' arithmetic and guards, but no call: see `python -m tracejit --dump examples/calls.py` or the
report (`--view report.html`). The value passed to `clamp` is above `hi` until i == 10000, then between `lo`
and `hi`, and below `lo` after i == 30000: each time, a guard inside the inlined `clamp` fails, the interpreter
redoes the call from the caller's CALL instruction, and the JIT soon records a bridge for the new path.
"""


def clamp(v, lo=0.0, hi=1.0):
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


def weight(i, k=3):
    if i % 16 == 0:
        return 2 * k
    return k


def main(n):
    total = 0.0
    count = 0
    for i in range(n):
        total += clamp((30000 - i) * 0.00005)
        count += weight(i, k=2)
    return total, count


print(main(60000))
