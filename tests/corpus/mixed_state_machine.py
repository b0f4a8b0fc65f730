# An integer-coded state machine driven by an LCG.

def run(n):
    state = 0
    seed = 12345
    visits0 = visits1 = visits2 = visits3 = 0
    transitions = 0
    for i in range(n):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        r = seed >> 16
        prev = state
        if state == 0:
            visits0 += 1
            state = 1 if r % 3 else 2
        elif state == 1:
            visits1 += 1
            state = 3 if r % 5 == 0 else 0
        elif state == 2:
            visits2 += 1
            state = (r % 4) and 1 or 3
        else:
            visits3 += 1
            state = 0
        transitions += prev != state
    return visits0, visits1, visits2, visits3, transitions, state

print(run(2000))
