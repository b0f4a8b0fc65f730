"""The recorder's output, seen through the engine: compile small functions in-process with
`tracejit.enable(threshold=2)` and inspect `tracejit.engine().all_loops` (optimized trace, per-pass text,
exits). Every function's result is also checked against its plain CPython result."""
from __future__ import annotations

import copy
import dis
import re
import sys

import pytest

import tracejit
from tracejit.ir import IRError, Kind, format_trace, verify


def sum_range(n):
    s = 0
    for i in range(n):
        s += i
    return s


def float_loop(n):
    x = 0.5
    for i in range(n):
        x = x * 1.5 - 0.25
        if x > 100.0:
            x = 0.5
    return x


def int_float_mix(n):
    t = 0.0
    for i in range(n):
        t = t + i
    return t


def cube_sum(n):
    s = 0
    for x in range(n):
        s += x ** 3
    return s


def helper(x):
    return x - 50


def with_call(n):
    s = 0
    for i in range(n):
        s += helper(i)          # a Python function: inlined
    return s


def with_builtins(n):
    s = 0
    for i in range(n):
        s += abs(i - 50) + max(i, 7) + len([])
    return s


def offsets(func, opname: str, argrepr: str | None = None) -> list[int]:
    return [ins.offset for ins in dis.get_instructions(func)
            if ins.opname == opname and (argrepr is None or ins.argrepr == argrepr)]


def compile_and_get(func, *args):
    """Run func plainly, then under the JIT; returns (the loop compiled for func, stats)."""
    expected = func(*args)
    with tracejit.enable(threshold=2):
        got = func(*args)
    assert got == expected and type(got) is type(expected)
    st = tracejit.stats()
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]
    return loops, st


def only_loop(func, *args):
    loops, st = compile_and_get(func, *args)
    assert len(loops) == 1, f"{func.__name__}: {len(loops)} compiled loops; stats {st}"
    assert st["native_entries"] >= 1, st
    return loops[0]


def body_ops(trace) -> list[str]:
    return [op.name for op in trace.ops]


# ------------------------------------------------------------------------------------------------------------


def test_range_sum_trace(fresh_engine):
    loop = only_loop(sum_range, 300)
    block = loop.blocks[0]
    trace = block.trace
    text = format_trace(trace)
    (for_iter,) = offsets(sum_range, "FOR_ITER")
    (add,) = offsets(sum_range, "BINARY_OP", "+=")

    assert loop.header_pc == trace.header_pc == for_iter
    assert "int_add_ovf(" in text
    assert "jump(" in text
    assert text.splitlines()[-1].startswith("jump(")
    assert re.search(r"^label\(", text, re.M)

    # the range-exhaustion guard: guard_true(remaining > 0), exiting to the FOR_ITER itself
    exhaustion = [op for op in trace.ops if op.name == "guard_true" and op.snapshot.pc == for_iter]
    assert len(exhaustion) == 1, text
    guard = exhaustion[0]
    cond = [op for op in trace.ops if op.result is guard.args[0]]
    assert cond and cond[0].name == "int_gt", text
    info = loop.exits[guard.exit_id]
    assert info.pc == for_iter
    assert info.reason == "loop exit"
    assert info.stack == []
    assert re.search(rf"guard_true\(b\d+\)\s+-> #{info.exit_id} @{for_iter} \[", text), text

    # the overflow guard of `s += i` exits to the BINARY_OP with both operands on the stack
    ovf = [op for op in trace.ops if op.name == "int_add_ovf"]
    assert len(ovf) == 1
    info = loop.exits[ovf[0].exit_id]
    assert info.pc == add and info.reason == "overflow" and len(info.stack) == 2

    # one text per pass, in pipeline order, each still containing the loop's add
    names = [name for name, _ in block.stages]
    assert names == ["recorded", "fold_constants", "guard_implied_constants", "common_subexpressions",
                     "remove_redundant_guards", "remove_dead_code", "hoist_loop_invariants",
                     "remove_negative_index_checks"]
    for name, stage_text in block.stages:
        assert "int_add_ovf(" in stage_text and "jump(" in stage_text, name
    assert body_ops(trace)[:2] == ["label", "guard_budget"]


def test_float_loop_uses_float_ops(fresh_engine):
    trace = only_loop(float_loop, 200).blocks[0].trace
    names = body_ops(trace)
    text = format_trace(trace)
    for op in ("float_mul", "float_sub", "float_gt"):
        assert op in names, text
    assert "int_to_float" not in names
    assert not [n for n in names if n.startswith("int_") and n.endswith("_ovf")], text
    x_inputs = [v for sv, v in trace.inputs if sv.where == "fast" and sv.name == "x"]
    assert x_inputs and x_inputs[0].kind.value == "f"
    assert "float_select(" in text             # the `if x > 100.0`: both ways computed, no guard
    assert "guard_false(" not in text


def test_int_float_mix_converts(fresh_engine):
    trace = only_loop(int_float_mix, 200).blocks[0].trace
    names = body_ops(trace)
    assert "int_to_float" in names, format_trace(trace)
    assert "float_add" in names
    conv = [op for op in trace.ops if op.name == "int_to_float"][0]
    add = [op for op in trace.ops if op.name == "float_add"][0]
    assert conv.result in add.args


def test_int_cube_becomes_multiplies(fresh_engine):
    trace = only_loop(cube_sum, 200).blocks[0].trace
    names = body_ops(trace)
    text = format_trace(trace)
    assert names.count("int_mul_ovf") == 2, text
    assert not [n for n in names if "pow" in n], text
    assert "int_add_ovf" in names


def star_helper(*x):
    return x[0] - 50


def with_star_call(n):
    s = 0
    for i in range(n):
        s += star_helper(i)
    return s


def test_loop_with_call_inlines_it(fresh_engine):
    """A call of a module-level Python function is inlined: the trace does its arithmetic, no call is left,
    the function is pinned and the loop records the code and defaults it inlined."""
    loop = only_loop(with_call, 300)
    trace = loop.blocks[0].trace
    names = body_ops(trace)
    assert "int_sub_ovf" in names and not any("call" in n for n in names), names
    (pin,) = [p for p in loop.layout.pins if p.name == "helper"]
    assert pin.expected is helper and loop.layout.inlined[id(helper)].code is helper.__code__
    assert loop.layout.inline_depth == 1
    assert any(text.startswith("  helper:") for _, text in trace.recorded), trace.recorded


def test_loop_with_call_of_star_args(fresh_engine):
    """A function with *args is not inlined: on 3.12+ it is called on the generic path (py_call), on 3.11 the
    recording aborts and names it."""
    expected = with_star_call(300)
    with tracejit.enable(threshold=2, cost_model=0):
        assert with_star_call(300) == expected
    st = tracejit.stats()
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is with_star_call.__code__]
    if sys.version_info >= (3, 12):
        assert len(loops) == 1, st
        assert "py_call" in body_ops(loops[0].blocks[0].trace), loops[0].blocks[0].stages[-1][1]
    else:
        assert loops == [] and st["traces_compiled"] == 0, st
        assert any("*args" in reason for reason in st["aborts"]), st["aborts"]


def test_builtin_calls_become_ops(fresh_engine):
    """abs/max on ints become ops; len of a list literal built in the loop makes the list (new_list) and reads
    its length."""
    loops, st = compile_and_get(with_builtins, 300)
    assert len(loops) == 1, st["aborts"]
    text = loops[0].blocks[0].stages[-1][1]
    assert "new_list(" in text and "list_len(" in text, text

    def f(n):
        s = 0
        for i in range(n):
            s += abs(i - 50) + max(i, 7) - min(i, 100)
        return s
    loops, st = compile_and_get(f, 300)
    text = loops[0].blocks[0].stages[-1][1]
    assert "int_abs_ovf(" in text and "int_max(" in text and "int_min(" in text, text
    assert [p.name for p in loops[0].layout.pins] == ["abs", "max", "min"]


def test_traces_verify(fresh_engine):
    for func, arg in ((sum_range, 300), (float_loop, 200), (int_float_mix, 200), (cube_sum, 200)):
        only_loop(func, arg)
    loops = tracejit.engine().all_loops
    assert len(loops) == 4
    for loop in loops:
        for block in loop.blocks:
            verify(block.trace)
    # ... and verify does reject a broken trace
    broken = copy.copy(loops[0].blocks[0].trace)
    broken.ops = broken.ops[1:]                 # no label
    with pytest.raises(IRError):
        verify(broken)
    broken.ops = loops[0].blocks[0].trace.ops[:-1]   # no jump
    with pytest.raises(IRError):
        verify(broken)


def test_state_layout_extend_is_all_or_nothing():
    """A bridge that fails to compile must leave the loop's layout as it was: an earlier version added two
    of a range iterator's three fields before a conflict (the same global as float and as int) stopped it,
    and the loop's next entry failed on the missing field (found by the fuzzer)."""
    from tracejit.ir import Kind, StateLayout, StateVar
    layout = StateLayout()
    layout.add(StateVar("fast", 0), Kind.INT)
    before = (dict(layout.slots), dict(layout.kinds))
    it = [(StateVar("iter", (0, f)), Kind.INT) for f in ("next", "remaining", "step")]
    g = StateVar("global", "g0")
    for pairs in ([it[0], it[1], (g, Kind.FLOAT), (g, Kind.INT), it[2]],          # conflict inside the batch
                  [it[0], it[1], (StateVar("fast", 0), Kind.FLOAT), it[2]]):     # conflict with the loop
        with pytest.raises(ValueError):
            layout.extend(pairs)
        assert (layout.slots, layout.kinds) == before
    layout.extend(it + [(g, Kind.FLOAT), (g, Kind.FLOAT)])
    assert {sv.key for sv in layout.slots} == {0, (0, "next"), (0, "remaining"), (0, "step"), "g0"}


def _example(name: str):
    """A module from examples/ (the programs the README and docs show)."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


julia_z = _example("julia").calculate_z        # the Julia set loop of "High Performance Python"


def test_complex_numbers_stay_unboxed(fresh_engine):
    """z * z + c on complex locals: two doubles each; CPython's _Py_c_prod and _Py_c_sum become float ops
    (z * z: re*re - im*im and re*im + im*re, where CSE shares re*im), abs(z) one complex_abs; no object is
    read or made in the loop."""
    zs = [complex(-1.5 + 0.01 * k, 0.3 - 0.004 * k) for k in range(300)]
    cs = [complex(-0.62772, -0.42193)] * len(zs)
    loops, st = compile_and_get(julia_z, 100, zs, cs)
    inner = [lp for lp in loops if "complex_abs" in body_ops(lp.blocks[0].trace)]
    assert inner, st
    loop_ops = body_ops(inner[0].blocks[0].trace)
    assert loop_ops.count("float_mul") == 3 and loop_ops.count("complex_abs") == 1, loop_ops
    assert loop_ops.count("float_add") + loop_ops.count("float_sub") == 4, loop_ops
    assert not {"guard_class", "complex_real", "list_getitem"} & set(loop_ops), loop_ops
    names = {str(sv) for sv in inner[0].layout.slots}
    assert {"z.real", "z.imag", "c.real", "c.imag"} <= names, names
    # the inner loop's exit runs the for loop in machine code: a bridge reads the next z and c from the lists
    bridges = [b.trace for b in inner[0].blocks[1:]]
    assert any("complex_real" in body_ops(t) and "list_setitem_int" in body_ops(t) for t in bridges), \
        [body_ops(t) for t in bridges]


def test_complex_values_written_back(fresh_engine):
    """A complex local is written back as one complex object, equal bit for bit (signed zeros too)."""
    def f(n):
        z = complex(0.0, -0.0)
        w = 1j
        for i in range(n):
            z = z * w + (-0.0)
            w = -w * complex(1, 0)
        return z, w
    expected = f(301)
    with tracejit.enable(threshold=2):
        got = f(301)
    assert repr(got) == repr(expected)
    assert tracejit.stats()["native_entries"] >= 1


def test_complex_unsupported_operations_abort(fresh_engine):
    def power(n):
        z = 1 + 1j
        for i in range(n):
            z = z ** 2 * 0.5
        return z
    loops, st = compile_and_get(power, 200)
    assert loops == [] and any("operator ** on complex" in r for r in st["aborts"]), st["aborts"]


def test_loop_whose_for_iter_needs_extended_arg(fresh_engine):
    """A long loop body makes FOR_ITER's jump need an EXTENDED_ARG prefix; on 3.11 settrace reports only the
    prefix, and the recorder must run the FOR_ITER with it (loops, and bridges that restart the loop)."""
    body = "\n".join(f"            s += j * {k}" for k in range(120))
    src = f"def f(n, m):\n    s = 0\n    for i in range(n):\n        for j in range(m):\n{body}\n    return s\n"
    ns: dict = {}
    exec(compile(src, "<long_body>", "exec"), ns)
    f = ns["f"]
    assert any(ins.opname == "EXTENDED_ARG" for ins in dis.get_instructions(f))
    loops, st = compile_and_get(f, 60, 40)
    assert loops and st["native_entries"] >= 1, st
    assert not any("unexpected control flow" in r or "bridge starts at" in r for r in st["aborts"]), st["aborts"]


def mod_index(a, n):
    s = 0
    for i in range(n):
        s += a[i % 3]
    return s


@pytest.mark.parametrize("optimize", [0, 1])
def test_every_guard_owns_its_exit(fresh_engine, optimize):
    """Guards recorded at one instruction share its snapshot, but each has its own exit: with the optimizer
    off (no guard removed), `a[i % 3]` records several guards per instruction, and every one of them must
    report itself, not the last guard that shared its snapshot."""
    expected = mod_index([1, 2, 3], 300)
    with tracejit.enable(threshold=2, optimize=optimize):
        assert mod_index([1, 2, 3], 300) == expected
    (loop,) = [lp for lp in tracejit.engine().all_loops if lp.code is mod_index.__code__]
    guards = loop.blocks[0].trace.guards()
    snapshots = {id(g.snapshot) for g in guards}
    if not optimize:
        assert len(snapshots) < len(guards)        # the recording shares snapshots between guards
    ids = [g.exit_id for g in guards]
    assert sorted(ids) == list(range(len(guards))), ids
    assert sorted(loop.exits) == ids and all(f"{g.name}(" in loop.exits[g.exit_id].guard for g in guards)


def test_snapshot_chains_share_their_parents():
    """A snapshot is one frame's state linked to its caller's: the chain, its values and copies made by the
    optimizer keep a parent shared between the snapshots that share it."""
    from tracejit.ir import Kind, Snapshot, StateVar, VarFactory
    vf = VarFactory()
    a, b, c = vf.new(Kind.INT), vf.new(Kind.INT), vf.new(Kind.REF)
    caller = Snapshot(10, {StateVar("fast", 0, "x"): a}, [c])
    first = Snapshot(2, {}, [b], code=helper.__code__, parent=caller)
    second = Snapshot(6, {}, [], code=helper.__code__, parent=caller)
    assert first.frames() == [caller, first]
    assert first.values() == [a, c, b]
    copies: dict = {}
    mapped = [s.map(lambda v: {id(a): b}.get(id(v), v), copies) for s in (first, second)]
    assert mapped[0].parent is mapped[1].parent is not caller
    assert mapped[0].parent.state[StateVar("fast", 0, "x")] is b and mapped[0].stack == [b]
    from tracejit.ir import format_snapshot
    text = format_snapshot(first, 7)
    assert text.startswith("#7 @2 [") and "<- loop@10 [x=i0 | stack r2]" in text, text


def test_every_handler_is_checked_against_the_bytecode_stack_effects(fresh_engine, monkeypatch, capfd):
    """The recorder runs each instruction's handler from one table keyed by canonical opcode and checks the
    stack change against the bytecode layer's stack effect: a handler that disagrees is a JIT bug, caught
    (the loop is left to the interpreter, the program's result unchanged)."""
    from tracejit.cpython.bytecode import normalize
    from tracejit.recorder import handlers
    ops = {ins.op for ins in normalize(sum_range.__code__)}
    assert {"LOAD_FAST", "STORE_FAST", "BINARY_OP"} <= ops and ops - {"FOR_ITER", "RETURN_VALUE", "END_FOR",
                                                                         "POP_TOP", "GET_ITER", "LOAD_GLOBAL",
                                                                         "CALL", "PUSH_NULL", "RETURN_CONST",
                                                                         "JUMP"} <= set(handlers.HANDLERS)

    def load_twice(rec, ins, view):          # pushes one item too many
        handlers.load_fast(rec, ins, view)
        handlers.load_fast(rec, ins, view)
    monkeypatch.setitem(handlers.HANDLERS, "LOAD_FAST", load_twice)
    expected = sum_range(300)
    with tracejit.enable(threshold=2):
        assert sum_range(300) == expected
    assert "LOAD_FAST changed the stack by 2, the interpreter by 1" in capfd.readouterr().err
    st = tracejit.stats()
    assert st["internal_errors"] == 1 and st["traces_compiled"] == 0, st


def fact(k):
    if k <= 1:
        return 1
    return k * fact(k - 1)


def with_recursion(n):
    s = 0
    for i in range(n):
        s += fact(3)
    return s


@pytest.mark.parametrize("depth, compiled", [(0, sys.version_info >= (3, 12)), (2, sys.version_info >= (3, 12)),
                                             (3, True)])
def test_inline_depth_parameter(fresh_engine, depth, compiled):
    """`inline_depth` bounds the calls inlined inside one another: fact(3) needs 3 frames (with 0, the loop's
    call of fact is made on the generic path on 3.12+, where there is one; with 2, the recording that finds the
    calls nested too deep is followed by one that calls fact from the loop's frame on the generic path: the
    not_inlined hint). (A code object of its own per case: on 3.11 a loop given up stays marked on its code
    object for the process.)"""
    import types
    fn = types.FunctionType(with_recursion.__code__.replace(co_name=f"with_recursion_{depth}"), globals())
    expected = with_recursion(300)
    with tracejit.enable(threshold=2, inline_depth=depth, cost_model=0):
        assert fn(300) == expected
    st = tracejit.stats()
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is fn.__code__]
    assert bool(loops) is compiled, st
    if compiled:
        assert loops[0].layout.inline_depth == (depth if depth != 2 else 0)
    if depth:
        reason = "calls nested too deep to inline"
        assert (reason in st["aborts"]) is (depth == 2), st["aborts"]
    if not compiled:
        reason = "inlining is off (inline_depth=0)" if depth == 0 else "calls nested too deep to inline"
        assert reason in st["aborts"], st["aborts"]


def append_keyword(n):
    a = []
    s = 0
    for i in range(n):
        try:
            a.append(x=i)
        except TypeError:
            s += 1
    return s, len(a)


def test_append_with_a_keyword_is_not_recorded(fresh_engine):
    """list.append takes no keywords: the recording stops at the call (the interpreter raises the TypeError)
    instead of recording an append the interpreter never makes."""
    expected = append_keyword(300)
    with tracejit.enable(threshold=2):
        assert append_keyword(300) == expected
    assert "call with keyword arguments" in tracejit.stats()["aborts"]


def min_search(values):
    best = float("inf")
    where = -1
    for i in range(len(values)):
        if values[i] < best:
            best = values[i]
            where = i
    return best, where


def test_a_variable_holding_numbers_of_two_types_is_kept_as_an_object(fresh_engine):
    """`best = inf`, then an int read from a list: the recorded iteration starts with a float and ends with an
    int. The recording aborts and says so, and the next one keeps the variable as an object (the loop's kinds
    agree at both ends; its uses guard the type they find)."""
    values = [float("inf")] * 2 + [7, 5, 8, 3, 9, 2.5, 4] * 50 + [1]
    loops, st = compile_and_get(min_search, values)
    assert any("is float at the loop's start but int" in r for r in st["aborts"]), st["aborts"]
    kinds = {lp.layout.kinds[sv] for lp in loops for sv in lp.layout.kinds if sv.name == "best"}
    assert Kind.REF in kinds, (kinds, st)


def pixel_counts(points, w):
    im = [0] * w
    x = 0
    for p in points:
        x = p / 7.0 * w             # a float...
        if p < 0:
            return im, x            # (an exit while x holds the float)
        x = int(x)                  # ...then an int, as at the loop's start
        im[x % w] += 1
    return im, x


def test_a_variable_that_holds_another_type_in_the_middle_of_an_iteration(fresh_engine):
    """`x = a / b * w; x = int(x)` (pyperformance chaos): x is an int where the loop starts and ends and a
    float in between. The loop compiles with x an int; an exit between the two stores writes the float back."""
    points = [(k * 13) % 29 for k in range(400)]
    for args in ((points, 10), (points + [-3] + points, 10)):
        loops, st = compile_and_get(pixel_counts, *args)
        assert loops and st["native_entries"] >= 1, st
        assert not any("changes type" in r for r in st["aborts"]), st["aborts"]
        kinds = {lp.layout.kinds[sv] for lp in loops for sv in lp.layout.kinds if sv.name == "x"}
        assert kinds == {Kind.INT}, kinds
