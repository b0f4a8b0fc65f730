"""The recorder's string protocols: `s[i]`, `len(s)`, `ord(c)`, `chr(i)`, comparisons, `in`, and the
characters of `for c in s` (recorder/iterators.py walks the string).

Strings are immutable, so a string's length and code points are pure reads (str_len, str_code_at). A
character is two values: its code point (INT) and the one-character string object CPython gives for it.
For code points below 256 that object is one of CPython's cached strings, which are never freed
(latin1_char reads it from a table); any other code point leaves the trace before the instruction, and the
interpreter makes the string. The recorder remembers the code point of every character it made
(`rec.char_codes`), so comparing characters, `ord()` of one, or comparing one with a one-character constant
compares code points: no string object is looked at. One-character strings compare as their code points
(CPython's unicode_compare), for == and != as for < <= > >=. Other strings are compared and searched by the
C functions the interpreter calls (PyUnicode_Compare, PyUnicode_Contains), which run no Python code and
allocate nothing for two exact strs. `a + b` and `s[i:j]` make new strs with the interpreter's own functions
(PyUnicode_Concat, PyUnicode_Substring): new references the trace owns (tracejit.optimizer.refcounts
releases them).

May import: tracejit.ir, tracejit.recorder.frame/lists, the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.ir import Const, Kind, Snapshot, Var, const_int, const_ref
from tracejit.ir.ops import SMALL_INT_BOUND
from tracejit.ir.trace import Value

from .frame import RecordAbort, declined
from .virtuals import VirtualList, VirtualTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .recorder import TraceRecorder

I, B, R = Kind.INT, Kind.BOOL, Kind.REF
WIDE = "a character outside latin-1 (its string is not cached)"


def is_str(rec: TraceRecorder, v) -> bool:
    return getattr(v, "kind", None) is R and type(rec.conc(v)) is str


def character(rec: TraceRecorder, s: Value, index: Value, snap: Snapshot | None, pc: int) -> Value:
    """The one-character string at `index` (in range) of the exact string `s`, its code point remembered."""
    return chr_of(rec, rec.emit("str_code_at", [s, index], snap, pc), snap, pc)


def subscr(rec: TraceRecorder, s: Value, index, snap: Snapshot, pc: int) -> Value:
    """s[i] of an exact str and an int index (negative: from the end; out of range: the interpreter raises)."""
    from .lists import list_index
    return character(rec, s, list_index(rec, s, index, snap, pc, str), snap, pc)


def code_point(rec: TraceRecorder, v: Value, snap: Snapshot, pc: int) -> Value | None:
    """The code point of one-character string v as an INT value, or None when v is not a string of length 1
    here. A character the trace made gives its code point; a constant gives a constant; any other string
    is guarded (exact str, length 1) and read."""
    if isinstance(v, Const):
        if type(v.value) is str and len(v.value) == 1:
            return const_int(ord(v.value))
        return None
    known = rec.char_codes.get(id(v))
    if known is not None:
        return known
    if not is_str(rec, v) or len(rec.conc(v)) != 1:
        return None
    rec.emit("guard_class", [v, const_ref(str)], snap, pc)
    n = rec.emit("str_len", [v], snap, pc)
    rec.emit("guard_true", [rec.emit("int_eq", [n, const_int(1)], snap, pc)], snap, pc)
    code = rec.emit("str_code_at", [v, const_int(0)], snap, pc)
    rec.char_codes[id(v)] = code
    return code


def _exact_str(rec: TraceRecorder, v: Value, snap: Snapshot, pc: int) -> Value:
    if not is_str(rec, v):
        raise RecordAbort(f"operand of type {type(rec.conc(v)).__name__} beside a str")
    if not isinstance(v, Const):
        rec.emit("guard_class", [v, const_ref(str)], snap, pc)
    return v


def compare(rec: TraceRecorder, int_op: str, a: Value, b: Value, snap: Snapshot) -> Value:
    """A comparison of two strings: of two characters (one-character strings), their code points; of any
    other strings, CPython's PyUnicode_Compare (str_compare) against 0."""
    pc = snap.pc
    if is_str(rec, a) and is_str(rec, b) and len(rec.conc(a)) == 1 and len(rec.conc(b)) == 1:
        ca = code_point(rec, a, snap, pc)
        cb = code_point(rec, b, snap, pc)
        return rec.emit(int_op, [ca, cb], snap, pc)
    order = rec.emit("str_compare", [_exact_str(rec, a, snap, pc), _exact_str(rec, b, snap, pc)], snap, pc)
    return rec.emit(int_op, [order, const_int(0)], snap, pc)


def contains(rec: TraceRecorder, item: Value, container: Value, snap: Snapshot) -> Value:
    """`item in container` for two strs: PyUnicode_Contains (str_contains)."""
    pc = snap.pc
    return rec.emit("str_contains", [_exact_str(rec, container, snap, pc), _exact_str(rec, item, snap, pc)],
                    snap, pc)


def concat(rec: TraceRecorder, a: Value, b: Value, snap: Snapshot) -> Value:
    """a + b of two exact strs: a new str the trace owns (PyUnicode_Concat)."""
    pc = snap.pc
    return _made(rec, rec.emit("str_concat", [_exact_str(rec, a, snap, pc), _exact_str(rec, b, snap, pc)], snap, pc))


def slice_of(rec: TraceRecorder, s: Value, start: Value, stop: Value, snap: Snapshot) -> Value:
    """s[start:stop] of an exact str (bounds: ints or None): the bounds made what CPython's slice adjustment
    makes of them for a step of 1 (a negative bound counts from the end, then at least 0; a missing one is
    0 or the length), then PyUnicode_Substring, which clamps the end to the length and gives the empty
    string, or `s` itself for the whole of it, exactly as the interpreter's slicing does."""
    pc = snap.pc
    s = _exact_str(rec, s, snap, pc)
    n = rec.emit("str_len", [s], snap, pc)
    lo = slice_bound(rec, start, n, const_int(0), snap)
    hi = slice_bound(rec, stop, n, n, snap)
    return _made(rec, rec.emit("str_slice", [s, lo, hi], snap, pc))


def slice_bound(rec: TraceRecorder, v: Value, n: Value, missing: Value, snap: Snapshot) -> Value:
    pc = snap.pc
    if isinstance(v, Const) and v.value is None:
        return missing
    if v.kind is R and type(rec.conc(v)) not in (int, bool):
        raise RecordAbort(f"slice bound of type {type(rec.conc(v)).__name__}")
    v = rec.as_int(rec.unbox(v, snap, pc), snap, pc)
    if v.kind is not I:
        raise RecordAbort(f"slice bound of kind {v.kind}")
    negative = rec.conc(v) < 0
    if isinstance(v, Var):          # the sign decides the arithmetic: guarded
        below = rec.emit("int_lt", [v, const_int(0)], snap, pc)
        rec.emit("guard_true" if negative else "guard_false", [below], snap, pc)
    if not negative:
        return v
    return rec.emit("int_max", [rec.emit("int_add", [v, n], snap, pc), const_int(0)], snap, pc)


MAX_PIECES = 5          # strs joined in one call (more: the recording aborts)
MAX_FORMAT_PARTS = 13   # pieces of an f-string, or of a `fmt % args` (percent_format), the trace builds


def to_str(rec: TraceRecorder, v: Value, snap: Snapshot) -> Value:
    """str(v), f"{v}" and f"{v!s}" without a format spec: an exact str is itself (the interpreter returns it
    unchanged), an int a new str (int_to_str: PyObject_Str of the int, as PyObject_Format does without a
    spec). Other types (bools, floats, objects with __str__ or __format__) abort."""
    pc = snap.pc
    if is_str(rec, v):
        return _exact_str(rec, v, snap, pc)
    t = type(rec.conc(v))
    if t is not int or v.kind is B:
        raise RecordAbort(f"str() of {t.__name__}")
    return _made(rec, rec.emit("int_to_str", [rec.unbox(v, snap, pc)], snap, pc))


def build(rec: TraceRecorder, pieces: list, snap: Snapshot) -> Value:
    """BUILD_STRING: the pieces of an f-string (exact strs) joined, as the interpreter joins them; more than
    MAX_PIECES are joined MAX_PIECES at a time (the first ones, then that str with the next ones)."""
    pc = snap.pc
    if len(pieces) > MAX_FORMAT_PARTS:
        raise RecordAbort(f"an f-string of more than {MAX_FORMAT_PARTS} pieces")
    pieces = [_exact_str(rec, p, snap, pc) for p in pieces]
    while len(pieces) > MAX_PIECES:
        pieces = [_made(rec, rec.emit("str_build", [const_ref("")] + pieces[:MAX_PIECES], snap, pc))] + \
            pieces[MAX_PIECES:]
    return _made(rec, rec.emit("str_build", [const_ref("")] + pieces, snap, pc))


def percent_format(rec: TraceRecorder, fmt: str, args, snap: Snapshot) -> Value | None:
    """`fmt % args` for a constant format whose conversions are only %s, %d and %i (and %%), of exact strs (%s)
    and ints: one value, or the items of a tuple the loop built (BUILD_TUPLE's VirtualTuple). The pieces are made
    as an f-string's (to_str: an int's str is what %d and %s give) and joined (str_build), as PyUnicode_Format
    joins them, which for such values runs no Python code. None where this does not apply (a width, another
    conversion, a bool, a float, a mapping, the wrong number of values: the generic path, PyNumber_Remainder,
    computes or raises as the interpreter does)."""
    parts = _percent_parts(fmt)
    values = list(args.items) if isinstance(args, VirtualTuple) else [args]
    conversions = [text for kind, text in parts or () if kind == "conv"]
    if not conversions or len(values) != len(conversions) or not 2 <= len(parts) <= MAX_FORMAT_PARTS:
        return None
    for v, conv in zip(values, conversions):
        if not isinstance(v, (Var, Const)) or v.kind is B:
            return None
        t = type(rec.conc(v))
        if not (t is int or (t is str and conv == "s")) or (t is int and v.kind is R and
                                                            not -SMALL_INT_BOUND < rec.conc(v) < SMALL_INT_BOUND):
            return None
    pieces, at = [], iter(values)
    for kind, text in parts:
        pieces.append(const_ref(text) if kind == "lit" else to_str(rec, next(at), snap))
    return build(rec, pieces, snap)


def _percent_parts(fmt: str) -> list[tuple[str, str]] | None:
    """The format split into ("lit", text) and ("conv", "s" / "d" / "i") parts, or None for any other
    directive (a width, a precision, a mapping key, another conversion)."""
    parts: list[tuple[str, str]] = []
    literal: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            literal.append(c)
            i += 1
            continue
        d = fmt[i + 1] if i + 1 < len(fmt) else ""
        if d == "%":
            literal.append("%")
        elif d in ("s", "d", "i"):
            if literal:
                parts.append(("lit", "".join(literal)))
                literal = []
            parts.append(("conv", d))
        else:
            return None
        i += 2
    if literal:
        parts.append(("lit", "".join(literal)))
    return parts


# Methods of str the trace calls (call_c: the method descriptor through PyObject_Vectorcall; for an exact str
# and arguments of the kinds given they run no Python code): name -> (argument kinds, how many of the last
# are optional, result type). Kinds: "s" an exact str, "i" an int, "q" an exact list or tuple (join's items
# are checked by join itself: anything but a str raises the TypeError in the interpreter).
STR_METHODS: dict[str, tuple[str, int, type]] = {
    **{name: ("", 0, str) for name in ("upper", "lower", "casefold", "swapcase", "title", "capitalize")},
    **{name: ("s", 1, str) for name in ("strip", "lstrip", "rstrip")},
    **{name: ("s", 0, str) for name in ("removeprefix", "removesuffix")},
    "replace": ("ssi", 1, str), "zfill": ("i", 0, str),
    **{name: ("is", 1, str) for name in ("center", "ljust", "rjust")},
    **{name: ("sii", 2, int) for name in ("find", "rfind", "index", "rindex", "count")},
    **{name: ("sii", 2, bool) for name in ("startswith", "endswith")},
    **{name: ("", 0, bool) for name in ("isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower",
                                        "isdecimal", "isnumeric", "isidentifier", "isascii")},
    "join": ("q", 0, str),
}


def method(rec: TraceRecorder, name: str, s: Value, args: list, snap: Snapshot, pc: int) -> Value:
    """s.name(args...) for an exact str `s` (its type guarded where the method was loaded): the arguments'
    types guarded, then CPython's own method called; the result is a new object the trace owns, of a type
    the table fixes (a str, an int or a bool). An exception (str.index of a missing substring) exits before
    the call and the interpreter raises it."""
    kinds, optional, result = STR_METHODS[name]
    if not len(kinds) - optional <= len(args) <= len(kinds):
        return declined(rec, f"str.{name}() with {len(args)} arguments")     # (the call raises the TypeError)
    if name == "join" and isinstance(args[0], VirtualList):
        # sep.join([a, b]): the list is never made; its items are joined as BUILD_STRING joins (guards resume
        # at BUILD_LIST, right before: nothing ran in between)
        items, snap = args[0].items, args[0].snapshot
        if not 1 <= len(items) <= MAX_PIECES:
            raise RecordAbort(f"str.join() of {len(items)} items")
        return _made(rec, rec.emit("str_build", [s] + [_exact_str(rec, rec.value(p), snap, pc) for p in items],
                                   snap, pc))
    if rec.generic_calls and not all(_argument_fits(rec, kind, a) for kind, a in zip(kinds, args)):
        return None     # (declined: the method is called on the generic path, which raises or computes as it does)
    values = [_method_argument(rec, kind, rec.value(a), snap, pc) for kind, a in zip(kinds, args)]
    r = rec.emit("call_c", [const_ref(getattr(str, name)), s] + values, snap, pc)
    if isinstance(r, Var):
        rec.known_class[id(r)] = result
    return r


def _argument_fits(rec: TraceRecorder, kind: str, a) -> bool:
    """Whether _method_argument takes `a` (a value the recording models: "s" an exact str, "q" an exact list or
    tuple, "i" an int), checked without emitting anything."""
    if not isinstance(a, (Var, Const)):
        return False
    if kind == "s":
        return is_str(rec, a)
    t = type(rec.conc(a))
    if kind == "q":
        return a.kind is R and t in (list, tuple)
    return t is int and a.kind is not B


def _method_argument(rec: TraceRecorder, kind: str, v: Value, snap: Snapshot, pc: int) -> Value:
    obj = rec.conc(v)
    if kind == "s":
        return _exact_str(rec, v, snap, pc)
    if not _argument_fits(rec, kind, v):
        raise RecordAbort(f"str.join() of {type(obj).__name__}" if kind == "q" else
                          f"a str method's argument of type {type(obj).__name__}")
    if kind == "q":
        if not isinstance(v, Const):
            rec.emit("guard_class", [v, const_ref(type(obj))], snap, pc)
        return v
    # "i": an int, as an object
    if isinstance(v, Const):
        return const_ref(obj)
    if v.kind is R:
        rec.emit("guard_class", [v, const_ref(int)], snap, pc)
        return v
    return rec.emit("box_int", [v], snap, pc)


def _made(rec: TraceRecorder, v: Value) -> Value:
    """A str the trace made: its exact type is known (no guard needed where it is used)."""
    if isinstance(v, Var):
        rec.known_class[id(v)] = str
    return v


def ord_of(rec: TraceRecorder, v: Value, snap: Snapshot, pc: int) -> Value:
    """ord(c) of a str (any other length: the guard fails and the interpreter raises the TypeError)."""
    code = code_point(rec, v, snap, pc) if is_str(rec, v) else None
    if code is None:
        raise RecordAbort(f"ord() of {type(rec.conc(v)).__name__} of length other than 1")
    return code


def chr_of(rec: TraceRecorder, code: Value, snap: Snapshot, pc: int) -> Value:
    """chr(i) for 0 <= i < 256, its code point remembered (another i leaves the trace: the interpreter makes the
    string or raises; a recording that meets one aborts)."""
    if not 0 <= rec.conc(code) < 256:
        raise RecordAbort(WIDE)
    ch = rec.emit("latin1_char", [code], snap, pc)
    if not isinstance(ch, Const):
        rec.char_codes[id(ch)] = code
        rec.known_class[id(ch)] = str
    return ch
