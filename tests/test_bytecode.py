"""Tests for tracejit.cpython.bytecode: canonical forms, jump targets, loops, stack depths, and agreement with
what the running interpreter really executes (sys.monitoring INSTRUCTION events on 3.12+, settrace 'opcode'
events on 3.11). A small interpreter for canonical Instrs checks the canonical semantics on every version.
"""
from __future__ import annotations

import builtins
import dis
import operator
import sys
import types
from pathlib import Path

import pytest

from tracejit.cpython import bytecode as bc
from tracejit.cpython.bytecode import (Instr, back_edges, format_instrs, instructions_at, loop_headers,
                                       normalize, reaching, stack_effect, static_stack_depths)

V = sys.version_info[:2]
g = 0


# ---------------------------------------------------------------- sample functions
def f_add(a, b):
    x = a + b
    return x


def f_while(n):
    i = 0
    s = 0
    while i < n:
        s += i
        i += 1
    return s


def f_for(n):
    s = 0
    for i in range(n):
        s += i * 2
    return s


def f_for_tail(xs):
    for x in xs:
        xs = x


def f_break_continue(n):
    s = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        if i > 7:
            break
        s += i
    else:
        s = -1
    j = 0
    while True:
        j += 1
        if j >= n:
            break
    return s + j


def f_nested(n):
    t = 0
    for i in range(n):
        j = 0
        while j < i:
            t += i ^ j
            j += 1
    return t


def f_if(a):
    if a < 0:
        r = -1
    elif a == 0:
        r = 0
    elif a >= 10:
        r = 2
    else:
        r = 1
    return r


def f_andor(a, b):
    x = a and b
    y = a or b
    if a > 1 and b < 3 or a == b:
        return x, y, 1
    return x, y, 0


def f_chain(a, b, c):
    return a < b < c, a <= b != c, a > b >= c


def f_aug(a, b):
    a += b; a -= 1; a *= 3; a //= 2; a %= 7; a **= 2; a <<= 1; a >>= 1; a &= 255; a |= 1; a ^= 3
    return a


def f_global():
    global g
    g += 1
    return g


def f_unary(a, b):
    return -a, ~a, +a, not a, not b


def f_arith(a, b):
    return a ** b, a // b, a % b, a / b, a * b - a << 2 >> 1


def f_none(a):
    if a is None:
        return 1
    if a is not None and a in (1, 2):
        return 2
    return 3


def f_swap(a, b):
    a, b = b, a
    x = y = a
    return x - y + a * 10 + b


def f_gen_loop(xs):
    s = 0
    for x in (y * 2 for y in xs):
        s += x
    return s


def f_calls(xs):
    return len(xs) + abs(min(xs)) + max(xs, default=0) * 0 + sum(range(len(xs)))


MODULE_SRC = """
x = 3
y = x * 2 + 1
z = -y if x < y else y
for k in range(4):
    x += k
"""

SAMPLES = [(f_add, (2, 3)), (f_while, (10,)), (f_for, (7,)), (f_for_tail, ([1, 2],)), (f_break_continue, (20,)),
           (f_break_continue, (2,)), (f_nested, (6,)), (f_if, (-3,)), (f_if, (0,)), (f_if, (12,)), (f_if, (5,)),
           (f_andor, (2, 2)), (f_andor, (0, 5)), (f_andor, (3, 1)), (f_chain, (1, 2, 3)), (f_chain, (3, 2, 2)),
           (f_aug, (5, 9)), (f_global, ()), (f_unary, (5, 0)), (f_arith, (7, 3)), (f_none, (None,)),
           (f_none, (2,)), (f_none, (5,)), (f_swap, (4, 9)), (f_calls, ([3, -4, 5],))]


def ops(fn) -> list[tuple[str, object]]:
    """(op, arg) of the function body without RESUME/NOP."""
    return [(i.op, i.arg) for i in normalize(fn.__code__) if i.op not in ("RESUME", "NOP")]


# ---------------------------------------------------------------- a tiny interpreter for canonical Instrs
NULL = object()
BINOPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "<<": operator.lshift,
          ">>": operator.rshift, "&": operator.and_, "|": operator.or_, "^": operator.xor, "@": operator.matmul}
CMPOPS = {"<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne, ">": operator.gt,
          ">=": operator.ge}
UNOPS = {"UNARY_NEGATIVE": operator.neg, "UNARY_INVERT": operator.invert, "UNARY_POSITIVE": operator.pos,
         "UNARY_NOT": operator.not_, "TO_BOOL": bool}


def run_canonical(code, args=(), glob=None, names=None):
    """Execute canonical Instrs; return (result, executed offsets). Checks the stack depth before every
    instruction against static_stack_depths()."""
    instrs = normalize(code)
    first = {}
    for k, i in enumerate(instrs):
        first.setdefault(i.offset, k)
    depths = static_stack_depths(code)
    fast = list(args) + [NULL] * (len(code.co_varnames) - len(args))
    stack: list = []
    seen: list[int] = []
    kwnames: tuple = ()
    k = 0
    while True:
        i = instrs[k]
        if i.index == 0:
            assert len(stack) == depths[i.offset], (i, stack)
            seen.append(i.offset)
        k += 1
        op, arg = i.op, i.arg
        if op in ("RESUME", "NOP"):
            pass
        elif op == "LOAD_FAST":
            assert fast[arg] is not NULL
            stack.append(fast[arg])
        elif op == "STORE_FAST":
            fast[arg] = stack.pop()
        elif op == "LOAD_CONST":
            stack.append(arg)
        elif op == "LOAD_GLOBAL":
            name, push_null = arg
            v = glob[name] if name in glob else getattr(builtins, name)
            stack.extend(([NULL, v] if bc.PUSH_NULL_BELOW_CALLABLE else [v, NULL]) if push_null else [v])
        elif op == "STORE_GLOBAL":
            glob[arg] = stack.pop()
        elif op == "LOAD_NAME":
            stack.append(names[arg] if arg in names else getattr(builtins, arg))
        elif op == "STORE_NAME":
            names[arg] = stack.pop()
        elif op == "PUSH_NULL":
            stack.append(NULL)
        elif op == "KW_NAMES":   # 3.11/3.12; 3.13 passes CALL_KW through unchanged
            kwnames = arg
        elif op in ("CALL", "CALL_KW"):
            if op == "CALL_KW":
                kwnames = stack.pop()
            a, b = stack[-arg - 2], stack[-arg - 1]
            call_args = stack[len(stack) - arg:]
            del stack[-arg - 2:]
            if bc.PUSH_NULL_BELOW_CALLABLE:
                func, self = (b, NULL) if a is NULL else (a, b)
            else:
                func, self = a, b
            kw = dict(zip(kwnames, call_args[len(call_args) - len(kwnames):]))
            call_args = call_args[:len(call_args) - len(kwnames)]
            kwnames = ()
            stack.append(func(*([] if self is NULL else [self]), *call_args, **kw))
        elif op == "BINARY_OP":
            sym, inplace = arg
            rhs = stack.pop()
            stack.append(BINOPS[sym](stack.pop(), rhs))
        elif op == "COMPARE_OP":
            sym, to_bool = arg
            rhs = stack.pop()
            r = CMPOPS[sym](stack.pop(), rhs)
            stack.append(bool(r) if to_bool else r)
        elif op in ("IS_OP", "CONTAINS_OP"):
            rhs = stack.pop()
            lhs = stack.pop()
            stack.append((lhs is rhs if op == "IS_OP" else lhs in rhs) != bool(arg))
        elif op in UNOPS:
            stack.append(UNOPS[op](stack.pop()))
        elif op.startswith("POP_JUMP_IF_"):
            v = stack.pop()
            cond = {"TRUE": bool(v), "FALSE": not v, "NONE": v is None, "NOT_NONE": v is not None}[op[12:]]
            if cond:
                k = first[i.target]
        elif op in ("JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"):
            if bool(stack[-1]) == (op == "JUMP_IF_TRUE_OR_POP"):
                k = first[i.target]
            else:
                stack.pop()
        elif op == "JUMP":
            k = first[i.target]
        elif op == "GET_ITER":
            stack.append(iter(stack.pop()))
        elif op == "FOR_ITER":
            try:
                stack.append(next(stack[-1]))
            except StopIteration:
                stack.pop()
                k = first[i.target]
        elif op == "POP_TOP":
            stack.pop()
        elif op == "COPY":
            stack.append(stack[-arg])
        elif op == "SWAP":
            stack[-1], stack[-arg] = stack[-arg], stack[-1]
        elif op == "BUILD_TUPLE":
            t = tuple(stack[len(stack) - arg:])
            del stack[len(stack) - arg:]
            stack.append(t)
        elif op == "RETURN_VALUE":
            return stack.pop(), seen
        elif op == "RETURN_CONST":
            return arg, seen
        else:
            raise AssertionError(f"canonical interpreter: unexpected op {i}")


def runtime_offsets(fn, args=()) -> list[int]:
    """Offsets of the instructions the real interpreter executes in fn's frame (not RESUME)."""
    code, seen = fn.__code__, []
    if V >= (3, 12):
        mon = sys.monitoring
        tool = next(t for t in range(6) if mon.get_tool(t) is None)
        mon.use_tool_id(tool, "tracejit-test")
        mon.register_callback(tool, mon.events.INSTRUCTION, lambda c, off: seen.append(off) if c is code else None)
        mon.set_local_events(tool, code, mon.events.INSTRUCTION)
        try:
            fn(*args)
        finally:
            mon.set_local_events(tool, code, 0)
            mon.register_callback(tool, mon.events.INSTRUCTION, None)
            mon.free_tool_id(tool)
    else:
        def tracer(frame, event, arg):
            frame.f_trace_opcodes = True
            if event == "opcode" and frame.f_code is code:
                seen.append(frame.f_lasti)
            return tracer
        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            fn(*args)
        finally:
            sys.settrace(old)
    return seen


# ---------------------------------------------------------------- canonical forms
def test_add_canonical_form():
    assert ops(f_add) == [("LOAD_FAST", 0), ("LOAD_FAST", 1), ("BINARY_OP", ("+", False)), ("STORE_FAST", 2),
                          ("LOAD_FAST", 2), ("RETURN_VALUE", None)]


def test_augmented_assignment():
    syms = [a for o, a in ops(f_aug) if o == "BINARY_OP"]
    assert syms == [(s, True) for s in ("+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^")]


def test_global_augmented():
    assert ops(f_global)[:4] == [("LOAD_GLOBAL", ("g", False)), ("LOAD_CONST", 1), ("BINARY_OP", ("+", True)),
                                 ("STORE_GLOBAL", "g")]


def test_load_global_push_null_for_calls():
    assert ("LOAD_GLOBAL", ("len", True)) in ops(f_calls)
    if V < (3, 13):
        assert ("KW_NAMES", ("default",)) in ops(f_calls)


def test_module_level_code():
    code = compile(MODULE_SRC, "<mod>", "exec")
    o = [(i.op, i.arg) for i in normalize(code)]
    assert o[1:5] == [("LOAD_CONST", 3), ("STORE_NAME", "x"), ("LOAD_NAME", "x"), ("LOAD_CONST", 2)]
    ns: dict = {}
    exec(code, ns)
    names: dict = {}
    run_canonical(code, names=names)
    assert {k: names[k] for k in "xyzk"} == {k: ns[k] for k in "xyzk"}


def test_unary_and_not():
    o = [op for op, _ in ops(f_unary)]
    for name in ("UNARY_NEGATIVE", "UNARY_INVERT", "UNARY_POSITIVE", "UNARY_NOT"):
        assert name in o
    assert "CALL_INTRINSIC_1" not in o
    assert ("TO_BOOL" in o) == (V >= (3, 13))


def test_other_intrinsics_keep_name():
    if V >= (3, 12):   # (*a,) builds a list and converts it with an intrinsic
        assert ("CALL_INTRINSIC_1", "INTRINSIC_LIST_TO_TUPLE") in ops(lambda a: (*a,))


def test_binary_symbols():
    syms = [a for o, a in ops(f_arith) if o == "BINARY_OP"]
    assert syms == [("**", False), ("//", False), ("%", False), ("/", False), ("*", False), ("-", False),
                    ("<<", False), (">>", False)]


def test_compare_decoding():
    def h(a, b):
        return a < b, a <= b, a == b, a != b, a > b, a >= b
    assert [a for o, a in ops(h) if o == "COMPARE_OP"] == [(s, False) for s in ("<", "<=", "==", "!=", ">", ">=")]
    # in a condition 3.13 sets the bool-conversion bit (16); 3.11/3.12 have no such bit
    assert [a for o, a in ops(f_if) if o == "COMPARE_OP"] == [(s, V >= (3, 13)) for s in ("<", "==", ">=")]


def test_and_or_value_jumps():
    o = [op for op, _ in ops(f_andor)]
    if V == (3, 11):
        assert "JUMP_IF_FALSE_OR_POP" in o and "JUMP_IF_TRUE_OR_POP" in o
    else:
        assert "JUMP_IF_FALSE_OR_POP" not in o and "COPY" in o


def test_chained_comparison():
    o = ops(f_chain)
    assert [a[0] for op, a in o if op == "COMPARE_OP"] == ["<", "<", "<=", "!=", ">", ">="]
    assert ("SWAP", 2) in o and ("COPY", 2) in o


def test_jumps_are_folded():
    allowed_jumps = {"JUMP", "POP_JUMP_IF_TRUE", "POP_JUMP_IF_FALSE", "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE",
                     "FOR_ITER", "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP"}
    for fn, _ in SAMPLES:
        for i in normalize(fn.__code__):
            assert "FORWARD_IF" not in i.op and "BACKWARD_IF" not in i.op
            if i.target is not None:
                assert i.op in allowed_jumps, i
                assert i.target in instructions_at(fn.__code__), i
            if i.op == "JUMP":
                assert i.arg == ("backward" if i.target <= i.offset else "forward")
            if i.op.startswith("POP_JUMP"):
                assert i.arg is None


def test_precall_and_call():
    o = [i for i in normalize(f_calls.__code__)]
    assert all(i.op != "PRECALL" for i in o)
    if V == (3, 11):
        assert any(i.op == "NOP" and i.real_op == "PRECALL" for i in o)
    assert ("CALL", 1) in ops(f_calls)


def test_superinstructions_expand():
    instrs = normalize(f_swap.__code__)
    parts = [i for i in instrs if i.index == 1]
    if V >= (3, 13):
        assert parts, "3.13 compiles LOAD_FAST_LOAD_FAST / STORE_FAST_STORE_FAST here"
    for p in parts:
        same = instructions_at(f_swap.__code__)[p.offset]
        assert [i.index for i in same] == [0, 1] and same[0].real_op == p.real_op
    # `a, b = b, a` is LOAD b, LOAD a, STORE b, STORE a in execution order on every version
    assert ops(f_swap)[:4] == [("LOAD_FAST", 1), ("LOAD_FAST", 0), ("STORE_FAST", 1), ("STORE_FAST", 0)]


def test_normalize_shape_and_cache():
    code = f_nested.__code__
    instrs = normalize(code)
    assert all(i.real_op != "CACHE" for i in instrs)
    assert [i.offset for i in instrs] == sorted(i.offset for i in instrs)
    assert instructions_at(code) is instructions_at(code)
    assert [i for lst in instructions_at(code).values() for i in lst] == instrs
    assert instrs[1].line == code.co_firstlineno + 1
    # artificial instructions may have no line (3.11: the back-edge JUMP of the outer loop here)
    assert all(i.line is not None for i in instrs if i.op not in ("RESUME", "JUMP"))


# ---------------------------------------------------------------- loops
def dis_backward_targets(fn) -> set[int]:
    jumps = set(dis.hasjrel) | set(dis.hasjabs)
    return {i.argval for i in dis.get_instructions(fn) if i.opcode in jumps and i.argval <= i.offset}


def test_loop_headers_while():
    code = f_while.__code__
    hs = loop_headers(code)
    assert len(hs) == 1 and hs == {t for _, t in back_edges(code)} == dis_backward_targets(f_while)
    (h,) = hs
    assert instructions_at(code)[h][0].op == "LOAD_FAST"   # 3.11: body start; 3.12+: condition re-test
    assert all(src > h for src, _ in back_edges(code))


def test_loop_headers_for():
    code = f_for.__code__
    for_iter = [i.offset for i in normalize(code) if i.op == "FOR_ITER"]
    assert loop_headers(code) == set(for_iter) == dis_backward_targets(f_for)


def test_loop_headers_nested_and_break():
    assert len(loop_headers(f_nested.__code__)) == 2
    assert loop_headers(f_nested.__code__) == dis_backward_targets(f_nested)
    assert loop_headers(f_break_continue.__code__) == dis_backward_targets(f_break_continue)
    assert len(loop_headers(f_break_continue.__code__)) == 2


# FOR_ITER exit_target notes (verified below against the running interpreter):
#   3.11: exhaustion jumps to the first instruction after the loop (== dis argval);
#   3.12: dis argval is the END_FOR, but FOR_ITER pops the iterator and skips END_FOR -> END_FOR + 2;
#   3.13: dis argval is END_FOR, followed by POP_TOP; both are skipped -> END_FOR + 4.
@pytest.mark.parametrize("fn,args", [(f_for, (3,)), (f_for, (0,)), (f_for_tail, ([1, 2],)), (f_nested, (4,)),
                                     (f_break_continue, (5,)), (f_gen_loop, ([1, 2],))])
def test_for_iter_exit_target_is_what_runs_next(fn, args):
    code = fn.__code__
    fors = {i.offset: i for i in normalize(code) if i.op == "FOR_ITER"}
    seen = runtime_offsets(fn, args)
    checked = 0
    for k, off in enumerate(seen[:-1]):
        if off in fors and seen[k + 1] != fors[off].offset + 2 * (1 + bc._V.for_iter_caches):
            assert seen[k + 1] == fors[off].target, (off, seen)
            checked += 1
    assert checked >= 1
    for i in fors.values():
        raw = next(d.argval for d in dis.get_instructions(code) if d.offset == i.offset)
        skipped = [x.op for x in normalize(code) if raw <= x.offset < i.target]
        assert skipped == {(3, 11): [], (3, 12): ["END_FOR"], (3, 13): ["END_FOR", "POP_TOP"]}[V]
        assert all(x.arg == {(3, 12): 2, (3, 13): 1}[V] for x in normalize(code) if x.op == "END_FOR")


# ---------------------------------------------------------------- semantics and runtime agreement
@pytest.mark.parametrize("fn,args", SAMPLES)
def test_canonical_interpreter_matches_cpython(fn, args):
    global g
    g = 5
    expected = fn(*args)
    g = 5
    glob = fn.__globals__
    got, seen = run_canonical(fn.__code__, args, glob)
    assert got == expected
    # the offsets the canonical semantics visit are exactly the ones CPython reports executing
    g = 5
    real = runtime_offsets(fn, args)
    assert [o for o in seen if instructions_at(fn.__code__)[o][0].op != "RESUME"] == real


def test_extended_arg_kept_as_nop():
    src = ("def big(n):\n" + "".join(f"    x{k} = {k}\n" for k in range(300))
           + "    while x299 < n:\n        x299 += 1\n    return x299\n")
    ns: dict = {}
    exec(src, ns)
    big = ns["big"]
    code = big.__code__
    at = instructions_at(code)
    ext = [i for i in normalize(code) if i.real_op == "EXTENDED_ARG"]
    assert ext and all(i.op == "NOP" for i in ext)
    assert ("STORE_FAST", 300) in [(i.op, i.arg) for i in normalize(code)]
    assert (loop_headers(code) <= {i.offset for i in ext})   # the header LOAD_FAST x299 has a prefix
    real = runtime_offsets(big, (303,))
    assert all(o in at for o in real)
    got, seen = run_canonical(code, (303,), {})
    assert got == 303
    canon = [o for o in seen if at[o][0].op != "RESUME"]
    if bc.TRACE_SKIPS_AFTER_EXTENDED_ARG:   # 3.11 settrace: no event for the instruction after the prefix
        ext_offs = {i.offset for i in ext}
        canon = [o for k, o in enumerate(canon) if not (k and canon[k - 1] in ext_offs)]
    assert canon == real


# ---------------------------------------------------------------- stack depths
def check_depths(code):
    depths = static_stack_depths(code)
    at = instructions_at(code)
    assert depths and min(depths.values()) >= 0
    for off, d in depths.items():
        for i in at[off]:
            d += stack_effect(i, False)
            assert 0 <= d <= code.co_stacksize, (i, d)
        assert depths[off] <= code.co_stacksize
    for i in normalize(code):
        if i.target is not None and i.offset in depths:
            assert i.target in depths


@pytest.mark.parametrize("fn", sorted({fn for fn, _ in SAMPLES}, key=lambda f: f.__name__))
def test_static_stack_depths_samples(fn):
    check_depths(fn.__code__)
    # every instruction is reachable (END_FOR via the generator-return edge of FOR_ITER)
    assert set(static_stack_depths(fn.__code__)) == set(instructions_at(fn.__code__))


def test_for_iter_stack_effects():
    code = f_for.__code__
    fi = next(i for i in normalize(code) if i.op == "FOR_ITER")
    d = static_stack_depths(code)
    assert d[fi.target] == d[fi.offset] - 1 and stack_effect(fi, False) == 1
    if V >= (3, 12):   # END_FOR reached by a returning generator: [iter, value]
        end_for = next(i for i in normalize(code) if i.op == "END_FOR")
        assert d[end_for.offset] == d[fi.offset] + 1


def test_static_stack_depths_stdlib_sample():
    import argparse
    import json.decoder
    import textwrap
    for mod in (argparse, json.decoder, textwrap, dis):
        with open(mod.__file__, encoding="utf-8") as fh:
            stack = [compile(fh.read(), mod.__file__, "exec")]
        while stack:
            code = stack.pop()
            check_depths(code)
            stack.extend(c for c in code.co_consts if hasattr(c, "co_code"))


def test_stack_depths_try_and_generators():
    def h(xs):
        try:
            return [x * 2 for x in xs]
        except TypeError as e:
            return str(e)
        finally:
            xs = None

    def gen(n):
        for i in range(n):
            yield i
    for code in (h.__code__, gen.__code__):
        check_depths(code)


# ---------------------------------------------------------------- formatting
def test_format_instrs():
    text = format_instrs(normalize(f_for.__code__))
    lines = text.splitlines()
    assert len(lines) == len(normalize(f_for.__code__))
    assert any("BINARY_OP" in ln and "('+', True)" in ln for ln in lines)
    assert any("JUMP" in ln and "->" in ln and "[JUMP_BACKWARD]" in ln for ln in lines)
    assert any(ln.split()[0] == "0" and "RESUME" in ln for ln in lines)
    one = format_instrs([Instr(8, "LOAD_FAST", 2, None, 7, 1, "LOAD_FAST_LOAD_FAST")])
    assert one.split() == ["8.1", "7", "LOAD_FAST", "2", "[LOAD_FAST_LOAD_FAST]"]


def _code_objects(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield from _code_objects(c)


def _with_stdlib_code(src: str) -> list:
    """The code objects of `src` (compiled as "<long>"), then those of every standard-library module loaded here."""
    codes = list(_code_objects(compile(src, "<long>", "exec")))
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and path.endswith(".py") and "tracejit" not in path:
            try:
                codes += _code_objects(compile(Path(path).read_text(encoding="utf-8"), path, "exec"))
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                continue
    return codes


def test_raw_back_edges_agree_with_the_bytecode_layer():
    """The hooks' scan of co_code (no dis at start-up) finds exactly the bytecode layer's back-edges: over the
    standard library's modules loaded here, and a function long enough for EXTENDED_ARG jumps."""
    from tracejit.cpython.entrycheck import raw_back_edges
    body = "".join(f"            x{k} = i * {k} + x\n" for k in range(300))
    codes = _with_stdlib_code(f"def long(n):\n    x = 0\n    while x < n:\n        for i in range(3):\n{body}"
                              f"        x += 1\n")
    assert len(codes) > 1000
    assert any(max((src - h for src, h in back_edges(c)), default=0) > 512 for c in codes)    # EXTENDED_ARG
    for c in codes:
        assert sorted(raw_back_edges(c)) == sorted(back_edges(c)), c


def test_raw_for_iter_at_agrees_with_the_bytecode_layer():
    """The engine's co_code check of a loop header (is it a FOR_ITER: are the loop's runs counted) gives the
    bytecode layer's answer at every loop header of the standard library's modules loaded here, and of a `for`
    loop whose FOR_ITER needs an EXTENDED_ARG prefix (its header is the prefix's offset, where the layer has a
    NOP: the judgement's earlier check read that NOP and never judged such a loop)."""
    from tracejit.cpython.bytecode import instructions_at
    from tracejit.cpython.entrycheck import raw_for_iter_at
    body = "".join(f"        x{k} = i * {k}\n" for k in range(300))
    codes = _with_stdlib_code(f"def long(n):\n    for i in range(n):\n{body}")
    headers = fors = 0
    for c in codes:
        at = instructions_at(c)
        for _, header in back_edges(c):
            headers += 1
            k = header
            while at.get(k) and at[k][0].real_op == "EXTENDED_ARG":      # the layer's NOP before the jump target
                k += 2
            expected = bool(at.get(k)) and at[k][0].op == "FOR_ITER"
            fors += expected
            assert raw_for_iter_at(c, header) == expected, (c, header)
    assert headers > 1000 and 0 < fors < headers
    long_code = next(c for c in codes if c.co_name == "long")
    (_, header), = back_edges(long_code)
    assert long_code.co_code[header] == dis.opmap["EXTENDED_ARG"] and raw_for_iter_at(long_code, header)


# ---------------------------------------------------------------- the decoder against dis
_TRICKY = '''
import sys
def big(n):
''' + "".join(f"    x{k} = {k} * n\n" for k in range(300)) + '''
    while x299 < n:
        x299 += 1
        if x299 % 7 == 3:
            continue
    return x299
def fstrings(a, b):
    return f"{a!r:>10} {b!s} {a!a} {b:{a}} {a}"
def match(p):
    match p:
        case [1, *rest] if rest:
            return rest
        case {"k": v, **kw}:
            return v, kw
        case str() | bytes() as s:
            return s
    return None
async def agen(xs):
    async with xs as y:
        async for z in y:
            yield z
def closures(a):
    b = a
    def inner(c):
        nonlocal b
        b += c
        return b, a, super
    return inner
class C(dict):
    def m(self, *a, k=1, **kw):
        return super().get(a, k), [i for i in a if i], {i: j for i, j in kw.items()}
def excepts(x):
    try:
        return 1 / x
    except* ZeroDivisionError as e:
        raise ValueError from e
    finally:
        del x
def ops(a, b):
    a @= b; a **= 2; a //= b; a <<= 1; a >>= 1; a ^= b; a |= b; a &= b
    return not a, -a, ~a, +a, a is b, a is not b, a in b, a not in b, a <= b < 3 != a, b[1:2], b[::2]
'''


def _codes(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield from _codes(c)


def test_raw_instructions_agree_with_dis():
    """raw_instructions (the JIT's own decoder of co_code) gives what dis.get_instructions gives, field by field, as
    the canonical Instrs made from either: over tricky constructs (EXTENDED_ARG, f-strings, match, async,
    closures, super, except*, every operator) and a sample of the standard library."""
    import argparse
    import json.decoder
    import textwrap
    import typing
    sources = [(_TRICKY, "<tricky>")]
    for mod in (argparse, json.decoder, textwrap, dis, typing, operator):
        with open(mod.__file__, encoding="utf-8") as fh:
            sources.append((fh.read(), mod.__file__))
    checked = 0
    for text, name in sources:
        for code in _codes(compile(text, name, "exec")):
            ref = list(dis.get_instructions(code))
            raw = bc.raw_instructions(code)
            assert [(r.offset, r.opname, r.opcode, r.arg, r.positions.lineno) for r in ref] == \
                [(r.offset, r.opname, r.opcode, r.arg, r.lineno) for r in raw], code
            for r, w in zip(ref, raw):
                assert r.argval == w.argval or (r.argval != r.argval and w.argval != w.argval) or \
                    (r.argval is dis.UNKNOWN and w.argval is bc.UNKNOWN), (code, r, w)
                if r.opname == "CALL_INTRINSIC_1":
                    assert r.argrepr == w.argrepr
            via_dis = bc._convert(code, ref)
            assert via_dis == bc._convert(code) and [i.oparg for i in via_dis] == [i.oparg for i in bc.normalize(code)]
            checked += 1
    # a code object made with an empty line table (as bytecode rewriters make them): no lines, as dis says
    bare = big_code = next(c for c in _codes(compile(_TRICKY, "t", "exec")) if c.co_name == "big")
    bare = bare.replace(co_linetable=b"")
    ref = list(dis.get_instructions(bare))
    assert [r.positions.lineno for r in ref] == [r.lineno for r in bc.raw_instructions(bare)]
    assert bc._convert(bare, ref) == bc._convert(bare) and all(i.line is None for i in bc._convert(bare))
    big = big_code
    assert checked > 500 and any(i.real_op == "EXTENDED_ARG" for i in bc.normalize(big))


# ------------------------------------------------------------------------------------------------------------
# reaching: the offsets from which control can come back to a loop's header (a bridge that cannot is not recorded)

def f_loop_with_handlers(items):
    out = 0
    for x in items:
        try:
            out += 10 // x
        except ZeroDivisionError:
            continue
        except TypeError:
            return -1
        if x > 5:
            break
    return out


@pytest.mark.parametrize("fn, runs", [
    (f_while, [(5,), (0,)]),
    (f_nested, [(6,)]),
    (f_loop_with_handlers, [([1, 0, 2, 7, 3],), ([1, "a", 2],), ([0, 0],)]),
])
def test_reaching_holds_every_offset_the_interpreter_went_from_to_a_header(fn, runs):
    code = fn.__code__
    for header in loop_headers(code):
        back = reaching(code, header)
        assert header in back and all(src in back for src, h in back_edges(code) if h == header)
        for args in runs:
            ran = runtime_offsets(fn, args)
            assert ran, "no opcode events"
            last = max((k for k, off in enumerate(ran) if off == header), default=-1)
            # everything run before the header's last visit came back to it; nothing after it did
            assert all(off in back for off in ran[:last + 1]), (fn.__name__, header, ran)
    # what only leads out is not there: the returns after the loop, the handler that returns
    ret = [i.offset for i in normalize(code) if i.op in ("RETURN_VALUE", "RETURN_CONST")]
    for header in loop_headers(code):
        assert not set(ret) & reaching(code, header)


def test_reaching_through_an_enclosing_loop_and_a_handler():
    inner = max(loop_headers(f_nested.__code__))
    outer = min(loop_headers(f_nested.__code__))
    # the outer loop's header leads to the inner one (its next pass runs it again)
    assert outer in reaching(f_nested.__code__, inner)
    code = f_loop_with_handlers.__code__
    header = next(iter(loop_headers(code)))
    handlers = {e.target for e in dis.Bytecode(code).exception_entries}
    back = reaching(code, header)
    # the ZeroDivisionError handler continues the loop; its matching code and the `continue` lead back
    assert handlers & back
    # the TypeError branch returns -1: its LOAD_CONST/RETURN never lead back
    minus_one = [i.offset for i in normalize(code) if i.op in ("LOAD_CONST", "RETURN_CONST") and i.arg == -1]
    assert minus_one and not set(minus_one) & back


def test_raw_branches_into_agree_with_dis():
    """The entry tests of each loop header (the forward conditional jumps before it that go to it, taken or
    not), read from co_code, are what `dis` says: over the standard library's modules loaded here and a `while`
    loop whose entry test needs an EXTENDED_ARG."""
    from tracejit.cpython.entrycheck import raw_branches_into
    body = "".join(f"        x{k} = i * {k}\n" for k in range(300))
    codes = _with_stdlib_code(f"def long(n, i):\n    while i < n and n > 0:\n{body}        i += 1\n")
    found = 0
    for c in codes:
        instrs = list(dis.get_instructions(c))
        after = {ins.offset: (instrs[k + 1].offset if k + 1 < len(instrs) else None) for k, ins in enumerate(instrs)}
        for _, header in back_edges(c):
            expected = {ins.offset for ins in instrs
                        if ins.offset < header and "POP_JUMP" in ins.opname and "_IF_" in ins.opname
                        and "BACKWARD" not in ins.opname and header in (ins.argval, after[ins.offset])}
            assert raw_branches_into(c, header) == expected, (c, header)
            found += bool(expected)
    assert found > 100
    long_code = next(c for c in codes if c.co_name == "long")
    (_, header), = back_edges(long_code)
    (test,) = raw_branches_into(long_code, header) if sys.version_info >= (3, 12) else (None,)
    assert sys.version_info < (3, 12) or long_code.co_code[test - 2] == dis.opmap["EXTENDED_ARG"]


def test_exception_entries_agree_with_dis():
    """The layer's own reading of the exception table (it does not import dis) gives dis's entries."""
    import argparse
    import json.decoder
    seen = 0
    for mod in (argparse, json.decoder, dis):
        with open(mod.__file__, encoding="utf-8") as fh:
            top = compile(fh.read(), mod.__file__, "exec")
        for code in _codes(top):
            ref = [(e.start, e.end, e.target, e.depth, e.lasti) for e in dis.Bytecode(code).exception_entries]
            assert bc.exception_entries(code) == ref, code
            seen += len(ref)
    assert seen > 100


def test_the_bytecode_layer_does_not_import_dis():
    """A recording decodes bytecode without `dis` (and the `collections` it imports): checked in a fresh
    interpreter, where nothing else has imported them."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", "import sys, tracejit.cpython.bytecode as b; "
                          "b.static_stack_depths(b.normalize.__code__); print('dis' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out
