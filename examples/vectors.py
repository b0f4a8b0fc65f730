"""Vectors in a trace: a planet's orbit computed with a vector class's operators and constructor.

`pos + vel * dt` calls Vec.__mul__ and then Vec.__add__, each making a new Vec. The trace inlines both methods
under a guard on the class's version tag (the interpreter's slot would call them) and makes each new Vec itself:
`new_instance` (object's own allocation), then `__init__` inlined, its stores `instance_init` (a slot of the
values array and its place in the insertion order). No frame, no bound method, no dict lookup. Every
intermediate Vec is still allocated and released; keeping them in registers (allocation removal) is the next
step. See `python -m tracejit --dump examples/vectors.py`, docs/objects.md ("Constructors", "Operators") and
docs/tutorial.md, chapter 9.
"""


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y


def orbit(steps):
    pos, vel = Vec(1.0, 0.0), Vec(0.0, 1.0)
    dt = 0.001
    for _ in range(steps):
        r2 = pos.dot(pos)
        acc = pos * (-1.0 / (r2 * r2 ** 0.5))
        vel = vel + acc * dt
        pos = pos + vel * dt
    return pos, vel


if __name__ == "__main__":
    pos, vel = orbit(200000)
    print(round(pos.x, 9), round(pos.y, 9), round(vel.dot(vel), 9))
