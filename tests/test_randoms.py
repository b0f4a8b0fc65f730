"""random.Random's methods as ops (recorder/randoms.py, backend/randoms.py): loops that draw random numbers
compile, draw the same numbers in the same order as plain CPython, raise where it raises, and notice what would
make the ops wrong (an instance's own attribute, a patched class, a subclass's own methods). tests/corpus/
random_methods.py runs the same cases as a whole program, plain against the JIT."""
from __future__ import annotations

import random

import pytest

import tracejit
from tracejit.cpython.methods import METH_NOARGS, METH_O, c_method


def _run(func, make, *args, native=1):
    """func(make(), *args) plainly, then under the JIT (fresh generators with the same seed): the results and the
    generators' states after must be equal. Returns the names of the ops of func's compiled loops."""
    plain_gen = make()
    expected = func(plain_gen, *args)
    jit_gen = make()
    with tracejit.enable(threshold=2, native=native):
        got = func(jit_gen, *args)
    assert got == expected
    assert jit_gen.getstate() == plain_gen.getstate()
    codes = [func.__code__] + [c for c in func.__code__.co_consts if hasattr(c, "co_code")]   # (3.11: <listcomp>)
    loops = [lp for lp in tracejit.engine().all_loops if lp.code in codes]
    return [op.name for lp in loops for b in lp.blocks for op in b.trace.ops]


def ranges(rnd, n):
    t = 0
    for i in range(n):
        t += rnd.randrange(1000) * 3 + rnd.randrange(-7, 7 + i)
    return t


def ints(rnd, n):
    return [rnd.randint(1, 6) for _ in range(n)]


def floats(rnd, n):
    s = 0.0
    for _ in range(n):
        s += rnd.random()
    return s


def bits(rnd, n):
    t = 0
    for i in range(n):
        t ^= rnd.getrandbits(i % 64)
    return t


def choices(rnd, items, n):
    return [rnd.choice(items) for _ in range(n)]


@pytest.mark.parametrize("native", [1, 0])
def test_the_methods_compile_to_ops_that_draw_the_same_numbers(fresh_engine, native):
    make = lambda: random.Random(42)     # noqa: E731
    assert "random_range" in _run(ranges, make, 3000, native=native)
    assert "random_range" in _run(ints, make, 3000, native=native)
    assert "random_float" in _run(floats, make, 3000, native=native)
    assert "random_bits" in _run(bits, make, 3000, native=native)
    assert "random_choice" in _run(choices, make, [1, "a", None, 2.5], 3000, native=native)
    assert "random_choice" in _run(choices, make, (object(), 3), 3000, native=native)
    assert tracejit.stats()["internal_errors"] == 0


def module_draws(n):
    t = 0
    for _ in range(n):
        t += random.randrange(50) + random.randint(-2, 2) + int(random.random() * 10) + random.getrandbits(9)
        t += random.choice([1, 2, 3])
    return t


def test_the_modules_functions_are_its_hidden_instances_methods(fresh_engine):
    random.seed(7)
    expected = module_draws(3000)
    state = random.getstate()
    random.seed(7)
    with tracejit.enable(threshold=2):
        assert module_draws(3000) == expected
    assert random.getstate() == state
    names = {op.name for lp in tracejit.engine().all_loops if lp.code is module_draws.__code__
             for b in lp.blocks for op in b.trace.ops}
    assert {"random_range", "random_float", "random_bits", "random_choice"} <= names, names


def empty_range(rnd, n):
    out = []
    for i in range(n, -3, -1):
        out.append(rnd.randrange(i))
    return out


def test_an_empty_range_raises_where_the_interpreter_raises_it(fresh_engine):
    """randrange(0) leaves the machine code before drawing: the interpreter raises the ValueError, from the
    stdlib's frame, and the generator has drawn exactly what it draws plainly."""
    outcomes = []
    for jit in (False, True):
        rnd = random.Random(3)
        try:
            if jit:
                with tracejit.enable(threshold=2):
                    empty_range(rnd, 500)
            else:
                empty_range(rnd, 500)
        except ValueError as e:
            tb = e.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            outcomes.append((str(e), tb.tb_frame.f_code.co_name, rnd.getstate()))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == "randrange"


def shadow_midway(rnd, n):
    t = 0
    for i in range(n):
        if i == n // 2:
            rnd.getrandbits = lambda k: 3       # the stdlib's _randbelow calls the instance's own
        t += rnd.randrange(1000)
    return t


def test_an_attribute_of_the_instances_own_is_noticed(fresh_engine):
    names = _run(shadow_midway, lambda: random.Random(5), 3000)
    assert "guard_no_own_attrs" in names and "random_range" in names


def patch_midway(rnd, n):
    t = 0
    original = random.Random.randint
    try:
        for i in range(n):
            if i == n // 2:
                random.Random.randint = lambda self, a, b: a    # the class changes: its version tag too
            t += rnd.randint(1, 6)
    finally:
        random.Random.randint = original
    return t


def test_a_patched_class_is_noticed(fresh_engine):
    assert "random_range" in _run(patch_midway, lambda: random.Random(6), 3000)


class Halves(random.Random):
    def random(self):                   # another random(): the stdlib then draws ints without getrandbits
        return 0.5


class Plain(random.Random):
    pass


def ranges_of_a_subclass(rnd, n):
    t = 0
    for i in range(n):
        t += rnd.randrange(1000) * 3 + rnd.randrange(-7, 7 + i)
    return t


def test_subclasses_with_their_own_methods_keep_them(fresh_engine):
    assert "random_range" not in _run(ranges, lambda: Halves(1), 2000)
    assert "random_float" not in _run(floats, lambda: Halves(1), 2000)
    assert "random_range" in _run(ranges_of_a_subclass, lambda: Plain(1), 2000)


def test_the_c_functions_are_found_and_checked():
    import _random
    assert c_method(_random.Random.getrandbits, METH_O)
    assert c_method(_random.Random.random, METH_NOARGS)
    assert c_method(_random.Random.random, METH_O) is None      # other flags: not that function
    assert c_method(random.Random.randrange, METH_O) is None    # not a method descriptor


def spreads(rnd, n):
    s = 0.0
    for i in range(n):
        s += rnd.uniform(-1, 1) + rnd.uniform(0.5, i) + rnd.uniform(i, 2.25) * 1e-3
    return s


def test_uniform_is_the_arithmetic_of_its_python_code(fresh_engine):
    """`a + (b - a) * self.random()`: ints subtracted as ints, then converted; a float anywhere: floats."""
    names = _run(spreads, lambda: random.Random(11), 3000)
    assert names.count("random_float") >= 3 and "int_to_float" in names


class Borrower:
    """An ordinary class that borrows Random's functions: [randrange, obj] is pushed as for a generator."""
    randrange = random.Random.randrange
    _randbelow = random.Random._randbelow_with_getrandbits

    def __init__(self):
        self.n = 0

    def getrandbits(self, k):
        self.n += 1
        return self.n % (1 << k)


def borrowed(g, n):
    t = 0
    i = 0
    while i < n:
        t += g.randrange(10)
        i += 1
    return t


def test_a_borrowed_function_on_another_class_is_not_an_op(fresh_engine):
    """(Found by review: the op ran _random's C code on an object that is no generator, a crash.)"""
    expected = borrowed(Borrower(), 20000)
    with tracejit.enable(threshold=2):
        assert borrowed(Borrower(), 20000) == expected
    names = {op.name for lp in tracejit.engine().all_loops for b in lp.blocks for op in b.trace.ops}
    assert not any(n.startswith("random_") for n in names), names


def opaque(r, i, *rest):
    if i == 3000:
        r.getrandbits = lambda k: 0             # set while the call's arguments are computed
    return 1000


def arguments_that_change_the_generator(r, n):
    out = 0
    i = 0
    while i < n:
        out = out * 7 + r.randrange(opaque(r, i) + 0) & 0xffffffff
        i += 1
    return out


def test_the_guards_hold_after_the_arguments_code_ran(fresh_engine):
    """The generator is checked at the call, after its arguments: an argument's call (here a generic one, a
    function with *args) that gives the instance its own getrandbits is noticed. (Found by review.)"""
    _run(arguments_that_change_the_generator, lambda: random.Random(1), 5000)


def test_a_method_replaced_before_the_jit_loaded_is_not_taken_for_the_stdlibs():
    """The rules know the stdlib's functions by their code: a randint the program put on the class before the
    recorder was imported (it is imported at the first hot loop) is called, not computed as the stdlib's.
    (Found by review.)"""
    import subprocess
    import sys
    import textwrap
    from difftest import REPO_ROOT, _env
    src = textwrap.dedent("""
        import random, sys
        def rigged(self, a, b):
            return a
        random.Random.randint = rigged
        def f(rnd, n):
            t = 0
            for i in range(n):
                t += rnd.randint(1, 6)
            return t
        print(f(random.Random(1), 20000))
        """)
    outs = []
    for argv in ([sys.executable, "-c", src], [sys.executable, "-m", "tracejit", "--params", "threshold=2", "-c", src]):
        r = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=REPO_ROOT, timeout=120)
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1] == "20000\n"


class Odd:
    calls = 0

    @property
    def __class__(self):
        Odd.calls += 1
        return Odd

    def step(self, x):
        return x + 1


def steps(o, n):
    t = 0
    i = 0
    while i < n:
        t = o.step(t)
        i += 1
    return t


def test_looking_for_generators_runs_no_code_of_the_program(fresh_engine):
    """isinstance() would read a `__class__` property: the rules look at type(obj) only. (Found by review.)"""
    with tracejit.enable(threshold=2):
        assert steps(Odd(), 5000) == 5000
    assert Odd.calls == 0


def too_many_bits(rnd, n):
    t = 0
    for i in range(n):
        t ^= rnd.getrandbits(64)
    return t


def test_arguments_that_make_the_op_leave_are_not_recorded_as_one(fresh_engine):
    """getrandbits(64) would leave the op on every call (an int beyond int64): the recording takes the call's
    usual path instead."""
    assert "random_bits" not in _run(too_many_bits, lambda: random.Random(2), 3000)


# ------------------------------------------------------------------------------------------------------------
# the rules read the program's own `random` module: the JIT imports none, and a module of the program's called
# random.py is not the standard library's

def _difftest():
    import sys
    from pathlib import Path
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import difftest
    return difftest


def test_a_program_s_own_random_module_is_not_taken_for_the_standard_library_s(tmp_path):
    difftest = _difftest()
    (tmp_path / "random.py").write_text(
        "class Random:\n"
        "    def __init__(self, seed):\n"
        "        self.state = seed\n"
        "    def randrange(self, a, b=None):\n"          # the same name and signature, another meaning
        "        self.state = (self.state * 1103515245 + 12345) % 2**31\n"
        "        return self.state % a if b is None else a + self.state % (b - a)\n"
        "    def random(self):\n"
        "        return self.randrange(1000) / 1000\n")
    prog = tmp_path / "prog.py"
    prog.write_text(
        "import random, sys\n"
        "rnd = random.Random(5)\n"
        "t = 0\n"
        "for i in range(3000):\n"
        "    t += rnd.randrange(100) + rnd.randrange(3, 9) * i\n"
        "print(t, rnd.state, random.__file__ == __file__.replace('prog.py', 'random.py'))\n")
    plain = difftest.run_plain(prog, cwd=tmp_path)
    log = tmp_path / "events.jsonl"
    jit = difftest.run_jit(prog, cwd=tmp_path, options=("--log", str(log)))
    difftest.assert_same(plain, jit, "prog.py")
    assert plain.stdout.split()[-1] == "True"
    assert '"event": "hot"' in log.read_text()           # (the loop was recorded)


def test_the_jit_adds_none_of_these_standard_modules_to_the_program_s(tmp_path):
    """A program that imports none of random, enum, contextlib, weakref and functools finds none of them in
    sys.modules after its loops compiled (the recorder and the backend do without them; the events log, which
    writes JSON, is not asked for). On 3.11 the hooks trace every thread through `threading`, which imports the
    last three itself."""
    import subprocess
    import sys
    difftest = _difftest()
    names = ("random", "enum") if sys.version_info < (3, 12) else \
        ("random", "enum", "contextlib", "weakref", "functools")
    prog = tmp_path / "prog.py"
    prog.write_text(
        "import sys\n"
        "import tracejit\n"
        "def work(n):\n"
        "    t = 0\n"
        "    for i in range(n):\n"
        "        t += i * i % 7\n"
        "    return t\n"
        "with tracejit.enable(threshold=2):\n"
        "    print(work(100000))\n"
        "print(tracejit.engine().stats.traces_compiled)\n"
        f"print(sorted(m for m in {names!r} if m in sys.modules))\n")
    r = subprocess.run([sys.executable, str(prog)], capture_output=True, text=True, env=difftest._env(),
                       cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    result, compiled, modules = r.stdout.splitlines()
    assert result == str(sum(i * i % 7 for i in range(100000))) and int(compiled) >= 1
    assert modules == "[]"
