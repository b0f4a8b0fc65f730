"""Strings and dicts with str keys for the generator (fuzz/generate.py): about a quarter of the seeds
(`wants_strings`) make programs whose loops index, iterate, compare and search strings and look up dicts.

Such a program starts with data (StrGen.prelude): strings S0, S1, ... mixing CPython's internal kinds (ASCII,
latin-1, 2-byte and 4-byte code points, rarely a lone surrogate; short ones, single characters, and long ones
made as `chunk * k + tail` whose wide characters come late, so a hot trace meets them), a list W of short
words ("" among them, sometimes a str-subclass instance K('..')), and dicts with str keys: D0 (int values,
plain), D1 (maybe float values; maybe a dict that had an int key inserted and deleted, or still has one, or a
K key), maybe D2 (an instance's __dict__ or a comprehension). Keys are words and single characters of the
program's alphabet, so lookups both hit and miss.

The program then gets string units (StrGen.unit, module level or a function called with different strings
and dicts, so traces meet other string kinds and dicts of the general kind): a loop skeleton (`for c in ss`
repeated, `ss[i % len(ss)]`, nested loops over two strings, a `for c in it` left by break and resumed with
the same iterator, a while loop over indices, words compared and looked up, an LCS / edit distance table,
characters made by chr) with a body of random statements on the characters: ord, comparisons of characters
and of longer strings, `in` / `not in` on strings and dicts, d[k] (in try/except KeyError, rarely not),
d.get(k[, default]), len, truth tests of strs and lists, chr (with code points >= 256, and negative ones in
try/except ValueError), indices out of range in try/except IndexError, min/max of three or more ints or
floats (nan and -0.0 among them), characters escaping into a list and a variable printed after the loop, and
rarely the data changed at one iteration (a string rebound, a dict switched, a key stored, an int key stored
and deleted: the JIT must leave or abort cleanly). Ordinary statements of the generator are mixed in.

Ordinary loops of these programs also get string statements and expressions (StrGen.stmt, int_expr, cond),
and between units the data are changed (keys added and removed, an int key inserted, strings rebound to
other kinds). Output is printed with ascii() (no encoding trouble with surrogates) and never depends on hash
order: only insertion-ordered dicts and lists are printed.

Termination: a unit's loops run at most the iterations of its share of MAX_ITERATIONS (trip counts are
computed from the lengths of the strings, tracked by the generator; every string stays non-empty so that
`% len(s)` is safe).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .gen_objects import wants_objects
from .generate import Loop, Scope, Var

if TYPE_CHECKING:
    from .generate import _Gen

STRING_SHARE = 1 / 4            # share of seeds whose programs use strings and dicts

# Characters by CPython's internal kind (PEP 393): 1 byte ASCII, 1 byte latin-1, 2 bytes, 4 bytes.
ASCII = "abcdexyzAMZ0189 _-.!~\t\x00\x7f"
LATIN1 = "\x80\x9f\xa0\xb5\xc0\xd7\xe0\xe9\xf7\xff"
UCS2 = "\u0100\u0101\u0394\u03a9\u0800\u20ac\u4e2d\ufb01\uffff"
SURROGATES = "\ud800\udfff"
UCS4 = "\U00010000\U0001d11e\U0001f600\U0001f4a9\U0010ffff"
POOLS = (ASCII, LATIN1, UCS2, UCS4)
INT_VALUES = ["0", "1", "2", "3", "5", "7", "-1", "-4", "10", "42", "100", "255", "1000", "-128"]
EDGE_VALUES = ["0x3FFFFFFFFFFFFFFF", "0x7FFFFFFFFFFFFFFF", "-0x8000000000000000", "0x10000000000000000"]
FLOAT_VALUES = ["0.5", "-2.25", "1.0", "-0.0", "0.0", "1e16", "3.5", "-7.75", "2", "-3", "nan", "inf"]
CHR_MODS = ["128", "256", "256", "300", "0x250", "0x10000", "0x110000"]
# Methods a str subclass K may override (then the JIT's exact-type guards must send K's operations to them).
K_METHODS = {
    "eq": ["    def __eq__(self, o):", "        return str.__eq__(self, o) is True or o == {lit}",
           "    __hash__ = str.__hash__"],
    "lt": ["    def __lt__(self, o):", "        return str.__gt__(self, o)"],
    "len": ["    def __len__(self):", "        return max(1, str.__len__(self) - 1)"],
    "getitem": ["    def __getitem__(self, i):", "        return str.__getitem__(self, i - 1)"],
    "iter": ["    def __iter__(self):", "        return iter(str(self)[::-1])"],
    "contains": ["    def __contains__(self, x):", "        return str.__contains__(self, x) or x == {lit}"],
}


def wants_strings(seed: int) -> bool:
    """Whether this seed's program uses strings and dicts (drawn apart from the program's own random stream,
    so that the other seeds' programs are what they were before); an objects seed's program is an objects
    program (gen_objects.py) instead."""
    return random.Random(f"fuzz-strings:{seed}").random() < STRING_SHARE and not wants_objects(seed)


def kind_of(ch: str) -> int:
    o = ord(ch)
    return 0 if o < 128 else 1 if o < 256 else 2 if o < 0x10000 else 3


@dataclass
class DictInfo:
    name: str
    items: dict                 # what the generator believes the dict holds (a hint: loops may change it)
    vkind: str                  # "int": values are ints; "num": ints or floats
    general: bool = False       # had a key that is not an exact str


@dataclass
class Env:
    """What the body of a string loop may use."""
    module: bool
    chars: list[str]            # variables holding a one-character str here
    loops: list[Loop]           # enclosing loops with int indices
    vkind: str                  # the kind of dd's values
    scope: Scope                # for ordinary statements mixed in (acc, mx: int; fm: num)
    lens: tuple[int, int] = (1, 1)      # largest lengths ss and tt may have (trip counts of inner loops)
    count: int = 2              # the outer loop's trip count (the smallest of the calls')
    outer: Loop | None = None   # the loop whose iteration a rare mutation picks
    jumps: bool = True          # break/continue allowed in the body


class StrGen:
    def __init__(self, g: _Gen):
        self.g = g
        self.r = g.r
        r = self.r
        self.p_stmt = r.choice([0.08, 0.15, 0.25])      # string statements in ordinary loops
        self.p_expr = r.choice([0.02, 0.05, 0.1])       # string sub-expressions of int/num expressions
        self.p_cond = r.choice([0.03, 0.08, 0.15])      # string conditions
        self.p_unit = r.choice([0.6, 0.8, 1.0])         # a unit is a string unit
        self.p_mix = r.choice([0.0, 0.1, 0.25])         # ordinary statements inside string loops
        self.p_inloop = r.choice([0.0, 0.0, 0.1, 0.25])  # data changed at one iteration of a string loop
        self.p_bare = r.choice([0.0, 0.03])             # d[k] / s[i] outside try: the exception may escape
        self.p_wide = r.choice([0.1, 0.3, 1.0])         # share of characters drawn from the whole alphabet
        self.alphabet = self.pick_alphabet()
        self.strs: dict[str, str] = {}
        self.words: list[str] = []
        self.dicts: dict[str, DictInfo] = {}
        self.need_k = self.chance(0.15)              # str subclass K: in W, as a dict key, as an argument
        self.k_methods = sorted(r.sample(sorted(K_METHODS), r.randint(1, 3))) if self.chance(0.5) else []
        self.need_o = False

    # ------------------------------------------------------------------ small helpers
    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def emit(self, level: int, text: str) -> None:
        self.g.emit(level, text)

    def pick_alphabet(self) -> list[str]:
        r = self.r
        flavor = r.choice(["ascii", "latin1", "mixed", "mixed", "wide"])
        chars = r.sample(ASCII, r.randint(3, 6))
        if flavor != "ascii":
            chars += r.sample(LATIN1, r.randint(1, 3))
        if flavor in ("mixed", "wide"):
            chars += r.sample(UCS2, r.randint(1, 2))
        if flavor == "wide" or (flavor == "mixed" and self.chance(0.5)):
            chars += r.sample(UCS4, r.randint(1, 2))
        if self.chance(0.08):
            chars.append(r.choice(SURROGATES))
        return chars

    def letters(self, n: int, max_kind: int = 3) -> str:
        """n characters of the alphabet; characters of 2 and 4 bytes less often than the others."""
        pool = [c for c in self.alphabet if kind_of(c) <= max_kind] or self.alphabet[:1]
        narrow = [c for c in pool if kind_of(c) <= 1] or pool
        return "".join(self.r.choice(pool if self.chance(self.p_wide) else narrow) for _ in range(n))

    def wide_char(self, kind: int) -> str:
        own = [c for c in self.alphabet if kind_of(c) == kind]
        return self.r.choice(own) if own and self.chance(0.8) else self.r.choice(POOLS[kind])

    def lit_char(self) -> str:
        c = self.r.choice(self.alphabet) if self.chance(0.85) else self.r.choice(self.r.choice(POOLS))
        return ascii(c)

    def lit_str(self) -> str:
        """A literal of a few characters, often a piece of one of the strings (so that `in` finds it)."""
        if self.strs and self.chance(0.6):
            s = self.r.choice(list(self.strs.values()))
            k = self.r.randrange(len(s))
            return ascii(s[k:k + self.r.randint(1, 3)])
        return ascii(self.letters(self.r.randint(0, 3)))

    def str_names(self) -> list[str]:
        return sorted(self.strs)

    def dicts_of(self, vkind: str | None = None) -> list[DictInfo]:
        return [d for _, d in sorted(self.dicts.items()) if vkind is None or d.vkind == vkind]

    def value(self, vkind: str) -> str:
        if vkind == "num" and self.chance(0.6):
            return self.r.choice(FLOAT_VALUES)
        return self.r.choice(EDGE_VALUES) if self.chance(0.04) else self.r.choice(INT_VALUES)

    def idx(self, loops: list[Loop]) -> str:
        """An int expression that varies from iteration to iteration."""
        r = self.r
        if not loops:
            return str(r.randrange(0, 50))
        lp = r.choice(loops)
        return r.choice([lp.idx, lp.idx, f"({lp.idx} * {r.choice([3, 7, 13])})", f"({lp.idx} + {r.randrange(1, 9)})",
                         f"({lp.idx} >> 1)"])

    def at(self, lp: Loop) -> str:
        """A condition true at one iteration of lp."""
        return f"{lp.idx} == {lp.value_at(self.r.randrange(0, max(lp.count, 1)))}"

    # ------------------------------------------------------------------ data
    def new_string(self) -> tuple[str, str]:
        """A string's value and its source text (ASCII only: literals are written with ascii())."""
        r = self.r
        shape = r.random()
        max_kind = max(kind_of(c) for c in self.alphabet)
        if shape < 0.12:
            v = self.letters(1)
            return v, ascii(v)
        if shape < 0.5:
            v = self.letters(r.randint(2, 12))
            if self.chance(0.3):                 # a character of a wider kind somewhere
                k = r.randrange(len(v) + 1)
                v = v[:k] + self.wide_char(r.randint(1, 3)) + v[k:]
            return v, ascii(v)
        # long: a chunk of narrow characters repeated, then maybe a tail with wider ones
        chunk = self.letters(r.randint(2, 8), r.choice([0, 1, 1, max_kind]))
        rep = r.randint(5, max(5, 240 // len(chunk)))
        tail = ""
        if self.chance(0.6):
            tail = self.letters(r.randint(0, 3)) + self.wide_char(r.randint(1, 3)) + self.letters(r.randint(0, 3))
        text = f"{ascii(chunk)} * {rep}" + (f" + {ascii(tail)}" if tail else "")
        if self.chance(0.15) and tail:           # the wide character first
            text = f"{ascii(tail)} + {ascii(chunk)} * {rep}"
            return tail + chunk * rep, text
        return chunk * rep + tail, text

    def prelude(self) -> list[str]:
        """Lines defining the data, before everything else the program defines."""
        g, r = self.g, self.r
        saved, g.lines = g.lines, []
        for n in range(r.randint(3, 5)):
            v, text = self.new_string()
            self.strs[f"S{n}"] = v
            self.emit(0, f"S{n} = {text}")
        # words: short, distinct, from the alphabet
        words: list[str] = []
        lengths = [0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4]
        if self.chance(0.6):
            words.append("")
        for _ in range(r.randint(4, 9)):
            w = self.letters(r.choice(lengths[1:]))
            if w not in words:
                words.append(w)
        r.shuffle(words)
        self.words = words
        srcs = [ascii(w) for w in words]
        if self.chance(0.12 if not self.need_k else 0.6) and any(words):
            self.need_k = True
            k = r.choice([k for k, w in enumerate(words) if w])
            srcs[k] = f"K({srcs[k]})"
        self.emit(0, f"W = [{', '.join(srcs)}]")
        if self.chance(0.4):
            self.emit(0, "TW = tuple(W)")
            self.tw = True
        else:
            self.tw = False
        keys_pool = [w for w in words if self.chance(0.6)] + [c for c in self.alphabet if self.chance(0.5)]
        # D0: plain, int values
        self.dict_literal("D0", keys_pool, "int")
        # D1: maybe floats, maybe of the general kind
        vkind = "num" if self.chance(0.4) else "int"
        form = r.random()
        if form < 0.35:
            self.dict_literal("D1", keys_pool, vkind)
        elif form < 0.6:
            self.dict_literal("D1", keys_pool, vkind)
            key = r.choice(["7", "-1", "3.5", "(1, 2)", "None"])
            self.emit(0, f"D1[{key}] = {self.value(vkind)}")
            if self.chance(0.7):
                self.emit(0, f"del D1[{key}]")
            self.dicts["D1"].general = True
        elif form < 0.75:
            self.dict_literal("D1", keys_pool, vkind)
            self.need_k = True
            kw = self.letters(r.randint(1, 2))
            self.emit(0, f"D1[K({ascii(kw)})] = {self.value(vkind)}")
            self.dicts["D1"].items[kw] = 0
            self.dicts["D1"].general = True
        else:
            self.emit(0, f"D1 = dict(D0)")
            self.dicts["D1"] = DictInfo("D1", dict(self.dicts["D0"].items), "int")
            for _ in range(r.randint(1, 3)):
                k = r.choice(words + self.alphabet)
                self.emit(0, f"D1[{ascii(k)}] = {self.value('int')}")
                self.dicts["D1"].items[k] = 0
        form = r.random()
        if form < 0.3:
            self.need_o = True
            keys = [k for k in dict.fromkeys(keys_pool)] or ["a"]
            self.emit(0, "o2 = O()")
            self.emit(0, f"for k, v in zip({ascii(keys)}, [{', '.join(self.value('int') for _ in keys)}]):")
            self.emit(1, "setattr(o2, k, v)")
            self.emit(0, "D2 = o2.__dict__")
            self.dicts["D2"] = DictInfo("D2", dict.fromkeys(keys, 0), "int")
        elif form < 0.55:
            self.emit(0, f"D2 = {{w: len(w) * {r.choice(['1', '3', '-2'])} for w in W}}")
            self.dicts["D2"] = DictInfo("D2", dict.fromkeys(words, 0), "int", general=self.need_k)
        self.emit(0, "OUT = []")
        lines, g.lines = g.lines, saved
        head = []
        if self.need_k:
            head += ["class K(str):"]
            for m in self.k_methods:
                head += [line.replace("{lit}", self.lit_char()) for line in K_METHODS[m]]
            if not self.k_methods:
                head.append("    pass")
        if self.need_o:
            head += ["class O:", "    pass"]
        return head + lines

    def dict_literal(self, name: str, keys_pool: list[str], vkind: str) -> None:
        r = self.r
        keys = list(dict.fromkeys(k for k in keys_pool if self.chance(0.8)))
        if not keys or self.chance(0.1):
            keys = list(dict.fromkeys(keys + [self.letters(r.randint(1, 3))]))
        if self.chance(0.05):
            keys = []
        self.emit(0, f"{name} = {{{', '.join(f'{ascii(k)}: {self.value(vkind)}' for k in keys)}}}")
        self.dicts[name] = DictInfo(name, dict.fromkeys(keys, 0), vkind)

    def key_expr(self, ww: str, loops: list[Loop], chars: list[str]) -> str:
        """A str key: a word, a character, or a literal (hits and misses)."""
        r = self.r
        x = r.random()
        if chars and x < 0.35:
            return r.choice(chars)
        if x < 0.75:
            return f"{ww}[{self.idx(loops)} % len({ww})]"
        if x < 0.85:
            return f"chr({self.idx(loops)} % {r.choice(CHR_MODS)})"
        return self.lit_char() if self.chance(0.5) else self.lit_str()

    # ------------------------------------------------------------------ units
    def unit(self, unit: int, gvars: list[Var], budget: int) -> None:
        """A string unit: a loop skeleton over the data, at module level or in a function called a few times."""
        r = self.r
        g = self.g
        module = self.chance(0.4)
        names = [t[0] for t in TEMPLATES for _ in range(t[1])]
        tmpl = r.choice(names)
        vkind = "num" if any(d.vkind == "num" for d in self.dicts.values()) and self.chance(0.3) else "int"
        dicts = self.dicts_of(vkind)
        strs = self.str_names()
        n_calls = 1 if module else r.choice([1, 2, 2, 3])
        per_call = budget // n_calls
        two = tmpl in ("nested", "lcs")         # two strings in nested loops: the shorter ones
        pool = sorted(strs, key=lambda x: (len(self.strs[x]), x))[:max(2, len(strs) // 2 + 1)] if two else strs
        calls = []
        for c in range(n_calls):
            s, t = r.choice(pool), r.choice(pool)
            # the outer loop's iterations: ss may be rebound to tt inside, so the longer of the two counts
            m = max(len(self.strs[s]), len(self.strs[t]))
            cost = {"index": 1, "words": 1, "chr": 1, "wordchars": sum(len(w) + 1 for w in self.words) + 8}.get(
                tmpl, m * m if two else m) + 1
            if cost * 2 > per_call:            # too long for this budget
                return self.unit_fallback(unit, gvars, budget)
            n = 1 if tmpl == "itonce" else max(2, min(per_call // cost, r.choice([300, 1000, 3000, 5000])))
            calls.append((s, t, r.choice(dicts).name, n, cost))
        ls = max(max(len(self.strs[s]), len(self.strs[t])) for s, t, *_ in calls)
        name = f"sf{unit}"
        scope_vars = [Var("acc", "int"), Var("mx", "int"), Var("fm", "num")]
        guard = module and self.chance(0.25)
        if module:
            scope = Scope(module=True, vars=scope_vars + list(gvars), acc="acc")
            s, t, d, n, _ = calls[0]
            self.emit(0, f"ss, tt, dd, ww, n = {s}, {t}, {d}, W, {n}")
            level = 0
            if guard:
                g.need_tb = True
                self.emit(0, "try:")
                level = 1
        else:
            scope = Scope(module=False, vars=scope_vars, reads=list(gvars), acc="acc")
            self.emit(0, f"def {name}(ss, tt, dd, ww, n):")
            level = 1
        self.emit(level, "acc = miss = mx = 0")
        self.emit(level, f"fm = {r.choice(['0.0', '-0.0', '1.5', 'nan'])}")
        self.emit(level, "out = []")
        self.emit(level, f"last = {r.choice(['None', repr(''), '0'])}")
        self.emit(level, "c2 = 'a'")
        self.emit(level, f"sb = {r.choice([repr(''), repr('ab'), 'ss[:3]'])}")
        saved_weight = g.weight
        g.weight = max(n * cost for *_, n, cost in calls) * n_calls
        env = Env(module, [], [], vkind, scope, (ls, ls), count=min(n for *_, n, _ in calls))
        env.jumps = tmpl != "lcs"
        getattr(self, f"u_{tmpl}")(level, env)
        g.weight = saved_weight
        result = "acc, miss, mx, fm, len(out), ascii(out[-6:]), ascii(last), ascii(c2), len(sb), ascii(sb[-12:])"
        if module:
            if guard:
                self.emit(0, "except Exception as e:")
                self.emit(1, "print('caught', type(e).__name__, ascii(e.args), tb_line(e))")
            self.emit(0, f"print('s{unit}', {result})")
            return
        self.emit(1, f"return {result}")
        for s, t, d, n, _ in calls:
            s_arg = f"K({s})" if self.need_k and self.chance(0.15) else s
            call = f"print('{name}', {name}({s_arg}, {t}, {d}, W, {n}))"
            g.guarded(0, self.chance(0.6), lambda level, call=call: self.emit(level, call))

    def unit_fallback(self, unit: int, gvars: list[Var], budget: int) -> None:
        """The strings are too long for the template and this budget: ordinary loops over them instead."""
        if self.chance(0.45):
            self.g.module_loop(unit, gvars, budget)
        else:
            self.g.function_unit(unit, gvars, budget)

    def outer_loop(self, level: int, env: Env, var: str = "r") -> Loop:
        self.emit(level, f"for {var} in range(n):")
        lp = Loop(var, 0, 1, max(2, env.count), False)
        env.loops.append(lp)
        env.outer = lp
        return lp

    def u_iter(self, level: int, env: Env) -> None:
        self.outer_loop(level, env)
        self.maybe_inloop(level + 1, env)
        self.emit(level + 1, "for c in ss:")
        env.chars = ["c"]
        self.body(level + 2, env, self.r.randint(2, 5))

    def u_index(self, level: int, env: Env) -> None:
        r = self.r
        self.outer_loop(level, env, "i")
        self.maybe_inloop(level + 1, env)
        form = r.choice(["i % len(ss)", "-1 - i % len(ss)", f"(i * {r.choice([3, 7, 31])}) % len(ss)",
                         "i % len(ss)"])
        self.emit(level + 1, f"c = ss[{form}]")
        env.chars = ["c"]
        self.body(level + 1, env, r.randint(2, 5))

    def u_nested(self, level: int, env: Env) -> None:
        self.outer_loop(level, env)
        self.maybe_inloop(level + 1, env)
        self.emit(level + 1, "for ca in ss:")
        env.chars = ["ca"]
        if self.chance(0.4):
            self.body(level + 2, env, 1)
        self.emit(level + 2, "for cb in tt:")
        env.chars = ["ca", "cb"]
        self.emit(level + 3, f"if ca {self.r.choice(['==', '==', '<', '!=', '>='])} cb:")
        self.effect(level + 4, env, "cb")
        self.body(level + 3, env, self.r.randint(1, 3))

    def u_iterbreak(self, level: int, env: Env) -> None:
        """A `for c in it` left by break, and the same iterator resumed by a second loop."""
        self.outer_loop(level, env)
        self.emit(level + 1, "it = iter(ss)")
        self.iter_pair(level + 1, env)

    def u_itonce(self, level: int, env: Env) -> None:
        """The same, once over the string (a long one: the loops get hot on their own)."""
        self.emit(level, "it = iter(ss)")
        self.emit(level, "j = 0")
        env.loops.append(Loop("j", 1, 1, max(2, env.lens[0]), True))
        self.iter_pair(level, env, counter=True)

    def iter_pair(self, level: int, env: Env, counter: bool = False) -> None:
        r = self.r
        self.emit(level, "for c in it:")
        env.chars = ["c"]
        if counter:
            self.emit(level + 1, "j += 1")
        self.body(level + 1, env, r.randint(1, 3))
        stop = r.choice([f"c == {self.lit_char()}", f"c {r.choice(['>', '>='])} {self.lit_char()}",
                         f"c in {self.lit_str()}", f"ord(c) > {r.choice([127, 255, 0xFFFF])}"])
        if counter and self.chance(0.4):
            stop = f"j == {r.randint(1, max(1, env.lens[0]))}"
        self.emit(level + 1, f"if {stop}:")
        if self.chance(0.5):
            self.emit(level + 2, "last = c")
        self.emit(level + 2, "break")
        if self.chance(0.3):
            self.emit(level, "else:")
            self.emit(level + 1, "miss += 1")
        self.emit(level, "for c in it:")
        if counter:
            self.emit(level + 1, "j += 1")
        self.body(level + 1, env, r.randint(1, 3))

    def u_while(self, level: int, env: Env) -> None:
        r = self.r
        self.outer_loop(level, env)
        self.maybe_inloop(level + 1, env)
        self.emit(level + 1, "j = 0")
        self.emit(level + 1, "while j < len(ss):")
        self.emit(level + 2, "c = ss[j]")
        self.emit(level + 2, f"j += {r.choice(['1', '1', '2', '3'])}")
        env.loops.append(Loop("j", 1, 1, max(2, env.lens[0]), True))
        env.chars = ["c"]
        self.body(level + 2, env, r.randint(2, 4))

    def u_words(self, level: int, env: Env) -> None:
        """Words compared, searched and looked up."""
        r = self.r
        self.outer_loop(level, env, "i")
        self.maybe_inloop(level + 1, env)
        self.emit(level + 1, "wa = ww[i % len(ww)]")
        self.emit(level + 1, f"wb = ww[(i * {r.choice([3, 5, 7])} + {r.randrange(5)}) % len(ww)]")
        env.chars = []
        for _ in range(r.randint(2, 5)):
            self.word_stmt(level + 1, env)
        if self.chance(0.4):
            self.body(level + 1, env, 1)

    def word_stmt(self, level: int, env: Env) -> None:
        r = self.r
        tgt = "acc" if env.vkind == "int" else "fm"
        form = r.randrange(9)
        if form == 0:
            self.emit(level, f"if wa {r.choice(['<', '<=', '>', '>=', '==', '!='])} wb:")
            self.effect(level + 1, env, None)
        elif form == 1:
            self.emit(level, f"if {r.choice(['wa', 'wb', self.lit_str()])} {r.choice(['in', 'not in'])} "
                             f"{r.choice(['ss', 'tt', 'wa', 'wb'])}:")
            self.effect(level + 1, env, None)
        elif form == 2:
            self.emit(level, f"if {r.choice(['wa', 'not wb', 'wa and wb', 'not wa or ss'])}:")
            self.effect(level + 1, env, None)
        elif form == 3:
            self.emit(level, f"if wa in dd:")
            self.emit(level + 1, f"{tgt} += dd[wa]")
            if self.chance(0.6):
                self.emit(level, "else:")
                self.emit(level + 1, "miss += 1")
        elif form == 4:
            self.emit(level, f"{tgt} += dd.get({r.choice(['wa', 'wb'])}, {self.value(env.vkind)})")
        elif form == 5:
            self.emit(level, f"v = dd.get({r.choice(['wa', 'wb'])})")
            self.emit(level, "if v is None:")
            self.emit(level + 1, "miss += 1")
            self.emit(level, "else:")
            self.emit(level + 1, f"{tgt} += v")
        elif form == 6:
            self.lookup_try(level, env, r.choice(["wa", "wb"]))
        elif form == 7:
            self.emit(level, f"acc += len(wa) * {r.choice(['1', '3'])} + len(dd) + (wb {r.choice(['<', '>='])} {self.lit_str()})")
        else:
            self.emit(level, f"if wa {r.choice(['==', '<', '>'])} {self.lit_str()} {r.choice(['or', 'and'])} "
                             f"wb {r.choice(['!=', '<=', '>='])} {self.lit_str()}:")
            self.effect(level + 1, env, None)

    def u_wordchars(self, level: int, env: Env) -> None:
        """The characters of every word (empty ones among them)."""
        self.outer_loop(level, env)
        self.maybe_inloop(level + 1, env)
        self.emit(level + 1, "for wa in ww:")
        self.emit(level + 2, "for c in wa:")
        env.chars = ["c"]
        self.body(level + 3, env, self.r.randint(1, 4))
        if self.chance(0.6):
            self.emit(level + 2, f"if {self.r.choice(['not wa', 'wa', 'wa < ss', 'wa in tt'])}:")
            self.effect(level + 3, env, None)

    def u_lcs(self, level: int, env: Env) -> None:
        """A longest-common-subsequence or edit-distance table over two strings."""
        r = self.r
        self.outer_loop(level, env)
        self.maybe_inloop(level + 1, env)
        lcs = self.chance(0.5)
        if lcs:
            self.emit(level + 1, "prev = [0] * (len(tt) + 1)")
        else:
            self.emit(level + 1, "prev = list(range(len(tt) + 1))")
        self.emit(level + 1, "for ca in ss:")
        self.emit(level + 2, "row = [0]" if lcs else "row = [prev[0] + 1]")
        self.emit(level + 2, "for j in range(len(tt)):")
        env.loops.append(Loop("j", 0, 1, max(2, env.lens[1]), False))
        env.chars = ["ca"]
        if lcs:
            self.emit(level + 3, f"if ca == tt[j]:")
            self.emit(level + 4, "row.append(prev[j] + 1)")
            self.emit(level + 3, "else:")
            self.emit(level + 4, f"row.append(max(row[j], prev[j + 1], {r.choice(['0', '-1', 'row[0]'])}))")
        else:
            self.emit(level + 3, f"cost = 0 if ca {r.choice(['==', '=='])} tt[j] else 1")
            self.emit(level + 3, "row.append(min(row[j] + 1, prev[j + 1] + 1, prev[j] + cost))")
        if self.chance(0.5):
            self.body(level + 3, env, 1)
        self.emit(level + 2, "prev = row")
        self.emit(level + 1, "acc += prev[-1]")

    def u_chr(self, level: int, env: Env) -> None:
        """Characters made by chr(): latin-1 ones are CPython's cached strings, others new objects."""
        r = self.r
        self.outer_loop(level, env, "i")
        self.maybe_inloop(level + 1, env)
        mod = r.choice(CHR_MODS)
        self.emit(level + 1, f"c2 = chr((i * {r.choice([1, 3, 7, 101])} + {r.randrange(0, 300)}) % {mod})")
        env.chars = ["c2"]
        if self.chance(0.5):
            self.emit(level + 1, f"c = ss[i % len(ss)]")
            env.chars.append("c")
        self.body(level + 1, env, r.randint(2, 4))

    def maybe_inloop(self, level: int, env: Env) -> None:
        """Rarely, the data changed at one iteration of the outer loop (after which loops go on with them)."""
        lp = env.outer
        if lp is None or not self.chance(self.p_inloop):
            return
        r = self.r
        cond = f"{lp.idx} == {r.randrange(1, max(2, min(lp.count, 40)))}"
        form = r.randrange(6)
        if form == 0:
            self.emit(level, f"if {cond}:")
            self.emit(level + 1, "ss = tt")
        elif form == 1:
            other = self.dicts_of(env.vkind)
            self.emit(level, f"if {cond}:")
            self.emit(level + 1, f"dd = {r.choice(other).name}")
        elif form == 2:
            key = self.lit_char() if self.chance(0.5) else ascii(r.choice(self.words))
            self.emit(level, f"if {cond}:")
            self.emit(level + 1, f"dd[{key}] = {self.value(env.vkind)}")
        elif form == 3:
            self.emit(level, f"if {cond}:")
            self.emit(level + 1, f"dd[{r.choice(['7', '-1', '2.5'])}] = {self.value(env.vkind)}")
            if self.chance(0.6):
                self.emit(level, f"if {lp.idx} == {r.choice([3, 9, 31])}:")
                self.emit(level + 1, f"dd.pop({r.choice(['7', '-1', '2.5'])}, None)")
            for d in self.dicts.values():
                d.general = True
        elif form == 4:
            self.emit(level, f"if {cond}:")
            self.emit(level + 1, r.choice(["ww.reverse()", f"ww.append({ascii(r.choice(self.words))})"]))
        else:
            self.emit(level, f"if {cond}:")
            self.emit(level + 1, f"dd.pop({ascii(r.choice(self.words))}, None)")

    # ------------------------------------------------------------------ loop bodies
    def body(self, level: int, env: Env, n: int) -> None:
        for _ in range(n):
            if self.p_mix and self.chance(self.p_mix) and env.loops and env.jumps:
                self.g.stmt(level, env.scope, env.loops, 1)
            else:
                self.cstmt(level, env)

    def char_expr(self, env: Env) -> str:
        r = self.r
        x = r.random()
        if env.chars and x < 0.5:
            return r.choice(env.chars)
        if x < 0.75:
            s = r.choice(["ss", "tt"])
            i = self.idx(env.loops)
            return f"{s}[{i} % len({s})]" if self.chance(0.7) else f"{s}[-1 - {i} % len({s})]"
        if x < 0.85:
            return f"chr({self.idx(env.loops)} % {r.choice(CHR_MODS)})"
        return self.lit_char()

    def char_cond(self, env: Env, ch: str) -> str:
        r = self.r
        form = r.randrange(10)
        if form == 0:
            return f"{ch} {r.choice(['==', '!='])} {self.lit_char()}"
        if form == 1:
            a, b = sorted(self.r.choice(self.alphabet) for _ in range(2))
            return f"{ascii(a)} <= {ch} <= {ascii(b)}"
        if form == 2:
            return f"{ch} {r.choice(['<', '<=', '>', '>=', '==', '!='])} {self.char_expr(env)}"
        if form == 3:
            return f"{ch} {r.choice(['in', 'not in'])} {r.choice(['tt', 'ss', self.lit_str()])}"
        if form == 4:
            return f"{ch} {r.choice(['in', 'not in'])} dd"
        if form == 5:
            return f"ord({ch}) {r.choice(['>', '<', '>='])} {r.choice([64, 100, 127, 128, 255, 256, 0xFFFF])}"
        if form == 6:
            return f"ord({ch}) & {r.choice([1, 3, 8])}"
        if form == 7:
            return f"{ch} == chr({r.choice([97, 98, 120, 233, 255, 256, 0x4e2d])})"
        if form == 8:
            return f"{ch} {r.choice(['<', '>=', '=='])} {self.lit_str()}"        # a character and a longer string
        return f"{r.choice(['out', 'not out', ch + ' and out'])}"

    def effect(self, level: int, env: Env, ch: str | None) -> None:
        """One statement under a condition."""
        r = self.r
        x = r.random()
        if ch is None:
            ch = self.char_expr(env) if env.chars or env.loops else "'a'"
        if x < 0.3:
            self.emit(level, f"acc += {r.choice(['1', '3', f'ord({ch})', f'ord({ch}) * 7', '100'])}")
        elif x < 0.42:
            self.emit(level, "miss += 1")
        elif x < 0.6:
            self.emit(level, f"out.append({ch})")
        elif x < 0.72:
            self.emit(level, f"last = {ch}")
        elif x < 0.82:
            self.emit(level, f"mx = max(mx, ord({ch}), {r.choice(['0', '7', '300', '-1'])})")
        elif x < 0.9 and env.loops and env.jumps:
            self.emit(level, r.choice(["continue", "continue", "break"]))
        else:
            self.emit(level, f"c2 = {ch}")

    def cstmt(self, level: int, env: Env) -> None:
        r = self.r
        ch = self.char_expr(env)
        tgt = "acc" if env.vkind == "int" else "fm"
        form = r.randrange(21)
        if form >= 18:                           # new strings: concatenation and slices
            self.new_strings(level, env, ch)
            return
        if form == 17:                           # wrong types: the interpreter's TypeError
            self.emit(level, "try:")
            x = r.random()
            if x < 0.4:
                self.emit(level + 1, f"acc += ord(ww[{self.idx(env.loops)} % len(ww)])")
            elif x < 0.7:
                self.emit(level + 1, f"if {r.choice([self.idx(env.loops), '5', 'None', 'out'])} in {r.choice(['ss', 'tt'])}:")
                self.emit(level + 2, "acc += 1")
            else:
                self.emit(level + 1, f"if {ch} {r.choice(['<', '>='])} {r.choice(['acc', '0', 'None', '0.5'])}:")
                self.emit(level + 2, "acc += 1")
            self.emit(level, "except TypeError as e:")
            self.emit(level + 1, "miss += 1")
            if self.chance(0.3):
                self.emit(level + 1, "last = str(e)")
            return
        if form == 0:
            self.emit(level, r.choice([f"acc += ord({ch})", f"acc = (acc * 31 + ord({ch})) & 0xFFFFFFFF",
                                       f"acc ^= ord({ch}) << {r.randrange(0, 40)}",
                                       f"acc += ord({ch}) - ord({self.char_expr(env)})"]))
        elif form in (1, 2, 3):
            self.emit(level, f"if {self.char_cond(env, ch)}:")
            self.effect(level + 1, env, ch if self.chance(0.7) else None)
            if self.chance(0.3):
                self.emit(level, "else:")
                self.effect(level + 1, env, None)
        elif form == 4:
            self.emit(level, f"if {ch} in dd:")
            self.emit(level + 1, f"{tgt} += dd[{ch}]")
        elif form == 5:
            self.emit(level, f"{tgt} += dd.get({self.key_expr('ww', env.loops, env.chars)}, {self.value(env.vkind)})")
        elif form == 6:
            self.emit(level, f"v = dd.get({self.key_expr('ww', env.loops, env.chars)})")
            self.emit(level, "if v is not None:")
            self.emit(level + 1, f"{tgt} += v")
        elif form == 7:
            self.lookup_try(level, env, self.key_expr("ww", env.loops, env.chars))
        elif form == 8:                          # chr of code points of every size; negative ones raise
            m = r.choice(CHR_MODS)
            if self.chance(0.3):
                self.emit(level, "try:")
                self.emit(level + 1, f"c2 = chr(ord({ch}) - {r.choice([1, 50, 97, 200, 0x4e2d])})")
                self.emit(level, "except ValueError as e:")
                self.emit(level + 1, "miss += 1")
                if self.chance(0.3):
                    self.emit(level + 1, "last = str(e)")
            else:
                self.emit(level, f"c2 = chr((ord({ch}) + {r.choice([1, 3, 128, 200, 0x100])}) % {m})")
            if self.chance(0.6):
                self.emit(level, r.choice(["acc += ord(c2)", "out.append(c2)", f"mx = max(mx, ord(c2), {r.choice([0, 255])})"]))
        elif form == 9:                          # indices out of range
            s = r.choice(["ss", "tt"])
            k = r.choice([1, 2, 5, 20])
            expr = f"{s}[{self.idx(env.loops)} % (len({s}) + {k}) {r.choice(['-', '+'])} {r.randrange(0, k + 1)}]"
            if self.chance(self.p_bare):
                self.emit(level, f"acc += ord({expr})")
                return
            self.emit(level, "try:")
            self.emit(level + 1, f"acc += ord({expr})")
            self.emit(level, "except IndexError:")
            self.emit(level + 1, "miss += 1")
        elif form == 10:
            self.emit(level, r.choice(["out.append(%s)" % ch, "last = %s" % ch]))
        elif form == 11:                         # min/max of three or more
            if self.chance(0.5):
                args = [f"ord({ch})", "mx", r.choice(["0", "7", "-3", "acc & 0xFF", "len(tt)"])]
                if self.chance(0.4):
                    args.append(r.choice(["300", "len(dd)", "-1"]))
                r.shuffle(args)
                self.emit(level, f"mx = {r.choice(['max', 'min'])}({', '.join(args)})")
            else:
                args = ["fm", f"ord({ch}) * {r.choice(['0.5', '0.25', '-1.5'])}",
                        r.choice(["-0.0", "0.0", "nan", "1.5", "-2.25", "inf", "-inf"] + (["0"] if self.chance(0.2) else []))]
                if self.chance(0.4):
                    args.append(r.choice(["-0.0", "nan", "acc * 0.5", "0.1"] + (["3"] if self.chance(0.2) else [])))
                r.shuffle(args)
                self.emit(level, f"fm = {r.choice(['max', 'min'])}({', '.join(args)})")
        elif form == 12:
            self.emit(level, f"acc += len({r.choice(['ss', 'tt', 'dd', 'out', 'ww'])}) {r.choice(['+', '-'])} "
                             f"len({r.choice(['tt', 'dd', 'ss'])})")
        elif form == 13:
            w = f"ww[{self.idx(env.loops)} % len(ww)]"
            x = r.random()
            if x < 0.3:
                self.emit(level, f"if {w}:")
            elif x < 0.6:
                self.emit(level, f"if {w} {r.choice(['in', 'not in'])} {r.choice(['ss', 'tt'])}:")
            else:
                self.emit(level, f"if {w} {r.choice(['<', '>=', '==', '!='])} {r.choice([ch, 'tt', self.lit_str()])}:")
            self.effect(level + 1, env, ch)
        elif form == 14:
            coll = r.choice(["out", "ww"] + (["TW"] if self.tw else []))
            self.emit(level, f"if {r.choice(['', 'not '])}{coll}:")
            self.effect(level + 1, env, ch)
        elif form == 15:
            self.emit(level, f"if {r.choice(['ss', 'tt'])} {r.choice(['==', '!=', '<', '>='])} "
                             f"{r.choice(['tt', 'ss', self.lit_str()])}:")
            self.effect(level + 1, env, ch)
        else:
            self.emit(level, f"acc += {r.choice(['ord', 'len'])}({ch}) * {r.choice(['1', '3', '-1'])} + "
                             f"({ch} {r.choice(['in', '<', '=='])} {r.choice(['tt', self.lit_char(), self.lit_str()])})")

    def new_strings(self, level: int, env: Env, ch: str) -> None:
        """Strings made in the loop: `sb` grown by concatenation and cut by slices (kept short), slices with
        constant, negative, missing and variable bounds (beyond the length too), f-strings (up to 9 pieces), `%`
        formats and str() of ints and strs, escaping into `out`, `last` and comparisons."""
        r = self.r
        s = r.choice(["ss", "tt"])
        i = self.idx(env.loops) if env.loops else "acc"
        k = r.choice([1, 2, 3, 5])
        bound = r.choice([str(k), f"-{k}", f"{i} % {k + 3}", f"{i} % {k + 3} - {k}", f"{i}", f"-{i}", "len(sb)",
                          f"len({s}) + 2"])
        sl = r.choice([f"{s}[{bound}:]", f"{s}[:{bound}]", f"{s}[{bound}:{bound} + {k}]", f"sb[{bound}:]",
                       f"{s}[{k}:-{k}]", f"{s}[:]", f"{ch} + {s}[:{k}]",
                       f"f'{{c2}}{{{i} % {k + 3} - {k}}}'", f"str({i} * {r.choice([1, -7, 2 ** 40])})",
                       f"f'<{{{s}[:{k}]}}|{{{i}!s}}>'", f"str({ch})", f"f'{{acc}}'",
                       f"{s}[:{k + 2}].{r.choice(['upper', 'lower', 'strip', 'title', 'swapcase'])}()",
                       f"{r.choice([repr('-'), repr(''), ch])}.join([{ch}, {s}[{bound}:][:3]])",
                       f"{s}.replace({ch}, {r.choice([repr('#'), repr(''), 'sb[:1]'])})[:{k + 4}]",
                       f"{s}[:{k + 3}].zfill({i} % 7)", f"{ch}.center({k + 2}, {self.lit_char()})",
                       f"{s}[::{r.choice(['-1', '2', '-2', f'({i} % 3 + 1)', f'-({i} % 2 + 1)'])}]",
                       f"{s}[{bound}::{r.choice(['-1', '3'])}]", f"sb[{k}:{bound}:{r.choice(['2', '-1'])}]",
                       f"'<%s|%d>' % ({s}[:{k}], {i})", f"'%s%%%i' % ({ch}, {i} * {r.choice([1, -7, 2 ** 40])})",
                       f"'#%s' % {r.choice([ch, f'{s}[:{k}]', i, 'acc'])}",
                       f"f'{{c2}}-{{{i}}}.{{{s}[:2]}}:{{acc}}/{{{ch}}}!'"])
        x = r.random()
        if x < 0.3:
            self.emit(level, r.choice([f"sb = sb + {ch}", f"sb += {sl}", f"sb = {sl} + sb", f"sb = {ch} + sb + {ch}"]))
            self.emit(level, f"if len(sb) > {r.choice([8, 20, 40])}:")
            # (cut to a bounded length: `sb = sb[k:] + sb` doubles it)
            self.emit(level + 1, r.choice([f"sb = sb[{r.choice([1, 5, 10])}:][:24]", "sb = sb[-5:]", "sb = ''",
                                           f"sb = {s}[:{k}]"]))
        elif x < 0.4:
            self.emit(level, f"acc += len({sl}) {r.choice(['+', '-'])} ({sl} {r.choice(['==', '<', '!=', 'in'])} "
                             f"{r.choice(['sb', self.lit_str(), s, ch])})")
        elif x < 0.5:
            m = r.choice(["find", "rfind", "count"])
            self.emit(level, f"acc += {s}.{m}({ch}{r.choice(['', f', {i} % 4', f', 1, {i} % 9'])}) + "
                             f"{s}.{r.choice(['startswith', 'endswith'])}({r.choice([ch, 'sb[:2]', self.lit_str()])}) + "
                             f"{ch}.{r.choice(['isalpha', 'isdigit', 'isupper', 'isspace', 'isascii'])}()")
            if self.chance(0.3):
                self.emit(level, "try:")
                self.emit(level + 1, f"acc += {s}.index({ch})")
                self.emit(level, "except ValueError:")
                self.emit(level + 1, "miss += 1")
        elif x < 0.65:
            self.emit(level, f"t2 = {sl}")
            self.emit(level, f"if t2 {r.choice(['==', '>=', '!='])} {r.choice(['sb[:2]', self.lit_str(), ch])}:")
            self.effect(level + 1, env, None)
            if self.chance(0.5):
                self.emit(level, r.choice(["last = t2", "sb = t2 + sb[:6]", "out.append(t2)"]))
        elif x < 0.72:
            self.emit(level, r.choice([f"out.append({sl})", f"last = {sl}", f"last = sb + {ch}"]))
        elif x < 0.8:                            # slices of `out` stored, deleted and stepped (kept short)
            form = r.randrange(6)
            if form == 5:                        # an inner loop over a new list (a bridge starts its iterator)
                self.emit(level, f"for q in out[{r.choice(['::2', f'{k}:', ':4', '::-1'])}]:")
                self.emit(level + 1, f"acc += len(q) {r.choice(['+', '-'])} ({r.choice(['q == sb', 'q < sb', 'q != sb'])})")
            elif form == 0:
                self.emit(level, f"out[{r.choice(['1:3', ':1', '-2:', f'{k}:{k}', '::-1'])}] = "
                                 f"{r.choice([f'[{ch}, {sl}]', '[]', f'({ch},)', 'out[:2]'])}")
            elif form == 1:
                self.emit(level, f"if len(out) > {k}:")
                self.emit(level + 1, f"del out[{r.choice(['0', '-1', f'{i} % len(out)'])}]")
            elif form == 2:
                self.emit(level, f"del out[{r.choice([':2', '1:3', '::2', f'{k}:'])}]")
            elif form == 3:
                self.emit(level, f"acc += len(out[::{r.choice(['2', '-1', '-3'])}]) + len(out[{bound}:][:2])")
            else:
                self.emit(level, f"last = {r.choice(['str(out[::-1][:2])', 'str(out[1::2])', 'str(out[-3:])'])}")
            self.emit(level, "if len(out) > 40:")
            self.emit(level + 1, "del out[:20]")
        elif x < 0.88:                           # dict stores (new keys among them)
            key = r.choice([ch, f"{s}[:{k}]", "sb[:2]", ascii(r.choice(self.words))])
            self.emit(level, f"dd[{key}] = {r.choice([f'dd.get({key}, 0) + 1', self.value(env.vkind)])}")
        else:
            self.emit(level, f"if {ch} {r.choice(['in', 'not in'])} sb:")
            self.emit(level + 1, f"sb = sb{r.choice(['[1:]', '[:-1]', '[::1]'])} + {ch}")
        if self.chance(0.1) and env.loops and env.jumps:
            self.emit(level, f"if len(sb) == {r.choice([3, 7])}:")
            self.emit(level + 1, r.choice(["break", "continue"]))

    def lookup_try(self, level: int, env: Env, key: str) -> None:
        """d[k] with a key that may be missing: the interpreter raises KeyError."""
        tgt = "acc" if env.vkind == "int" else "fm"
        if self.chance(self.p_bare):
            self.emit(level, f"{tgt} += dd[{key}]")
            return
        self.emit(level, "try:")
        self.emit(level + 1, f"{tgt} += dd[{key}]")
        self.emit(level, "except KeyError as e:")
        self.emit(level + 1, "miss += 1")
        if self.chance(0.3):
            self.emit(level + 1, "last = e.args[0]")

    # ------------------------------------------------------------------ ordinary loops
    def sname(self) -> str:
        """One of the global strings S0, S1, ..."""
        return self.r.choice(self.str_names())

    def stmt(self, level: int, scope: Scope, loops: list[Loop]) -> bool:
        """A string statement in an ordinary loop (on the global data); False when none fits."""
        r = self.r
        g = self.g
        if not loops:
            return False
        s, t = self.sname(), self.sname()
        d = r.choice(self.dicts_of())
        i = self.idx(loops)
        key = f"W[{i} % len(W)]" if self.chance(0.6) else f"{s}[{i} % len({s})]"
        ints = [v for v in scope.vars if v.kind == "int"]
        tgt = r.choice(ints).name if ints and d.vkind == "int" and self.chance(0.4) else None
        form = r.randrange(9)
        if form == 0:
            if tgt:
                self.emit(level, f"{tgt} = {d.name}.get({key}, {self.value('int')})")
            else:
                self.emit(level, f"{scope.acc} += {d.name}.get({key}, 0) != 0")
        elif form == 1:
            self.emit(level, "try:")
            if tgt:
                self.emit(level + 1, f"{tgt} = {d.name}[{key}]")
            else:
                self.emit(level + 1, f"{scope.acc} += {d.name}[{key}] != 0")
            self.emit(level, "except KeyError:")
            self.emit(level + 1, f"{scope.acc} += {r.choice(['1', '7'])}")
        elif form == 2:
            self.emit(level, f"if {key} {r.choice(['in', 'not in'])} {r.choice([d.name, t])}:")
            self.emit(level + 1, f"{scope.acc} += {r.choice(['1', '2', f'len({d.name})'])}")
        elif form == 3:
            self.emit(level, f"if {i} % {r.choice([3, 7, 50])} == 0:")
            self.emit(level + 1, f"OUT.append({s}[{i} % len({s})])")
        elif form == 4:
            self.emit(level, f"{scope.acc} = ({scope.acc} * 31 + ord({s}[-1 - {i} % len({s})])) & 0xFFFFFFFF")
        elif form == 5:
            self.emit(level, "try:")
            self.emit(level + 1, f"{scope.acc} += ord({s}[{i} % {len(self.strs[s]) + r.choice([1, 3])}])")
            self.emit(level, "except IndexError:")
            self.emit(level + 1, f"{scope.acc} -= 1")
        elif form == 6:
            m = r.choice(CHR_MODS)
            if self.chance(0.3):
                self.emit(level, "try:")
                self.emit(level + 1, f"{scope.acc} += ord(chr({i} % {m} - {r.choice([1, 10, 100])}))")
                self.emit(level, "except ValueError:")
                self.emit(level + 1, f"{scope.acc} += 1")
            else:
                self.emit(level, f"if chr({i} % {m}) {r.choice(['in', '<', '>=', '=='])} {s}:")
                self.emit(level + 1, f"{scope.acc} += 1")
        elif form == 7:
            v = r.choice(scope.vars)
            args = [v.name, g.expr(scope, loops, v.kind, 1), g.expr(scope, loops, v.kind, 1)]
            if self.chance(0.3):
                args.append(r.choice(["nan", "-0.0", "0.0"]) if v.kind == "num" else str(r.randrange(-9, 99)))
            self.emit(level, f"{v.name} = {r.choice(['max', 'min'])}({', '.join(args)})")
            g.clamp(level, v)
        else:
            self.emit(level, f"if {r.choice([f'W[{i} % len(W)]', 'OUT', 'not OUT'])}:")
            self.emit(level + 1, f"{scope.acc} += {r.choice(['1', '5'])}")
        return True

    def int_expr(self, scope: Scope, loops: list[Loop], kind: str, depth: int) -> str:
        """An int (bool) expression, or a num one, from the global data; never raises."""
        r = self.r
        g = self.g
        e = lambda: g.expr(scope, loops, "int", max(0, depth - 1))  # noqa: E731
        s = self.sname()
        form = r.randrange(8)
        if form == 0:
            return f"ord({s}[{e()} % len({s})])"
        if form == 1:
            return f"len({r.choice([s, 'W', r.choice(self.dicts_of()).name])})"
        if form == 2:
            return f"(W[{e()} % len(W)] {r.choice(['in', 'not in'])} {r.choice([s, r.choice(self.dicts_of()).name])})"
        if form == 3:
            t = self.sname()
            return f"({s}[{e()} % len({s})] {r.choice(['<', '==', '>=', '!='])} {t}[{e()} % len({t})])"
        if form == 4:
            ds = self.dicts_of("int" if kind == "int" else None)
            d = r.choice(ds)
            default = self.value(d.vkind) if kind == "num" else self.value("int")
            return f"{d.name}.get(W[{e()} % len(W)], {default})"
        if form == 5:
            args = [g.expr(scope, loops, kind, max(0, depth - 1)) for _ in range(r.randint(3, 4))]
            return f"{r.choice(['max', 'min'])}({', '.join(args)})"
        if form == 6:
            return f"(W[{e()} % len(W)] {r.choice(['<', '>=', '=='])} {self.lit_str()})"
        return f"(chr({e()} % {r.choice(CHR_MODS)}) {r.choice(['in', '<', '=='])} {s})"

    def cond(self, scope: Scope, loops: list[Loop]) -> str:
        """A bool-valued condition on the data (usable where an int is)."""
        r = self.r
        s = self.sname()
        i = self.idx(loops)
        form = r.randrange(5)
        if form == 0:
            return f"W[{i} % len(W)] {r.choice(['in', 'not in'])} {r.choice([s, r.choice(self.dicts_of()).name])}"
        if form == 1:
            return f"{s}[{i} % len({s})] {r.choice(['<', '>', '==', '!='])} {self.lit_char()}"
        if form == 2:
            return f"(not W[{i} % len(W)])"
        if form == 3:
            return f"W[{i} % len(W)] {r.choice(['<', '>=', '!='])} W[({i}) // 2 % len(W)]"
        return f"(not OUT)"

    # ------------------------------------------------------------------ between units, at the end
    def between_units(self) -> None:
        """Module-level changes of the data between units (never inside their loops)."""
        r = self.r
        for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
            form = r.randrange(9)
            d = r.choice(self.dicts_of())
            if form == 0:
                k = r.choice(self.words + self.alphabet)
                self.emit(0, f"{d.name}[{ascii(k)}] = {self.value(d.vkind)}")
                d.items[k] = 0
            elif form == 1:
                k = r.choice(list(d.items) + self.words) if d.items else r.choice(self.words)
                self.emit(0, f"{d.name}.pop({ascii(k)}, None)")
                d.items.pop(k, None)
            elif form == 2:
                key = r.choice(["5", "-3", "0.5"])
                self.emit(0, f"{d.name}[{key}] = {self.value(d.vkind)}")
                if self.chance(0.7):
                    self.emit(0, f"del {d.name}[{key}]")
                d.general = True
            elif form == 3:
                self.emit(0, f"{d.name} = dict({d.name})")
            elif form == 4:
                others = [x for x in self.dicts_of(d.vkind) if x is not d]
                if others:
                    o = r.choice(others)
                    self.emit(0, f"{d.name} = {o.name}")
                    self.dicts[d.name] = DictInfo(d.name, o.items, o.vkind, o.general)
            elif form == 5:
                name = r.choice(self.str_names())
                other = r.choice(self.str_names())
                choice = r.randrange(4)
                if choice == 0:
                    self.emit(0, f"{name} = {name}[::-1]")
                    self.strs[name] = self.strs[name][::-1]
                elif choice == 1 and len(self.strs[name]) + len(self.strs[other]) <= 500:
                    self.emit(0, f"{name} = {name} + {other}")
                    self.strs[name] = self.strs[name] + self.strs[other]
                else:
                    v, text = self.new_string()
                    self.emit(0, f"{name} = {text}")
                    self.strs[name] = v
            elif form == 6:
                if self.chance(0.5):
                    self.emit(0, "W.reverse()")
                    self.words.reverse()
                else:
                    w = self.letters(r.randint(0, 3))
                    self.emit(0, f"W.append({ascii(w)})")
                    self.words.append(w)
            elif form == 7:
                self.emit(0, f"print('data', ascii(list({d.name}.items())), len(OUT))")
            else:
                self.emit(0, "OUT.clear()" if self.chance(0.5) else f"OUT.append({self.lit_char()})")

    def tail(self) -> list[str]:
        out = [f"print('strs', {', '.join(f'len({n}), ascii({n}[:12])' for n in self.str_names())})",
               "print('words', ascii(W))"]
        for d in self.dicts_of():
            out.append(f"print('dict', len({d.name}), ascii(list({d.name}.items())))")
        out.append("print('out', len(OUT), ascii(OUT[-8:]))")
        return out


# Loop skeletons of string units (StrGen.u_<name>) and their weights.
TEMPLATES = [
    ("iter", 5), ("index", 4), ("nested", 2), ("iterbreak", 2), ("itonce", 1), ("while", 2), ("words", 4),
    ("lcs", 1), ("chr", 2), ("wordchars", 2),
]
