"""Function definitions and calls for the generator (fuzz/generate.py): about a third of the seeds (`wants_calls`)
make programs whose loops call functions.

Such a program starts with a prelude of helpers drawn from HELPER_TEMPLATES, named h0, h1, ... in order:
arithmetic helpers with default and keyword parameters and branches (which may call earlier helpers), bounded
recursion (factorial, Fibonacci, mutual recursion: the argument is always `x % m` of an int), higher-order
helpers taking a function, closures made by factories (one with `nonlocal` state; two sharing a cell; one
whose free variable is never assigned; closures made anew inside loops), lambdas, helpers raising
ZeroDivisionError / IndexError / a custom exception at chosen arguments, helpers printing frame introspection
(`sys._getframe(1)`, its `f_lineno`, `f_locals`, `traceback.extract_stack()`) on a rare branch, helpers with
`*args`, `**kwargs` or keyword-only parameters, helpers that mutate a global list or counter, a generator, a
helper with a loop, a helper defining a nested function; and maybe a class P with operator overloads. Some
helpers get an alternate (`h0_alt`, same signature) for rebinding: the binding swapped (`h0, h0_alt = h0_alt,
h0`, or `swap_h0()` from a function), `h0.__defaults__` replaced, or the two `__code__` swapped, between loops
or at a chosen iteration inside one.

Loop bodies then get call statements (CallGen.stmt: assignment of a call, a call through a variable or a list of
functions, a function passed to a higher-order helper, try/except around a raising helper, rebinding, list and
counter mutation, operations on P objects, local closures of the function units) and expressions get call
sub-expressions (CallGen.call_expr).

Typing: each helper has a return kind ("int": int or bool only; "num": also float) and each parameter a kind;
arguments are generated with the parameter's kind, results used where their kind fits. Termination and speed:
a helper's `cost` bounds the frames one call enters; every call site adds cost * (product of the enclosing
trip counts, _Gen.weight) to a program-wide count kept under CALL_BUDGET (a call site that would pass it
calls a cheap helper or none). Output never shows an object's address: only numbers, names and line numbers
are printed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .gen_objects import wants_objects
from .generate import Loop, Scope, Var

if TYPE_CHECKING:
    from .generate import _Gen

CALL_SHARE = 1 / 3              # share of seeds whose programs define and call functions
CALL_BUDGET = 120_000           # frames entered by calls per program, all call sites together (upper bound)
MAX_HELPER_COST = 40            # frames one call of a helper may enter (its own callees included)
EXCEPTIONS = "(ZeroDivisionError, IndexError, NameError, Oops)"     # NameError: also UnboundLocalError


def wants_calls(seed: int) -> bool:
    """Whether this seed's program defines and calls functions (drawn apart from the program's own random
    stream, so that the other seeds' programs are what they were before calls existed); an objects seed's
    program is an objects program (gen_objects.py) instead."""
    return random.Random(f"fuzz-calls:{seed}").random() < CALL_SHARE and not wants_objects(seed)


@dataclass
class Param:
    name: str
    kind: str                   # "int" or "num"
    default: str | None = None


@dataclass
class Helper:
    """A function the program defines, and how it may be called."""
    name: str
    form: str                   # how a call is written: see CallGen.call_text
    params: list[Param]
    ret: str                    # "int" or "num"
    cost: int = 1               # frames one call may enter
    unary: bool = False         # callable as name(int): may be passed around and called through variables
    raises: bool = False        # raises at some arguments: only called inside try/except
    alt: str | None = None      # the name of an alternate with the same signature (rebinding)
    mod: int = 0                # "rec": the first argument is `x % mod`
    local: bool = False         # defined inside the function unit being generated
    posonly: int = 0            # the first `posonly` parameters are positional-only
    factory: str | None = None  # a closure: the module-level function that makes one, given an int

    @property
    def defaults(self) -> list[Param]:
        return [p for p in self.params if p.default is not None]


@dataclass
class Program:
    """What the prelude defined beyond helpers (the tail prints it)."""
    buf: bool = False           # global list `buf`
    hits: bool = False          # global counter `hits`
    table: bool = False         # global list TABLE
    dlog: bool = False          # global list DS: a checksum of events, in order, that D's __del__ adds to
    cls: bool = False           # class P and global p0
    fs: list[str] = field(default_factory=list)     # global list FS of unary helpers
    sys: bool = False


class CallGen:
    def __init__(self, g: _Gen):
        self.g = g
        self.r = g.r
        self.helpers: list[Helper] = []
        self.locals: list[Helper] = []         # closures of the function unit being generated
        self.prog = Program()
        self.used = 0                          # frames the call sites may enter so far (weighted)
        self.defining: Helper | None = None    # the helper whose body is being generated
        self.cost_in_body = 0
        self.p_expr = self.r.choice([0.03, 0.08, 0.15])
        self.fn_vars = 0
        # "inlinable": only what tracejit may inline (so more loops compile with calls in them); else "mixed"
        self.style = "inlinable" if self.chance(0.4) else "mixed"
        # per-statement chance of a call statement (loops mostly made of calls, in half the inlinable programs)
        self.p_stmt = self.r.choice([0.15, 0.25, 0.35] + ([0.5, 0.6, 0.7] if self.style == "inlinable" else []))
        self.swaps: set[str] = set()             # helpers with a swap_<name>() function
        self.unit_globals_set: set[str] = set()  # helpers the function unit being generated declares global

    # ------------------------------------------------------------------ small helpers
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def emit(self, level: int, text: str) -> None:
        self.g.emit(level, text)

    def lp_cond(self, loops: list[Loop], rare: bool = True) -> str:
        """A condition on a loop index true at a chosen iteration (rare), or every m-th one."""
        if not loops:
            return "False"
        lp = self.r.choice(loops)
        if rare:
            return f"{lp.idx} == {lp.value_at(self.r.randrange(0, max(lp.count, 1)))}"
        m = self.r.choice([7, 13, 29])
        return f"{lp.idx} % {m} == {self.r.randrange(m)}"

    def int_arg(self, scope: Scope, loops: list[Loop], depth: int = 1) -> str:
        if loops and self.chance(0.35):
            return self.r.choice(loops).idx
        return self.g.expr(scope, loops, "int", depth)

    def small_arg(self, scope: Scope, loops: list[Loop], m: int) -> str:
        """An int in 0..m-1 (recursion depth, an index)."""
        return f"{self.int_arg(scope, loops, 1)} % {m}"

    def afford(self, cost: int) -> bool:
        """Whether a call site of this cost fits the budget (counting it if so)."""
        if self.defining is not None:
            if self.cost_in_body + cost > MAX_HELPER_COST:
                return False
            self.cost_in_body += cost
            return True
        w = cost * self.g.weight
        if self.used + w > CALL_BUDGET:
            return False
        self.used += w
        return True

    def callable_helpers(self, kind: str | None = None, forms: tuple = ("plain", "rec", "star", "kwonly", "kwargs",
                                                                         "apply")) -> list[Helper]:
        pool = self.helpers + self.locals
        if self.defining is not None:
            pool = [h for h in self.helpers if h is not self.defining and h.cost <= MAX_HELPER_COST // 4]
        return [h for h in pool if h.form in forms and not h.raises and (kind in (None, "num") or h.ret == "int")]

    # ------------------------------------------------------------------ calls
    def call_text(self, h: Helper, scope: Scope, loops: list[Loop], depth: int = 1) -> str:
        """A call of h with arguments of the parameters' kinds."""
        r = self.r
        arg = lambda p: self.g.expr(scope, loops, p.kind, depth) if p.kind == "num" else \
            self.int_arg(scope, loops, depth)  # noqa: E731
        if h.form == "rec":
            rest = [arg(p) for p in h.params[1:] if p.default is None or self.chance(0.3)]
            return f"{h.name}({', '.join([self.small_arg(scope, loops, h.mod)] + rest)})"
        if h.form == "apply":
            fns = [u.name for u in self.helpers + self.locals if u.unary and u is not h and u is not self.defining]
            fn = r.choice(fns) if fns and not self.chance(0.15) else \
                f"lambda t: t * {r.choice(['3', '2', '-1'])} + {r.choice(['1', '7', '0'])}"
            extra = [arg(p) for p in h.params[2:] if p.default is None or self.chance(0.3)]
            return f"{h.name}({', '.join([fn, self.int_arg(scope, loops, depth)] + extra)})"
        if h.form == "star":
            args = [self.int_arg(scope, loops, depth) for _ in range(r.randint(1, 3))]
            if self.chance(0.3):                # unpacked: a list, a tuple, after a positional one
                return f"{h.name}({r.choice(['*[{}]', '*({},)', '{}'])})".format(', '.join(args)) \
                    if len(args) == 1 else f"{h.name}({args[0]}, *[{', '.join(args[1:])}])"
            return f"{h.name}({', '.join(args)})"
        if h.form == "kwonly":
            first = arg(h.params[0])
            return f"{h.name}({first}, k={self.int_arg(scope, loops, depth)})" if self.chance(0.5) else \
                f"{h.name}({first})"
        if h.form == "kwargs":
            kws = r.choice([[], ["z"], ["w"], ["z", "w"], ["w", "z"]])
            return f"{h.name}({', '.join([arg(h.params[0])] + [f'{k}={self.int_arg(scope, loops, depth)}' for k in kws])})"
        # plain: required parameters always, defaulted ones sometimes; a prefix positional, the rest by keyword
        # (positional-only ones always passed, positionally)
        passed = [p for k, p in enumerate(h.params) if p.default is None or k < h.posonly or self.chance(0.5)]
        n_pos = 0
        while n_pos < len(passed) and passed[n_pos] is h.params[n_pos]:
            n_pos += 1
        if passed and self.chance(0.35):
            n_pos = r.randint(min(h.posonly, n_pos), n_pos)
        kw = passed[n_pos:]
        if self.chance(0.5):
            r.shuffle(kw)
        pos = [arg(p) for p in passed[:n_pos]]
        kws = [(p.name, arg(p)) for p in kw]
        if self.chance(0.06):                   # unpacked at the call site (CALL_FUNCTION_EX)
            shape = r.choice(["*({},)", "*[{}]", "*[*({},)]"])
            star = [shape.format(', '.join(pos))] if pos else []
            dstar = [f"**{{{', '.join(f'{k!r}: {v}' for k, v in kws)}}}"] if kws else []
            return f"{h.name}({', '.join(star + dstar)})"
        return f"{h.name}({', '.join(pos + [f'{k}={v}' for k, v in kws])})"

    def call_expr(self, scope: Scope, loops: list[Loop], kind: str, depth: int) -> str | None:
        """A call (an expression of this kind), or None when no helper fits."""
        if kind != "num" and self.chance(0.04) and self.afford(2):
            # a generator expression or a lambda made where the loop runs (MAKE_FUNCTION, GET_ITER)
            a, b, c = (self.int_arg(scope, loops, max(0, min(depth, 1))) for _ in range(3))
            return self.r.choice([f"sum(v * {a} for v in ({b}, {c}))", f"any(v > {a} for v in [{b}, {c}])",
                                  f"(lambda v, w={a}: v - w)({b})", f"max(map(lambda v: v % 7, ({a}, {b}, {c})))"])
        pool = [h for h in self.callable_helpers(kind) if self.afford_probe(h.cost)]
        if not pool:
            return None
        h = self.r.choice(pool)
        if not self.afford(h.cost):
            return None
        return self.call_text(h, scope, loops, max(0, min(depth, 1)))

    def afford_probe(self, cost: int) -> bool:
        if self.defining is not None:
            return self.cost_in_body + cost <= MAX_HELPER_COST
        return self.used + cost * self.g.weight <= CALL_BUDGET

    # ------------------------------------------------------------------ the prelude
    def prelude(self, gvars: list[Var]) -> list[str]:
        """Lines defining the helpers (and what they use), before the program's loops."""
        g, r = self.g, self.r
        saved, g.lines = g.lines, []
        self.gvars = gvars
        column = 1 if self.style == "mixed" else 2
        names = [t[0] for t in HELPER_TEMPLATES for _ in range(t[column])]
        chosen = [r.choice(names) for _ in range(r.randint(3, 7))]
        if "plain" not in chosen[:1]:
            chosen.insert(0, "plain")
        body: list[str] = []
        for t in chosen:
            g.lines = []
            h = getattr(self, f"t_{t}")(f"h{len(self.helpers)}")
            if h is not None:
                self.helpers.append(h)
                body += g.lines
        g.lines = []
        unary = [h.name for h in self.helpers if h.unary]
        if len(unary) >= 2 and self.chance(0.8):
            self.prog.fs = r.sample(unary, min(len(unary), r.randint(2, 3)))
            self.emit(0, f"FS = [{', '.join(self.prog.fs)}]")
        for h in self.helpers:
            if h.alt:                           # a second name: rebinding h needs not load h itself
                self.emit(0, f"{h.name}_std = {h.name}")
            if h.alt and self.chance(0.5):
                self.swaps.add(h.name)
                self.emit(0, f"def swap_{h.name}():")
                self.emit(1, f"global {h.name}, {h.alt}")
                self.emit(1, f"{h.name}, {h.alt} = {h.alt}, {h.name}")
        if self.style == "mixed" and self.chance(0.35):
            self.class_p()
        if self.chance(0.5):
            self.class_d()
        body += g.lines
        head = []
        if self.prog.sys:
            head += ["import sys", "import traceback", "PROG = sys._getframe().f_code.co_filename"]
        head += ["class Oops(Exception):", "    pass"]
        if self.prog.buf:
            head.append("buf = []")
        if self.prog.hits:
            head.append("hits = 0")
        if self.prog.dlog:
            head.append("DS = [0]")
        if self.prog.table:
            head.append(f"TABLE = [{', '.join(str(r.randrange(-9, 10)) for _ in range(r.randint(3, 8)))}]")
        g.lines = saved
        return head + body

    def params(self, n_max: int = 3, first: str | None = None, names: str = "abc") -> list[Param]:
        r = self.r
        n = r.randint(1, n_max)
        n_def = r.randint(0, n - 1) if n > 1 else 0
        if self.chance(0.2):
            n_def = n if n > 1 or self.chance(0.5) else 0
        out = []
        for k, name in enumerate(names[:n]):
            kind = first if k == 0 and first else r.choice(["int", "num"])
            default = self.default_value(kind) if k >= n - n_def else None
            out.append(Param(name, kind, default))
        return out

    def default_value(self, kind: str) -> str:
        return self.g.int_const(0.1, 0.0) if kind == "int" or self.chance(0.6) else self.g.float_const()

    def signature(self, params: list[Param], posonly: int = 0) -> str:
        parts = [p.name if p.default is None else f"{p.name}={p.default}" for p in params]
        if posonly:
            parts.insert(posonly, "/")
        return ", ".join(parts)

    def helper_scope(self, params: list[Param], local: list[Var] = ()) -> Scope:
        reads = [Var(p.name, p.kind) for p in params] + [v for v in self.gvars if self.chance(0.3)]
        return Scope(module=False, vars=list(local), reads=reads)

    def returns(self, level: int, scope: Scope, ret: str) -> None:
        """A body of branches and returns of kind ret, with a local t sometimes."""
        g = self.g
        if self.chance(0.4):
            self.emit(level, f"t = {g.expr(scope, [], ret, 2)}")
            scope.reads.append(Var("t", ret))
        for k in range(self.r.choice([0, 1, 1, 2])):
            self.emit(level, f"{'if' if k == 0 else 'elif'} {g.cond(scope, [], 1)}:")
            self.emit(level + 1, f"return {self.value(scope, ret)}")
        self.emit(level, f"return {self.value(scope, ret)}")

    def value(self, scope: Scope, kind: str) -> str:
        """An expression of this kind for a helper's body, sometimes through a builtin the trace compiles."""
        e = lambda: self.g.expr(scope, [], kind, 2)  # noqa: E731
        form = self.r.randrange(20)
        if form == 0:
            return f"abs({e()})"
        if form == 1:
            return f"{self.r.choice(['min', 'max'])}({e()}, {e()})"
        if form == 2:
            return f"divmod({e()}, {self.r.choice(['3', '7', '-2'] + (['0.5'] if kind == 'num' else []))})[{self.r.randrange(2)}]"
        if form == 3 and kind == "num":
            return f"float({e()})"
        return e()

    def define(self, h: Helper, emit_body) -> Helper:
        """Emit h's definition (emit_body(level, scope) writes the body) with its cost counted."""
        self.defining, self.cost_in_body = h, 0
        try:
            emit_body()
        finally:
            self.defining = None
        h.cost = 1 + self.cost_in_body
        return h

    # ------------------------------------------------------------------ helper templates
    def t_plain(self, name: str) -> Helper:
        """Arithmetic with defaults and branches; may call earlier helpers; maybe an alternate for rebinding."""
        params = self.params()
        ret = self.r.choice(["int", "num"])
        h = Helper(name, "plain", params, ret, unary=all(p.default is not None for p in params[1:]),
                   posonly=self.r.randint(1, len(params)) if self.chance(0.15) else 0)
        if len(params) > 1 and params[-1].default is not None and self.chance(0.25):
            none_default, params[-1].default = params[-1].default, "None"

        def body():
            for fname in [name] + ([name + "_alt"] if self.chance(0.5) else []):
                self.emit(0, f"def {fname}({self.signature(params, h.posonly)}):")
                if params[-1].default == "None":
                    self.emit(1, f"if {params[-1].name} is None:")
                    self.emit(2, f"{params[-1].name} = {none_default}")
                self.returns(1, self.helper_scope(params), ret)
                if fname != name:
                    h.alt = fname
        return self.define(h, body)

    def t_pair(self, name: str) -> Helper:
        """Returns a tuple (the caller unpacks it, or takes one item)."""
        params = self.params()
        ret = self.r.choice(["int", "num"])
        h = Helper(name, "pair", params, ret)

        def body():
            scope = self.helper_scope(params)
            self.emit(0, f"def {name}({self.signature(params)}):")
            self.emit(1, f"q = {self.value(scope, ret)}")
            scope.reads.append(Var("q", ret))
            if self.chance(0.6):
                self.emit(1, f"if {self.g.cond(scope, [], 1)}:")
                self.emit(2, f"return q, {self.value(scope, ret)}")
            self.emit(1, f"return ({self.value(scope, ret)}, q)")
        return self.define(h, body)

    def t_rec(self, name: str) -> Helper:
        """Bounded recursion: factorial with an accumulator, Fibonacci, a branchy descent, mutual recursion."""
        r = self.r
        form = r.randrange(4)
        if form == 0:
            h = Helper(name, "rec", [Param("n", "int"), Param("acc", "int", "1")], "int", mod=r.choice([5, 7, 9]))
            self.emit(0, f"def {name}(n, acc=1):")
            self.emit(1, f"if n <= {r.choice(['0', '1'])}:")
            self.emit(2, "return acc")
            self.emit(1, f"return {name}(n - 1, acc * n % {self.g.clamp_mod})")
            h.cost = h.mod
        elif form == 1:
            h = Helper(name, "rec", [Param("n", "int")], "int", mod=r.choice([5, 6, 7]))
            self.emit(0, f"def {name}(n):")
            self.emit(1, "if n < 2:")
            self.emit(2, "return n")
            self.emit(1, f"return {name}(n - 1) + {name}(n - 2)")
            h.cost = 25
        elif form == 2:
            h = Helper(name, "rec", [Param("n", "int"), Param("x", "num", self.default_value("num"))], "num",
                       mod=r.choice([6, 8, 10]))
            self.emit(0, f"def {name}(n, x={h.params[1].default}):")
            self.emit(1, "if n <= 0:")
            self.emit(2, "return x")
            self.emit(1, f"if n % {r.choice([2, 3])} == 0:")
            self.emit(2, f"return {name}(n - 1, x + n)")
            self.emit(1, f"return {name}(n - 2, x * {r.choice(['2', '-1', '0.5', '3'])} - 1) % {self.g.clamp_mod}")
            h.cost = h.mod
        else:
            h = Helper(name, "rec", [Param("n", "int")], "int", mod=r.choice([4, 6, 9]))
            self.emit(0, f"def {name}(n):")
            self.emit(1, "if n == 0:")
            self.emit(2, "return True")
            self.emit(1, f"return {name}_odd(n - 1)")
            self.emit(0, f"def {name}_odd(n):")
            self.emit(1, "if n == 0:")
            self.emit(2, "return False")
            self.emit(1, f"return {name}(n - 1)")
            h.cost = h.mod
        return h

    def t_apply(self, name: str) -> Helper | None:
        """A higher-order helper: calls the function it is given (its argument x is an int)."""
        r = self.r
        unary = [h for h in self.helpers if h.unary]
        if not unary:
            return None
        h = Helper(name, "apply", [Param("fn", "num"), Param("x", "int"), Param("k", "int", r.choice(["1", "2", "-3"]))],
                   "num", cost=1 + 2 * max(u.cost for u in unary))
        self.emit(0, f"def {name}(fn, x, k={h.params[2].default}):")
        form = r.randrange(3)
        if form == 0:
            self.emit(1, "return fn(x) * 2 + k")
        elif form == 1:
            self.emit(1, "if x % 3 == k % 3:")
            self.emit(2, "return fn(k)")
            self.emit(1, "return fn(x) - fn(x + k)")
        else:
            self.emit(1, "r = fn(x)")
            self.emit(1, "if r > k:")
            self.emit(2, "return r")
            self.emit(1, "return fn(k) + r")
        return h

    def t_closure(self, name: str) -> Helper:
        """A closure made by a module-level factory (plain, or counting its calls in a nonlocal)."""
        r = self.r
        params = self.params(2)
        ret = r.choice(["int", "num"])
        h = Helper(name, "plain", params, ret, unary=all(p.default is not None for p in params[1:]))
        k = self.g.int_const(0.1, 0.0)
        scope = self.helper_scope(params)
        scope.reads.append(Var("k", "int"))

        def body():
            self.emit(0, f"def mk_{name}(k):")
            if self.chance(0.4):
                self.emit(1, "calls = 0")
                self.emit(1, f"def inner({self.signature(params)}):")
                self.emit(2, "nonlocal calls")
                self.emit(2, "calls += 1")
                self.emit(2, f"return {self.g.expr(scope, [], ret, 2)} + calls % 5 * k")
            else:
                self.emit(1, f"def inner({self.signature(params)}):")
                self.returns(2, scope, ret)
                h.factory = f"mk_{name}"
            self.emit(1, "return inner")
            self.emit(0, f"{name} = mk_{name}({k})")
        return self.define(h, body)

    def t_cells(self, name: str) -> Helper:
        """Two closures sharing a cell: one writes it (nonlocal), the other (the helper) reads it."""
        r = self.r
        self.emit(0, f"def mk_{name}():")
        self.emit(1, "n = 0")
        self.emit(1, "def bump(v):")
        self.emit(2, "nonlocal n")
        self.emit(2, f"n = (n + {r.choice(['1', '3', 'v'])}) % {r.choice([7, 100, 65537])}")
        self.emit(2, "return v + n")
        self.emit(1, "def peek(v, b=0):")
        self.emit(2, f"return v * {r.choice(['2', '-1', '3'])} + n + b")
        self.emit(1, "return bump, peek")
        self.emit(0, f"{name}_bump, {name} = mk_{name}()")
        self.helpers.append(Helper(f"{name}_bump", "plain", [Param("v", "int")], "int", unary=True))
        return Helper(name, "plain", [Param("v", "int"), Param("b", "int", "0")], "int", unary=True)

    def t_emptycell(self, name: str) -> Helper:
        """A closure whose free variable was never assigned (NameError when called), picked by k."""
        r = self.r
        a_kind = r.choice(["int", "num"])
        self.emit(0, f"def mk_{name}(flag):")
        self.emit(1, "def f(a, k):")
        self.emit(2, f"return a + k * c")
        self.emit(1, "if flag:")
        self.emit(2, f"c = {r.choice(['3', '-1', '0.5'])}")
        self.emit(1, "return f")
        self.emit(0, f"{name}_ok, {name}_empty = mk_{name}(True), mk_{name}(False)")
        self.emit(0, f"def {name}(a, k):")
        self.emit(1, f"return ({name}_empty if k == {r.randrange(0, 12)} else {name}_ok)(a, k)")
        return Helper(name, "raise", [Param("a", a_kind), Param("k", "int")], "num", raises=True, cost=2)

    def t_lambda(self, name: str) -> Helper:
        params = self.params(2)
        ret = self.r.choice(["int", "num"])
        h = Helper(name, "plain", params, ret, unary=all(p.default is not None for p in params[1:]))
        self.define(h, lambda: self.emit(
            0, f"{name} = lambda {self.signature(params)}: {self.g.expr(self.helper_scope(params), [], ret, 2)}"))
        return h

    def t_raise(self, name: str) -> Helper:
        """Raises ZeroDivisionError, IndexError or Oops at some values of its int argument k."""
        r = self.r
        self.prog.table = True
        a_kind = r.choice(["int", "num"])
        h = Helper(name, "raise", [Param("a", a_kind), Param("k", "int")], a_kind, raises=True)
        self.emit(0, f"def {name}(a, k):")
        points = r.sample(["div", "index", "oops", "value", "unbound"], r.randint(1, 2))
        if "unbound" in points:                 # UnboundLocalError at one k
            self.emit(1, f"if k != {r.randrange(0, 12)}:")
            self.emit(2, "u = k")
        if "oops" in points:
            self.emit(1, f"if k == {r.randrange(0, 12)}:")
            self.emit(2, f"raise Oops(k, {r.choice(['a', repr('bad')])})")
        if "value" in points:
            self.emit(1, f"if k > {r.randrange(6, 14)}:")
            self.emit(2, "raise Oops('too big', k)")
        terms = ["a"]
        if "div" in points:
            terms.append(f"{r.choice(['100', '7', 'a'])} // (k - {r.randrange(0, 10)})")
        if "index" in points:
            terms.append(f"TABLE[k - {r.randrange(0, 4)}]")
        if "unbound" in points:
            terms.append("u")
        self.emit(1, f"return {' + '.join(terms)}")
        return h

    def t_introspect(self, name: str) -> Helper:
        """Frame introspection on a rare branch: the caller's line and locals, the stack."""
        r = self.r
        self.prog.sys = True
        params = self.params(2, first="int")
        ret = r.choice(["int", "num"])
        h = Helper(name, "plain", params, ret, unary=all(p.default is not None for p in params[1:]))
        self.emit(0, f"def {name}({self.signature(params)}):")
        self.emit(1, f"if a % {r.choice([13, 31, 97])} == {r.randrange(0, 13)}:")
        form = r.randrange(3)
        if form == 0:
            self.emit(2, "f = sys._getframe(1)")
            self.emit(2, "print('frame', f.f_code.co_name, f.f_lineno, "
                         "sorted((k, v) for k, v in f.f_locals.items() if type(v) in (int, float, bool)))")
        elif form == 1:
            self.emit(2, "print('stack', [(s.name, s.lineno) for s in traceback.extract_stack() if s.filename == PROG])")
        else:
            self.emit(2, "print('lines', sys._getframe(1).f_lineno, sys._getframe(0).f_lineno, "
                         "sys._getframe(1).f_code.co_name)")
        self.define(h, lambda: self.returns(1, self.helper_scope(params), ret))
        return h

    def t_star(self, name: str) -> Helper:
        """*args, keyword-only parameters or **kwargs (never inlined)."""
        r = self.r
        form = r.randrange(3)
        if form == 0:
            self.emit(0, f"def {name}(*xs):")
            self.emit(1, f"return xs[0] * {r.choice(['2', '-1', '3'])} + len(xs)")
            return Helper(name, "star", [Param("a", "int")], "int", unary=True)
        if form == 1:
            a_kind = r.choice(["int", "num"])
            self.emit(0, f"def {name}(a, *, k={r.choice(['3', '-1', '0'])}):")
            self.emit(1, f"return a * k + {r.choice(['1', '5'])}")
            return Helper(name, "kwonly", [Param("a", a_kind)], a_kind, unary=True)
        self.emit(0, f"def {name}(a, **kw):")
        self.emit(1, "return a + len(kw) * 10 + kw.get('z', 0)")
        return Helper(name, "kwargs", [Param("a", "int")], "int", unary=True)

    def t_mutate(self, name: str) -> Helper:
        """Writes a global list or counter (always, or on a rare branch)."""
        r = self.r
        form = r.randrange(4) if self.style == "mixed" else 2
        v_kind = r.choice(["int", "num"])
        self.emit(0, f"def {name}(v):")
        if form == 0:
            self.prog.buf = True
            self.emit(1, "buf.append(v)")
            self.emit(1, f"if len(buf) > {r.randint(3, 8)}:")
            self.emit(2, "del buf[0]")
            self.emit(1, "return len(buf)")
            return Helper(name, "plain", [Param("v", v_kind)], "int", unary=True)
        if form == 1:
            self.prog.hits = True
            self.emit(1, "global hits")
            self.emit(1, "hits += 1")
            self.emit(1, f"return v + hits % {r.choice([3, 7, 100])}")
            return Helper(name, "plain", [Param("v", v_kind)], v_kind, unary=True)
        if form == 2:
            self.prog.buf = True
            self.emit(1, f"if v % {r.choice([17, 50, 101])} == {r.randrange(17)}:")
            self.emit(2, "buf.append(v)")
            self.emit(1, "return v + len(buf)")
            return Helper(name, "plain", [Param("v", v_kind)], v_kind, unary=True)
        self.prog.table = True
        self.emit(1, "TABLE[int(v) % len(TABLE)] = v")
        self.emit(1, "return TABLE[0]")
        return Helper(name, "plain", [Param("v", "int")], "int", unary=True)

    def t_gen(self, name: str) -> Helper:
        self.emit(0, f"def {name}(n):")
        self.emit(1, f"for t in range(n % {self.r.choice([4, 6])}):")
        self.emit(2, f"yield t * t + {self.r.choice(['1', '-2', '0'])}")
        return Helper(name, "gen", [Param("n", "int")], "int", cost=8)

    def t_loop(self, name: str) -> Helper:
        """A loop in the callee (never inlined; its loop may be compiled on its own)."""
        self.emit(0, f"def {name}(n, s=0):")
        self.emit(1, f"for t in range(n % {self.r.choice([5, 9, 16])}):")
        self.emit(2, f"s += t * {self.r.choice(['3', '-1', '2'])} - 1")
        self.emit(2, f"if t == {self.r.randrange(3, 12)}:")
        self.emit(3, "break")
        self.emit(1, "return s")
        return Helper(name, "rec", [Param("n", "int"), Param("s", "int", "0")], "int", mod=50, cost=16)

    def t_nested(self, name: str) -> Helper:
        """A function defined inside the helper at every call."""
        params = self.params(2)
        ret = "num" if any(p.kind == "num" for p in params) else "int"
        self.emit(0, f"def {name}({self.signature(params)}):")
        self.emit(1, "def sq(t):")
        self.emit(2, f"return t * t % {self.g.clamp_mod}")
        self.emit(1, f"return {' + '.join(f'sq({p.name})' for p in params)}")
        return Helper(name, "plain", params, ret, unary=all(p.default is not None for p in params[1:]))

    def class_d(self) -> None:
        """Class D, whose __del__ adds to the checksum DS in order with the loop's own additions (s_lifetime: a
        release the JIT made later than the interpreter shows there)."""
        self.prog.dlog = True
        for line in ["class D:", "    def __init__(self, x):", "        self.x = x", "    def __del__(self):",
                     "        DS[0] = (DS[0] * 31 + 3 + self.x % 7) % 1000003", "def mk_d(x):", "    return D(x)"]:
            self.emit(0, line)

    def class_p(self) -> None:
        """Class P with operator overloads, and a global instance p0."""
        self.prog.cls = True
        m = self.g.clamp_mod
        for line in [
            "class P:",
            "    def __init__(self, x):",
            "        self.x = x",
            "    def __add__(self, o):",
            f"        return P((self.x + (o.x if type(o) is P else o)) % {m})",
            "    def __eq__(self, o):",
            "        return type(o) is P and self.x == o.x",
            "    def __lt__(self, o):",
            "        return self.x < (o.x if type(o) is P else o)",
            "    def __getitem__(self, k):",
            "        if k > 6:",
            "            raise IndexError(k)",
            "        return (self.x >> k) & 255",
            "    def __bool__(self):",
            "        return self.x % 3 != 0",
            "    def __neg__(self):",
            f"        return P(-self.x % {m})",
            "    @property",
            "    def half(self):",
            "        return self.x // 2",
            "    def bump(self, k=1):",
            f"        self.x = (self.x + k) % {m}",
            "        return self.x",
            f"p0 = P({self.r.randrange(0, 100)})",
        ]:
            self.emit(0, line)

    # ------------------------------------------------------------------ statements in loops
    def stmt(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A call statement in a loop body; False when none fits (the caller makes another statement)."""
        r = self.r
        column = 1 if self.style == "mixed" else 2
        forms = [f[0] for f in STMT_FORMS for _ in range(f[column])]
        for _ in range(3):
            if getattr(self, f"s_{r.choice(forms)}")(level, scope, loops):
                return True
        return False

    def target(self, scope: Scope, kind: str) -> Var | None:
        """A variable that can hold a result of this kind."""
        vs = [v for v in scope.vars if kind == "int" or v.kind == "num"]
        return self.r.choice(vs) if vs else None

    def assign_call(self, level: int, scope: Scope, text: str, kind: str) -> bool:
        v = self.target(scope, kind)
        if v is None:
            self.emit(level, f"{scope.acc} = ({scope.acc} + int({text} % 1000)) & 0xFFFFFFFF" if kind == "int"
                      else f"{scope.acc} += {text} != 0")
            return True
        if v.kind == "int" and self.chance(0.3):
            self.emit(level, f"{v.name} = {text} & {self.g.mask}")
            return True
        self.emit(level, f"{v.name} = {text}")
        self.g.clamp(level, v)
        return True

    def s_assign(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        pool = [h for h in self.callable_helpers() if self.afford_probe(h.cost)]
        if not pool:
            return False
        h = self.r.choice(pool)
        self.afford(h.cost)
        text = self.call_text(h, scope, loops)
        if h.ret == "int" and self.chance(0.3):
            self.emit(level, f"{scope.acc} = ({scope.acc} * 7 + {text}) & 0xFFFFFFFF")
            return True
        return self.assign_call(level, scope, text, h.ret)

    def s_via_var(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A function chosen at run time, held in a variable, then called."""
        r = self.r
        unary = [h for h in self.helpers + self.locals if h.unary and self.afford_probe(h.cost)]
        if not unary:
            return False
        a, b = r.sample(unary, 2) if len(unary) > 1 else (unary[0], unary[0])
        fn = f"fn{self.fn_vars % 2}"
        self.fn_vars += 1
        if self.prog.fs and self.chance(0.6) and all(self.afford_probe(x.cost) for x in self.helpers if x.name in self.prog.fs):
            cands = [x for x in self.helpers if x.name in self.prog.fs]
            index = f"{r.choice(loops).idx} % {len(self.prog.fs)}" if loops and self.chance(0.7) else \
                self.small_arg(scope, loops, len(self.prog.fs))
            self.emit(level, f"{fn} = FS[{index}]")
        else:
            cands = [a, b]
            self.emit(level, f"{fn} = {a.name} if {self.lp_cond(loops, rare=self.chance(0.3)) if self.chance(0.5) else self.g.cond(scope, loops, 1)} else {b.name}")
        cost = max(x.cost for x in cands)
        if not self.afford(cost):
            return True
        kind = "int" if all(x.ret == "int" for x in cands) else "num"
        kw = ""
        if all(len(x.params) > 1 and x.params[1].name == "b" and x.posonly < 2 for x in cands) and self.chance(0.4):
            kw = f", b={self.int_arg(scope, loops)}"
        if loops and self.chance(0.5):         # called on some iterations only (from a bridge)
            self.emit(level, f"if {self.lp_cond(loops, rare=False)}:")
            level += 1
        return self.assign_call(level, scope, f"{fn}({self.int_arg(scope, loops)}{kw})", kind)

    def s_comprehension(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """Calls in a list comprehension or a generator expression (a loop of its own, inside the loop)."""
        r = self.r
        n = r.randint(2, 5)
        pool = [h for h in self.callable_helpers("int") if h.unary and self.afford_probe(n * h.cost)]
        if not pool:
            return False
        h = r.choice(pool)
        self.afford(n * h.cost)
        arg = r.choice(["t", f"t + {r.choice(loops).idx}" if loops else "t * 2"])
        form = r.choice([f"sum([{h.name}({arg}) for t in range({n})])", f"max({h.name}({arg}) for t in range({n}))",
                         f"len([t for t in range({n}) if {h.name}({arg}) > t])"])
        self.emit(level, f"{scope.acc} = ({scope.acc} + {form}) & 0xFFFFFF")
        return True

    def s_fresh(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A closure made anew in the loop (its captured value from the loop), then called."""
        pool = [h for h in self.helpers if h.factory and self.afford_probe(h.cost + 1)]
        if not pool:
            return False
        h = self.r.choice(pool)
        self.afford(h.cost + 1)
        fn = f"fn{self.fn_vars % 2}"
        self.fn_vars += 1
        self.emit(level, f"{fn} = {h.factory}({self.int_arg(scope, loops)})")
        text = self.call_text(h, scope, loops)
        return self.assign_call(level, scope, fn + text[len(h.name):], h.ret)

    def s_unpack(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A tuple returned by a helper, unpacked into two variables (or indexed)."""
        pool = [h for h in self.helpers if h.form == "pair" and self.afford_probe(h.cost)]
        if not pool:
            return False
        h = self.r.choice(pool)
        self.afford(h.cost)
        text = self.call_text(h, scope, loops)
        vs = [v for v in scope.vars if h.ret == "int" or v.kind == "num"]
        if len(vs) < 2 or self.chance(0.25):
            return self.assign_call(level, scope, f"{text}[{self.r.randrange(2)}]", h.ret)
        v, w = self.r.sample(vs, 2)
        self.emit(level, f"{v.name}, {w.name} = {text}")
        self.g.clamp(level, v)
        self.g.clamp(level, w)
        return True

    def s_try(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A raising helper called inside try/except (sometimes not caught here)."""
        r = self.r
        raising = [h for h in self.helpers if h.raises]
        if not raising or not loops:
            return False
        h = r.choice(raising)
        self.afford(h.cost)
        lp = r.choice(loops)
        k = r.choice([f"{lp.idx} % {r.choice([5, 9, 13])}", f"{lp.idx} - {lp.value_at(r.randrange(max(lp.count, 1)))}",
                      f"{self.int_arg(scope, loops, 1)} % 11"])
        text = f"{h.name}({self.g.expr(scope, loops, h.params[0].kind, 1)}, {k})"
        if self.chance(0.08):                   # not caught here: the exception leaves the loop
            return self.assign_call(level, scope, text, h.ret)
        self.emit(level, "try:")
        self.assign_call(level + 1, scope, text, h.ret)
        self.emit(level, f"except {r.choice([EXCEPTIONS, EXCEPTIONS, '(Oops, ArithmeticError, LookupError)', 'Exception'])} as e:")
        if self.chance(0.6):                    # what was caught, at one iteration (of every enclosing loop)
            self.g.need_tb = True
            at = " and ".join(f"{x.idx} == {x.value_at(r.randrange(max(x.count, 1)))}" for x in loops)
            self.emit(level + 1, f"if {at}:")
            self.emit(level + 2, f"print('caught', type(e).__name__, e.args, tb_line(e))")
        self.emit(level + 1, f"{scope.acc} += {r.choice(['1', '3', '100'])}")
        if self.chance(0.2):
            self.emit(level, "else:")
            self.emit(level + 1, f"{scope.acc} -= 1")
        return True

    def s_rebind(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """The binding, defaults or code of a helper changed at a chosen iteration, or every m-th one (then
        bridges get built); or bound to the alternate and back at two phases of every m iterations."""
        r = self.r
        cands = [h for h in self.helpers if h.alt or h.defaults]
        if not cands or not loops:
            return False
        h = r.choice(cands)
        if h.alt and self.may_assign(h, scope.module) and self.chance(0.5):
            if self.afford(h.cost):                 # a call of h in the same loop
                self.assign_call(level, scope, self.call_text(h, scope, loops), h.ret)
            lp = r.choice(loops)
            m = r.choice([4, 7, 10])
            k1, k2 = r.sample(range(m), 2)
            self.emit(level, f"if {lp.idx} % {m} == {k1}:")
            self.emit(level + 1, f"{h.name} = {h.alt}")
            self.emit(level, f"elif {lp.idx} % {m} == {k2}:")
            self.emit(level + 1, f"{h.name} = {h.name}_std")
            return True
        self.emit(level, f"if {self.lp_cond(loops, rare=self.chance(0.5))}:")
        self.rebind(level + 1, h, scope.module)
        return True

    def may_assign(self, h: Helper, module: bool) -> bool:
        return module or h.name in self.unit_globals_set

    def rebind(self, level: int, h: Helper, module: bool) -> None:
        """Bind h to its alternate or back to its original (h_std), swap the two bindings (in place or through
        swap_h()), swap their code, or replace h's defaults."""
        r = self.r
        forms = ["defaults"] if h.defaults else []
        if h.alt:
            forms += ["code"] + (["assign", "assign"] if self.may_assign(h, module) else []) + (["swap"] if module else []) + \
                (["swap_fn"] if h.name in self.swaps else [])
        form = r.choice(forms)
        if form == "assign":
            self.emit(level, f"{h.name} = {r.choice([h.alt, h.name + '_std', f'{h.alt} if {h.name} is {h.name}_std else {h.name}_std'])}")
        elif form == "swap":
            self.emit(level, f"{h.name}, {h.alt} = {h.alt}, {h.name}")
        elif form == "swap_fn":
            self.emit(level, f"swap_{h.name}()")
        elif form == "code":
            self.emit(level, f"{h.name}.__code__, {h.alt}.__code__ = {h.alt}.__code__, {h.name}.__code__")
        else:
            self.emit(level, f"{h.name}.__defaults__ = ({', '.join(self.default_value(p.kind) for p in h.defaults)},)")

    def s_mutate(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A bare call for its effect: a mutating helper, or a list of functions changed."""
        r = self.r
        if self.prog.fs and self.chance(0.2):
            self.emit(level, f"if {self.lp_cond(loops, rare=self.chance(0.5))}:")
            self.emit(level + 1, r.choice(["FS.reverse()", f"FS[0] = {r.choice(self.prog.fs)}"]))
            return True
        muts = [h for h in self.helpers if h.form == "plain" and h.unary and h.params[0].name == "v"]
        if not muts:
            return False
        h = r.choice(muts)
        self.afford(h.cost)
        self.emit(level, f"{h.name}({self.g.expr(scope, loops, h.params[0].kind, 1)})")
        return True

    def s_apply(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        pool = [h for h in self.helpers if h.form == "apply" and self.afford_probe(h.cost)]
        if not pool:
            return False
        h = self.r.choice(pool)
        self.afford(h.cost)
        return self.assign_call(level, scope, self.call_text(h, scope, loops), h.ret)

    def s_gen(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        pool = [h for h in self.helpers if h.form == "gen" and self.afford_probe(h.cost)]
        if not pool:
            return False
        h = self.r.choice(pool)
        self.afford(h.cost)
        self.emit(level, f"{scope.acc} = ({scope.acc} + sum({h.name}({self.int_arg(scope, loops)}))) & 0xFFFFFF")
        return True

    def s_object(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """Operators (a unary one too), truth tests, attributes, a property and a method of class P, and int() /
        float() of strs (in loops: the generic path)."""
        if not self.prog.cls:
            return False
        r = self.r
        acc = scope.acc
        arg = lambda: self.int_arg(scope, loops, 1)  # noqa: E731
        form = r.randrange(12)
        if form == 10:                  # a unary operator of an object; int() of a str
            self.emit(level, f"{acc} += (-p0).x + int(str(({arg()}) % 97))")
            return True
        if form == 11:                  # the truth of an object (__bool__); float() of a str
            self.emit(level, f"if p0 and float(str(({arg()}) % 13)) < 6.5:")
            self.emit(level + 1, f"{acc} += 3")
            return True
        if form >= 6:                   # attributes: read, written, a property, a method
            if form == 6:
                self.emit(level, f"{acc} += p0.x")
            elif form == 7:
                self.emit(level, f"p0.x = (p0.x + {arg()}) % {self.g.clamp_mod}")
            elif form == 8:
                self.emit(level, f"{acc} += p0.half")
            else:
                self.emit(level, f"{acc} += p0.bump({self.small_arg(scope, loops, 5)})")
            return True
        if form == 0 and scope.module:
            self.emit(level, f"p0 = p0 + {arg()}")
        elif form == 1:
            self.emit(level, f"{acc} += p0[{self.small_arg(scope, loops, 7)}]")
        elif form == 2:
            self.emit(level, f"if p0 < {arg()}:")
            self.emit(level + 1, f"{acc} += 1")
        elif form == 3:
            self.emit(level, f"if p0 == P({self.small_arg(scope, loops, 5)}) or not p0:")
            self.emit(level + 1, f"{acc} += 2")
        elif form == 4:
            self.emit(level, "try:")
            self.emit(level + 1, f"{acc} += (p0 + {arg()})[{self.small_arg(scope, loops, 9)}]")
            self.emit(level, "except IndexError as e:")
            self.emit(level + 1, f"{acc} += e.args[0]")
        else:
            ints = [v for v in scope.vars if v.kind == "int"]
            if not ints:
                return False
            v = r.choice(ints)
            self.emit(level, f"{v.name} = (P({v.name} % 1000) + {arg()})[3]")
        return True

    def s_lifetime(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A D made and dropped (the call's result popped: its __del__ adds to DS there) after an addition of the
        loop's own to DS: the checksum shows a release made later than the interpreter's. (Not a local replaced,
        `dd = D(i)`: an object a variable held dies late in some runs, a limit README lists; seeds 273000-273599
        had 14 such programs.)"""
        if not self.prog.dlog:
            return False
        self.emit(level, "DS[0] = (DS[0] * 31 + 2) % 1000003")
        self.emit(level, self.r.choice(["mk_d", "D"]) + f"({self.int_arg(scope, loops, 1)})")
        return True

    def s_local(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A call of a closure / nested function / lambda of the function unit."""
        if not self.locals:
            return False
        h = self.r.choice(self.locals)
        if not self.afford(h.cost):
            return False
        return self.assign_call(level, scope, self.call_text(h, scope, loops), h.ret)

    # ------------------------------------------------------------------ function units
    def enter_function(self, level: int, params: list[Var]) -> None:
        """Nested functions of a function unit (closures over its parameters, a lambda, a plain one)."""
        r = self.r
        self.locals = []
        if not self.chance(0.5 if self.style == "mixed" else 0.35):
            return
        for k in range(r.randint(1, 2)):
            name = f"loc{k}"
            own = self.params(2, names="uw")      # not the unit's parameter names a, b
            ret = r.choice(["int", "num"])
            scope = self.helper_scope(own)
            scope.reads += [p for p in params if self.chance(0.5)]       # captured: cells of the unit
            h = Helper(name, "plain", own, ret, unary=all(p.default is not None for p in own[1:]), local=True)
            self.defining, self.cost_in_body = h, 0
            try:
                if self.chance(0.35):
                    self.emit(level, f"{name} = lambda {self.signature(own)}: {self.g.expr(scope, [], ret, 2)}")
                else:
                    self.emit(level, f"def {name}({self.signature(own)}):")
                    self.returns(level + 1, scope, ret)
            finally:
                self.defining = None
            h.cost = 1 + self.cost_in_body
            self.locals.append(h)

    def leave_function(self) -> None:
        self.locals = []
        self.unit_globals_set = set()

    def unit_globals(self) -> list[str]:
        """Helpers the function unit about to be generated declares global (so that it may rebind them), and
        maybe the variables holding functions (fn0, fn1: then globals, as at module level)."""
        self.unit_globals_set = {h.name for h in self.helpers if h.alt and self.chance(0.6)}
        return sorted(self.unit_globals_set) + (["fn0", "fn1"] if self.chance(0.3) else [])

    # ------------------------------------------------------------------ between units, at the end
    def between_units(self) -> None:
        """Module-level statements after a unit: rebinding, and a few calls printed."""
        r = self.r
        if self.chance(0.5):
            cands = [h for h in self.helpers if h.alt or h.defaults]
            if cands:
                self.rebind(0, r.choice(cands), True)
        if self.prog.fs and self.chance(0.2):
            self.emit(0, "FS.reverse()")
        plain = [h for h in self.helpers if h.form == "plain" and h.unary and h.params[0].name != "v"]
        if plain and self.chance(0.5):
            picks = r.sample(plain, min(2, len(plain)))
            args = [r.choice(["3", "-2", "7", "0"]) for _ in picks]
            self.g.need_tb = True
            self.emit(0, "try:")
            self.emit(1, f"print('calls', {', '.join(f'{h.name}({a})' for h, a in zip(picks, args))})")
            self.emit(0, "except Exception as e:")
            self.emit(1, "print('caught', type(e).__name__, e, tb_line(e))")

    def tail(self) -> list[str]:
        out = []
        if self.prog.buf:
            out.append("print('buf', buf)")
        if self.prog.hits:
            out.append("print('hits', hits)")
        if self.prog.table:
            out.append("print('table', TABLE)")
        if self.prog.cls:
            out.append("print('p0', p0.x)")
        if self.prog.dlog:
            out.append("print('ds', DS[0])")
        return out


# Helper templates (CallGen.t_<name>) and their weights in the prelude of a "mixed" and an "inlinable" program.
HELPER_TEMPLATES = [
    ("plain", 6, 8), ("rec", 2, 3), ("apply", 2, 2), ("closure", 2, 2), ("lambda", 1, 1), ("raise", 2, 2),
    ("introspect", 2, 2), ("star", 2, 0), ("mutate", 2, 1), ("gen", 1, 0), ("loop", 1, 0), ("nested", 1, 1),
    ("pair", 1, 2), ("cells", 1, 1), ("emptycell", 1, 1),
]
# Call statements in loop bodies (CallGen.s_<name>) and their weights, as above.
STMT_FORMS = [
    ("assign", 8, 10), ("via_var", 3, 3), ("try", 3, 2), ("rebind", 3, 3), ("mutate", 2, 1), ("apply", 2, 2),
    ("gen", 1, 0), ("object", 3, 0), ("local", 4, 2), ("unpack", 2, 3), ("comprehension", 1, 1), ("fresh", 2, 2),
    ("lifetime", 6, 6),
]
