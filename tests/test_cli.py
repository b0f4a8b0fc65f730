"""The command line runs a script or module exactly like `python` does (compared against plain CPython)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)


def _jit_stderr(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if not line.startswith("tracejit:"))


PROGRAMS = {
    "exit_code": "import sys\ns = 0\nfor i in range(500):\n    s += i\nprint(s)\nsys.exit(3)\n",
    "exit_message": "import sys\nsys.exit('bye: ' + str(sum(range(10))))\n",
    "argv_name_file": "import sys, os\nprint(sys.argv, __name__, os.path.isabs(__file__))\n",
    "uncaught": "def f(n):\n    t = 0\n    for i in range(n):\n        t += 10 // (n - 1 - i)\n    return t\n"
                "print(f(400))\n",
    "nested_exception": "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise ValueError('wrapped') from e\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_script_behaves_like_python(tmp_path, name):
    script = tmp_path / f"{name}.py"
    script.write_text(PROGRAMS[name])
    plain = _run([script.name, "x", "--y"], tmp_path)
    jit = _run(["-m", "tracejit", "--params", "threshold=2", script.name, "x", "--y"], tmp_path)
    assert jit.stdout == plain.stdout
    assert _jit_stderr(jit.stderr) == plain.stderr
    assert jit.returncode == plain.returncode


def test_module_behaves_like_python_dash_m(tmp_path):
    (tmp_path / "hotmod.py").write_text("import sys\ns = 0\nfor i in range(2000):\n    s += i * i\n"
                                        "print(sys.argv[1:], __name__, s)\n")
    plain = _run(["-m", "hotmod", "a"], tmp_path)
    jit = _run(["-m", "tracejit", "--params", "threshold=2", "--log", "events.jsonl", "-m", "hotmod", "a"],
               tmp_path)
    assert (jit.stdout, jit.returncode) == (plain.stdout, plain.returncode)
    assert '"compiled"' in (tmp_path / "events.jsonl").read_text()


def test_options_stop_at_script_name(tmp_path):
    (tmp_path / "p.py").write_text("import sys\nprint(sys.argv[1:])\n")
    jit = _run(["-m", "tracejit", "p.py", "--params", "threshold=x", "--off"], tmp_path)
    assert jit.stdout == "['--params', 'threshold=x', '--off']\n" and jit.returncode == 0


def test_bad_parameter_is_reported(tmp_path):
    (tmp_path / "p.py").write_text("print(1)\n")
    jit = _run(["-m", "tracejit", "--params", "threshold=fast", "p.py"], tmp_path)
    assert jit.returncode == 2 and "threshold" in jit.stderr and jit.stdout == ""
    jit = _run(["-m", "tracejit", "--params", "no_such=1", "p.py"], tmp_path)
    assert jit.returncode == 2 and "no_such" in jit.stderr


def test_environment_parameters_and_off(tmp_path):
    (tmp_path / "p.py").write_text("s = 0\nfor i in range(3000):\n    s += i\nprint(s)\n")
    on = _run(["-m", "tracejit", "--stats", "p.py"], tmp_path, {"TRACEJIT_PARAMS": "threshold=5"})
    assert on.stdout == "4498500\n" and "traces_compiled      1" in on.stderr
    off = _run(["-m", "tracejit", "--stats", "p.py"], tmp_path, {"TRACEJIT": "off"})
    assert off.stdout == "4498500\n" and "traces_compiled" not in off.stderr


EXAMPLES = sorted((REPO / "examples").glob("*.py")) + \
    [REPO / "bench" / "kernels" / f"{k}.py" for k in ("julia", "nbody", "matmul", "spectral_norm", "sieve")]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_print_what_plain_cpython_prints(path):
    """The examples and the object-heavy benchmark kernels, run as scripts at the default parameters."""
    plain = _run([str(path)], path.parent)
    jit = _run(["-m", "tracejit", str(path)], path.parent)
    assert plain.returncode == 0, plain.stderr
    assert (jit.returncode, jit.stdout) == (0, plain.stdout), jit.stderr


def test_dump_prints_every_stage_after_the_program(tmp_path):
    """--dump: the program's output is unchanged; stderr then holds each trace's IR after every pass, its
    machine code and its exits (no colours when stderr is not a terminal)."""
    script = tmp_path / "loop.py"
    script.write_text("a = [i * 0.5 for i in range(300)]\ns = 0.0\nfor x in a:\n    s += x\nprint(s)\n")
    plain = _run([script.name], tmp_path)
    jit = _run(["-m", "tracejit", "--params", "threshold=2", "--dump", script.name], tmp_path)
    assert (jit.returncode, jit.stdout) == (0, plain.stdout), jit.stderr
    err = jit.stderr
    for needle in ("--- IR: recorded", "--- IR: remove_dead_code", "--- machine code", "--- exits", "jump("):
        assert needle in err, needle
    assert "\x1b[" not in err


def test_colourise_only_adds_escape_codes():
    import re
    from tracejit.tools.dump_traces import colourise
    text = "=" * 40 + "\nloop f@2 (x.py)\n--- IR: recorded\nlabel(i0)\n  guard_true(b1)  -> @4 [i=i0]\n  +0x0000  mov rax, rbx\n"
    coloured = colourise(text)
    assert coloured != text and re.sub(r"\x1b\[[0-9;]*m", "", coloured) == text
