"""A branch inside the loop: the recorded path becomes the loop, the other path a bridge (side trace).
(A branch whose two sides only compute numbers into variables needs no bridge: examples/selects.py.)"""


def classify(n):
    multiples = []
    other_sum = 0
    for i in range(n):
        if i % 3 == 0:
            multiples.append(i)
        else:
            other_sum += i
    return len(multiples), other_sum


print(classify(300_000))
