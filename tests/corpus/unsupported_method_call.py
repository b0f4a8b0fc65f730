# Method calls on ints, floats and user objects in a hot loop.

class Acc:
    def __init__(self):
        self.v = 0

    def add(self, k):
        self.v += k
        return self

def run(n):
    a = Acc()
    bits = 0
    fl = 0.0
    for i in range(n):
        a.add(i)
        bits += i.bit_length()
        fl += (i * 0.5).as_integer_ratio()[1]
    return a.v, bits, fl

print(run(500))
