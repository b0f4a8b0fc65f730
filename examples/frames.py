"""Frames and the JIT: a helper that, once in a while, looks at its caller's frame.

`scale` is inlined into `main`'s loop: in machine code it has no frame, and `main`'s variables live in
registers. On the rare path (every 25000th call) `scale` calls `sys._getframe(1)` and prints what it sees of
`main`: the line it is at and its local `i`. That path is not in the trace: its guard fails, the machine code
writes `main`'s variables back into `main`'s frame, and the interpreter redoes the call, now with a real frame
for `scale`. What the program prints is what plain CPython prints.
"""
import sys


def scale(x):
    if x % 25000 == 0:
        caller = sys._getframe(1)
        print("scale sees", caller.f_code.co_name, "at line", caller.f_lineno, "with i =", caller.f_locals["i"])
    return x * 3 + 1


def main(n):
    total = 0
    for i in range(n):
        total += scale(i)
    return total


print(main(100001))
