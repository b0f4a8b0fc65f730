"""Bytecode normalization: maps each supported CPython version's `dis` instructions to ONE canonical set.

The trace recorder only ever sees canonical `Instr`s, so every bytecode difference between CPython 3.11,
3.12 and 3.13 lives here (object/frame layout differences live in tracejit.cpython.layout). The table
`_MAP` (plus `_SUPER` for superinstructions) drives the mapping; any op not in it keeps its dis opname and
dis argval as canonical op and arg (the recorder aborts on ops it does not know).

Version notes (checked by experiment, see tests/test_bytecode.py):
- FOR_ITER exhaustion: 3.11 jumps to the instruction after the loop (dis argval). 3.12's raw jump lands on
  END_FOR, but FOR_ITER pops the iterator itself and skips the END_FOR; 3.13 skips END_FOR *and* the
  POP_TOP after it. `Instr.target` of FOR_ITER is the instruction that really runs next. END_FOR (3.12:
  pops 2, 3.13: pops 1 and is followed by POP_TOP) only runs when a FOR_ITER_GEN-specialized loop's
  generator returns: the return value is pushed on top of the iterator and execution resumes at END_FOR.
- COMPARE_OP oparg: 3.11 index into dis.cmp_op; 3.12 index << 4 (low bits: specialization mask);
  3.13 index << 5 with bit 16 meaning "convert the result to bool".
- Calls: 3.11/3.12 push the NULL *below* the callable ([NULL, func, args]), 3.13 *above* it
  ([func, NULL, args]); method calls are [meth, self, args] on all versions. See PUSH_NULL_BELOW_CALLABLE.
  3.11's LOAD_METHOD and 3.12+'s LOAD_ATTR with the method bit become LOAD_ATTR (name, True).
  3.11's PRECALL becomes NOP; CALL(argc) pops argc + 2 and pushes 1 on all versions.
- EXTENDED_ARG: dis folds its argument into the following instruction but still lists the prefix, and the
  interpreter reports the prefix's offset (jump targets, sys.monitoring, settrace). It is kept as a canonical
  NOP (real_op 'EXTENDED_ARG') so every offset the interpreter can report has an entry. On 3.11 settrace
  'opcode' events do NOT fire for the instruction after an EXTENDED_ARG (TRACE_SKIPS_AFTER_EXTENDED_ARG).
- 3.13 superinstructions LOAD_FAST_LOAD_FAST / STORE_FAST_STORE_FAST / STORE_FAST_LOAD_FAST expand to two
  Instrs with the same offset (index 0 and 1). RETURN_GENERATOR counts as pushing 1 (the first sent value).

The opcode tables come from the `opcode` module, not from `dis`: `dis` imports `collections` (and it
`keyword`, `operator`, `reprlib`), about 13 M instructions of every program's first recording on CPython 3.12
that the JIT needs none of; the few helpers of `dis` this layer used (the constants of LOAD_CONST, the
exception table) are a few lines here, and tests/test_bytecode.py checks them against `dis`.

May import: tracejit.codetable, tracejit.cpython.entrycheck, tracejit.plaindata and the standard library
(not `dis`: above).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import opcode
import sys
from tracejit.plaindata import dataclass, field
from types import CodeType

from tracejit.codetable import CodeTable

from .entrycheck import CO_OPTIMIZED, RESUME_NO_CHECK, without_entry_check  # noqa: F401 - part of this layer's API

TYPE_CHECKING = False           # typing is not imported at run time (annotations are strings)
if TYPE_CHECKING:
    import dis
    from typing import Callable, Iterable

    _Decode = Callable[[dis.Instruction, CodeType], tuple[str, object]]

VERSION = sys.version_info[:2]
                                # or a class body's, whose names are looked up in f_locals


@dataclass(frozen=True)
class Instr:
    """One instruction in canonical form (the same on every supported version)."""
    offset: int            # byte offset of the real instruction in co_code (superinstruction parts share it)
    op: str                # canonical op name
    arg: object            # canonical argument, None when unused
    target: int | None     # absolute jump target / FOR_ITER exhaustion target, else None
    line: int | None       # source line, None if unknown
    index: int             # 0, or 0/1 for the parts of a superinstruction
    real_op: str           # the original dis opname
    oparg: int | None = field(default=None, compare=False, repr=False)   # raw (EXTENDED_ARG-folded) oparg


@dataclass(frozen=True)
class _Version:
    """How one CPython version lays out the instructions the canonical form hides."""
    for_iter_caches: int       # inline cache entries after FOR_ITER
    for_iter_skip: int         # instructions after FOR_ITER's raw jump target skipped on exhaustion
    end_for_pops: int          # values END_FOR pops (0: no END_FOR on this version)
    cmp_shift: int             # COMPARE_OP: cmp_op index = oparg >> cmp_shift
    cmp_to_bool: int           # COMPARE_OP: bit meaning "result converted to bool" (0: none)


_VERSIONS = {
    (3, 11): _Version(0, 0, 0, 0, 0),
    (3, 12): _Version(1, 1, 2, 4, 0),
    (3, 13): _Version(1, 2, 1, 5, 16),
}
if VERSION not in _VERSIONS:
    raise ImportError(f"tracejit supports CPython 3.11-3.13, not {sys.version.split()[0]}")
_V = _VERSIONS[VERSION]

PUSH_NULL_BELOW_CALLABLE: bool = VERSION < (3, 13)        # [NULL, func, args] vs [func, NULL, args]
TRACE_SKIPS_AFTER_EXTENDED_ARG: bool = VERSION < (3, 12)  # settrace: no 'opcode' event after EXTENDED_ARG

_CMP = ("<", "<=", "==", "!=", ">", ">=")
# BINARY_OP oparg 0..12 (NB_ADD..NB_XOR); 13..25 are the in-place versions (same on 3.11-3.13)
_NB = ("+", "&", "//", "<<", "@", "*", "%", "|", "**", ">>", "-", "/", "^")
_JUMP_OPCODES = frozenset(opcode.hasjrel) | frozenset(opcode.hasjabs)
_NO_FALLTHROUGH = frozenset({"JUMP", "RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE"})


def _as(op: str, arg: Callable[[dis.Instruction, CodeType], object] = lambda i, c: None) -> _Decode:
    return lambda i, c: (op, arg(i, c))


def _intrinsic(i: dis.Instruction, c: CodeType) -> tuple[str, object]:
    if i.argrepr == "INTRINSIC_UNARY_POSITIVE":
        return "UNARY_POSITIVE", None
    return "CALL_INTRINSIC_1", i.argrepr


def _compare(i: dis.Instruction, c: CodeType) -> tuple[str, object]:
    return "COMPARE_OP", (_CMP[i.arg >> _V.cmp_shift], bool(i.arg & _V.cmp_to_bool))


_oparg = lambda i, c: i.arg       # noqa: E731
_dir = lambda i, c: "backward" if i.argval <= i.offset else "forward"   # noqa: E731

# dis opname -> decoder giving (canonical op, canonical arg). Names not in the table pass through unchanged.
_MAP: dict[str, _Decode] = {
    "LOAD_FAST": _as("LOAD_FAST", _oparg),
    "LOAD_FAST_CHECK": _as("LOAD_FAST", _oparg),
    "STORE_FAST": _as("STORE_FAST", _oparg),
    "LOAD_GLOBAL": _as("LOAD_GLOBAL", lambda i, c: (i.argval, bool(i.arg & 1))),
    # LOAD_ATTR's arg: (name, method?) -- 3.11 has a separate LOAD_METHOD, 3.12+ flag it in the oparg's low
    # bit. A method load of a plain attribute pushes NULL and the attribute (in PUSH_NULL_BELOW_CALLABLE order)
    "LOAD_ATTR": _as("LOAD_ATTR", lambda i, c: (i.argval, VERSION >= (3, 12) and bool(i.arg & 1))),
    "LOAD_METHOD": _as("LOAD_ATTR", lambda i, c: (i.argval, True)),
    "BINARY_OP": _as("BINARY_OP", lambda i, c: (_NB[i.arg % 13], i.arg >= 13)),
    "COMPARE_OP": _compare,
    "CALL_INTRINSIC_1": _intrinsic,
    "IS_OP": _as("IS_OP", _oparg),
    "CONTAINS_OP": _as("CONTAINS_OP", _oparg),
    "END_FOR": _as("END_FOR", lambda i, c: _V.end_for_pops),
    "FOR_ITER": _as("FOR_ITER"),
    "JUMP_IF_TRUE_OR_POP": _as("JUMP_IF_TRUE_OR_POP"),
    "JUMP_IF_FALSE_OR_POP": _as("JUMP_IF_FALSE_OR_POP"),
    "PRECALL": _as("NOP"),
    "EXTENDED_ARG": _as("NOP"),
    "KW_NAMES": _as("KW_NAMES", lambda i, c: c.co_consts[i.arg]),   # 3.11 dis leaves argval unresolved
    **{name: _as("JUMP", _dir) for name in ("JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
                                             "JUMP_NO_INTERRUPT", "JUMP_ABSOLUTE")},
    **{f"POP_JUMP_{d}IF_{c}": _as(f"POP_JUMP_IF_{c}")
       for d in ("", "FORWARD_", "BACKWARD_") for c in ("TRUE", "FALSE", "NONE", "NOT_NONE")},
}
# superinstructions: oparg holds two 4-bit slot indices (high nibble first), parts run in this order
_SUPER = {
    "LOAD_FAST_LOAD_FAST": ("LOAD_FAST", "LOAD_FAST"),
    "STORE_FAST_STORE_FAST": ("STORE_FAST", "STORE_FAST"),
    "STORE_FAST_LOAD_FAST": ("STORE_FAST", "LOAD_FAST"),
}


def _for_iter_exit(i: dis.Instruction) -> int:
    """Offset the interpreter continues at when FOR_ITER's iterator is exhausted (from the raw oparg)."""
    raw_jump = i.offset + 2 * (1 + _V.for_iter_caches) + 2 * i.arg   # 3.12/3.13: the END_FOR
    return raw_jump + 2 * _V.for_iter_skip                           # END_FOR / POP_TOP: 1 code unit each


class RawInstr:
    """One instruction of co_code as `dis.get_instructions` gives it, with the fields the table reads (`argrepr`
    only where a decoder needs it: CALL_INTRINSIC_1's) and the line of `positions` as `lineno`."""
    __slots__ = ("offset", "opname", "opcode", "arg", "argval", "argrepr", "lineno")

    def __init__(self, offset: int, opname: str, opcode: int, arg, argval, argrepr: str, lineno) -> None:
        self.offset, self.opname, self.opcode, self.arg = offset, opname, opcode, arg
        self.argval, self.argrepr, self.lineno = argval, argrepr, lineno


# how `dis` resolves each opcode's argument (one entry per opcode number: dis's own tables)
(_CONST, _NAME, _NAME_HALF, _NAME_QUARTER, _JABS, _JREL, _JBACK, _LOCAL, _PAIR, _CMP_OP, _FORMAT, _CONVERT,
 _INTR) = range(13)


def _arg_kinds() -> dict[int, int]:
    kinds: dict[int, int] = {}
    kinds.update((op, _CONVERT if name == "CONVERT_VALUE" else _FORMAT if name == "FORMAT_VALUE" else
                  _INTR if name == "CALL_INTRINSIC_1" else None) for name, op in opcode.opmap.items()
                 if name in ("CONVERT_VALUE", "FORMAT_VALUE", "CALL_INTRINSIC_1"))
    kinds.update((op, _CMP_OP) for op in opcode.hascompare)
    kinds.update((op, _LOCAL) for op in (*opcode.haslocal, *opcode.hasfree))
    kinds.update((opcode.opmap[name], _PAIR) for name in _SUPER if name in opcode.opmap)      # 3.13: two locals
    kinds.update((op, _JBACK if "JUMP_BACKWARD" in opcode.opname[op] else _JREL) for op in opcode.hasjrel)
    kinds.update((op, _JABS) for op in opcode.hasjabs)
    kinds.update((op, _NAME) for op in opcode.hasname)
    for name, kind in (("LOAD_GLOBAL", _NAME_HALF), ("LOAD_ATTR", _NAME_HALF if VERSION >= (3, 12) else _NAME),
                       ("LOAD_SUPER_ATTR", _NAME_QUARTER)):
        if name in opcode.opmap:
            kinds[opcode.opmap[name]] = kind
    kinds.update((op, _CONST) for op in opcode.hasconst)
    return {op: kind for op, kind in kinds.items() if kind is not None}


_ARG_KINDS = _arg_kinds()
_HAS_ARG = frozenset(opcode.hasarg) if hasattr(opcode, "hasarg") else frozenset(range(opcode.HAVE_ARGUMENT, 256))
_CACHES = ([opcode._inline_cache_entries.get(name, 0) for name in opcode.opname]
           if isinstance(opcode._inline_cache_entries, dict) else list(opcode._inline_cache_entries))
_JUMP_CACHES = VERSION >= (3, 12)          # a relative jump's target counts its own inline caches (not on 3.11)
_EXTENDED_ARG = opcode.EXTENDED_ARG
_OVERFLOW = 2 ** 31                        # dis._INT_OVERFLOW: an EXTENDED_ARG prefix's argument is a C int
_CONVERTERS = (None, str, repr, ascii)     # FORMAT_VALUE's and CONVERT_VALUE's conversions (dis's order)
_CMP_OPS = opcode.cmp_op
_INTRINSIC_1 = getattr(opcode, "_intrinsic_1_descs", ())      # 3.12+ (CALL_INTRINSIC_1's names)
_LOAD_CONST = opcode.opmap["LOAD_CONST"]
_OPNAME = opcode.opname
_OPMAP = opcode.opmap


class _Unknown:
    """The argument value of a constant `dis` leaves unresolved (3.11's KW_NAMES: dis.UNKNOWN)."""
    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


def raw_instructions(code: CodeType) -> list[RawInstr]:
    """co_code's instructions with the offsets, opcodes, arguments and argument values `dis.get_instructions`
    gives (tests/test_bytecode.py compares them over the standard library), at a fraction of its cost: no
    argument reprs, no Positions, no labels (the JIT decodes every code object it records or judges, in the
    program's time)."""
    raw = code.co_code
    consts, names, varname = code.co_consts, code.co_names, code._varname_from_oparg
    lines = [p[0] for p in code.co_positions()]
    lines += [None] * (len(raw) // 2 - len(lines))      # (a code object made with a shorter line table: no line)
    opname, caches_of, kinds = _OPNAME, _CACHES, _ARG_KINDS
    out: list[RawInstr] = []
    extended = 0
    skip = 0
    for i in range(0, len(raw), 2):
        if skip:
            skip -= 1
            continue
        op = raw[i]
        caches = caches_of[op]
        skip = caches
        if op in _HAS_ARG:
            arg = raw[i + 1] | extended
            extended = (arg << 8) if op == _EXTENDED_ARG else 0
            if extended >= _OVERFLOW:
                extended -= 2 * _OVERFLOW
        else:
            arg = None
            extended = 0
        argval, argrepr = arg, ""
        kind = kinds.get(op) if arg is not None else None
        if kind is not None:
            if kind == _CONST:
                # (as dis._get_const_value: 3.11 resolves only LOAD_CONST's)
                argval = consts[arg] if VERSION >= (3, 12) or op == _LOAD_CONST else UNKNOWN
            elif kind == _NAME:
                argval = names[arg]
            elif kind == _NAME_HALF:
                argval = names[arg >> 1]
            elif kind == _NAME_QUARTER:
                argval = names[arg >> 2]
            elif kind == _LOCAL:
                argval = varname(arg)
            elif kind == _PAIR:
                argval = (varname(arg >> 4), varname(arg & 15))
            elif kind == _JREL:
                argval = i + 2 + 2 * arg + (2 * caches if _JUMP_CACHES else 0)
            elif kind == _JBACK:
                argval = i + 2 - 2 * arg + (2 * caches if _JUMP_CACHES else 0)
            elif kind == _JABS:
                argval = 2 * arg
            elif kind == _CMP_OP:
                argval = _CMP_OPS[arg >> _V.cmp_shift]
            elif kind == _FORMAT:
                argval = (_CONVERTERS[arg & 3], bool(arg & 4))
            elif kind == _CONVERT:
                argval = _CONVERTERS[arg]
            elif kind == _INTR:
                argrepr = _INTRINSIC_1[arg]
        out.append(RawInstr(i, opname[op], op, arg, argval, argrepr, lines[i >> 1]))
    return out


def _convert(code: CodeType, instructions=None) -> list[Instr]:
    """The canonical Instrs of `code` (`instructions`: its RawInstrs or dis.Instructions, default
    raw_instructions(code))."""
    out: list[Instr] = []
    for i in (raw_instructions(code) if instructions is None else instructions):
        line = i.lineno if type(i) is RawInstr else i.positions.lineno if i.positions is not None else None
        parts = _SUPER.get(i.opname)
        if parts is not None:
            for k, (op, slot) in enumerate(zip(parts, (i.arg >> 4, i.arg & 15))):
                out.append(Instr(i.offset, op, slot, None, line, k, i.opname, i.arg))
            continue
        decode = _MAP.get(i.opname)
        op, arg = decode(i, code) if decode else (i.opname, i.argval)
        if i.opname == "FOR_ITER":
            target = _for_iter_exit(i)
        else:
            target = i.argval if i.opcode in _JUMP_OPCODES else None
        out.append(Instr(i.offset, op, arg, target, line, 0, i.opname, i.arg))
    return out


_CACHE = CodeTable()       # code -> (instructions, {offset: instructions}); entries die with their code


def _entry(code: CodeType) -> tuple[tuple[Instr, ...], dict[int, list[Instr]]]:
    hit = _CACHE.get(code)
    if hit is None:
        instrs = tuple(_convert(code))
        at: dict[int, list[Instr]] = {}
        for ins in instrs:
            at.setdefault(ins.offset, []).append(ins)
        hit = _CACHE[code] = (instrs, at)
    return hit


def normalize(code: CodeType) -> list[Instr]:
    """All canonical instructions of `code` (not nested code objects), in order."""
    return list(_entry(code)[0])


def instructions_at(code: CodeType) -> dict[int, list[Instr]]:
    """offset -> canonical Instr(s) at that offset. Cached per code object: do not mutate the result."""
    return _entry(code)[1]


def back_edges(code: CodeType) -> list[tuple[int, int]]:
    """(source offset, header offset) for every backward jump."""
    return [(i.offset, i.target) for i in _entry(code)[0]
            if i.target is not None and i.op != "FOR_ITER" and i.target <= i.offset]


def loop_headers(code: CodeType) -> set[int]:
    """Offsets targeted by backward jumps (loop headers)."""
    return {h for _, h in back_edges(code)}


# canonical op -> stack effect (int, or function of (instr, jump))
_EFFECT: dict[str, int | Callable[[Instr, bool], int]] = {
    "LOAD_FAST": 1, "STORE_FAST": -1, "LOAD_CONST": 1, "RETURN_CONST": 0, "RETURN_VALUE": -1,
    "LOAD_NAME": 1, "STORE_NAME": -1, "STORE_GLOBAL": -1,
    "LOAD_GLOBAL": lambda i, j: 1 + bool(i.arg[1]),
    "LOAD_ATTR": lambda i, j: int(bool(i.arg[1])),
    "BINARY_OP": -1, "COMPARE_OP": -1, "IS_OP": -1, "CONTAINS_OP": -1,
    "UNARY_NEGATIVE": 0, "UNARY_INVERT": 0, "UNARY_NOT": 0, "UNARY_POSITIVE": 0, "TO_BOOL": 0,
    "CALL_INTRINSIC_1": 0,
    "POP_JUMP_IF_TRUE": -1, "POP_JUMP_IF_FALSE": -1, "POP_JUMP_IF_NONE": -1, "POP_JUMP_IF_NOT_NONE": -1,
    "JUMP_IF_TRUE_OR_POP": lambda i, j: 0 if j else -1,
    "JUMP_IF_FALSE_OR_POP": lambda i, j: 0 if j else -1,
    "JUMP": 0, "FOR_ITER": lambda i, j: -1 if j else 1,   # exhaustion pops the iterator
    "END_FOR": lambda i, j: -i.arg, "GET_ITER": 0, "POP_TOP": -1,
    "COPY": 1, "SWAP": 0, "PUSH_NULL": 1, "NOP": 0, "RESUME": 0, "KW_NAMES": 0,
    "CALL": lambda i, j: -1 - i.arg,       # pops callable/NULL pair + argc args, pushes the result
    "RETURN_GENERATOR": 1,                 # the generator frame resumes with the sent value on the stack
}


def stack_effect(instr: Instr, jump: bool) -> int:
    """Net value-stack change of one canonical Instr; `jump` selects the taken-branch effect for jumps."""
    eff = _EFFECT.get(instr.op)
    if eff is None:   # pass-through op: the running interpreter's own table is right for its own opcodes
        return opcode.stack_effect(_OPMAP[instr.real_op], instr.oparg, jump=jump)
    return eff if isinstance(eff, int) else eff(instr, jump)


def exception_entries(code: CodeType) -> list[tuple[int, int, int, int, bool]]:
    """The code's exception table as (start, end, target, depth, lasti) per entry, offsets in bytes: what
    dis.Bytecode(code).exception_entries gives (the table's varint encoding is the same on 3.11-3.13)."""
    table = code.co_exceptiontable
    out = []
    k, n = 0, len(table)

    def varint() -> int:
        nonlocal k
        b = table[k]
        k += 1
        val = b & 63
        while b & 64:
            b = table[k]
            k += 1
            val = (val << 6) | (b & 63)
        return val
    while k < n:
        start = 2 * varint()
        end = start + 2 * varint()
        target = 2 * varint()
        dl = varint()
        out.append((start, end, target, dl >> 1, bool(dl & 1)))
    return out


_DEPTHS = CodeTable()       # code -> its static_stack_depths, or the message of the ValueError it raised


def static_stack_depths(code: CodeType) -> dict[int, int]:
    """Value-stack depth BEFORE each reachable offset (before the first part of a superinstruction).

    Edges: fall-through, jump targets, FOR_ITER exhaustion, FOR_ITER -> END_FOR (generator return, 3.12+)
    and exception handlers (depth from the exception table). Raises ValueError on inconsistent or
    negative depths. Computed once per code object (the engine asks at every hot time of an inner loop:
    pyperformance hexiom spent about 15 ms doing it again), so the dict is shared: do not change it.
    """
    found = _DEPTHS.get(code)
    if found is None:
        try:
            found = _stack_depths(code)
        except ValueError as e:
            found = str(e)
        _DEPTHS[code] = found
    if type(found) is str:
        raise ValueError(found)
    return found


def _stack_depths(code: CodeType) -> dict[int, int]:
    instrs = _entry(code)[0]
    first: dict[int, int] = {}
    for k, ins in enumerate(instrs):
        first.setdefault(ins.offset, k)
    depth: dict[int, int] = {}
    work: list[int] = []

    def reach(k: int, d: int, src: str) -> None:
        if d < 0:
            raise ValueError(f"negative stack depth {d} at offset {instrs[k].offset} (from {src})")
        old = depth.get(k)
        if old is None:
            depth[k] = d
            work.append(k)
        elif old != d:
            raise ValueError(f"stack depth at offset {instrs[k].offset}: {old} vs {d} (from {src})")

    reach(0, 0, "entry")
    for _start, _end, handler, handler_depth, lasti in exception_entries(code):
        reach(first[handler], handler_depth + int(lasti) + 1, "exception table")
    while work:
        k = work.pop()
        ins, d = instrs[k], depth[k]
        src = f"{ins.offset} {ins.op}"
        if ins.target is not None:
            reach(first[ins.target], d + stack_effect(ins, True), src)
        if ins.op == "FOR_ITER" and _V.end_for_pops:
            reach(first[ins.target - 2 * _V.for_iter_skip], d + 1, src + " (generator return)")
        if ins.op not in _NO_FALLTHROUGH and k + 1 < len(instrs):
            reach(k + 1, d + stack_effect(ins, False), src)
    return {instrs[k].offset: d for k, d in sorted(depth.items()) if instrs[k].index == 0}


_REACHING = CodeTable()     # code -> {goal offset: the offsets from which control can reach it}


def reaching(code: CodeType, goal: int) -> frozenset[int]:
    """The offsets from which control can come to `goal` (itself included): over fall-through, jumps, FOR_ITER's
    exhaustion and generator-return edges, and, from every instruction an exception-table entry covers, its
    handler (any instruction there may raise). Cached per code object and goal."""
    per_code = _REACHING.get(code)
    if per_code is None:
        per_code = _REACHING[code] = {}
    hit = per_code.get(goal)
    if hit is not None:
        return hit
    instrs = _entry(code)[0]
    first: dict[int, int] = {}
    for k, ins in enumerate(instrs):
        first.setdefault(ins.offset, k)
    before: dict[int, list[int]] = {}           # instruction index -> the indexes control comes from
    for k, ins in enumerate(instrs):
        if ins.target is not None:
            before.setdefault(first[ins.target], []).append(k)
        if ins.op == "FOR_ITER" and _V.end_for_pops:
            before.setdefault(first[ins.target - 2 * _V.for_iter_skip], []).append(k)
        if ins.op not in _NO_FALLTHROUGH and k + 1 < len(instrs):
            before.setdefault(k + 1, []).append(k)
    for start, end, target, _depth, _lasti in exception_entries(code):
        handler = before.setdefault(first[target], [])
        handler.extend(k for k, ins in enumerate(instrs) if start <= ins.offset < end)
    seen = {first[goal]} if goal in first else set()
    work = list(seen)
    while work:
        for k in before.get(work.pop(), ()):
            if k not in seen:
                seen.add(k)
                work.append(k)
    hit = per_code[goal] = frozenset(instrs[k].offset for k in seen)
    return hit


def describe_instr(i: Instr, width: int = 20, max_arg: int = 0) -> str:
    """op, arg, ->target, [real_op if different]; an argument's repr is cut to `max_arg` characters (0: not)."""
    text = f"{i.op:<{width}}"
    if i.arg is not None:
        arg = repr(i.arg)
        if max_arg and len(arg) > max_arg:
            arg = arg[:max_arg - 3] + "..."
        text += f" {arg}"
    if i.target is not None:
        text += f" ->{i.target}"
    if i.real_op != i.op:
        text += f"  [{i.real_op}]"
    return text.rstrip()


def format_instrs(instrs: Iterable[Instr]) -> str:
    """One line per Instr: offset[.index], line, op, arg, ->target, [real_op if different]."""
    lines = []
    for i in instrs:
        where = f"{i.offset}" + (f".{i.index}" if i.index else "")
        lines.append(f"{where:>7} {'' if i.line is None else i.line:>5}  {describe_instr(i)}")
    return "\n".join(lines)


def resume_offset(code: CodeType, offset: int) -> int:
    """Where the interpreter must continue to execute the instruction at `offset`: the first of its
    EXTENDED_ARG prefixes if it has any (continuing at `offset` itself would drop the high bits of its
    argument, e.g. a jump target)."""
    raw = code.co_code
    while offset >= 2 and raw[offset - 2] == _EXTENDED_ARG:
        offset -= 2
    return offset
