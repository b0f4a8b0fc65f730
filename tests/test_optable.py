"""The op table (tracejit.ir.ops.OPS) against the stages that act on its properties: the backend's emitters
(which ops call out to C, which comparisons fuse into a guard) and the exit reasons the runtime gives."""
from __future__ import annotations

from tracejit.plaindata import fields

import pytest

from test_backend import Builder
from tracejit.backend import Externals, assemble, listing_groups
from tracejit.backend.assembler import EMITTERS, _compare_value
from tracejit.cpython.layout import LAYOUTS, VERSION
from tracejit.ir import OPS, Const, InlinedChecks, InlinedFunction, Kind, Trace
from tracejit.ir.ops import PY_FUNCTIONS
from tracejit.cpython.instances import instance_values
from tracejit.runtime.compiling import exit_reason

EMITTED = sorted(name for name in OPS if name not in ("label", "jump"))


def fake_externals() -> Externals:
    """Every address nonzero (the code is only looked at, never run) and every optional feature on, so that
    each emitter produces its full code."""
    ints = [f.name for f in fields(Externals) if f.type == "int"]
    bools = [f.name for f in fields(Externals) if f.type == "bool"]
    return Externals(**{name: 0x10000 + 0x100 * k for k, name in enumerate(ints)},
                     **{name: True for name in bools}, layout=LAYOUTS[VERSION], instance_values=instance_values(),
                     py_functions={name: 0x20000 + 0x100 * k for k, name in enumerate(PY_FUNCTIONS)})


def one_op_loop(name: str) -> Trace:
    """A loop doing `name` on fresh inputs of its argument kinds (none constant: no shortcut in the emitter),
    with more values live across it, as a call must keep them."""
    b = Builder()
    kinds = OPS[name].args or ((Kind.REF, Kind.REF) if OPS[name].variadic else ())   # str_build: two pieces
    args = [Const(0 if kind is Kind.INT else "x", kind) if k in OPS[name].const_args else b.inp(f"a{k}", kind)
            for k, kind in enumerate(kinds)]
    if name == "py_call":                                   # the C function it calls: a constant name
        args.insert(0, Const("PyNumber_Add", Kind.REF))
    if name == "guard_after_call":      # a dict, its version, the names it looks up; the functions inlined
        args = [b.inp("d", Kind.REF), b.inp("version", Kind.INT), Const((("x", None, False),), Kind.REF),
                Const(InlinedChecks([InlinedFunction.of(fake_externals)]), Kind.REF)]
    for k, kind in enumerate((Kind.INT, Kind.FLOAT, Kind.REF)):
        b.inp(f"live{k}", kind)
    b.label()
    b.op(name, *args)
    return b.jump(*[v for _, v in b.inputs])


def op_instructions(name: str) -> list[str]:
    """The instructions assembled for the op in one_op_loop(name), its exit stub left out (a stub only stores
    the snapshot)."""
    t = one_op_loop(name)
    index = next(i for i, op in enumerate(t.ops) if op.name == name)
    groups = listing_groups(assemble(t, fake_externals()))
    return [text for g in groups if g.op_index == index and not g.title.startswith("exit #") for _, text in g.rows]


def emits_call(name: str) -> bool:
    return any(text.split()[0] == "call" for text in op_instructions(name))


def test_every_op_has_an_emitter():
    assert sorted(EMITTERS) == EMITTED


@pytest.mark.parametrize("name", EMITTED)
def test_calls_out_marks_exactly_the_ops_that_call(name):
    """calls_out is what register allocation trusts to keep caller-saved registers (those a call clobbers)
    out of the way: an op that calls without the mark would lose live values, one marked that never calls
    would keep values out of registers for nothing."""
    calls = emits_call(name)
    assert calls == OPS[name].calls_out, \
        f"{name}: the emitter {'calls' if calls else 'makes no call'}, the table says calls_out={OPS[name].calls_out}"


@pytest.mark.parametrize("name", EMITTED)
def test_ops_that_allocate_tracked_objects_hold_collections_off_around_their_call(name):
    """3.11 collects inside the allocation that crosses the threshold (finalizers: Python code the trace does not
    expect). An op marked allocates_tracked sets gcstate->collecting around its call (the address appears in its
    code); no other op touches it."""
    address = fake_externals().gc_collecting
    code = " ".join(op_instructions(name))
    assert (f"{address:x}" in code.lower()) == OPS[name].allocates_tracked, code
    if OPS[name].allocates_tracked:
        assert OPS[name].calls_out


def test_both_kinds_of_op_exist():
    """The check above can fail both ways: some ops call out and some do not."""
    marked = {name for name in EMITTED if OPS[name].calls_out}
    assert marked and set(EMITTED) - marked
    assert emits_call("float_sin") and not emits_call("float_add")


def test_fusable_are_the_comparisons_the_backend_fuses():
    """A comparison fused into its guard is emitted by the guard through the compare emitter's flag code."""
    assert {name for name in OPS if OPS[name].fusable} == \
        {name for name, fn in EMITTERS.items() if fn is _compare_value}


def test_properties_are_well_formed():
    for name, d in OPS.items():
        assert all(0 <= k < d.arity for k in d.undo_on_overflow), name
        assert all(0 <= k < d.arity for k, _ in d.identities), name
        if d.undo_on_overflow or d.redundant_if_repeated:
            assert d.guard, name
        if d.fusable:
            assert d.result is Kind.BOOL and d.pure, name
        if d.exit_reason is not None:
            assert d.guard, name


def test_exit_reasons():
    header = 10
    assert exit_reason("guard_true", header, header) == "loop exit"
    assert exit_reason("guard_index", header, header) == "loop exit"
    assert exit_reason("guard_false", header + 2, header) == "branch"
    assert exit_reason("guard_index", header + 2, header) == "bounds"
    assert exit_reason("guard_budget", header, header) == "budget"
    assert exit_reason("guard_class", header, header) == "type"
    assert exit_reason("int_lshift_ovf", header + 2, header) == "overflow"
    assert exit_reason("float_mod", header + 2, header) == "division"
    assert exit_reason("float_sqrt", header + 2, header) == "float_sqrt"      # no reason of its own: its name
