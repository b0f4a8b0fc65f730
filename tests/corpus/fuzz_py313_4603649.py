# Fuzz regression case: `python -m fuzz --strings --one 4603649` (CPython 3.13.0), shrunk by hand,
# fuzz params threshold=1,bridge_threshold=1,cost_model=0; found as: mismatch (a wrong result, 3.13 only).
# The second call ends with last = '10' under the JIT, '11' plainly: a bridge that kept its owned input (the
# old `last`) until its jump put it back into `last`'s place in its exits' snapshots after `last = t2`.
S0 = 'Z90\x00\x00\t0\t9Z\x00'
W = ['\x00Z\t', 'Z\t\tZ', '', '0', '\x000', '909', '9']


def sf1(ss, n):
    acc = 0
    last = None
    for r in range(n):
        for c in ss:
            t2 = f'{acc}'
            if t2 != 'x':
                last = c
            last = t2
            if W[(r * 13) % len(W)] not in S0:
                acc += 1
    return acc, last


print(sf1('0Z0ZZ' * 7, 42))
print(sf1('9', 20))
print(sf1('9', 138))
