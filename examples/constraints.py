"""Class attributes and classmethods, as deltablue writes them: `Strength.REQUIRED` (an object the class holds),
`Direction.FORWARD` (a small int), `Strength.weaker(a, b)` (a classmethod). Run it under the JIT and look at the
trace: python -m tracejit --dump examples/constraints.py"""


class Direction:
    NONE = 0
    FORWARD = 1


class Strength:
    def __init__(self, strength, name):
        self.strength = strength
        self.name = name

    @classmethod
    def weaker(cls, s1, s2):
        return s1.strength > s2.strength

    @classmethod
    def weakest_of(cls, s1, s2):
        if cls.weaker(s1, s2):
            return s1
        return s2


Strength.REQUIRED = Strength(0, "required")
Strength.WEAK = Strength(5, "weak")


class Constraint:
    def __init__(self, strength):
        self.strength = strength
        self.direction = Direction.NONE


def plan(constraints, rounds):
    total = 0
    for r in range(rounds):
        for c in constraints:
            w = Strength.weakest_of(c.strength, Strength.REQUIRED)
            if w is Strength.REQUIRED:
                total += Direction.FORWARD
            total += w.strength
    return total


if __name__ == "__main__":
    cs = [Constraint(Strength.WEAK if k % 3 else Strength.REQUIRED) for k in range(50)]
    print(plan(cs, 4000))
