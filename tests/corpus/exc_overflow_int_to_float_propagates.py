# Uncaught OverflowError converting a big int in a float addition.

def mix(n):
    x = 0.5
    big = 1
    for i in range(n):
        big = big * 1024
        x = x + big
    return x

print(repr(mix(50)))
print(repr(mix(150)))
