"""What a trace removes: dynamic dispatch, boxing and loop-invariant checks.

`weighted_sum` works on any numbers. In the interpreter every `*` and `+` looks at the types of its operands
to find the code to run (int + int, float * float, ...), and every result is a new heap object (a box).
Recorded with floats, the trace has one type guard per input and then plain float instructions on unboxed
values in registers; the checks on `weight` and `bias`, which do not change in the loop, run once per entry
instead of once per iteration (the optimizer's hoist_loop_invariants pass).

    python -m tracejit --view report.html examples/dispatch.py
"""


def weighted_sum(values, weight, bias):
    total = 0.0
    for i in range(len(values)):
        total += values[i] * weight + bias
    return total


data = [i * 0.5 for i in range(200_000)]
print(weighted_sum(data, 0.25, 1.0))
print(weighted_sum(list(range(1000)), 3, 1))     # ints: a second version of the loop
