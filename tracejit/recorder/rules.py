"""Translation tables: which IR ops implement a Python operator for given operand kinds.

One table for binary operators, one for comparisons, one for unary operators. The recorder looks up
(symbol, kind, kind); an entry is the name of an int op, a float op, or a special expansion handled by the
recorder (`pow`). A missing entry means "not supported": the recording aborts with that reason.

May import: tracejit.ir.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.ir import Kind

I, F, B = Kind.INT, Kind.FLOAT, Kind.BOOL

# symbol -> (op for int operands, op for float operands); None = no such op (TypeError or unsupported)
BINARY: dict[str, tuple[str | None, str | None]] = {
    "+": ("int_add_ovf", "float_add"),
    "-": ("int_sub_ovf", "float_sub"),
    "*": ("int_mul_ovf", "float_mul"),
    "/": ("int_truediv", "float_truediv"),
    "//": ("int_floordiv", "float_floordiv"),
    "%": ("int_mod", "float_mod"),
    "**": ("pow", "float_pow"),
    "<<": ("int_lshift_ovf", None),
    ">>": ("int_rshift", None),
    "&": ("int_and", None),
    "|": ("int_or", None),
    "^": ("int_xor", None),
}

# bitwise ops on two bools give a bool in Python
BOOL_BITWISE = {"&", "|", "^"}

COMPARE: dict[str, tuple[str, str]] = {
    "<": ("int_lt", "float_lt"),
    "<=": ("int_le", "float_le"),
    "==": ("int_eq", "float_eq"),
    "!=": ("int_ne", "float_ne"),
    ">": ("int_gt", "float_gt"),
    ">=": ("int_ge", "float_ge"),
}

# unary op -> {operand kind: op name or 'same' (value unchanged) or a tuple of ops applied in order}
UNARY: dict[str, dict[Kind, object]] = {
    "UNARY_NEGATIVE": {I: "int_neg_ovf", F: "float_neg", B: ("bool_to_int", "int_neg_ovf")},
    "UNARY_POSITIVE": {I: "same", F: "same", B: ("bool_to_int",)},
    "UNARY_INVERT": {I: "int_invert"},            # ~bool warns on 3.12+: left to the interpreter
    "UNARY_NOT": {B: "bool_not", I: ("int_is_true", "bool_not"), F: ("float_is_true", "bool_not")},
}

TRUTH: dict[Kind, str | None] = {B: None, I: "int_is_true", F: "float_is_true"}

MAX_POW_EXPONENT = 64
