"""int_overflow: an integer accumulator that overflows int64 and keeps growing.

`x = x * 3 + i` grows by ~1.58 bits per iteration, so it leaves the int64
range after ~40 iterations and ends as a ~N*1.58-bit big int.  Measures that
overflow is detected correctly (checksum!) and that the JIT falls back to
big-int arithmetic gracefully instead of deoptimising over and over; the
big-int work itself dominates, so the best expected ratio is ~1.0.
"""

N = 120_000


def main():
    x = 1
    i = 0
    while i < N:
        x = x * 3 + i
        i += 1
    # x has ~190k bits: print a hash, not the number (int->str is limited).
    print("int_overflow checksum:", x % 2305843009213693951, x.bit_length())


if __name__ == "__main__":
    main()
