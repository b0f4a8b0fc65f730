"""Backend tests: machine code from tracejit.backend must behave exactly like tracejit.ir.interp.run_trace.

Traces are built by hand, assembled, placed in executable memory, run on a state buffer through the loop
entry, and the exit id and every stored slot are compared with the reference interpreter.
"""
from __future__ import annotations

import ctypes
import math
import sys
import random
import struct
import zlib

import pytest

from tracejit.backend import CompileError, Externals, LoopAddresses, assemble, format_listing, listing_groups
from tracejit.backend.regalloc import ALLOC_GPR, ALLOC_XMM
from tracejit.ir import (OPS, Const, Kind, Op, Snapshot, StateLayout, StateVar, Trace, Var, VarFactory,
                         format_trace, verify)
from tracejit.ir.interp import run_trace
from tracejit.ir.ops import GRAVEYARD_SLOTS, INT64_MAX, INT64_MIN, PY_FUNCTIONS, GuardFailed, dict_version
from tracejit.ir.trace import SYNC_CHANGED, SYNC_WORDS
from tracejit.cpython.layout import LAYOUTS, VERSION, c_api_address, c_api_addresses, cpu_has_sse41, object_at, \
    release_all
from tracejit.cpython.instances import instance_values
from tracejit.runtime.execmem import CodeMemory, Int64Table, StateBuffer, libm_address, make_entry

I, F, BO, R = Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.REF
INF, NAN = math.inf, math.nan


def bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def const(v, kind: Kind) -> Const:
    return Const(v, kind)


class Builder:
    """Builds a trace: inputs are fast locals; guards snapshot the current state automatically."""

    def __init__(self, kind: str = "loop", layout: StateLayout | None = None, first_exit: int = 0,
                 vars_from: int = 0):
        self.vf = VarFactory(vars_from)
        self.layout = layout or StateLayout()
        self.ops: list[Op] = []
        self.inputs: list[tuple[StateVar, Var]] = []
        self.state: dict[StateVar, object] = {}
        self.next_exit = first_exit
        self.kind = kind
        self.svs: dict[str, StateVar] = {}

    def sv(self, name: str, kind: Kind) -> StateVar:
        if name not in self.svs:
            for existing in self.layout.slots:
                if existing.name == name:
                    self.svs[name] = existing
                    break
            else:
                self.svs[name] = StateVar("fast", len(self.layout.slots), name)
            self.layout.add(self.svs[name], kind)
        return self.svs[name]

    def inp(self, name: str, kind: Kind) -> Var:
        sv = self.sv(name, kind)
        v = self.vf.new(kind)
        self.inputs.append((sv, v))
        self.state[sv] = v
        return v

    def label(self) -> None:
        self.ops.append(Op("label", [v for _, v in self.inputs]))

    def op(self, name: str, *args, stack: list | None = None):
        d = OPS[name]
        if not d.variadic:
            args = [a if isinstance(a, (Var, Const)) else Const(a, k) for a, k in zip(args, d.args)]
        res = None if d.result is Kind.VOID else self.vf.new(d.result)
        snap = None
        if d.guard:
            snap = Snapshot(len(self.ops), dict(self.state), list(stack or []))
            self.next_exit += 1
        self.ops.append(Op(name, args, res, snap, exit_id=self.next_exit - 1 if d.guard else -1))
        return res

    def set(self, name: str, value) -> None:
        self.state[self.svs[name]] = value

    def jump(self, *args, jump_vars: list[str] | None = None) -> Trace:
        self.ops.append(Op("jump", list(args)))
        t = Trace(self.kind, "t", "test.py", 0, 0, self.inputs, self.ops, self.layout)
        if jump_vars is not None:
            t.jump_vars = [self.svs[n] for n in jump_vars]
        verify(t)
        return t


GRAVEYARD = Int64Table(1 + GRAVEYARD_SLOTS)     # old list items a deferred store leaves for the runtime
SYNC = Int64Table(SYNC_WORDS)                   # a loop's frame sync area (guard_after_call reads SYNC_CHANGED)


@pytest.fixture(scope="module")
def env():
    mem = CodeMemory()
    table = Int64Table(256)
    graveyard = GRAVEYARD
    ext = Externals(table.address, layout=LAYOUTS[VERSION], instance_values=instance_values(), **c_api_addresses(),
                    graveyard=graveyard.address,
                    sse41=cpu_has_sse41(), sync=SYNC.address,
                    py_functions={name: c_api_address(name) for name in PY_FUNCTIONS},
                    **{f: libm_address(f) for f in ("fmod", "floor", "pow", "copysign", "ceil", "sin", "cos", "tan",
                                                    "exp", "log", "hypot")})
    yield mem, table, ext
    mem.free_all()


class Native:
    def __init__(self, env, trace: Trace):
        mem, self.table, ext = env
        self.trace = trace
        self.mc = assemble(trace, ext)
        self.addr = mem.place(self.mc.code)
        self.fn = make_entry(self.addr + self.mc.entry)
        self.buf = StateBuffer(trace.layout.nslots + 4)

    def run(self, inputs: dict[StateVar, object], budget: int) -> int:
        buf = self.buf
        buf.clear()
        kinds = {sv: v.kind for sv, v in self.trace.inputs}
        for sv, x in inputs.items():
            slot = self.trace.layout.slot(sv)
            if kinds.get(sv) is R:
                buf.set_int(slot, id(x))        # the test keeps every object alive
            elif isinstance(x, float):
                buf.set_float(slot, x)
            else:
                buf.set_int(slot, int(x))
        buf.set_int(0, budget)
        return self.fn(buf.address)

    def check_values(self, values: dict[StateVar, object], ctx="", kinds=None) -> None:
        for sv, val in values.items():
            slot = self.trace.layout.slot(sv)
            got = self.buf.get_int(slot)
            if kinds and kinds.get(sv) is R:
                if type(val) in (str, int, float, list, tuple) and got != id(val):  # a new object: equal
                    made = object_at(got)
                    same = bits(made) == bits(val) if type(val) is float else made == val and (
                        type(val) not in (list, tuple) or all(a is b for a, b in zip(made, val)))
                    assert type(made) is type(val) and same, \
                        f"{sv}: expected an object equal to {val!r} {ctx}\n{self.listing()}"
                    continue
                assert got == id(val), f"{sv}: expected the object {val!r} {ctx}\n{self.listing()}"
            elif isinstance(val, float):
                ok = got == bits(val) or (math.isnan(val) and math.isnan(self.buf.get_float(slot)))
                assert ok, f"{sv}: expected {val!r} got {self.buf.get_float(slot)!r} {ctx}\n{self.listing()}"
            else:
                assert got == int(val), f"{sv}: expected {val!r} got {got} {ctx}\n{self.listing()}"

    def listing(self) -> str:
        return format_trace(self.trace) + "\n" + format_listing(self.mc, show_regalloc=True)

    def check(self, inputs: dict[StateVar, object], budget: int = 1000, ctx=""):
        ref = run_trace(self.trace, inputs, budget)
        rc = self.run(inputs, budget)
        assert rc == ref.op.exit_id, f"exit {rc} != {ref.op.exit_id} {ctx} {inputs}\n{self.listing()}"
        kinds = {sv: v.kind for sv, v in ref.op.snapshot.entries()}
        self.check_values(ref.values, f"{ctx} {inputs}", kinds)
        return ref


def inputs_of(trace: Trace, *values) -> dict[StateVar, object]:
    return {sv: x for (sv, _), x in zip(trace.inputs, values)}


# ---------------------------------------------------------------------------------------------------------
# operand values

INT_EDGE = [0, 1, -1, 2, -2, 3, -3, 7, -7, 63, 64, 65, -63, -64, 2**31 - 1, -2**31, 2**31, 2**32, -2**32 - 1,
            2**53 - 1, 2**53, 2**53 + 1, -2**53 - 1, -2**53, 2**62, -2**62, INT64_MAX, INT64_MIN, INT64_MAX - 1,
            INT64_MIN + 1, 10**18, -10**18, 3037000499, 3037000500, -3037000500, 1 << 40, 12345]
FLOAT_EDGE = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.0, -2.0, 3.0, -3.0, 10.0, 0.1, -7.25, 1e300,
              -1e300, 1e-300, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2.0**53,
              2.0**53 + 2, 1e16, -1e22, 1024.0, -1075.0, 0.3333333333333333, INF, -INF, NAN, -NAN]


def rand_int(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.3:
        return rng.randint(-100, 100)
    if r < 0.6:
        return rng.randint(-2**40, 2**40)
    if r < 0.8:
        return max(INT64_MIN, min(INT64_MAX, rng.choice(INT_EDGE) + rng.randint(-3, 3)))
    return rng.randint(INT64_MIN, INT64_MAX)


def rand_float(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.25:
        return rng.uniform(-100, 100)
    if r < 0.45:
        return float(rng.randint(-50, 50))
    if r < 0.6:
        return rng.choice([-1, 1]) * math.exp(rng.uniform(-745, 709))
    if r < 0.75:
        return rng.choice(FLOAT_EDGE)
    if r < 0.85:
        return rng.choice([-1, 1]) * rng.randint(0, 2**60) * 2.0 ** rng.randint(-60, 60)
    return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]


def values_for(kind: Kind, rng: random.Random, n: int) -> list:
    if kind is I:
        return INT_EDGE + [rand_int(rng) for _ in range(n)]
    if kind is F:
        return FLOAT_EDGE + [rand_float(rng) for _ in range(n)]
    return [False, True]


# objects for the REF ops (alive for the whole session: the machine code gets their addresses)
LISTS = [[], [1.5], [1, 2, 3], list(range(50)), [None, "x", 2.5, [1]], [[1], [2, 3]]]
INTS = [int(str(v)) for v in (0, 1, -1, 7, -7, 255, 256, -5, -6, 2**30 - 1, 2**30, -2**30, 2**30 + 1, 2**40 + 3,
                              -(2**59) - 5, 2**60 - 1, -(2**60) + 1, 2**60, -2**60, 2**62, -2**63, 10**30)]
FLOATS = [float(repr(v)) for v in (0.0, -0.0, 1.5, -2.25, 1e300, 5e-324)] + [NAN, INF]
TUPLES = [(), (1.5,), (1, "x", None), tuple(range(40)), ((1, 2), [3])]
SUM_LISTS = [[0.1] * 10, [1, 2.5, -3], [2**62, 2**62], [2**62, -2**62, 5], [1e308, 1e308], [True, 1.5],
             [7, 10**30], [INT64_MAX, 1], [-1.5, INT64_MIN], [float("nan"), 1], [1, 2, 3, 4.0] * 50]
COMPLEXES = [complex(a, b) for a in FLOATS for b in FLOATS[::-1]]
# strings of each kind (1, 2, 4 bytes per code point; ASCII or not), made at run time
STRINGS = ["".join(map(chr, cs)) for cs in ([], [97], [0, 127, 128, 255, 65], [233, 0, 7], [256, 97, 255, 65535],
                                           [0x10000, 98, 0x10FFFF, 200, 55], list(range(0, 300, 7)))]
OBJECTS = INTS + FLOATS + [True, False, None, "s", (1,), b"", *LISTS]
CLASSES = [int, float, bool, list, str, type(None), tuple]
KEEP: list = []         # lists the store tests change (kept alive beyond each case)
HEAP_CLASSES = [type(f"H{k}", (), {}) for k in range(3)]       # classes made at run time (guard_version)


def ref_cases(name: str, rng: random.Random) -> list[tuple]:
    """Operands for an op on objects, meeting its precondition (list_getitem: an index in range)."""
    if name == "guard_class":
        return [(o, c) for o in OBJECTS for c in CLASSES]
    if name == "ref_eq":
        return [(a, b) for a in OBJECTS[::3] for b in OBJECTS[::3]] + [(o, o) for o in OBJECTS]
    if name == "list_len":
        return [(lst,) for lst in LISTS]
    if name.startswith("list_sum"):
        return [(lst,) for lst in LISTS + SUM_LISTS]
    if name == "tuple_len":
        return [(t,) for t in TUPLES]
    if name == "tuple_getitem":
        return [(t, k) for t in TUPLES for k in range(len(t))]
    if name == "list_getitem":
        return [(lst, k) for lst in LISTS for k in range(len(lst))]
    if name == "str_len":
        return [(x,) for x in STRINGS]
    if name == "str_code_at":
        return [(x, k) for x in STRINGS for k in range(len(x))]
    if name.startswith("array_") or name == "guard_array_code":
        import array
        from tracejit.ir.ops import ARRAY_ITEMS
        arrays = {code: array.array(code, [0, 1, 2, 100, 127] if code in "bB" else
                                    [0, 1, -1 if code.islower() or code in "fd" else 3, 1000, 127, 65535 if code != "h"
                                     else -32768] + ([1.5, -0.0, 1e-40, 3.4e38] if code in "fd" else []))
                  for code in ARRAY_ITEMS}
        KEEP.extend(arrays.values())
        if name == "guard_array_code":
            return [(a, ord(c)) for a in arrays.values() for c in "bdfiq"] + [(a, 0) for a in arrays.values()]
        if name == "array_len":
            return [(a,) for a in arrays.values()] + [(array.array("d"),)]
        sfx = name.rpartition("_")[2]
        mine = [a for code, a in arrays.items() if ARRAY_ITEMS[code][0] == sfx]
        if name.startswith("array_get"):
            return [(a, k) for a in mine for k in range(len(a))]
        if sfx.startswith("f"):
            values = [0.0, -0.0, 1.5, -2.25, 1e300, -1e300, 5e-324, 1e-40, 3.4e38, 3.5e38, INF, NAN, 0.1]
        else:
            values = [0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536,
                      2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32 - 1, 2**32, INT64_MAX, INT64_MIN]
        return [(a, k, v) for a in mine for k in range(0, len(a), 2) for v in values]
    if name.startswith("dict_"):
        general = dict.fromkeys(["a", "b"])
        general[1] = 0
        del general[1]
        dicts = [{}, {"a": 1, "bb": None, "\u0101": 2.5}, dict.fromkeys(map(str, range(40)), 7), {1: "a", "a": 1},
                 general, HEAP_CLASSES[0]().__dict__]
        KEEP.extend(dicts)
        keys = ["a", "bb", "".join(["b", "b"]), "\u0101", "39", "zz", ""]
        if name == "dict_len":
            return [(d,) for d in dicts]
        if name == "dict_next":
            return [(d, p) for d in dicts for p in range(-1, len(d) + 3)]
        if name in ("dict_key_before", "dict_value_before"):
            from tracejit.ir.ops import _dict_next, GuardFailed
            cases = []
            for d in dicts:
                p = 0
                while True:
                    try:
                        p = _dict_next(d, p)
                    except GuardFailed:
                        break
                    cases.append((d, p))
            return cases
        if name == "dict_get_str":
            return [(d, k, default) for d in dicts for k in keys for default in (None, "dflt")]
        return [(d, k) for d in dicts for k in keys]
    if name == "str_concat":
        more = STRINGS[:6] + ["", "a", "\u0101\u0102", "\U0001f600"]
        return [(x, y) for x in more for y in more]
    if name == "str_slice":
        return [(x, i, j) for x in STRINGS[:8] + [""] for i in (0, 1, 2, 5, 40) for j in (0, 1, 3, 5, 40, 2**40)]
    if name in ("list_slice", "tuple_slice"):
        seqs = [[1, "a", None, 2.5], list(range(7)), [OBJECTS[0]], []]
        if name == "tuple_slice":
            seqs = [tuple(a) for a in seqs]
        KEEP.extend(seqs)
        return [(a, i, j) for a in seqs for i in (0, 1, 3, 9) for j in (0, 2, 4, 9, 2**40)]
    if name in ("incref", "decref"):
        from tracejit.cpython.layout import retain_all
        fresh = ["".join(["new", str(k)]) for k in range(6)]
        KEEP.extend(fresh)
        retain_all([id(x) for x in fresh] * 8)   # the references the decref cases drop (a test runs a case
        return [(x,) for x in fresh]             # at most 3 times; KEEP holds one more)
    if name in ("str_compare", "str_contains"):
        more = STRINGS + [s[1:3] for s in STRINGS] + ["".join(["ab", "c"]), "abc", "abd", "ab"]
        return [(x, y) for x in more for y in more]
    if name == "float_value":
        return [(x,) for x in FLOATS]
    if name in ("complex_real", "complex_imag"):
        return [(x,) for x in COMPLEXES]
    if name.startswith("list_setitem"):
        lists = [[1.5, 2.5, -3.0], list(range(10)), [True, None, 0.5, 7]]
        KEEP.extend(lists)
        if name == "list_setitem_complex":
            return [(lst, k, re, im, False) for lst in lists for k in range(len(lst))
                    for re in FLOATS[::2] for im in FLOATS[1::3]][::5]
        values = {"list_setitem": OBJECTS[:8] + [None, True],
                  "list_setitem_float": FLOATS,
                  "list_setitem_int": [0, 1, -1, 256, 257, -6, 2**40, INT64_MAX, INT64_MIN]}[name]
        return [(lst, k, v, False) for lst in lists for k in range(len(lst)) for v in values][::3]
    if name.startswith("list_append"):
        lists = [[], [1.5], list(range(5))]
        KEEP.extend(lists)
        values = {"list_append": OBJECTS[:8] + [None, True],
                  "list_append_float": FLOATS,
                  "list_append_int": [0, 1, -1, 256, 257, -6, 2**40, INT64_MAX, INT64_MIN],
                  "list_append_complex": [(x, y) for x in FLOATS for y in FLOATS[::3]]}[name]
        return [(lst,) + (v if type(v) is tuple else (v,)) for lst in lists for v in values]
    if name == "guard_version":
        from tracejit.cpython.layout import type_version
        classes = CLASSES + HEAP_CLASSES
        tags = [type_version(c) for c in classes] + [0, 2**31 + 5]
        return [(c, t) for c in classes for t in tags]
    if name == "getattr_plain":
        class Plain:
            pass
        objs = [Plain(), Plain(), 1.5, "text", [1]]
        objs[0].a, objs[1].a, objs[1].b = 1, "x", None
        KEEP.extend(objs)
        return [(o, n) for o in objs for n in ("a", "b", "real", "missing")]     # (a bound method is new)
    if name in ("dict_version", "guard_after_call"):
        dicts = [{}, {"a": 1}, dict.fromkeys(range(9)), globals()]
        KEEP.extend(dicts)
        if name == "dict_version":
            return [(d,) for d in dicts]
        versions = [(d, dict_version(d)) for d in dicts] + [(d, dict_version(d) + 1) for d in dicts]
        return [(g, gv, b, bv) for g, gv in versions for b, bv in versions][::3]
    if name == "type_of":
        return [(o,) for o in OBJECTS + [c() for c in HEAP_CLASSES]]
    if name == "int_value":
        more = [rng.randint(-2**61, 2**61) for _ in range(40)] + [rng.randint(-2**31, 2**31) for _ in range(40)] + \
            [rng.randint(-2**63, 2**63) for _ in range(40)] + [2**63 - 1, -(2**63) + 1, 2**63, 2**60 + 1, 7 << 60]
        more = [int(str(v)) for v in more]      # (made at run time: not the small ints' static objects)
        INTS.extend(v for v in more if v not in INTS)
        return [(v,) for v in INTS]
    if name.startswith("func_") or name == "cell_contents":
        def make(k):
            def closure(a, b=k):
                return a + b + k
            return closure

        def empty_cell():
            def reads():
                return gone      # noqa: F821 - deleted below: the cell is empty
            gone = 1
            del gone
            return reads
        functions = [make(1), make(2.5), lambda: 0, lambda x=3: x, ref_cases, empty_cell()]
        KEEP.extend(functions)
        if name == "cell_contents":
            return [(c,) for f in functions for c in f.__closure__ or ()]
        return [(f,) for f in functions]
    raise AssertionError(f"no operands for {name}")


def pairs_for(d, rng: random.Random, nrand: int = 300) -> list[tuple]:
    if d.arity == 0:
        return [()]
    if R in d.args:
        return ref_cases(d.name, rng)
    if d.name == "latin1_char":
        return [(c,) for c in [*range(-3, 300), 0x10FFFF, INT64_MIN, INT64_MAX]]
    if d.arity == 1:
        return [(x,) for x in values_for(d.args[0], rng, nrand)]
    if d.arity == 3:                    # (a select: a condition and two values)
        cols = [values_for(k, rng, 6) for k in d.args]
        return [(x, y, z) for x in cols[0] for y in cols[1] for z in cols[2]]
    xs = values_for(d.args[0], rng, 10)
    ys = values_for(d.args[1], rng, 10)
    out = [(x, y) for x in xs for y in ys]
    for _ in range(nrand):
        out.append((values_for(d.args[0], rng, 1)[-1], values_for(d.args[1], rng, 1)[-1]))
    if d.name in ("float_pow", "float_mod", "float_floordiv", "float_truediv"):
        for _ in range(nrand):          # integral exponents / divisors, negative bases
            x = rng.choice([-1, 1]) * rng.uniform(0, 10) ** rng.choice([1, 3, 20])
            y = float(rng.randint(-400, 400)) if rng.random() < 0.7 else rng.uniform(-20, 20)
            out.append((x, y))
            out.append((float(rng.randint(-10**6, 10**6)), float(rng.choice([-1, 1]) * rng.randint(1, 1000))))
    return out


# graveyard_push has an effect on memory only (test_graveyard_push); variadic ops have tests of their own
# (test_str_build, test_call_c); so have the stores that leave an old value in the graveyard, and the walks of an
# inner loop's iterator (test_inner_loop_iterator_walks)
ITERATOR_WALKS = ("new_iter", "range_iter_set", "range_iter_left", "range_iter_take", "seq_iter_left",
                  "list_iter_take", "tuple_iter_take", "str_iter_take")
VALUE_OPS = sorted(n for n, d in OPS.items() if d.evaluate is not None and not d.variadic and not d.const_args and
                   d.name not in ("guard_true", "guard_false", "graveyard_push", "release_deferred",
                                  "dict_setitem_str", "cell_set", "new_instance", "guard_not_last",
                                  "guard_not_last_held", *ITERATOR_WALKS))


def op_trace(name: str, const_arg: int | None = None, const_value=None, gp_pressure: int = 0,
             xmm_pressure: int = 0, args_first: bool = False) -> Trace:
    """label(a, b, out, pressure...) ; r = op(a, b) ; guard_budget [out = r] ; jump(a, b, r, pressure...).

    With pressure, that many extra ints/floats are live across the op (forcing spills); args_first puts
    the op's operands first in the input list (they get registers, the pressure values are spilled)."""
    d = OPS[name]
    b = Builder()
    names = ["a", "b", "c", "d", "e"][:d.arity]

    def pressure():
        return ([b.inp(f"p{k}", I) for k in range(gp_pressure)] + [b.inp(f"q{k}", F) for k in range(xmm_pressure)])

    pre = [] if args_first else pressure()
    args = [b.inp(n, k) for n, k in zip(names, d.args)]
    out = b.inp("out", d.result) if d.result is not Kind.VOID else None
    post = pressure() if args_first else []
    b.label()
    call_args = list(args)
    if const_arg is not None:
        call_args[const_arg] = Const(const_value, d.args[const_arg])
    fill = []
    if gp_pressure and not args_first:       # occupy the registers freed by dead inputs: the result spills
        fill = [b.op("int_add", pre[0], k) for k in range(3)]
        if xmm_pressure:
            fill += [b.op("float_add", pre[gp_pressure], float(k)) for k in range(3)]
    r = b.op(name, *call_args)
    if out is not None:
        b.set("out", r)
    b.op("guard_budget", stack=fill)
    jargs = list(pre) + args + ([r] if out is not None else []) + list(post)
    return b.jump(*jargs)


def run_op_cases(env, trace: Trace, name: str, cases: list[tuple], const_arg: int | None = None):
    nat = Native(env, trace)
    d = OPS[name]
    rng = random.Random(7)
    for case in cases:
        vals = {}
        it = iter(case)
        for sv, v in trace.inputs:
            if sv.name in ("a", "b", "c", "d", "e"):
                vals[sv] = case["abcde".index(sv.name)]
            elif sv.name == "out":
                vals[sv] = {I: -5, F: -5.5, BO: True, R: None}[d.result]
            elif sv.name.startswith("p"):
                vals[sv] = rng.randint(-1000, 1000)
            else:
                vals[sv] = rng.uniform(-1000, 1000)
        nat.check(vals, budget=1, ctx=f"{name}{case}")


@pytest.mark.parametrize("name", VALUE_OPS)
def test_op_registers(env, name):
    rng = random.Random(zlib.crc32(name.encode()))
    run_op_cases(env, op_trace(name), name, pairs_for(OPS[name], rng))


@pytest.mark.parametrize("name", VALUE_OPS)
def test_op_spilled(env, name):
    """Operands and result in spill slots (more live values than registers)."""
    rng = random.Random(zlib.crc32(name.encode()) + 1)
    cases = pairs_for(OPS[name], rng, 60)[::3]
    run_op_cases(env, op_trace(name, gp_pressure=len(ALLOC_GPR) + 2, xmm_pressure=len(ALLOC_XMM) + 2),
                 name, cases)
    run_op_cases(env, op_trace(name, gp_pressure=len(ALLOC_GPR) - 1, xmm_pressure=len(ALLOC_XMM) - 1),
                 name, cases)
    run_op_cases(env, op_trace(name, gp_pressure=12, xmm_pressure=16, args_first=True), name, cases)


@pytest.mark.parametrize("name", VALUE_OPS)
def test_op_constant_operand(env, name):
    d = OPS[name]
    rng = random.Random(zlib.crc32(name.encode()) + 2)
    for pos in range(d.arity):
        kind = d.args[pos]
        if R in d.args:         # objects: constants taken from the op's own operands (preconditions hold)
            for case in ref_cases(name, rng)[::5]:
                run_op_cases(env, op_trace(name, pos, case[pos]), name, [case], const_arg=pos)
            continue
        if kind is I:
            consts = [0, 1, -1, 2, 3, 7, 8, 63, 64, -8, 2**31, 2**40, INT64_MIN, INT64_MAX, 2**53 + 1, -2**62]
        elif kind is F:
            consts = [0.0, -0.0, 1.0, 2.0, -1.5, 0.5, 3.0, INF, -INF, NAN, 1e300, 5e-324]
        else:
            consts = [False, True]
        for c in consts:
            cases = pairs_for(d, rng, 10)
            cases = [tuple(c if k == pos else x for k, x in enumerate(case)) for case in cases[::7]]
            run_op_cases(env, op_trace(name, pos, c), name, cases, const_arg=pos)


WALKED_LIST = [1.5, "x", None, [], 2**70]
WALKED_TUPLE = tuple(WALKED_LIST)
WALKED_STR = "".join(["a", " ", "\x00", "Z", "~"])


def _iterators_at(name: str) -> list:
    """Factories of iterators in several states for an iterator walk op: fresh, part-way, exhausted (for the ops
    counting what is left), over a list grown or shrunk under its iterator, and a range with large or negative
    steps; each called twice makes two iterators in the same state."""
    def at(make, taken: int):
        def made():
            it = make()
            for _ in range(taken):
                next(it)
            KEEP.append(it)
            return it
        return made

    def changed(grow: int):
        def make():
            items = list(range(100, 106))
            it = iter(items)
            next(it)
            next(it)
            items.extend(range(grow)) if grow > 0 else items.__delitem__(slice(grow, None))
            KEEP.append(items)
            return it
        return make

    if name.startswith("range"):
        makes = [lambda: iter(range(5)), lambda: iter(range(10, -10, -3)), lambda: iter(range(2**62, 2**62 + 9, 4)),
                 lambda: iter(range(-2**63, -2**63 + 3)), lambda: iter(range(7, 8))]
        lengths = [5, 7, 3, 3, 1]
    elif name.startswith("tuple") or name == "seq_iter_left":
        makes = [lambda: iter(WALKED_TUPLE), lambda: iter((7,))]
        lengths = [5, 1]
        if name == "seq_iter_left":
            makes += [lambda: iter([1, 2, 3]), changed(3), changed(-3), changed(-5), lambda: iter(WALKED_STR)]
            lengths += [3, 0, 0, 0, len(WALKED_STR)]
    elif name.startswith("str"):
        makes = [lambda: iter(WALKED_STR), lambda: iter("\x7f")]
        lengths = [len(WALKED_STR), 1]
    else:
        makes = [lambda: iter(WALKED_LIST), lambda: iter(["only"]), changed(4)]
        lengths = [5, 1, 0]
    out = []
    for make, n in zip(makes, lengths):
        out += [at(make, k) for k in range(n + 1 if name.endswith("left") else n)] or [make]
    return out


_py_decref = ctypes.PYFUNCTYPE(None, ctypes.py_object)(("Py_DecRef", ctypes.pythonapi))


@pytest.mark.parametrize("name", ITERATOR_WALKS)
def test_inner_loop_iterator_walks(env, name):
    """The walks of an inner loop's iterator in machine code (recorder/iterators.py, _for_iter_inner) give what
    the iterator's own __next__ would and leave it where __next__ would: one iterator walked by the machine code
    and its twin by the op's semantics (the IR interpreter's), then both emptied by the interpreter, agree. A take
    is run only where an item is left (the trace guards that first)."""
    d = OPS[name]
    trace = op_trace(name)
    nat = Native(env, trace)
    ins = {sv.name: sv for sv, _ in trace.inputs}
    if name in ("new_iter", "range_iter_set"):
        # (new_iter makes what iter() makes; range_iter_set makes iter(range(0)) what iter(range(...)) is)
        cases = [(WALKED_LIST,), (WALKED_TUPLE,), (WALKED_STR,), (range(0),)] if name == "new_iter" else \
            [(start, step, n) for start, step in ((0, 1), (10, -3), (2**62, 4), (-2**63, 1), (5, 7)) for n in (0, 1, 3)]
        for case in cases:
            args = [iter(range(0)), *case] if name == "range_iter_set" else list(case)
            KEEP.extend(args)
            nat.run({ins[n]: v for n, v in zip("abcd", args)}, budget=1)
            if name == "new_iter":
                made = object_at(nat.buf.get_int(trace.layout.slot(ins["out"])))
                assert type(made) is type(iter(case[0])) and list(made) == list(case[0]), case
                _py_decref(made)
            else:
                start, step, n = case
                assert list(args[0]) == list(range(start, start + n * step, step) if step > 0 else
                                             range(start, start + n * step, step)), case
        return
    out, a = ins["out"], ins["a"]
    for made in _iterators_at(name):
        mine, theirs = made(), made()
        expected = d.evaluate(theirs)
        nat.run({a: mine, out: 0 if d.result is I else None}, budget=1)
        got = nat.buf.get_int(trace.layout.slot(out))
        if d.result is I:
            assert got == expected, (name, list(made()))
        else:
            assert got == id(expected), (name, list(made()))
            _py_decref(expected)                # (the machine code's new reference)
        assert list(mine) == list(theirs), (name, list(made()))


@pytest.mark.parametrize("name", sorted(n for n in OPS if n.startswith("array_set_")))
def test_array_stores_write_what_the_interpreter_writes(env, name):
    """An array store's memory effect (the op tests above compare exits and values only): the machine code's
    store into one copy of the array and the op's evaluate into another leave equal arrays, bit for bit
    (tobytes: float32 rounding, NaN payloads, narrow ints), or both exit with the array unchanged."""
    import copy
    d = OPS[name]
    rng = random.Random(zlib.crc32(name.encode()))
    cases = ref_cases(name, rng)
    for pos in (None, 2):
        for a, k, v in cases:
            mine, theirs = copy.copy(a), copy.copy(a)
            KEEP.extend([mine, theirs])
            trace = op_trace(name) if pos is None else op_trace(name, pos, v)
            nat = Native(env, trace)
            ins = {sv: {"a": mine, "b": k, "c": v}[sv.name] for sv, _ in trace.inputs if sv.name in ("a", "b", "c")}
            try:
                d.evaluate(theirs, k, v)
                failed = False
            except GuardFailed:
                failed = True
            nat.run(ins, budget=1)
            assert mine.tobytes() == theirs.tobytes(), (name, a, k, v)
            if failed:
                assert mine.tobytes() == a.tobytes(), (name, a, k, v)


# ---------------------------------------------------------------------------------------------------------
# loops, guards, budget


def sum_squares_loop() -> Trace:
    b = Builder()
    i, n, s = b.inp("i", I), b.inp("n", I), b.inp("s", I)
    b.label()
    c = b.op("int_lt", i, n)
    b.op("guard_true", c)
    t = b.op("int_mul_ovf", i, i)
    s2 = b.op("int_add_ovf", s, t)
    b.set("s", s2)
    i2 = b.op("int_add", i, 1)
    b.set("i", i2)
    b.op("guard_budget")
    return b.jump(i2, n, s2)


def test_minimal_loop(env):
    t = sum_squares_loop()
    nat = Native(env, t)
    ref = nat.check(inputs_of(t, 0, 1000, 0), budget=10**6)
    assert ref.values[t.inputs[2][0]] == sum(k * k for k in range(1000))
    assert ref.op.name == "guard_true"
    ref = nat.check(inputs_of(t, 0, 1000, 0), budget=10)            # budget exit
    assert ref.op.name == "guard_budget" and ref.iterations == 9
    ref = nat.check(inputs_of(t, 3037000499, 3037000600, 0), budget=10**6)   # int_mul_ovf fails
    assert ref.op.name == "int_mul_ovf"
    ref = nat.check(inputs_of(t, 5, 1000, INT64_MAX - 100), budget=10**6)    # int_add_ovf fails, undo
    assert ref.op.name == "int_add_ovf"
    for budget in (1, 2, 3, 0, -5, INT64_MIN):
        nat.check(inputs_of(t, 0, 100, 0), budget=budget)


def test_loop_code_is_tight(env):
    t = sum_squares_loop()
    mc = assemble(t, env[2])
    body = []
    on = False
    for title, rows in mc.listing:
        if title.startswith("label"):
            on = True
        if on:
            body += [txt for _, txt in rows if not txt.startswith(("nop", "xchg"))]
        if title.startswith("jump"):
            break
    mnems = [txt.split()[0] for txt in body]
    # hot-code layout: loop head 32-byte aligned, no branch crossing or ending at a 32-byte boundary
    rows = [r for title, rs in mc.listing for r in rs]
    offs = [off for off, _ in rows] + [len(mc.code)]
    head = next(rs for title, rs in mc.listing if title.startswith("guard_true"))
    head_off = [off for off, txt in head if not txt.startswith(("nop", "xchg"))][0]
    assert head_off % 32 == 0
    for k, (off, txt) in enumerate(rows):
        if txt.startswith("j") and off >= head_off and off < offs[-1]:
            end = offs[k + 1]
            if end > head_off + 0x40:
                break
            assert off // 32 == (end - 1) // 32 and end % 32, (hex(off), txt)
    assert mnems == ["cmp", "jge", "mov", "imul", "jo", "add", "jo", "add", "dec", "jle", "jmp"], body
    assert not any("[r" in txt for txt in body)        # no memory traffic in the loop body


@pytest.mark.parametrize("guard", ["guard_true", "guard_false"])
@pytest.mark.parametrize("cmp", ["int_lt", "int_le", "int_eq", "int_ne", "int_gt", "int_ge", "int_is_true",
                                 "float_lt", "float_le", "float_eq", "float_ne", "float_gt", "float_ge"])
def test_fused_compare_guard(env, cmp, guard):
    d = OPS[cmp]
    rng = random.Random(3)
    for const_pos in (None, 0, 1):
        if const_pos is not None and const_pos >= d.arity:
            continue
        b = Builder()
        args = [b.inp(n, k) for n, k in zip("ab", d.args)]
        b.label()
        cargs = list(args)
        if const_pos is not None:
            cargs[const_pos] = Const(2 if d.args[0] is I else 2.0, d.args[0])
        c = b.op(cmp, *cargs)
        b.op(guard, c)
        b.op("guard_budget")
        t = b.jump(*args)
        nat = Native(env, t)
        if const_pos is None:
            assert any(title.startswith(guard) and rows for title, rows in nat.mc.listing)
        for case in pairs_for(d, rng, 20)[::5]:
            nat.check(inputs_of(t, *case), budget=2)


def test_guard_on_bool_value_and_constants(env):
    b = Builder()
    x, y = b.inp("x", BO), b.inp("y", I)
    b.label()
    n = b.op("bool_not", x)
    b.op("guard_true", n)
    b.op("guard_false", Const(False, BO))
    b.op("guard_true", Const(True, BO))
    c = b.op("int_is_true", y)
    z = b.op("int_add", y, 1)
    b.set("y", z)
    b.op("guard_false", c)
    b.op("guard_budget")
    t = b.jump(x, z)
    nat = Native(env, t)
    for xv in (False, True):
        for yv in (0, 1, -1, 5):
            nat.check(inputs_of(t, xv, yv), budget=100)


def test_always_failing_guard(env):
    b = Builder()
    x = b.inp("x", I)
    b.label()
    b.op("guard_true", Const(False, BO))
    b.op("guard_budget")
    t = b.jump(x)
    Native(env, t).check(inputs_of(t, 5), budget=100)


def test_snapshot_with_constants_and_stack(env):
    b = Builder()
    x, f = b.inp("x", I), b.inp("f", F)
    b.label()
    y = b.op("int_add", x, 1)
    b.set("x", y)
    b.op("guard_budget", stack=[y, Const(2**40, I), Const(-2.5, F), Const(True, BO), f, Const(-7, I)])
    t = b.jump(y, f)
    nat = Native(env, t)
    nat.check(inputs_of(t, 1, 3.25), budget=5)


# ---------------------------------------------------------------------------------------------------------
# register pressure, parallel moves


def test_many_live_values_spill(env):
    """40 ints and 25 floats carried around the loop and updated each iteration."""
    b = Builder()
    nint, nfl = 40, 25
    xs = [b.inp(f"x{k}", I) for k in range(nint)]
    fs = [b.inp(f"f{k}", F) for k in range(nfl)]
    i = b.inp("i", I)
    b.label()
    c = b.op("int_lt", i, 50)
    b.op("guard_true", c)
    new_x = []
    for k in range(nint):
        v = b.op("int_add_ovf", xs[k], xs[(k + 1) % nint])
        new_x.append(v)
    new_f = []
    for k in range(nfl):
        v = b.op("float_mul", fs[k], 0.999)
        v = b.op("float_add", v, fs[(k + 3) % nfl])
        new_f.append(v)
    tot = new_x[0]
    for k in range(1, nint):
        tot = b.op("int_xor", tot, new_x[k])
    m = b.op("int_and", tot, 1)
    g = b.op("int_is_true", m)
    for k in range(nint):
        b.set(f"x{k}", new_x[k])
    for k in range(nfl):
        b.set(f"f{k}", new_f[k])
    b.op("guard_true", Const(True, BO))
    i2 = b.op("int_add", i, 1)
    b.set("i", i2)
    b.op("guard_budget")
    t = b.jump(*new_x, *new_f, i2)
    nat = Native(env, t)
    assert "[sp" in nat.mc.regalloc            # something is spilled
    rng = random.Random(5)
    for budget in (1, 2, 3, 7, 100):
        vals = [rng.randint(-100, 100) for _ in range(nint)] + [rng.uniform(-1, 1) for _ in range(nfl)] + [0]
        nat.check(inputs_of(t, *vals), budget=budget)
    vals = [rng.randint(2**60, 2**61) for _ in range(nint)] + [1.0] * nfl + [0]      # overflow exit
    nat.check(inputs_of(t, *vals), budget=100)


@pytest.mark.parametrize("perm", [(1, 0), (1, 2, 0), (2, 0, 1), (0, 2, 1), (3, 2, 1, 0), (1, 0, 3, 2)])
def test_jump_parallel_move_cycles(env, perm):
    n = len(perm)
    for kind in (I, F):
        for pressure in (0, 12 if kind is I else 16):
            b = Builder()
            pre = [b.inp(f"p{k}", kind) for k in range(pressure)]
            xs = [b.inp(f"x{k}", kind) for k in range(n)]
            cnt = b.inp("i", I)
            b.label()
            c2 = b.op("int_add", cnt, 1)
            b.set("i", c2)
            b.op("guard_budget")
            t = b.jump(*pre, *[xs[p] for p in perm], c2)
            nat = Native(env, t)
            for budget in range(1, 2 * n + 2):
                vals = [7 + k for k in range(pressure)] + [
                    (k + 1) * 10 if kind is I else (k + 1) * 1.5 for k in range(n)] + [0]
                nat.check(inputs_of(t, *vals), budget=budget)


def test_jump_constants_and_duplicates(env):
    b = Builder()
    x, y, f, g, z = b.inp("x", I), b.inp("y", I), b.inp("f", F), b.inp("g", F), b.inp("z", BO)
    b.label()
    s = b.op("int_add", x, y)
    b.set("x", s)
    b.op("guard_budget")
    t = b.jump(s, Const(INT64_MIN, I), Const(0.0, F), f, Const(True, BO))
    nat = Native(env, t)
    for budget in (1, 2, 3, 4):
        nat.check(inputs_of(t, 1, 2, 3.5, 4.5, False), budget=budget)
    b = Builder()
    x, y = b.inp("x", I), b.inp("y", I)
    b.label()
    b.op("guard_budget")
    t = b.jump(x, x)
    nat = Native(env, t)
    for budget in (1, 2, 3):
        nat.check(inputs_of(t, 5, 6), budget=budget)


def test_in_place_overflow_undo(env):
    """int_add_ovf / int_sub_ovf overwrite a dying operand that is still in their snapshot."""
    for name in ("int_add_ovf", "int_sub_ovf"):
        for swap in (False, True):
            if swap and name == "int_sub_ovf":
                continue
            b = Builder()
            s, k = b.inp("s", I), b.inp("k", I)
            b.label()
            s2 = b.op(name, *((k, s) if swap else (s, k)))
            b.set("s", s2)
            b.op("guard_budget")
            t = b.jump(s2, k)
            nat = Native(env, t)
            for sv_, kv in [(0, 1), (INT64_MAX - 5, 1), (INT64_MIN + 5, 1), (INT64_MIN + 5, -1), (5, INT64_MAX),
                            (-5, INT64_MIN), (INT64_MAX, INT64_MAX), (INT64_MIN, INT64_MIN)]:
                nat.check(inputs_of(t, sv_, kv), budget=100)
    b = Builder()
    s = b.inp("s", I)
    b.label()
    s2 = b.op("int_neg_ovf", s)
    b.set("s", s2)
    b.op("guard_budget")
    t = b.jump(s2)
    nat = Native(env, t)
    for v in (0, 5, INT64_MAX, INT64_MIN):
        nat.check(inputs_of(t, v), budget=10)


def test_exit_stubs_share_their_common_stores(env):
    """Guards in a row store mostly the same state: their stubs share the stores they have in common (each
    jumps into an earlier stub's code for those), and every exit still stores exactly its own snapshot (its
    changed variables, its stack items, constants, spilled values)."""
    b = Builder()
    xs = [b.inp(f"a{k}", I) for k in range(14)]
    fs = [b.inp(f"f{k}", F) for k in range(4)]
    sel = b.inp("sel", I)
    b.label()
    for k in range(12):
        if k % 3 == 2:                                   # a variable changes: later exits store its new value
            xs[k] = b.op("int_add", xs[k], xs[(k + 1) % 14])
            b.set(f"a{k}", xs[k])
        stack = [xs[k]] if k % 2 else [Const(k * 1000, I), fs[k % 4]]
        b.op("guard_false", b.op("int_eq", sel, k), stack=stack)
    b.op("guard_budget")
    t = b.jump(*xs, *fs, sel)
    nat = Native(env, t)
    for k in range(12):
        ref = nat.check(inputs_of(t, *range(10, 24), 0.5, -1.5, 2.25, 1e300, k), budget=100)
        assert ref.op.exit_id == k and ref.op.name == "guard_false"
    ref = nat.check(inputs_of(t, *range(10, 24), 0.5, -1.5, 2.25, 1e300, -1), budget=5)
    assert ref.op.name == "guard_budget"
    stub_rows = sum(len(rows) for title, rows in nat.mc.listing if title.startswith("exit #"))
    each = len(t.ops[-2].snapshot.exit_entries())            # what one exit stores (19 values)
    assert stub_rows < 13 * each / 3, nat.listing()         # unshared: 13 exits x (each + 2) instructions


# ---------------------------------------------------------------------------------------------------------
# libm calls


def test_fmod_loop_with_live_floats(env):
    """float_mod every iteration while other floats, ints and bools stay live across the call."""
    b = Builder()
    x, acc, y, z, w, i, flag = (b.inp("x", F), b.inp("acc", F), b.inp("y", F), b.inp("z", F), b.inp("w", F),
                                b.inp("i", I), b.inp("flag", BO))
    extra = [b.inp(f"e{k}", F) for k in range(14)]
    ints = [b.inp(f"n{k}", I) for k in range(10)]
    b.label()
    m = b.op("float_mod", x, 7.5)
    q = b.op("float_floordiv", acc, y)
    p = b.op("float_pow", w, 0.5)
    a2 = b.op("float_add", acc, m)
    a3 = b.op("float_add", a2, q)
    a4 = b.op("float_add", a3, p)
    x2 = b.op("float_mul", x, 1.37)
    z2 = b.op("float_sub", z, y)
    i2 = b.op("int_add_ovf", i, 3)
    ints2 = [b.op("int_add", n, i) for n in ints]
    extra2 = [b.op("float_add", e, z) for e in extra]
    b.set("x", x2)
    b.set("acc", a4)
    b.set("z", z2)
    b.set("i", i2)
    for k in range(14):
        b.set(f"e{k}", extra2[k])
    for k in range(10):
        b.set(f"n{k}", ints2[k])
    b.op("guard_budget")
    t = b.jump(x2, a4, y, z2, w, i2, flag, *extra2, *ints2)
    nat = Native(env, t)
    for budget in (1, 2, 5, 50):
        vals = [3.3, 0.25, 1.75, -2.0, 2.0, 7, True] + [k * 0.5 for k in range(14)] + list(range(10))
        nat.check(inputs_of(t, *vals), budget=budget)
    vals = [3.3, 0.25, 0.0, -2.0, 2.0, 7, True] + [k * 0.5 for k in range(14)] + list(range(10))
    nat.check(inputs_of(t, *vals), budget=50)                        # floordiv by zero exits
    vals = [3.3, 0.25, 1.0, -2.0, -2.0, 7, True] + [k * 0.5 for k in range(14)] + list(range(10))
    nat.check(inputs_of(t, *vals), budget=50)                        # (-2) ** 0.5 exits


def test_float_divmod_exhaustive_random(env):
    rng = random.Random(11)
    special = [0.0, -0.0, INF, -INF, NAN, 5e-324, -5e-324, 1e308, -1e308, 1.0, -1.0, 0.5, 3.0, -3.0, 1e-310]
    cases = [(x, y) for x in special for y in special]
    for _ in range(3000):
        cases.append((rand_float(rng), rand_float(rng)))
        x = rng.uniform(-1e6, 1e6)
        cases.append((x, rng.choice([1, -1]) * rng.uniform(1e-3, 1e3)))
        cases.append((float(rng.randint(-1000, 1000)), float(rng.choice([1, -1]) * rng.randint(1, 50))))
    for name in ("float_mod", "float_floordiv"):
        run_op_cases(env, op_trace(name), name, cases)


def test_float_pow_matches_python(env):
    rng = random.Random(13)
    cases = []
    bases = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 10.0, -10.0, INF, -INF, NAN, 5e-324, 1e308, -1e308, 1.0000001]
    exps = [0.0, -0.0, 1.0, -1.0, 2.0, 3.0, -3.0, 0.5, -0.5, 1e308, -1e308, INF, -INF, NAN, 1075.0, -1075.0,
            2.0**53, 2.0**53 + 1 + 1, 2.0**63, 1e18 + 1, 0.3333333333333333]
    cases += [(x, y) for x in bases for y in exps]
    for _ in range(4000):
        x = rng.choice([-1, 1]) * math.exp(rng.uniform(-50, 50))
        y = rng.choice([float(rng.randint(-60, 60)), rng.uniform(-30, 30), float(rng.randint(-2000, 2000))])
        cases.append((x, y))
        cases.append((rand_float(rng), rand_float(rng)))
    run_op_cases(env, op_trace("float_pow"), "float_pow", cases)


# ---------------------------------------------------------------------------------------------------------
# bridges


def bridge_setup():
    """Loop: sum i while i < n; exits #1 on odd i. Bridge for #1: subtract i instead, count odd ones."""
    b = Builder()
    i, n, s, k, f = b.inp("i", I), b.inp("n", I), b.inp("s", I), b.inp("k", I), b.inp("f", F)
    b.label()
    c = b.op("int_lt", i, n)
    b.op("guard_true", c)                                        # 0
    m = b.op("int_and", i, 1)
    z = b.op("int_is_true", m)
    b.op("guard_false", z)                                       # 1
    s2 = b.op("int_add_ovf", s, i)                               # 2
    b.set("s", s2)
    f2 = b.op("float_add", f, 0.5)
    b.set("f", f2)
    i2 = b.op("int_add", i, 1)
    b.set("i", i2)
    b.op("guard_budget")                                         # 3
    loop = b.jump(i2, n, s2, k, f2)

    br = Builder("bridge", layout=loop.layout, first_exit=4, vars_from=100)
    i, n, s, k, f = br.inp("i", I), br.inp("n", I), br.inp("s", I), br.inp("k", I), br.inp("f", F)
    s2 = br.op("int_sub_ovf", s, i)                              # 4
    br.set("s", s2)
    k2 = br.op("int_add", k, 1)
    br.set("k", k2)
    i2 = br.op("int_add", i, 1)
    br.set("i", i2)
    f2 = br.op("float_mul", f, -1.0)
    bridge = br.jump(i2, s2, k2, f2, jump_vars=["i", "s", "k", "f"])
    return loop, bridge


def ref_with_bridges(loop: Trace, bridges: dict[int, Trace], inputs, budget):
    state = dict(inputs)
    while True:
        ex = run_trace(loop, state, budget)
        budget -= ex.iterations
        eid = ex.op.exit_id
        if eid in bridges and ex.op.name != "guard_budget":
            bex = run_trace(bridges[eid], ex.values, budget)
            if bex.op.name == "jump":
                state.update(ex.values)
                state.update(bex.values)
                continue
            return bex
        return ex


def test_bridge(env):
    mem, table, ext = env
    loop, bridge = bridge_setup()
    nat = Native(env, loop)
    mc = nat.mc
    bmc = assemble(bridge, ext, LoopAddresses(nat.addr + mc.reentry, nat.addr + mc.epilogue))
    assert bmc.exit_ids == [4]
    baddr = mem.place(bmc.code)
    # without the bridge: the loop returns exit 1
    ref = nat.check(inputs_of(loop, 0, 10, 0, 0, 1.0), budget=100)
    assert ref.op.exit_id == 1
    table[1] = baddr + bmc.entry
    try:
        for args, budget in [((0, 10, 0, 0, 1.0), 100), ((0, 1000, 0, 0, 1.0), 100), ((3, 50, 0, 0, 0.25), 10**6),
                             ((0, 10, 0, 0, 1.0), 3), ((1, 10, INT64_MIN + 1, 0, 1.0), 100)]:
            inputs = inputs_of(loop, *args)
            ref = ref_with_bridges(loop, {1: bridge}, inputs, budget)
            rc = nat.run(inputs, budget)
            assert rc == ref.op.exit_id, (args, rc, ref.op.exit_id)
            nat.check_values(ref.values, str(args))
        assert ref.op.name == "int_sub_ovf"                 # the last case leaves through the bridge's guard
    finally:
        table[1] = 0


def test_a_cycle_through_a_linked_exit_ends_with_the_budget(env):
    """The bridge's own guard linked back to its linked entry (what compiling.link_bridge writes) makes a cycle
    that never passes the loop's header, here one that makes no progress (the guard fails again at once). The
    linked entry counts each pass against the run's budget: the run ends, through the exit that jumped there,
    with its stores intact, and its budget spent. The exit the bridge was made for enters after the count."""
    mem, table, ext = env
    loop, bridge = bridge_setup()
    nat = Native(env, loop)
    bmc = assemble(bridge, ext, LoopAddresses(nat.addr + nat.mc.reentry, nat.addr + nat.mc.epilogue))
    assert bmc.linked_entry == 0 < bmc.entry
    baddr = mem.place(bmc.code)
    table[1] = baddr + bmc.entry
    table[4] = baddr + bmc.linked_entry
    try:
        inputs = inputs_of(loop, 1, 10, INT64_MIN + 1, 0, 1.0)
        ref = ref_with_bridges(loop, {1: bridge}, inputs, 1000)
        assert ref.op.exit_id == 4
        assert nat.run(inputs, 1000) == 4
        nat.check_values(ref.values, "the bridge's overflow exit")
        assert nat.buf.get_int(0) <= 0                     # the budget slot: spent on the cycle
    finally:
        table[1] = table[4] = 0


def test_bridge_listing_and_shape(env):
    loop, bridge = bridge_setup()
    ext = env[2]
    bmc = assemble(bridge, ext, LoopAddresses(0x7000_0000_1000, 0x7000_0000_2000))
    text = format_listing(bmc, base=0x5000_0000)
    assert "push" not in text and "ret" not in text           # no prologue / epilogue of its own
    assert "0x700000001000" in text and "0x700000002000" in text
    with pytest.raises(CompileError):
        assemble(bridge, ext)


# ---------------------------------------------------------------------------------------------------------
# listing


def test_listing_mentions_every_op_and_mnemonics(env):
    t = sum_squares_loop()
    mc = assemble(t, env[2])
    titles = [title for title, _ in mc.listing]
    from tracejit.ir import format_op
    for op in t.ops:
        assert any(title.startswith(format_op(op, show_snapshots=False)) for title in titles), op
    text = format_listing(mc, base=0x10000)
    for m in ("push rbx", "mov r15, rdi", "imul", "jo", "dec r14", "jle", "ret", "pop rbx"):
        assert m in text, m
    assert mc.exit_ids == [0, 1, 2, 3]
    assert 0 <= mc.entry < mc.reentry < len(mc.code) and 0 < mc.epilogue < len(mc.code)


def test_listing_groups_name_their_ops(env):
    t = sum_squares_loop()
    mc = assemble(t, env[2])
    groups = listing_groups(mc, base=0x10000)
    assert [g.title for g in groups] == [title for title, _ in mc.listing]
    by_op = {}
    for g in groups:
        if g.op_index >= 0:
            by_op.setdefault(g.op_index, []).append(g)
    from tracejit.ir import format_op
    for i, op in enumerate(t.ops):       # each op's own group, and a guard's exit stub too
        titles = [g.title for g in by_op[i]]
        assert titles[0].startswith(format_op(op, show_snapshots=False))
        if op.snapshot is not None:
            assert titles[1] == f"exit #{op.exit_id} ({op.name})"
    assert all(g.op_index == -1 for g in groups if g.title in ("entry", "reentry: load inputs", "epilogue"))
    assert all(addr >= 0x10000 for g in groups for addr, _ in g.rows)


def test_exit_counters(env):
    """With Externals.exit_counts the machine code counts every exit it takes, bridged or not."""
    from tracejit.plaindata import replace
    mem, table, ext = env
    counts = Int64Table(256)
    loop, bridge = bridge_setup()
    counted = replace(ext, exit_counts=counts.address)
    mc = assemble(loop, counted)
    addr = mem.place(mc.code)
    fn = make_entry(addr + mc.entry)
    nat = Native(env, loop)
    inputs = inputs_of(loop, 0, 10, 0, 0, 1.0)
    rc = fn_run(fn, nat, loop, inputs, 100)
    assert rc == 1 and counts[1] == 1 and sum(counts[k] for k in range(8)) == 1
    for args, budget in [((0, 1000, 0, 0, 1.0), 5), ((3, 50, 0, 0, 0.25), 10**6), ((0, 10, 0, 0, 1.0), 3)]:
        total = sum(counts[k] for k in range(8))
        old = [counts[k] for k in range(8)]
        rc = fn_run(fn, nat, loop, inputs_of(loop, *args), budget)
        assert counts[rc] == old[rc] + 1 and sum(counts[k] for k in range(8)) == total + 1, args
    bmc = assemble(bridge, counted, LoopAddresses(addr + mc.reentry, addr + mc.epilogue))
    table[1] = mem.place(bmc.code) + bmc.entry
    try:
        before = counts[1]
        rc = fn_run(fn, nat, loop, inputs_of(loop, 0, 1000, 0, 0, 1.0), 100)
        assert counts[1] > before + 1            # exit 1 taken again and again, into the bridge
        assert counts[rc] >= 1
    finally:
        table[1] = 0
    assert "inc qword" in format_listing(mc) and "inc qword" not in format_listing(assemble(loop, ext))


def fn_run(fn, nat: "Native", trace: Trace, inputs, budget: int) -> int:
    """Run another entry point with Native's state buffer filled as Native.run fills it."""
    nat.run(inputs, 0)              # fills the buffer (budget 0: leaves at once)
    nat.buf.set_int(0, budget)
    return fn(nat.buf.address)


def test_position_independent(env):
    """The same bytes work wherever they are placed."""
    t = sum_squares_loop()
    mem, _, ext = env
    mc = assemble(t, ext)
    for _ in range(3):
        addr = mem.place(mc.code)
        buf = StateBuffer(t.layout.nslots)
        buf.set_int(t.layout.slot(t.inputs[1][0]), 100)
        buf.set_int(0, 1000)
        assert make_entry(addr + mc.entry)(buf.address) == 0
        assert buf.get_int(t.layout.slot(t.inputs[2][0])) == sum(k * k for k in range(100))


def test_every_op_has_an_emitter():
    from tracejit.backend import EMITTERS
    for name in OPS:
        if name not in ("label", "jump"):
            assert name in EMITTERS, name


def test_bridge_chain_spills_and_calls(env):
    """A bridge with its own guard whose exit has a second bridge; bridges with many live values and calls."""
    mem, table, ext = env
    loop, bridge = bridge_setup()
    nat = Native(env, loop)
    la = LoopAddresses(nat.addr + nat.mc.reentry, nat.addr + nat.mc.epilogue)
    # bridge 2 for exit 4 (the first bridge's int_sub_ovf): reset s to 0 using lots of values and fmod
    br = Builder("bridge", layout=loop.layout, first_exit=5, vars_from=200)
    i, n, s, k, f = br.inp("i", I), br.inp("n", I), br.inp("s", I), br.inp("k", I), br.inp("f", F)
    junk = [br.op("int_add", i, c) for c in range(14)]
    fj = [br.op("float_add", f, float(c)) for c in range(18)]
    m = br.op("float_mod", fj[3], 1.5)
    acc = junk[0]
    for x in junk[1:]:
        acc = br.op("int_xor", acc, x)
    facc = m
    for x in fj:
        facc = br.op("float_add", facc, x)
    k2 = br.op("int_add", k, 100)
    br.set("k", k2)
    i2 = br.op("int_add", i, 1)
    br.set("i", i2)
    k3 = br.op("int_add", k2, acc)
    bridge2 = br.jump(i2, Const(0, I), k3, facc, jump_vars=["i", "s", "k", "f"])
    b1 = assemble(bridge, ext, la)
    b2 = assemble(bridge2, ext, la)
    assert "[sp" in b2.regalloc
    a1, a2 = mem.place(b1.code), mem.place(b2.code)
    table[1], table[4] = a1 + b1.entry, a2 + b2.entry
    try:
        for args, budget in [((1, 10, INT64_MIN + 1, 0, 1.0), 100), ((1, 60, INT64_MIN + 3, 7, -2.5), 10**4),
                             ((1, 10, INT64_MIN + 1, 0, 1.0), 5)]:
            inputs = inputs_of(loop, *args)
            ref = _ref_chain(loop, {1: bridge, 4: bridge2}, inputs, budget)
            rc = nat.run(inputs, budget)
            assert rc == ref.op.exit_id, (args, rc, ref.op.exit_id)
            nat.check_values(ref.values, str(args))
    finally:
        table[1] = table[4] = 0


def _ref_chain(loop: Trace, bridges: dict[int, Trace], inputs, budget):
    state = dict(inputs)
    while True:
        ex = run_trace(loop, state, budget)
        budget -= ex.iterations
        while ex.op.name != "jump" and ex.op.name != "guard_budget" and ex.op.exit_id in bridges:
            vals = dict(ex.values)
            ex = run_trace(bridges[ex.op.exit_id], vals, budget)
            if ex.op.name == "jump":
                state.update(vals)
                state.update(ex.values)
                break
        if ex.op.name != "jump":
            return ex


def test_compile_errors(env):
    ext = env[2]
    b = Builder()
    x = b.inp("x", I)
    b.label()
    b.op("guard_budget", stack=[x] * 40)          # deeper than the exit stack area
    t = b.jump(x)
    with pytest.raises(CompileError):
        assemble(t, ext)


def test_list_append_contents_and_refcounts(env):
    """list_append* append the right object to the real list: a new float / int object, or the object
    itself with one more reference; nothing else changes and no reference leaks."""
    lst = [1]
    KEEP.append(lst)
    obj = object()
    big = int("123456789012345")
    for name, value, check in (("list_append_float", -2.5, lambda x: type(x) is float and x == -2.5),
                               ("list_append_int", 7, lambda x: x is int("7")),
                               ("list_append_int", 2**40 + 7, lambda x: type(x) is int and x == 2**40 + 7),
                               ("list_append", obj, lambda x: x is obj),
                               ("list_append", big, lambda x: x is big)):
        tr = op_trace(name)
        nat = Native(env, tr)
        n = len(lst)
        vals = {sv: (lst if sv.name == "a" else value) for sv, _ in tr.inputs if sv.name in ("a", "b")}
        before = sys.getrefcount(value) if name == "list_append" else None
        nat.run(vals, budget=1)
        assert len(lst) == n + 1 and check(lst[-1]), (name, lst)
        if before is not None:
            assert sys.getrefcount(value) == before + 1, name
        lst.pop()
        if before is not None:
            assert sys.getrefcount(value) == before, name


def test_list_setitem_deferred_release(env):
    """With `defer` true, list_setitem puts the old item into the graveyard instead of releasing it (it stays
    alive until the runtime empties the graveyard); guard_graveyard exits once the graveyard is full."""
    lst = [float("1.25"), 2.5]
    KEEP.append(lst)
    old = lst[0]
    before = sys.getrefcount(old)
    tr = op_trace("list_setitem_float")
    nat = Native(env, tr)
    vals = {sv: {"a": lst, "b": 0, "c": -7.5, "d": True}[sv.name] for sv, _ in tr.inputs if sv.name in "abcd"}
    GRAVEYARD[0] = 0
    nat.run(vals, budget=1)
    assert lst[0] == -7.5 and GRAVEYARD[0] == 1 and GRAVEYARD[1] == id(old)
    assert sys.getrefcount(old) == before            # the list's reference now sits in the graveyard
    ctypes.pythonapi.Py_DecRef(ctypes.c_void_p(id(old)))
    GRAVEYARD[0] = 0
    assert sys.getrefcount(old) == before - 1
    full = Native(env, op_trace("guard_graveyard"))
    GRAVEYARD[0] = GRAVEYARD_SLOTS
    try:
        rc = full.run({}, budget=5)
    finally:
        GRAVEYARD[0] = 0
    guard = next(op for op in full.trace.ops if op.name == "guard_graveyard")
    assert rc == guard.exit_id, full.listing()


@pytest.mark.parametrize("n", range(1, 6))
def test_str_build(env, n):
    """str_build(sep, pieces...) joins 1 to 5 pieces (registers, spill slots, constants) as the interpreter's
    BUILD_STRING (sep "") and str.join do: a new str equal to sep.join(pieces), reference counts unchanged."""
    vars_ = VarFactory()
    layout = StateLayout()
    rng = random.Random(n)
    pool = STRINGS[:6] + ["", "x", "\u4e2d\u6587", "\U0001f600!"]
    for consts in ([], [0], list(range(n))):
        ins = [(StateVar("fast", k, f"p{k}"), vars_.new(R)) for k in range(n)]
        out_sv, out = StateVar("fast", 50, "out"), vars_.new(R)
        for sv, v in ins + [(out_sv, out)]:
            layout.add(sv, R)
        pieces = [rng.choice(pool) for _ in range(n)]
        args = [Const(pieces[k], R) if k in consts else v for k, (_, v) in enumerate(ins)]
        r = vars_.new(R)
        state = {sv: v for sv, v in ins} | {out_sv: out}
        sep = rng.choice(["", "-", ", ", "\xe9", "\u4e2d"])
        ops = [Op("label", [v for _, v in ins] + [out]),
               Op("str_build", [Const(sep, R)] + args, r, Snapshot(2, dict(state), []), 2, exit_id=0),
               Op("guard_budget", [], None, Snapshot(0, state | {out_sv: r}, []), 0, exit_id=1),
               Op("jump", [v for _, v in ins] + [r])]
        tr = Trace("loop", "t", "<test>", 0, 0, ins + [(out_sv, out)], ops, layout)
        verify(tr)
        nat = Native(env, tr)
        counts = [sys.getrefcount(p) for p in pieces]
        nat.run({sv: pieces[k] for k, (sv, _) in enumerate(ins)} | {out_sv: None}, budget=1)
        made = object_at(nat.buf.get_int(layout.slot(out_sv)))
        assert made == sep.join(pieces) and type(made) is str, (sep, pieces, made)
        # (a join of one piece is that piece, which the call's reference and `made` hold)
        assert [c for p, c in zip(pieces, counts) if p is not made] == \
            [sys.getrefcount(p) for p in pieces if p is not made]
        KEEP.append(made)


@pytest.mark.parametrize("name", ["new_tuple", "new_list", "new_dict"])
@pytest.mark.parametrize("n", [0, 1, 4, 8])
def test_new_tuple_list_and_dict(env, name, n):
    """new_tuple / new_list / new_dict of n items (registers, spill slots, constants; a dict's keys strs, one
    repeated): an object equal to the one the interpreter builds, its items the same objects (each referenced by
    it: the end-to-end tests in test_made_sequences.py count the references over many iterations)."""
    vars_ = VarFactory()
    layout = StateLayout()
    rng = random.Random(n)
    for consts in ([], [0], list(range(n))):
        pool = [object(), "".join(["s", str(n)]), float(n) + 0.5, [n], (n, "t"), 2**70 + n]     # (no immortals)
        ins = [(StateVar("fast", k, f"p{k}"), vars_.new(R)) for k in range(n)]
        out_sv, out = StateVar("fast", 50, "out"), vars_.new(R)
        for sv, v in ins + [(out_sv, out)]:
            layout.add(sv, R)
        items = [rng.choice(pool) for _ in range(n)]
        if name == "new_dict":
            items = [x for k in range(n // 2) for x in (["a", "bb", "a", "\u0101"][k], items[2 * k + 1])]
        args = [Const(items[k], R) if k in consts else v for k, (_, v) in enumerate(ins[:len(items)])]
        r = vars_.new(R)
        state = {sv: v for sv, v in ins} | {out_sv: out}
        ops = [Op("label", [v for _, v in ins] + [out]),
               Op(name, args, r, Snapshot(2, dict(state), []), 2, exit_id=0),
               Op("guard_budget", [], None, Snapshot(0, state | {out_sv: r}, []), 0, exit_id=1),
               Op("jump", [v for _, v in ins] + [r])]
        tr = Trace("loop", "t", "<test>", 0, 0, ins + [(out_sv, out)], ops, layout)
        verify(tr)
        nat = Native(env, tr)
        counts = [sys.getrefcount(x) for x in items]
        nat.run({sv: items[k] if k < len(items) else None for k, (sv, _) in enumerate(ins)} | {out_sv: None},
                budget=1)
        deltas = [sys.getrefcount(x) - c for x, c in zip(items, counts)]
        made = object_at(nat.buf.get_int(layout.slot(out_sv)))
        expected = OPS[name].evaluate(*items)
        assert type(made) is type(expected) and made == expected, (name, items, made)
        got = list(made.values()) if name == "new_dict" else list(made)
        want = list(expected.values()) if name == "new_dict" else list(expected)
        assert all(a is b for a, b in zip(got, want)), (made, expected)
        # every item gained references (the objects made hold them; the exit retains what it writes back)
        assert all(d >= 1 for k, d in enumerate(deltas) if name != "new_dict" or k % 2), (items, deltas)   # (keys: interned)
        KEEP.append(made)


CALL_C_CASES = [(str.upper, ["ab\xe9"]), (str.find, ["hello", "l"]), (str.find, ["hello", "l", 3]),
                (str.count, ["banana", "a", 2, 5]), (str.startswith, ["prefix", "pre"]), (str.index, ["abc", "z"]),
                (str.join, ["-", ["a", "b", "\u4e2d"]]), (str.join, [",", ("x", 1)]), (str.isdigit, ["123"]),
                (str.replace, ["aaa", "a", "bb", 2]), (str.strip, [" x "]), (str.zfill, ["-7", 4])]


@pytest.mark.parametrize("func, args", CALL_C_CASES, ids=[f"{f.__name__}{len(a)}" for f, a in CALL_C_CASES])
def test_call_c(env, func, args):
    """call_c(f, args...) calls f through PyObject_Vectorcall: the result equals f(*args) (an object equal to
    it: a new str or int, or True/False), or, where f raises (str.index of a missing substring, join of a
    non-str), the guard exits with the error cleared; the arguments' reference counts are unchanged."""
    vars_ = VarFactory()
    layout = StateLayout()
    ins = [(StateVar("fast", k, f"a{k}"), vars_.new(R)) for k in range(len(args))]
    out_sv, out = StateVar("fast", 50, "out"), vars_.new(R)
    for sv, _ in ins + [(out_sv, out)]:
        layout.add(sv, R)
    r = vars_.new(R)
    state = {sv: v for sv, v in ins} | {out_sv: out}
    ops = [Op("label", [v for _, v in ins] + [out]),
           Op("call_c", [Const(func, R)] + [v for _, v in ins], r, Snapshot(2, dict(state), []), 2, exit_id=0),
           Op("guard_budget", [], None, Snapshot(0, state | {out_sv: r}, []), 0, exit_id=1),
           Op("jump", [v for _, v in ins] + [r])]
    tr = Trace("loop", "t", "<test>", 0, 0, ins + [(out_sv, out)], ops, layout)
    verify(tr)
    nat = Native(env, tr)
    KEEP.extend(args)
    counts = [sys.getrefcount(a) for a in args]
    try:
        expected = func(*args)
    except (ValueError, TypeError):
        expected = None
    rc = nat.run({sv: args[k] for k, (sv, _) in enumerate(ins)} | {out_sv: None}, budget=1)
    if expected is None:
        assert rc == 0, nat.listing()       # (an error left set would make the next call below fail)
    else:
        assert rc == 1, nat.listing()
        made = object_at(nat.buf.get_int(layout.slot(out_sv)))
        assert type(made) is type(expected) and made == expected
        KEEP.append(made)
    # (ints left out: small ints are shared with everything else running)
    assert [sys.getrefcount(a) for a in args if type(a) is not int] == \
        [c for a, c in zip(args, counts) if type(a) is not int]


def test_dict_setitem_str(env):
    """d[k] = v: the dict gets v (its own reference), the old value's reference moves to the graveyard (the
    dict's dropped, one added: it stays alive until the graveyard is emptied), a missing key is inserted (the
    old value None); a dict holding a key of another type or a missing key's default make no difference to
    the op (the recorder guards them)."""
    made = "".join(["ne", "w"])                 # not interned (3.12+: interned strs are immortal)
    for d, k, v in [({"a": 1000001, "b": 2}, "a", made), ({"a": 1}, "zz", 2.5), (dict.fromkeys("abcdefgh"), "q", None)]:
        tr = op_trace("dict_setitem_str")
        nat = Native(env, tr)
        old = d.get(k)
        KEEP.extend([d, k, v, old])
        before_old, before_v = sys.getrefcount(old), sys.getrefcount(v)
        GRAVEYARD[0] = 0
        try:
            nat.run({sv: {"a": d, "b": k, "c": v, "d": old}[sv.name] for sv, _ in tr.inputs if sv.name in "abcd"},
                    budget=1)
            assert d[k] is v and GRAVEYARD[0] == 1 and GRAVEYARD[1] == id(old), nat.listing()
            if old is not None:
                assert sys.getrefcount(old) == before_old        # the dict's reference now in the graveyard
            if v is not None:
                assert sys.getrefcount(v) == before_v + 1
        finally:
            release_all([GRAVEYARD[1]])
            GRAVEYARD[0] = 0


def test_cell_set(env):
    """cell.contents = v: the cell gets v (its own reference), its reference to the old contents moves to the
    graveyard (the old value stays alive until the graveyard is emptied)."""
    def cell_of(x):
        return (lambda: x).__closure__[0]
    made = "".join(["ce", "ll"])                # not interned (3.12+: interned strs are immortal)
    for old, v in [(made, 1000003), (2.5, made), (None, 7.25)]:
        cell = cell_of(old)
        tr = op_trace("cell_set")
        nat = Native(env, tr)
        KEEP.extend([cell, v])
        before_old, before_v = sys.getrefcount(old), sys.getrefcount(v)
        GRAVEYARD[0] = 0
        try:
            nat.run({sv: {"a": cell, "b": v, "c": old}[sv.name] for sv, _ in tr.inputs if sv.name in "abc"},
                    budget=1)
            assert cell.cell_contents is v and GRAVEYARD[0] == 1 and GRAVEYARD[1] == id(old), nat.listing()
            if old is not None:                             # (3.11: None's count moves with everything else)
                assert sys.getrefcount(old) == before_old    # the cell's reference now in the graveyard
            assert sys.getrefcount(v) == before_v + 1
        finally:
            release_all([GRAVEYARD[1]])
            GRAVEYARD[0] = 0


def test_instance_attr(env):
    """obj.name from a slot of the instance's values array (constant index and tp_basicsize, as the recorder makes
    them) reads what the interpreter reads, and leaves the trace where the slot is empty (deleted) or the array
    is not in use (3.11/3.12: the instance got a real dict; 3.13 reads the array the dict shares)."""
    from tracejit.cpython.instances import attribute_slot

    class Point:
        def __init__(self, x, y, tag):
            self.x, self.y, self.tag = x, y, tag
    assert instance_values() is not None
    made = "".join(["ta", "g"])
    objs = [Point(1.5, 7, made), Point(None, [2], "t"), Point(-0.0, 2**70, made)]
    del objs[1].y
    dicted = Point(3, 4, "d")
    dicted.__dict__["x"] = "replaced"               # a real dict (3.11/3.12), shared values (3.13)
    objs.append(dicted)
    KEEP.extend(objs)
    for name in ("x", "y", "tag"):
        index = attribute_slot(objs[0], name)
        assert index == ("x", "y", "tag").index(name)
        b = Builder()
        a = b.inp("a", R)
        b.inp("out", R)
        b.label()
        r = b.op("instance_attr", a, Const(index, I), Const(Point.__basicsize__, I), Const(name, R))
        b.set("out", r)
        b.op("guard_budget")
        tr = b.jump(a, r)
        nat = Native(env, tr)
        for obj in objs:
            ref = nat.check(inputs_of(tr, obj, None), budget=1, ctx=f"{name} of {vars(obj) if obj is dicted else ''}")
            left = ref.op.name == "instance_attr"
            assert left == (attribute_slot(obj, name) is None), (name, obj.__dict__)
            if not left:
                assert ref.values[tr.inputs[1][0]] is getattr(obj, name)


@pytest.mark.parametrize("store", ["fresh_setattr", "init"])
@pytest.mark.parametrize("slots", [False, True], ids=["values", "slots"])
def test_new_instance_and_its_first_stores(env, slots, store):
    """new_instance makes an instance of the class as type.__call__ does before __init__ (no attribute set), and
    fresh_setattr, instance_init (a slot of the values array and its place in the insertion order) and
    member_init (a __slots__ member) store into it what setattr stores: the instance holds a new reference to
    each value, its attributes are listed in the order they were stored, and the trace's result is the one
    reference to the instance."""
    from tracejit.cpython.instances import member_offset

    class Plain:
        def __init__(self):
            self.x, self.y = 1, 2           # (the class's shared keys: x, y)

    class Slotted:
        __slots__ = ("x", "y")

    cls = Slotted if slots else Plain
    cls()
    value = "".join(["val", "ue"])
    KEEP.append(value)
    b = Builder()
    a, v = b.inp("a", R), b.inp("b", R)
    b.inp("out", R)
    b.label()
    r = b.op("new_instance", a)
    for name, stored in (("y", Const(2.5, R)), ("x", v)):
        if store == "fresh_setattr":
            b.op("fresh_setattr", r, stored, Const(name, R))
        elif slots:
            b.op("member_init", r, stored, Const(member_offset(cls, name), I), Const(name, R))
        else:
            b.op("instance_init", r, stored, Const(instance_values().index_of(cls, name), I),
                 Const(cls.__basicsize__, I), Const(name, R))
    b.set("out", r)
    b.op("guard_budget")
    tr = b.jump(a, v, r)
    nat = Native(env, tr)
    before = sys.getrefcount(value)
    nat.run(inputs_of(tr, cls, value, None), budget=1)
    made = object_at(nat.buf.get_int(tr.layout.slot(tr.inputs[2][0])))
    try:
        assert type(made) is cls and (made.x, made.y) == (value, 2.5)
        assert sys.getrefcount(value) == before + 1
        if not slots:
            assert instance_values().insertion_order(made) == [1, 0]     # (before vars() makes a dict of them)
            assert vars(made) == {"x": value, "y": 2.5} and list(vars(made)) == ["y", "x"]
        assert sys.getrefcount(made) == 3        # the trace's reference, `made` and getrefcount's argument
    finally:
        release_all([id(made)])


@pytest.mark.parametrize("name", ["graveyard_push", "release_deferred"])
@pytest.mark.parametrize("const", [False, True])
def test_graveyard_push(env, const, name):
    """graveyard_push and release_deferred hand the trace's reference to the graveyard: graveyard[1 + count] =
    the object, count + 1, no reference count changed."""
    obj = "".join(["pushed", str(const)])
    KEEP.append(obj)
    tr = op_trace(name, 0, obj) if const else op_trace(name)
    nat = Native(env, tr)
    before = sys.getrefcount(obj)       # (a constant's trace holds one)
    GRAVEYARD[0] = 5
    try:
        nat.run({sv: obj for sv, _ in tr.inputs if sv.name == "a"}, budget=1)
        assert GRAVEYARD[0] == 6 and GRAVEYARD[6] == id(obj), nat.listing()
    finally:
        GRAVEYARD[0] = 0
    assert sys.getrefcount(obj) == before


@pytest.mark.parametrize("name", ["guard_not_last", "guard_not_last_held"])
def test_guard_not_last(env, name):
    """guard_not_last leaves the trace where the object's reference count is 1 (the release after it would free
    it) and passes for an object with other holders and for an immortal one (3.12+: None); so does
    guard_not_last_held (the graveyard's reference the last one)."""
    tr = op_trace(name)
    nat = Native(env, tr)
    guard = next(op for op in tr.ops if op.name == name)
    a = next(sv for sv, _ in tr.inputs if sv.name == "a")
    shared, lone = object(), object()
    KEEP.extend([shared, lone])
    assert nat.run({a: shared}, budget=1) != guard.exit_id, nat.listing()
    assert nat.run({a: None}, budget=1) != guard.exit_id, nat.listing()
    count = ctypes.c_ssize_t.from_address(id(lone))     # ob_refcnt (the first word; it holds no reference)
    nat.buf.clear()
    nat.buf.set_int(tr.layout.slot(a), id(lone))
    nat.buf.set_int(0, 1)
    saved = count.value
    count.value = 1                 # as if the reference the trace releases next were the last
    try:
        got = nat.fn(nat.buf.address)
    finally:
        count.value = saved
    assert got == guard.exit_id, nat.listing()


def test_list_setitem_reference_counts(env):
    """Stores change reference counts exactly as CPython's list assignment: the new item gains one (a
    cached small int or an immortal object on 3.12+: none), the old item loses one; a float over a float
    only its list holds is written in place."""
    def store(name, lst, value):
        tr = op_trace(name)
        vals = {sv: {"a": lst, "b": 0, "c": value, "d": False}[sv.name] for sv, _ in tr.inputs
                if sv.name in "abcd"}
        Native(env, tr).run(vals, budget=1)

    old = float("2.5")
    obj = object()
    lst = [old]
    KEEP.append(lst)
    r_old, r_obj = sys.getrefcount(old), sys.getrefcount(obj)
    store("list_setitem", lst, obj)
    counts = (sys.getrefcount(obj) - r_obj, sys.getrefcount(old) - r_old)    # (pytest's assert keeps refs)
    assert lst[0] is obj and counts == (1, -1), counts
    immortal = LAYOUTS[VERSION].immortal
    for value in (7, -5, 256, True, None):
        before = sys.getrefcount(value)
        prev = lst[0]
        r_prev = sys.getrefcount(prev)
        store("list_setitem_int" if type(value) is int else "list_setitem", lst, value)
        gained, lost = sys.getrefcount(value) - before, sys.getrefcount(prev) - r_prev
        assert lst[0] is value, value
        if not immortal:
            assert (gained, lost) == (1, -1), (value, gained, lost)
        elif prev is not value:
            assert gained == 0 and lost in (0, -1), (value, gained, lost)
        del prev
    tr = op_trace("list_setitem_complex")
    Native(env, tr).run({sv: {"a": lst, "b": 0, "c": 1.5, "d": -0.0, "e": False}[sv.name] for sv, _ in tr.inputs
                         if sv.name in "abcde"}, budget=1)
    z = lst[0]
    zc = sys.getrefcount(z)
    assert type(z) is complex and repr(z) == "(1.5-0j)" and zc == 3, (z, zc)
    del z
    store("list_setitem_int", lst, 10**12)
    big = sys.getrefcount(lst[0])
    assert lst[0] == 10**12 and big == 2, big
    store("list_setitem_float", lst, -1.5)              # over an int: a new float object
    f = lst[0]
    n = sys.getrefcount(f)
    assert f == -1.5 and n == 3, n                    # the list, f and the argument
    address = id(f)
    del f
    store("list_setitem_float", lst, 4.25)              # over a float only the list holds: in place
    same = id(lst[0]) == address
    assert lst[0] == 4.25 and same
