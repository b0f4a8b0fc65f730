"""Random program generator: `generate(seed)` returns the source of a small, valid, quickly terminating
Python program, fully determined by the seed.

The programs are made mostly of what tracejit compiles (`for ... in range(...)` and `while` loops, nested,
at module level and in functions; int/float/bool arithmetic with values near the int64 limits, NaN, inf,
-0.0, tiny and huge floats; comparisons, `and`/`or`/`not`, if/elif/else, break/continue, augmented
assignment, globals) with branches that flip after a while (so guards fail and bridges get built), and a
minority of what it does not (calls, containers, strings, try/except in loops). Variables change type
mid-loop (int -> float -> big int), globals are rebound from inside functions, loops raise midway
(ZeroDivisionError, negative shift counts) and some exceptions escape to the top level.

Termination: every loop has a constant trip count or a counter that is incremented before anything that
could `continue`, huge ranges (`range(10**12)`, `while True`) break after a bounded number of iterations,
and the product of trip counts of all loops (times function calls) stays under MAX_ITERATIONS. Values are
kept bounded: an int assignment whose result may grow is followed by a clamp (`if v > L or v < -L: v %= M`,
or an inline `% M` / `& MASK`), `**` exponents are small constants and shift counts are masked.

Typing discipline: each variable is of kind "int" (always holds int or bool, so bitwise operators and
shifts are legal on it) or "num" (int, bool or float). Only "num" variables change type.

Calls: about a third of the seeds (gen_calls.wants_calls) make programs that also define functions and call
them in their loops (fuzz/gen_calls.py: helpers with defaults and keywords, recursion, closures, lambdas,
higher-order functions, rebinding, raising callees, frame introspection, ...); `expr` and `stmt` give some of
their slots to CallGen, and `weight` (the product of the enclosing trip counts) bounds what the calls cost.
The other seeds' programs are what they were before calls existed.

Strings and dicts: about a quarter of the seeds (gen_strings.wants_strings, drawn independently of calls) make
programs that also define strings of every internal kind, words and dicts with str keys, and get string
units (loops over, into and between strings, dict lookups; fuzz/gen_strings.py) besides the ordinary ones,
whose loops get string statements, expressions and conditions from StrGen. Again the other seeds' programs
are unchanged.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

MAX_ITERATIONS = 20_000       # loop iterations per program, all loops and calls together (upper bound)

def _lit(v: int) -> str:
    """An int literal as CPython would not need to compute it (`2**70` is not constant-folded on 3.12)."""
    return str(v) if abs(v) < 2**31 else ("-" if v < 0 else "") + hex(abs(v))


SMALL_INTS = ["0", "1", "-1", "2", "3", "5", "7", "-3", "10", "13", "100", "-7", "64", "1000", "255", "-128"]
EDGE_INTS = [_lit(v) for v in (                   # near the int64 limits, inside int64
    2**31 - 1, -2**31, 2**32, 2**53 + 1, 2**62, -2**62, 2**63 - 1, -2**63, 2**63 - 2, -2**63 + 1,
    3037000499, 3037000500, -3037000500, 2**62 - 1, 65535)]
BIG_INTS = [_lit(v) for v in (2**63, -2**63 - 1, 2**64, 2**100)]   # outside int64: recording aborts
FLOAT_CONSTS = [
    "0.0", "-0.0", "0.5", "1.5", "-2.25", "2.5", "0.1", "1e308", "-1e308", "5e-324", "-5e-324", "1e-300",
    "3.141592653589793", "1e16", "9007199254740993.0", "4.5e15", "-7.75", "1.0", "nan", "inf", "-inf",
    "9.223372036854776e18", "-9.223372036854776e18", "1e200", "2.0", "-1.0",
]
# Mostly inside int64: a constant outside int64 in a loop makes recording abort.
CLAMP_LIMITS = [_lit(v) for v in (2**62, 2**63 - 1, 10**9, 10**15, 2**40, 2**31, 2**62, 2**63 - 1, 2**53,
                                   2**62, 2**63 - 1, 10**6, 2**64)]
CLAMP_MODS = ["1000003", "97", "65537", "2147483647", "999999999989", "7919"]
NUM_CLAMP_LIMITS = [_lit(v) for v in (2**62, 2**40, 10**15, 10**9, 2**53, 2**63)]   # exact as floats
MASKS = ["0xFFFF", "0xFFFFFFFF", "0xFFFFFFFFFFFF", "0x7FFFFFFFFFFFFFFF", "0x7FFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFF"]


@dataclass
class Var:
    name: str
    kind: str                 # "int" (int/bool only) or "num" (int, bool or float)


@dataclass
class Loop:
    """A loop in scope: its index (an int variable the body may read), and how to name an index value
    reached in iteration t (for statements that raise exactly there)."""
    idx: str
    start: int
    step: int
    count: int                # iterations the header allows (breaks may stop earlier)
    is_while: bool

    def value_at(self, t: int) -> int:
        return self.start + t * self.step


@dataclass
class Scope:
    module: bool
    vars: list[Var]                         # assignable
    reads: list[Var] = field(default_factory=list)   # readable only (globals not declared in a function)
    acc: str = "acc"


class _Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.dr = random.Random(seed * 7919 + 1)       # the diamonds' own stream (diamond)
        self.xr = random.Random(seed * 104729 + 3)     # the counted indices' own stream (counted_index)
        self.ur = random.Random(seed * 15485863 + 5)   # short inner loops' own stream (loop: unrolled into traces)
        self.uses_tab = False
        self.seed = seed
        self.budget = MAX_ITERATIONS
        self.lines: list[str] = []
        self.n_loops = 0
        self.n_counters = 0
        self.need_h = False
        self.need_tb = False
        self.clamp_limit = self.r.choice(CLAMP_LIMITS)
        self.num_clamp_limit = self.r.choice(NUM_CLAMP_LIMITS[:-1] if self.chance(0.9) else NUM_CLAMP_LIMITS)
        self.clamp_mod = self.r.choice(CLAMP_MODS)
        self.mask = self.r.choice(MASKS)
        self.p_nonjit = self.r.choice([0.0, 0.0, 0.02, 0.05])    # per-statement chance of an unjittable one
        self.p_raise = self.r.choice([0.0, 0.02, 0.05])
        self.p_unsafe_div = self.r.choice([0.0, 0.02, 0.08])
        self.weight = 1       # times the statement being generated may run (product of the enclosing trip counts)
        self.calls = None     # fuzz/gen_calls.py's CallGen, in the programs that define and call functions
        from .gen_calls import CallGen, wants_calls
        if wants_calls(seed):
            self.calls = CallGen(self)
        self.strs = None      # fuzz/gen_strings.py's StrGen, in the programs that use strings and dicts
        from .gen_strings import StrGen, wants_strings
        if wants_strings(seed):
            self.strs = StrGen(self)

    # ------------------------------------------------------------------ small helpers
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def emit(self, level: int, text: str) -> None:
        self.lines.append("    " * level + text)

    def int_const(self, edge: float = 0.15, big: float = 0.01) -> str:
        x = self.r.random()
        c = self.r.choice(BIG_INTS if x < big else EDGE_INTS if x < big + edge else SMALL_INTS)
        return f"({c})" if c.startswith("-") else c

    def float_const(self) -> str:
        c = self.r.choice(FLOAT_CONSTS)
        return f"({c})" if c.startswith("-") else c

    def init_value(self, kind: str) -> str:
        if kind == "int":
            return self.int_const(0.45, 0.1) if self.chance(0.85) else self.r.choice(["True", "False"])
        return self.float_const() if self.chance(0.5) else self.int_const(0.45, 0.1)

    def all_reads(self, scope: Scope, loops: list[Loop], kind: str) -> list[str]:
        names = [v.name for v in scope.vars + scope.reads if kind == "num" or v.kind == "int"]
        names += [lp.idx for lp in loops]
        return names

    # ------------------------------------------------------------------ expressions
    def expr(self, scope: Scope, loops: list[Loop], kind: str, depth: int) -> str:
        r = self.r
        if self.calls is not None and depth > 0 and self.chance(self.calls.p_expr):
            call = self.calls.call_expr(scope, loops, kind, depth - 1)
            if call is not None:
                return call
        if self.strs is not None and depth > 0 and self.chance(self.strs.p_expr):
            return self.strs.int_expr(scope, loops, kind, depth - 1)
        if depth <= 0 or self.chance(0.3):
            names = self.all_reads(scope, loops, kind)
            if names and self.chance(0.75):
                return r.choice(names)
            return self.int_const() if kind == "int" or self.chance(0.5) else self.float_const()
        sub = lambda k=kind: self.expr(scope, loops, k, depth - 1)  # noqa: E731
        choice = r.random()
        if kind == "int":
            if choice < 0.40:
                op = r.choice(["+", "-", "*", "+", "-", "&", "|", "^"])
                return f"({sub()} {op} {sub()})"
            if choice < 0.52:
                op = r.choice(["//", "%"])
                return f"({sub()} {op} {self.divisor(scope, loops, 'int', depth - 1)})"
            if choice < 0.62:
                op = r.choice(["<<", ">>"])
                if self.chance(0.5):
                    return f"({sub()} {op} {r.randrange(0, 70)})"
                return f"({sub()} {op} ({sub()} & {r.choice(['7', '15', '31', '63'])}))"
            if choice < 0.68:
                if self.chance(0.6):
                    return f"({sub()} ** {r.choice([0, 1, 2, 2, 3])})"
                return f"(({sub()} % {r.choice([5, 7, 13, 16])} - {r.randrange(0, 8)}) ** {r.randrange(0, 65)})"
            if choice < 0.76:
                return f"({r.choice(['-', '~', '-', '+'])}{sub()})"
            if choice < 0.86:
                return f"({self.cond(scope, loops, depth - 1, True)})"     # a bool is an int
            if choice < 0.93:
                return f"({sub()} if {self.cond(scope, loops, depth - 1)} else {sub()})"
            return f"({sub()} {r.choice(['and', 'or'])} {sub()})"
        # num
        if choice < 0.40:
            op = r.choice(["+", "-", "*", "+", "-", "*"])
            return f"({sub()} {op} {sub()})"
        if choice < 0.55:
            op = r.choice(["/", "/", "//", "%"])
            return f"({sub()} {op} {self.divisor(scope, loops, 'num', depth - 1)})"
        if choice < 0.62:
            e = r.choice(["2", "2", "3", "1", "0", "2", "3", "-1", "0.5", "-2", "2.0"])
            base = sub()
            if e == "0.5":
                base = f"({base} * {base})"               # keep the base non-negative (or NaN): no complex
            elif e.startswith("-"):
                base = f"({base} or 1)"
            return f"({base} ** {e})"
        if choice < 0.70:
            return f"(-{sub()})"
        if choice < 0.80:
            return f"({sub('int')})"
        if choice < 0.88:
            return f"({sub()} if {self.cond(scope, loops, depth - 1)} else {sub()})"
        if choice < 0.94:
            return f"({sub()} {r.choice(['and', 'or'])} {sub()})"
        return f"({self.cond(scope, loops, depth - 1)})"

    def divisor(self, scope: Scope, loops: list[Loop], kind: str, depth: int) -> str:
        """A divisor that is almost never zero (unless the program chose to be unsafe)."""
        e = self.expr(scope, loops, kind, max(depth, 0))
        if self.chance(self.p_unsafe_div):
            return e
        if self.chance(0.3):
            c = self.r.choice(["3", "7", "-2", "10", "1000003", "0x100000000"] + (["0.5", "-1.5", "1e-300", "2.5"] if kind == "num" else []))
            return f"({c})"
        return f"({e} | 1)" if kind == "int" else f"({e} or 1)"

    def cond(self, scope: Scope, loops: list[Loop], depth: int, int_valued: bool = False) -> str:
        """A condition; with int_valued its value is a bool or int (never a float), so it can be used as an
        operand of an int expression."""
        r = self.r
        if self.strs is not None and self.chance(self.strs.p_cond):
            return self.strs.cond(scope, loops)
        choice = r.random()
        if loops and choice < 0.40:
            lp = r.choice(loops)
            t = r.randrange(0, max(lp.count, 1) + 3)
            k = lp.value_at(t)
            form = r.random()
            if form < 0.35:
                op = r.choice(["<", ">=", ">", "<="]) if lp.step > 0 else r.choice([">", "<=", "<", ">="])
                return f"{lp.idx} {op} {k}"
            if form < 0.6:
                m = r.choice([2, 3, 4, 5, 7, 16])
                return f"{lp.idx} % {m} {r.choice(['==', '!=', '=='])} {r.randrange(m)}"
            if form < 0.75:
                return f"{lp.idx} == {k}"
            if form < 0.85:
                lo = lp.value_at(r.randrange(0, max(lp.count, 1)))
                hi = lp.value_at(r.randrange(0, max(lp.count, 1)))
                lo, hi = min(lo, hi), max(lo, hi)
                return f"{lo} <= {lp.idx} < {hi}"
            return f"({lp.idx} & {r.choice([1, 3, 8, 255])})"
        if depth > 0 and choice < 0.55:
            inner = lambda: self.cond(scope, loops, depth - 1, int_valued)  # noqa: E731
            form = r.random()
            if form < 0.4:
                return f"({inner()} and {inner()})"
            if form < 0.8:
                return f"({inner()} or {inner()})"
            return f"(not {inner()})"
        kind = "num" if self.chance(0.6) else "int"
        a = self.expr(scope, loops, kind, min(depth, 1))
        form = r.random()
        if int_valued and kind == "num" and form >= 0.7:
            form = 0.0
        if form < 0.55:
            op = r.choice(["<", "<=", ">", ">=", "==", "!="])
            return f"{a} {op} {self.expr(scope, loops, kind, min(depth, 1))}"
        if form < 0.7:
            return f"{self.expr(scope, loops, kind, 0)} < {a} <= {self.expr(scope, loops, kind, 0)}"
        if form < 0.8 and kind == "num":
            return f"{a} != {a}"                         # NaN test
        return f"{a}"                                    # truthiness (-0.0, 0, nan...)

    # ------------------------------------------------------------------ statements
    def clamp(self, level: int, v: Var) -> None:
        lim = self.clamp_limit if v.kind == "int" else self.num_clamp_limit
        self.emit(level, f"if {v.name} > {lim} or {v.name} < -{lim}: {v.name} %= {self.clamp_mod}")

    def assign(self, level: int, scope: Scope, loops: list[Loop], depth: int) -> None:
        r = self.r
        v = r.choice(scope.vars)
        kind = v.kind
        if self.chance(0.45):
            ops = ["+=", "-=", "*=", "+=", "-="]
            if kind == "int":
                ops += ["//=", "%=", "&=", "|=", "^=", "<<=", ">>="]
            else:
                ops += ["/=", "//=", "%=", "*="]
            op = r.choice(ops)
            if op in ("//=", "%=", "/="):
                rhs = self.divisor(scope, loops, kind, depth)
            elif op in ("<<=", ">>="):
                rhs = str(r.randrange(0, 40)) if self.chance(0.5) else f"({self.expr(scope, loops, 'int', 1)} & 31)"
            else:
                rhs = self.expr(scope, loops, kind, depth)
            self.emit(level, f"{v.name} {op} {rhs}")
            grows = op not in ("//=", "%=", "&=", ">>=") or "*" in rhs or "<<" in rhs
        else:
            rhs = self.expr(scope, loops, kind, depth)
            form = r.random()
            if form < 0.15:
                self.emit(level, f"{v.name} = {rhs} % {self.clamp_mod}")
                return
            if form < 0.25 and kind == "int":
                self.emit(level, f"{v.name} = {rhs} & {self.mask}")
                return
            self.emit(level, f"{v.name} = {rhs}")
            grows = True
        if grows and (self.chance(0.85) or "*" in self.lines[-1] or "<<" in self.lines[-1]):
            self.clamp(level, v)

    def type_flip(self, level: int, scope: Scope, loops: list[Loop]) -> None:
        """A num variable (often a global) changes type at some iteration."""
        nums = [v for v in scope.vars if v.kind == "num"]
        if not nums or not loops:
            return self.assign(level, scope, loops, 1)
        v = self.r.choice(nums)
        lp = self.r.choice(loops)
        k = lp.value_at(self.r.randrange(0, max(lp.count, 1)))
        new = self.r.choice([
            f"{v.name} + 0.5", f"{v.name} * 0x10000000000000000", "2.5", "-0.0", "nan", "inf", f"{v.name} * 1.0",
            "0x8000000000000000", "0x7FFFFFFFFFFFFFFF", "True", f"{v.name} / 3", f"{v.name} // 1.0", "1e308",
            "5e-324", f"{v.name} * 3037000500", f"{v.name} - 0x7FFFFFFFFFFFFFFF",
        ])
        cmp = self.r.choice(["==", ">=", ">="]) if lp.step > 0 else "<="
        self.emit(level, f"if {lp.idx} {cmp} {k}:")
        self.emit(level + 1, f"{v.name} = {new}")
        if "0x1000" in new or "3037" in new or "0x7FFF" in new:
            self.clamp(level + 1, v)

    def raise_midway(self, level: int, scope: Scope, loops: list[Loop]) -> None:
        """A statement that raises at an iteration chosen by the generator (maybe after the loop ends)."""
        lp = self.r.choice(loops)
        k = lp.value_at(self.r.randrange(0, lp.count + lp.count // 3 + 2))
        v = self.r.choice(scope.vars)
        forms = [f"{v.name} + 7 // ({k} - {lp.idx})", f"{v.name} - 3 % ({lp.idx} - {k})",
                 f"{v.name} + 1.5 / ({k} - {lp.idx})"]
        if v.kind == "int":
            forms += [f"{v.name} ^ (1 << ({k} - {lp.idx}))", f"{v.name} | (0x400000000000 >> ({k} - {lp.idx}))"]
        else:
            forms += [f"{v.name} + ({lp.idx} - {k}) ** -1", f"{v.name} + 2.0 % ({lp.idx} - {k})"]
        rhs = self.r.choice(forms)
        if v.kind == "int" and "/ (" in rhs and "//" not in rhs:
            rhs = f"{v.name} + 7 // ({k} - {lp.idx})"
        self.emit(level, f"{v.name} = {rhs}")
        self.clamp(level, v)

    def nonjit(self, level: int, scope: Scope, loops: list[Loop]) -> None:
        """Something that makes recording abort: calls, containers, strings, try/except."""
        r = self.r
        v = r.choice(scope.vars)
        ints = [x for x in scope.vars if x.kind == "int"]
        form = r.randrange(9)
        idx = loops[-1].idx if loops else "0"
        if form == 0:
            self.emit(level, f"{v.name} = abs({v.name})")
        elif form == 1:
            self.emit(level, f"{v.name} = {r.choice(['min', 'max'])}({v.name}, {self.int_const()})")
        elif form == 2:
            self.need_h = True
            if v.kind == "int":
                self.emit(level, f"{v.name} = h({v.name}) % {self.clamp_mod}")
            else:
                self.emit(level, f"{v.name} = h({v.name})")
                self.clamp(level, v)
        elif form == 3:
            self.emit(level, f"t = ({v.name}, {idx})")
            self.emit(level, f"{v.name} = t[{r.randrange(2)}]")
        elif form == 4:
            self.emit(level, f"{scope.acc} += len(str({v.name})) + len([{v.name}, {idx}])")
        elif form == 5:
            self.emit(level, "try:")
            self.emit(level + 1, f"{v.name} = {v.name} // {self.expr(scope, loops, v.kind, 1)}")
            self.emit(level, "except ZeroDivisionError:")
            self.emit(level + 1, f"{v.name} = {self.int_const()}")
            self.clamp(level, v)
        elif form == 6 and ints:
            w = r.choice(scope.vars)
            self.emit(level, f"{r.choice(ints).name} = int({w.name}) % {self.clamp_mod}")
        elif form == 7 and v.kind == "num":
            self.emit(level, f"{v.name} = float({self.expr(scope, loops, 'int', 1)})")
        else:
            self.emit(level, f"d = {{{idx} % 3: {v.name}}}")
            self.emit(level, f"{scope.acc} += len(d)")

    def stmt(self, level: int, scope: Scope, loops: list[Loop], depth: int) -> None:
        r = self.r
        if self.calls is not None and self.chance(self.calls.p_stmt) and self.calls.stmt(level, scope, loops):
            return
        if self.strs is not None and self.chance(self.strs.p_stmt) and self.strs.stmt(level, scope, loops):
            return
        x = r.random()
        if x < self.p_nonjit:
            return self.nonjit(level, scope, loops)
        if x < self.p_nonjit + self.p_raise and loops:
            return self.raise_midway(level, scope, loops)
        x = r.random()
        if x < 0.40:
            return self.assign(level, scope, loops, r.choice([1, 2, 2, 3]))
        if x < 0.48:
            return self.type_flip(level, scope, loops)
        if x < 0.56:
            if self.chance(0.5):
                self.emit(level, f"{scope.acc} += {r.choice(['1', '2', '3', '5', '11', '-1', '100'])}")
            else:
                self.emit(level, f"{scope.acc} = ({scope.acc} * 31 + {r.choice(loops).idx if loops else '1'}) & 0xFFFFFFFF")
            return
        if x < 0.80 and depth < 2:
            return self.if_stmt(level, scope, loops, depth)
        if x < 0.93 and loops:
            return self.jump_stmt(level, scope, loops)
        return self.assign(level, scope, loops, 1)

    def if_stmt(self, level: int, scope: Scope, loops: list[Loop], depth: int) -> None:
        self.emit(level, f"if {self.cond(scope, loops, 2)}:")
        self.block(level + 1, scope, loops, depth + 1, self.r.randint(1, 2))
        n_elif = self.r.choice([0, 0, 0, 0, 1, 1, 2])
        for _ in range(n_elif):
            self.emit(level, f"elif {self.cond(scope, loops, 1)}:")
            self.block(level + 1, scope, loops, depth + 1, 1)
        if self.chance(0.4):
            self.emit(level, "else:")
            self.block(level + 1, scope, loops, depth + 1, 1)

    def arith(self, scope: Scope, loops: list[Loop], kind: str, depth: int) -> str:
        """An expression of names, constants, + - * (and & | ^ on ints) and negation only: what the JIT computes
        on both ways of a branch (tracejit/recorder/diamonds.py). Ints may overflow 64 bits."""
        r = self.r
        if depth <= 0 or self.chance(0.35):
            names = self.all_reads(scope, loops, kind)
            if names and self.chance(0.7):
                return r.choice(names)
            return self.int_const() if kind == "int" or self.chance(0.5) else self.float_const()
        sub = lambda: self.arith(scope, loops, kind, depth - 1)  # noqa: E731
        if self.chance(0.15):
            return f"(-{sub()})"
        ops = ["+", "-", "*", "+", "-"] + (["&", "|", "^"] if kind == "int" else ["*"])
        return f"({sub()} {r.choice(ops)} {sub()})"

    def counted_index(self, level: int, scope: Scope, lp: Loop) -> None:
        """An item or a slice of the module's list TAB (64 ints) at the loop's index plus or minus a constant: the
        index may cross below zero (counting from the end) on the way up or down, but stays in the list (a slice
        may go anywhere). Drawn from its own random stream (self.xr), so that the rest of a seed's program stays."""
        r = self.xr
        values = (lp.start, lp.value_at(max(lp.count - 1, 0)))
        lo, hi = min(values), max(values)
        if r.random() < 0.6 and -64 - lo <= 63 - hi and -1000 < 63 - hi and -64 - lo < 1000:
            c = r.randint(max(-64 - lo, -1000), min(63 - hi, 1000))
            at = f"{lp.idx} + {c}" if c >= 0 else f"{lp.idx} - {-c}"
            self.emit(level, f"{scope.acc} += TAB[{at}]")
        else:
            c, k = r.randint(-80, 80), r.randint(0, 5)
            at = f"{lp.idx} + {c}" if c >= 0 else f"{lp.idx} - {-c}"
            self.emit(level, f"{scope.acc} += {r.choice(['len', 'sum'])}(TAB[{at}:{at} + {k}])")
        self.uses_tab = True

    def diamond(self, level: int, scope: Scope, loops: list[Loop]) -> None:
        """An if (with or without else) whose arms only compute numbers into variables, each written on one
        way or both (a num variable may get an int on one way and a float on the other); the clamps after it.
        Drawn from its own random stream (self.dr), so that the rest of a seed's program stays as it was."""
        main, self.r = self.r, self.dr
        try:
            self._diamond(level, scope, loops)
        finally:
            self.r = main

    def _diamond(self, level: int, scope: Scope, loops: list[Loop]) -> None:
        r = self.r
        targets = r.sample(scope.vars, min(len(scope.vars), r.randint(1, 3)))
        if loops and self.chance(0.5):
            lp = r.choice(loops)
            m = r.choice([2, 3, 5, 17])
            cond = f"{lp.idx} % {m} {r.choice(['==', '!=', '<'])} {r.randrange(m)}"
        else:
            kind = r.choice(["int", "num"])
            cond = (f"{self.arith(scope, loops, kind, 1)} {r.choice(['<', '<=', '>', '>=', '==', '!='])} "
                    f"{self.arith(scope, loops, kind, 1)}")
        self.emit(level, f"if {cond}:")
        arms = 2 if self.chance(0.6) else 1
        for arm in range(arms):
            if arm:
                self.emit(level, "else:")
            wrote = False
            for v in targets:
                if self.chance(0.75) or (not wrote and v is targets[-1]):
                    op = r.choice(["=", "=", "+=", "-=", "*="])
                    self.emit(level + 1, f"{v.name} {op} {self.arith(scope, loops, v.kind, r.randint(0, 2))}")
                    wrote = True
        for v in targets:
            self.clamp(level, v)

    def jump_stmt(self, level: int, scope: Scope, loops: list[Loop]) -> None:
        """break/continue under a condition (a bare one would make the rest of the body dead)."""
        self.emit(level, f"if {self.cond(scope, loops, 1)}:")
        if self.chance(0.5):
            self.emit(level + 1, f"{scope.acc} += {self.r.choice(['1', '7', '1000'])}")
        self.emit(level + 1, "break" if self.chance(0.35) else "continue")

    def block(self, level: int, scope: Scope, loops: list[Loop], depth: int, n: int) -> None:
        for _ in range(n):
            self.stmt(level, scope, loops, depth)

    # ------------------------------------------------------------------ loops
    def loop(self, level: int, scope: Scope, loops: list[Loop], budget: int, nest: int) -> None:
        """A loop running at most `budget` iterations in total (its own times its inner loops')."""
        r = self.r
        self.n_loops += 1
        inner = nest < 2 and budget >= 60 and self.chance(0.35 if nest == 0 else 0.15)
        if inner:
            n_inner = r.randint(3, min(200, budget // 5))
            if self.ur.random() < 0.3:      # a short inner loop: unrolled into its enclosing loop's trace
                n_inner = self.ur.randint(1, 10)
            count = max(2, min(budget // n_inner, r.randint(3, 300)))
            inner_budget = n_inner
        else:
            hi = max(2, budget)
            count = r.choice([r.randint(2, min(hi, 40)), r.randint(2, hi), int(hi ** r.random())])
            count = max(2, min(count, hi))
            inner_budget = 0
        idx = "ijk"[nest] if nest < 3 else f"i{nest}"
        form = r.random()
        if form < 0.45:
            start, step = 0, 1
            self.emit(level, f"for {idx} in range({count}):")
            lp = Loop(idx, 0, 1, count, False)
        elif form < 0.65:
            start = r.choice([0, 1, -50, 7, 2**62, -2**63, 2**63 - count * 3 - 5, 2**31 - 10, -2**63 + 5,
                              2**63 - 10 if self.chance(0.3) else 100])
            step = r.choice([1, 1, 2, 3, -1, -2, 7])
            stop = start + count * step
            self.emit(level, f"for {idx} in range({start}, {stop}{'' if step == 1 else ', ' + str(step)}):")
            lp = Loop(idx, start, step, count, False)
        elif form < 0.75:
            limit = r.choice(["10**12", "2**62", "10**18"])
            self.emit(level, f"for {idx} in range({limit}):")
            self.emit(level + 1, f"if {idx} >= {count}:")
            self.emit(level + 2, "break")
            lp = Loop(idx, 0, 1, count, False)
        else:
            c = f"c{self.n_counters}"
            self.n_counters += 1
            self.emit(level, f"{c} = 0")
            if self.chance(0.5):
                extra = ""
                if self.chance(0.3):
                    extra = f" and {self.cond(scope, loops, 1)}"
                self.emit(level, f"while {c} < {count}{extra}:")
                self.emit(level + 1, f"{c} += 1")
            else:
                self.emit(level, "while True:")
                self.emit(level + 1, f"{c} += 1")
                self.emit(level + 1, f"if {c} > {count}:")
                self.emit(level + 2, "break")
            lp = Loop(c, 1, 1, count, True)
        inner_loops = loops + [lp]
        saved_weight = self.weight
        self.weight *= count
        n = r.randint(2, 4)
        where = r.randrange(n + 1) if inner else -1
        for s in range(n + 1):
            if s == where:
                self.loop(level + 1, scope, inner_loops, inner_budget, nest + 1)
            elif s < n:
                self.stmt(level + 1, scope, inner_loops, 0)
        if self.dr.random() < 0.5:
            self.diamond(level + 1, scope, inner_loops)
        if self.xr.random() < 0.4 and inner_loops:
            self.counted_index(level + 1, scope, inner_loops[-1])
        self.weight = saved_weight
        if nest == 0 and self.chance(0.3):
            self.emit(level, "else:")
            self.emit(level + 1, f"{scope.acc} += 1000")

    # ------------------------------------------------------------------ program
    def program(self) -> str:
        r = self.r
        header = ["nan = float('nan')", "inf = float('inf')"]
        gvars = [Var(f"g{n}", r.choice(["int", "num", "num"])) for n in range(r.randint(2, 4))]
        for v in gvars:
            header.append(f"{v.name} = {self.init_value(v.kind)}")
        n_loops = r.choice([1, 2, 2, 3]) + (1 if self.strs else 0)
        share = MAX_ITERATIONS // n_loops
        data = self.strs.prelude() if self.strs else []
        calls = self.calls.prelude(gvars) if self.calls else []
        body_lines: list[str] = []
        for unit in range(n_loops):
            self.lines = []
            if self.strs and self.chance(self.strs.p_unit):
                self.strs.unit(unit, gvars, share)
            elif self.chance(0.45):
                self.module_loop(unit, gvars, share)
            else:
                self.function_unit(unit, gvars, share)
            if self.calls:
                self.calls.between_units()
            if self.strs:
                self.strs.between_units()
            body_lines += self.lines
        helpers: list[str] = []
        if self.need_h:
            helpers += ["def h(x):", f"    return x * {r.choice(['3', '-2', '1'])} + {r.choice(['1', '-7', '0'])}"]
        if self.need_tb:
            helpers += ["def tb_line(e):", "    t = e.__traceback__", "    while t.tb_next is not None:",
                        "        t = t.tb_next", "    return t.tb_lineno"]
        tail = (self.calls.tail() if self.calls else []) + (self.strs.tail() if self.strs else []) + \
            [f"print('end', {', '.join(v.name for v in gvars)})"]
        if self.chance(0.05):
            tail.append(f"raise SystemExit({r.choice(['3', '0', 'None', repr('bye')])})")
        if self.uses_tab:
            header.append("TAB = [(i * 37) % 101 - 50 for i in range(64)]")
        return "\n".join([f"# fuzz seed {self.seed}"] + header + data + calls + helpers + body_lines + tail) + "\n"

    def guarded(self, level: int, guard: bool, emit_body) -> None:
        if not guard:
            emit_body(level)
            return
        self.need_tb = True
        self.emit(level, "try:")
        emit_body(level + 1)
        self.emit(level, "except Exception as e:")
        self.emit(level + 1, "print('caught', type(e).__name__, e, tb_line(e))")

    def module_loop(self, unit: int, gvars: list[Var], budget: int) -> None:
        acc = f"acc{unit}"
        scope = Scope(module=True, vars=list(gvars), acc=acc)
        self.emit(0, f"{acc} = 0")

        def body(level: int) -> None:
            self.loop(level, scope, [], budget, 0)
        self.guarded(0, self.chance(0.3), body)
        self.emit(0, f"print('m{unit}', {', '.join(v.name for v in gvars)}, {acc})")

    def function_unit(self, unit: int, gvars: list[Var], budget: int) -> None:
        r = self.r
        name = f"f{unit}"
        params = [Var(p, r.choice(["int", "num"])) for p in ("a", "b")]
        n_calls = r.choice([1, 2, 2, 3])
        declared = [v for v in gvars if self.chance(0.4)]
        readonly = [v for v in gvars if v not in declared]
        locs = [Var(f"x{n}", r.choice(["int", "num", "num"])) for n in range(r.randint(2, 4))]
        scope = Scope(module=False, vars=locs + declared, reads=readonly + params, acc="acc")
        self.emit(0, f"def {name}(a, b, n):")
        names = [v.name for v in declared] + (self.calls.unit_globals() if self.calls else [])
        if names:
            self.emit(1, f"global {', '.join(names)}")
        for v in locs:
            src = [p.name for p in params if v.kind == "num" or p.kind == "int"]
            if src and self.chance(0.5):
                self.emit(1, f"{v.name} = {r.choice(src)}")
            else:
                self.emit(1, f"{v.name} = {self.init_value(v.kind)}")
        self.emit(1, "acc = 0")
        if self.calls:
            self.calls.enter_function(1, params)
        per_call = budget // n_calls
        # The first loop's trip count comes from the argument n (a constant at each call site).
        count_from_n = self.chance(0.5)
        n_loops = 1 if per_call < 200 or self.chance(0.7) else 2
        for k in range(n_loops):
            b = per_call // n_loops
            self.weight = n_calls
            if k == 0 and count_from_n:
                self.n_loops += 1
                lp = Loop("i", 0, 1, b, False)
                self.emit(1, "for i in range(n):")
                self.weight *= b
                for _ in range(r.randint(2, 5)):
                    self.stmt(2, scope, [lp], 0)
            else:
                self.loop(1, scope, [], b, 0)
        self.weight = 1
        if self.calls:
            self.calls.leave_function()
        self.emit(1, f"return ({', '.join(v.name for v in locs)}, acc)")
        for c in range(n_calls):
            args = [self.init_value(p.kind) for p in params]
            n = per_call // n_loops if c == 0 else r.randint(2, max(2, per_call // n_loops))
            call = f"print('{name}', {name}({args[0]}, {args[1]}, {n}))"
            self.guarded(0, self.chance(0.75), lambda level, call=call: self.emit(level, call))
            if declared:
                self.emit(0, f"print({', '.join(v.name for v in declared)})")


def generate(seed: int) -> str:
    """The program for this seed (same seed, same text, on every Python version and run): an objects program
    (fuzz/gen_objects.py) for a fifth of the seeds, else an ordinary one."""
    from .gen_objects import objects_program, wants_objects
    if wants_objects(seed):
        return objects_program(seed)
    return _Gen(seed).program()
