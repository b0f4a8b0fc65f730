"""The generic path: a loop reading an attribute its class computes in __getattr__, which looks at its caller.

    python -m tracejit --params cost_model=0 --stats examples/generic.py

`acc + step` is inlined (Money.__add__ and the Money it makes: docs/objects.md, "Operators", "Constructors"), but
`audited`, which the class computes in `__getattr__`, is not: reading it is a call of PyObject_GetAttr in the
trace (CPython 3.12+), which runs __getattr__. Around that call the machine code writes the loop's frame back (its
locals `acc`, `i`, `total`, its line) and makes it the thread's executing frame, so __getattr__ sees its caller
exactly as without the JIT. The
output is the same as `python examples/generic.py`. (`cost_model=0`: the trace is compiled even though its one
call per iteration makes it no faster than the interpreter; without it, the JIT leaves this loop to the
interpreter.)
"""
import sys


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __add__(self, other):
        return Money(self.cents + other.cents)

    def __getattr__(self, name):
        if name != "audited":
            raise AttributeError(name)
        if self.cents % 250_000 == 0:
            caller = sys._getframe(1)
            seen = {k: v for k, v in caller.f_locals.items() if type(v) is int}
            print(f"audited sees {caller.f_code.co_name} at line {caller.f_lineno} with {seen}")
        if self.cents > 2_000_000:
            raise OverflowError("too much money")
        return self


def main(n):
    acc, step = Money(0), Money(5)
    total = 0
    for i in range(n):
        total += i % 7
        acc = (acc + step).audited
    return acc.cents, total


print(main(300_000))
try:
    main(500_000)
except OverflowError as e:
    print("raised at line", e.__traceback__.tb_next.tb_lineno, e)
