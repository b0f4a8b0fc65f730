# Objects with __add__ and __lt__ in a hot loop.

class V:
    __slots__ = ("n",)

    def __init__(self, n):
        self.n = n

    def __add__(self, other):
        return V(self.n + (other.n if isinstance(other, V) else other))

    def __lt__(self, other):
        return self.n < other

def run(n):
    v = V(0)
    steps = 0
    while v < n:
        v = v + 3
        steps += 1
    return v.n, steps

print(run(1000))
