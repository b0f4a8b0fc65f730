"""Programs whose loops work on instances of a class with operator overloads, attributes, a property and
methods, and call builtins the trace has no rule for: what the trace's generic path (calls that may run Python
code) and plain attribute reads compile. A fifth of the seeds (`wants_objects`, drawn apart from the others)
make such a program instead of an ordinary one.

A program defines class P (with __slots__ or a __dict__, drawn) and its subclass Q, a class W whose __init__
makes a P (constructors inlined; at one chosen iteration W.__init__ is replaced or W gains a __del__ that prints), a
helper function, a generator, an iterator
class, and one to three functions f0, f1... each with a loop whose body is a few statements drawn from
STATEMENTS: attribute reads and writes, `p + k`, `p < q` and `p == q` (at one iteration P.__eq__ replaced by one
answering NotImplemented), `p[k] = v`, the property replaced at one iteration, `p[k]` (IndexError past a bound, caught or not), a
property that raises at a chosen value, a method with a default argument, builtins (divmod, abs, max,
isinstance, len(str(i))), calls with keyword arguments, `in` of lists and sets, a dict with int keys, an item of
a list of instances, frame introspection (`sys._getframe(1)`: its line and its locals) at one chosen iteration,
a global read (and, in some functions, written), a class attribute rebound at one iteration; a method writing
two attributes and reading them back, the truth of an instance, and at one chosen iteration: `p.__class__ = Q`,
P's methods swapped, an instance attribute hiding a method, `vars(q)` (a real dict), `del q.y`. Class attributes:
`P.LIMIT`, `P.TOKEN.w` (an object), `P.mix(i)` (a staticmethod), `Q.limit(i)` and `P.make(i)` (classmethods),
`p.scale` (a class value read through an instance), each rebound or replaced at one chosen iteration (and a
`grid[i, j]` read and written through a Grid class's __getitem__ / __setitem__, whose tuple index the trace never
makes, out of range at times, and the method replaced at one chosen iteration; and a
`__get__` given to the token's class, an instance attribute hiding `scale`); `p.link = ...` over an object held
elsewhere or over its last reference (a W, whose `__del__` may print), also in a method whose local holds the
old link; stores into instances that keep their attributes in a real dict (Cell), the dict replaced or given an
int key at one chosen iteration; tuples, lists and dicts the loop builds,
stored, appended, used as keys and passed to an inlined function; random numbers from a generator's methods and
the module's functions (an empty range, too many bits, a generator's own attribute hiding getrandbits); a list
pushed, popped at both ends and popped when empty; P's protocols: `len(p)`, `k in p`, `p(k)`, `~p` and the truth of
a P from its `__len__`, each of `__call__`, `__len__` and `__contains__` replaced at one chosen iteration. The loop
runs over range(n), a generator, map or the iterator class (raising at a chosen item); its accumulator may be a cell (a
nested function reads it). Each function is called a few times with different sizes; an exception that escapes
is printed with its traceback (file, line and function of each frame). Output never shows an address.
"""
from __future__ import annotations

import random

OBJECTS_SHARE = 1 / 5
MOD = 1000003


def wants_objects(seed: int) -> bool:
    """Whether this seed's program is an objects program (drawn apart from the program's own random stream)."""
    return random.Random(f"fuzz-objects:{seed}").random() < OBJECTS_SHARE


CLASS = '''\
class Stack(list):                  # list's own append/pop/insert (or, after a shadowing, an attribute's)
    pass


class Grid:
    def __init__(self, n):
        self.cells = [[(i * 7 + j) % 11 for j in range(n)] for i in range(n)]

    def __getitem__(self, ij):
        (i, j) = ij
        return self.cells[i][j]

    def __setitem__(self, ij, v):
        i, j = ij
        self.cells[i][j] = v


class Tok:
    def __init__(self, w):
        self.w = w


class P:
{slots}    scale = 3
    LIMIT = 40
    TOKEN = Tok(5)

    def __init__(self, x):
        self.x = x
        self.y = x % 7
        self.link = None

    @classmethod
    def make(cls, k):
        return cls(k % 50)

    @classmethod
    def limit(cls, k):
        return k % cls.LIMIT

    @staticmethod
    def mix(a, b=2):
        return (a * 31 + b) % {mod}

    def move(self, k):
        self.x = (self.x + k) % {mod}
        self.y = (self.y * 3 + self.x) % {mod}
        if self.y % 5 == 0:
            self.x = self.x + 1
        return self.x + self.y

    def move2(self, k):
        return self.y - k

    def __add__(self, o):
        return P((self.x + (o.x if type(o) is P else o)) % {mod})

    def __lt__(self, o):
        return self.x < (o.x if type(o) is P else o)

    def __getitem__(self, k):
        if k > {bound}:
            raise IndexError(k)
        return (self.x >> k) & 255

    def __setitem__(self, k, v):
        self.y = (self.y + v * k) % {mod}

    def __len__(self):
        return self.x % 7

    def __contains__(self, k):
        return k % 7 == self.y % 7

    def __call__(self, k, b=1):
        return (self.x * k + b) % {mod}

    def __invert__(self):
        return P(~self.x % {mod})

    def __eq__(self, o):
        return type(o) is type(self) and self.x == o.x

    __hash__ = None

    @property
    def half(self):
        if self.x % {trap_mod} == {trap}:
            raise ValueError(f"trap at {{self.x}}")
        return self.x // 2

    def bump(self, k=1):
        self.x = (self.x + k * P.scale) % {mod}
        return self.x

    def relink(self, o):
        old = self.link             # a local holds the old link while the attribute lets go of it
        self.link = o
        return old.x % 9 if isinstance(old, P) else 0

    def peek(self):
        f = sys._getframe(1)
        return f.f_lineno * 1000 + sum(v for v in f.f_locals.values() if type(v) is int) % 1000


class Q(P):
{qslots}    pass


class W:
    def __init__(self, k, o=None, scale=2):
        self.k = k
        self.o = o if o is not None else P(k)
        self.total_ = self.k * scale + self.o.x
        if k % {wtrap} == 0:
            self.k = -k

    def total(self):
        return self.total_ + self.k


def w_init2(self, k, o=None, scale=2):
    self.k = k + 1
    self.o = o
    self.total_ = k * scale


def w_del(self):
    if self.k % 89 == 0:
        print("del W", self.k)


class Cell:
    def __init__(self, k):
        self.k = k


CELLS = [Cell(k) for k in range(40)]    # more instances than the class's shared keys have room for, so ...
for _c in CELLS:
    _c.v = _c.k                         # ... an attribute first set now gives each a real dict
    _c.o = Tok(_c.k)


def pair_sum(t):
    a, b = t
    return a + b if isinstance(t, tuple) else -1


def store_then_sum(t, lst):
    lst[0] = 5.0
    a, b = t
    return a + b


def helper(o, k):
    return o.x * 2 + k


def gen(n):
    for j in range(n):
        yield j


class Count:
    """An iterator of its own: 0 .. n-1, raising at a chosen value (its __next__ runs on the generic path)."""
    def __init__(self, n, trap=-1):
        self.j, self.n, self.trap = 0, n, trap

    def __iter__(self):
        return self

    def __next__(self):
        if self.j >= self.n:
            raise StopIteration
        if self.j == self.trap:
            raise KeyError(f"count trap at {{self.j}}")
        self.j += 1
        return self.j - 1
'''

# statement templates: {p}, {q}, {acc}, {i}, {t} name the loop's objects and variables; {k} a small constant
STATEMENTS = [
    "{acc} += {p}.x",
    "{p}.x = ({p}.x + {i}) % {mod}",
    "{p} = {p} + {i}",
    "{p} = {p} + {q}",
    "{acc} += {p}[{i} % {k9}]",
    "if {p} < {q}:\n    {acc} += 1",
    "{acc} += {p}.half",
    "{acc} += {p}.bump({i} & 3)",
    "{acc} += {p}.bump()",
    "{acc} += len(str({i}))",
    "{acc} += divmod({i}, 7)[0] + abs(-{i}) % 5 + max({i}, {k9})",
    "{acc} += isinstance({p}, P)",
    "{t} = {t} * 1.0001 + {p}.x",
    "{acc} += items[{i} % 5].x",
    "items[{i} % 5].x = (items[{i} % 5].x + 1) % {mod}",
    "try:\n    {acc} += {p}[{i} % 12]\nexcept IndexError as e:\n    {acc} += e.args[0]",
    "if {i} == {trip}:\n    {acc} += {p}.peek()",
    "d[{i} % 5] = {p}.x\n{acc} += d.get(({i} + 1) % 5, 0)",
    "{acc} += G",
    "{acc} += helper({p}, {i})",
    "if {i} == {trip}:\n    P.scale = {k9}",
    "{acc} = ({acc} + ({p} + {q}).x) % {mod}",
    "{acc} += ({i} % 9) in ks",
    "if {i} % 9 not in kset:\n    {acc} += 2",
    "{acc} += {q} in items",
    "{acc} += P(x={i}).x % 7",
    # protocols of the class: len(), `in`, a call of the instance, `~`, truth from __len__; each replaced once
    "{acc} += len({p}) + ({i} % 7 in {p}) + {p}({i} & 7)",
    "{acc} += (~{p}).x % 11 + (0 if {q} else 3)",
    "if {i} == {trip}:\n    P.__call__ = lambda self, k, b=1: k - b",
    "if {i} == {trip}:\n    P.__len__ = lambda self: self.y % 3",
    "if {i} == {trip}:\n    P.__contains__ = lambda self, k: False",
    "{acc} += sorted(ks, key=abs, reverse=True)[0] + int('7', base=8 + {i} % 3)",
    "if {p}:\n    {acc} += 1",
    "{acc} += {p}.move({i} % 5)",
    "{p}.y = ({p}.y + {i}) % {mod}",
    "{acc} += {p}.y + {q}.y",
    "if {i} == {trip}:\n    {p}.__class__ = Q",
    "if {i} == {trip}:\n    P.move, P.move2 = P.move2, P.move",
    "if {i} == {trip}:\n    try:\n        {p}.move = lambda k: k * 2\n    except AttributeError:\n        {acc} += 3",
    "if {i} == {trip}:\n    {acc} += len(vars({q})) if hasattr({q}, '__dict__') else 1",
    "if {i} == {trip}:\n    del {q}.y\n{acc} += getattr({q}, 'y', 11)",
    "{acc} += W({i}, {p}).total()",
    "{acc} += W({i}).total() % 1000",
    "{acc} += W({i}, scale=3).o.y",
    "{p} = Q({i} % 50)",
    "{p}[{i} % 5] = {i}",
    "if {p} == {q}:\n    {acc} += 5",
    "if {i} == {trip}:\n    P.__eq__ = lambda self, o: NotImplemented",
    "if {i} == {trip}:\n    P.half = property(lambda self: self.x % 3)",
    "if {i} == {trip}:\n    W.__init__ = w_init2",
    "if {i} == {trip}:\n    W.__del__ = w_del",
    # class attributes, classmethods and staticmethods (read under the class's version), values of the class
    # read through an instance, stores over objects (the old one still held elsewhere, or its last reference)
    "{acc} += P.mix({i}) + P.LIMIT + Q.limit({i})",
    "{acc} += {p}.scale + P.TOKEN.w + {q}.LIMIT",
    "{p} = P.make({i})",
    "{acc} += Q.make({i} + 3).x",
    "if {i} == {trip}:\n    P.LIMIT = {k9} + 1",
    "if {i} == {trip}:\n    P.TOKEN = Tok({k9})",
    "if {i} == {trip}:\n    P.mix = staticmethod(lambda a, b=2: a - b)",
    "if {i} == {trip}:\n    P.limit = classmethod(lambda cls, k: -k)",
    "if {i} == {trip}:\n    try:\n        {q}.scale = 100\n    except AttributeError:\n        {acc} += 7",
    "{p}.link = items[{i} % 5]\n{acc} += {p}.link.x % 10",
    "{q}.link = W({i} % 7) if {i} % 3 else None\n{acc} += {q}.link is None",
    "if {i} == {trip}:\n    Tok.__get__ = lambda self, o, c: Tok(-1)",
    # stores into instances that keep their attributes in a real dict, the dict replaced or given an int key
    "c = CELLS[{i} % 40]\nc.v = (c.v + {i}) % {mod}\nc.o = P.TOKEN if {i} % 3 else Tok({i} % 5)\n{acc} += c.v % 7 + c.o.w",
    "if {i} == {trip}:\n    CELLS[{k9}].__dict__ = {{'k': 1, 'v': 2, 'o': Tok(3)}}",
    "if {i} == {trip}:\n    CELLS[{k9} + 1].__dict__[7] = 'int key'",
    # a method whose local holds the old link while the attribute lets go of it (W's __del__ may print)
    "{acc} += {p}.relink(W({i} % 5) if {i} % 4 == 0 else items[{i} % 5])",
    # == and != of instances of classes without __eq__ (identities), until one of them gets an __eq__
    "{acc} += (W({i} % 3) == P.TOKEN) + (P.TOKEN != None) + ({q}.link != None) + (P.TOKEN == P.TOKEN)",
    "if {i} == {trip}:\n    Tok.__eq__ = lambda self, o: isinstance(o, W)",
    # a tuple index the trace never makes, passed to an inlined __getitem__ / __setitem__ (out of range: the
    # IndexError comes from inside the method), the method replaced at one iteration
    "{acc} += grid[{i} % 6, ({i} + 1) % 6]",
    "grid[{i} % 6, 2] = ({acc} + {i}) % 13",
    "try:\n    {acc} += grid[{i} % 7, 1]\nexcept IndexError:\n    {acc} += 3",
    "if {i} == {trip}:\n    Grid.__getitem__ = lambda self, ij: ij[0] - ij[1]",
    # tuples, lists and dicts the loop builds, made where they escape (stored, appended, a key, an argument)
    "tup = ({i}, {p}.x, {p})\n{acc} += tup[1] + (tup[2] is {p})",
    "keep[{i} % 4] = ({i} % 7, {p}.x)\n{acc} += keep[({i} + 1) % 4][0] if keep[({i} + 1) % 4] else 1",
    "lst = [{i}, {p}, {i} * 0.5]\nlst.append({q})\n{acc} += len(lst) + (lst[1] is {p})",
    "td[({i} % 3, {i} % 2)] = {i}\n{acc} += td.get(({i} % 2, 1), 0) % 10",
    "{acc} += pair_sum(({i}, {p}.x)) % 100",
    "dct = {{'a': {i}, 'b': {p}, 'a': {i} + 1}}\n{acc} += dct['a'] % 9 + len(dct)",
    "{acc} += {{'val': {i}, 'c': {p}.x}}['c'] % 7",
    "keep[0] = {i} * 0.5 + 1000.0\n{acc} += int(store_then_sum((keep[0], {i} % 3), keep)) % 100",
    # random numbers: a generator's methods and the module's functions (ops that draw as the interpreter does), an
    # empty range and too many bits (the interpreter's), an attribute of the generator's own hiding a method
    "{acc} += rng.randrange({k9} + 1) + rng.randint(-3, {i} % 5)",
    "{acc} += rng.choice(items).x % 7 + rng.choice((1, {i}))",
    "{t} = {t} + rng.random()",
    "{acc} += rng.getrandbits({i} % 70) % 1000",
    "try:\n    {acc} += rng.randrange({i} % 4 - 1)\nexcept ValueError:\n    {acc} += 1",
    "if {i} == {trip}:\n    rng.getrandbits = lambda k: 0",   # (below any bound: _randbelow would loop forever)
    "{acc} += random.randrange(7) + random.choice([1, 2]) + int(random.random() * 3)",
    # a list used as a stack and a queue (list.pop / list.insert's C functions), and popped when empty
    "stk.append({p})\nstk.insert(0, {i})\nif len(stk) > 6:\n    {acc} += stk.pop(0) % 7 + (stk.pop() is {p})",
    "try:\n    {acc} += emp.pop({i} % 3 - 1)\nexcept IndexError:\n    {acc} += 1",
    # the stack a list subclass's instance: an attribute of its own hides list's append from some iteration on
    "if {i} == {trip} and type(stk) is Stack:\n    stk.append = lambda v: list.insert(stk, 0, v)",
]
# what the loop runs over: range(n), or on the generic path a generator, map, or an iterator class (which may
# raise at a chosen item)
LOOPS = ["range(n)", "range(n)", "gen(n)", "map(int, range(n))", "Count(n)", "Count(n, {trip})"]
WRITES_GLOBAL = "G = (G + {i}) % {mod}"        # (the function declares `global G`)


def objects_program(seed: int) -> str:
    r = random.Random(f"fuzz-objects-program:{seed}")
    out = [f"# fuzz seed {seed} (objects)", "import random", "import sys", "import traceback", "",
           f"random.seed({seed})"]
    slots = '    __slots__ = ("x", "y", "link")\n' if r.random() < 0.4 else ""
    out.append(CLASS.format(slots=slots, qslots="    __slots__ = ()\n" if slots else "", mod=MOD,
                            bound=r.choice([6, 9, 30]), trap_mod=r.choice([97, 1009, 10007]),
                            trap=r.randrange(90), wtrap=r.choice([7, 31, 1000003])))
    out.append(f"G = {r.randrange(100)}")
    out.append("")
    names = []
    for n in range(r.randint(1, 3)):
        name = f"f{n}"
        names.append(name)
        trip = r.randrange(1, 400)
        body = []
        for _ in range(r.randint(2, 6)):
            body.append(r.choice(STATEMENTS))
        writes_global = r.random() < 0.15
        if writes_global:
            body.append(WRITES_GLOBAL)
        out.append(f"def {name}(n, seed):")
        if writes_global:
            out.append("    global G")
        out.append("    p, q = P(seed), P(seed * 7 + 1)")
        out.append("    rng = random.Random(seed)")
        out.append(f"    stk, emp = {r.choice(['[]', 'Stack()'])}, []")
        out.append("    items = [P(j * 11 + seed) for j in range(5)]")
        out.append("    d = {}")
        out.append("    grid = Grid(6)")
        out.append("    acc, t = 0, 0.5")
        out.append("    ks, kset = [1, 3, -5, 8], {2, 4, 6}")
        out.append("    tup, lst, dct, keep, td = (), [], {}, [None] * 4, {}")
        if r.random() < 0.3:            # acc captured by a closure: a cell, assigned in the loop (STORE_DEREF)
            out.append("    def seen():")
            out.append("        return acc")
        out.append(f"    for i in {r.choice(LOOPS).format(trip=trip)}:")
        for stmt in body:
            text = stmt.format(p="p", q="q", acc="acc", i="i", t="t", mod=MOD, k9=r.choice([3, 5, 9]), trip=trip)
            for line in text.split("\n"):
                out.append("        " + line)
        out.append("    return acc % 1000003, p.x, q.x, getattr(p, 'y', -1), type(p).__name__, round(t, 3) if t < 1e300"
                   " else -1, sorted(d.items()), [o.x for o in items], P.scale, sum(map(sum, grid.cells)),"
                   " len(tup), len(lst), sorted(dct), keep, sorted(td.items())")
        out.append("")
    out.append("for n, seed in ((50, 1), (400, 2), (1500, 3), (300, 4)):")
    for name in names:
        out.append("    try:")
        out.append(f"        print({name!r}, n, {name}(n, seed))")
        out.append("    except Exception:")
        out.append("        print(''.join(traceback.format_exc()))")
    out.append("print('G', G)")
    return "\n".join(out) + "\n"
