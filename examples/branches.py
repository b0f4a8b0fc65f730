"""A branch inside the loop: the recorded path becomes the loop, the other path a bridge (side trace)."""


def classify(n):
    evens = 0
    odd_sum = 0
    for i in range(n):
        if i % 3 == 0:
            evens += 1
        else:
            odd_sum += i
    return evens, odd_sum


print(classify(300_000))
