"""entry_overhead: a hot loop entered many times, few iterations per entry.

`inner()` contains a 10-iteration while loop and is called CALLS times from
the driver loop in main() (the only call inside a loop in these kernels).
Each entry into the compiled loop is short, so this measures per-entry costs
of the JIT: looking up the trace, transferring interpreter state into the
compiled code and back, guard checks on entry/exit.  A JIT whose entry is
expensive can be slower than plain CPython here.
"""

CALLS = 700_000


def inner(n):
    s = 0
    i = 0
    while i < 10:
        s += i * n + 1
        i += 1
    return s


def main():
    total = 0
    for k in range(CALLS):
        total += inner(k)
    print("entry_overhead checksum:", total)


if __name__ == "__main__":
    main()
