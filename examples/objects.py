"""Objects in a trace: a loop over particles, each an instance whose attributes a method updates.

CPython keeps an instance's attributes in a values array; its class's shared keys map each name to an index
(the "map" of the PyPy talk). The trace reads `p.x` as a guard on the class's version tag and a load at that
index, writes `self.x = ...` in place, and inlines `p.step(dt)` with `p` as its first argument: no lookup,
no bound method, no call. See `python -m tracejit --dump examples/objects.py` or the report
(`--view report.html`), and docs/objects.md, "Maps".
"""


class Particle:
    def __init__(self, x, v):
        self.x = x
        self.v = v

    def step(self, dt):
        self.x = self.x + self.v * dt

    def energy(self):
        return 0.5 * self.v * self.v


def simulate(particles, steps):
    e = 0.0
    for _ in range(steps):
        for p in particles:
            p.step(0.01)
            e += p.energy()
    return e


if __name__ == "__main__":
    ps = [Particle(i * 0.1, (i % 7) - 3.0) for i in range(100)]
    print(simulate(ps, 20000), round(sum(p.x for p in ps), 6))
