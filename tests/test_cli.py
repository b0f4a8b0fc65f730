"""The command line runs a script or module exactly like `python` does (compared against plain CPython)."""
from __future__ import annotations

import ast
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
    # 3.11: a loaded machine can take longer than trace_idle_ms to import the module before its loop, and
    # the tracer would be off when the loop runs (README, Limits): keep it on, as tests/difftest.py does
    jit = _run(["-m", "tracejit", "--params", "threshold=2,trace_idle_ms=600000", "--log", "events.jsonl", "-m",
                "hotmod", "a"], tmp_path)
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
    on = _run(["-m", "tracejit", "--stats", "p.py"], tmp_path, {"TRACEJIT_PARAMS": "threshold=5,little_left=0"})
    assert on.stdout == "4498500\n" and "traces_compiled      1" in on.stderr
    off = _run(["-m", "tracejit", "--stats", "p.py"], tmp_path, {"TRACEJIT": "off"})
    assert off.stdout == "4498500\n" and "traces_compiled" not in off.stderr


@pytest.mark.skipif(not hasattr(sys, "is_stack_trampoline_active"), reason="no perf trampoline before 3.12")
def test_under_the_perf_trampoline_the_program_runs_with_the_jit_off_and_says_why(tmp_path):
    """`python -X perf` (perf's trampolines change the chain of C frames the JIT's frame checks read): the
    program runs unchanged, with the JIT off and a one-line reason that names the cause."""
    (tmp_path / "p.py").write_text("s = 0\nfor i in range(3000):\n    s += i\nprint(s)\n")
    run = _run(["-X", "perf", "-m", "tracejit", "--stats", "p.py"], tmp_path)
    assert run.returncode == 0 and run.stdout == "4498500\n", run.stderr
    assert "JIT off: the perf trampoline is active" in run.stderr and "traces_compiled" not in run.stderr


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


# ------------------------------------------------------------------ like python: -c, -, stdin, -m, --version
def _pair(python_args: list[str], tmp_path: Path, stdin: str | None = None, jit_options=("--params", "threshold=2")):
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    run = lambda argv: subprocess.run([sys.executable, *argv], cwd=tmp_path, env=env, capture_output=True,  # noqa: E731
                                      text=True, timeout=60, input=stdin if stdin is not None else "")
    return run(python_args), run(["-m", "tracejit", *jit_options, *python_args])


SOURCE = ("import sys\ns = 0\nfor i in range(3000):\n    s += i\n"
          "print(s, sys.argv, repr(sys.path[0]), __name__, sorted(globals()), __loader__.__name__)\n"
          "def f(x):\n    return 1 // x\nf(0)\n")


@pytest.mark.parametrize("how", ["-c", "-", "stdin"])
def test_command_and_stdin_behave_like_python(tmp_path, how):
    """`-c CODE args` (sys.argv[0] '-c', tracebacks at File "<string>", 3.13+ showing the source line),
    `- args` and a script piped on stdin with no program (sys.argv[0] '-' / '')."""
    args = {"-c": ["-c", SOURCE, "a", "-b"], "-": ["-", "a", "-b"], "stdin": []}[how]
    plain, jit = _pair(args, tmp_path, stdin=SOURCE)
    assert plain.returncode == 1 and "4498500" in plain.stdout
    assert jit.stdout == plain.stdout
    assert _jit_stderr(jit.stderr) == plain.stderr
    assert jit.returncode == plain.returncode


def test_command_syntax_error_like_python(tmp_path):
    plain, jit = _pair(["-c", "x = (1,\nprint(x)"], tmp_path)
    assert plain.returncode == 1 and "SyntaxError" in plain.stderr
    assert (jit.stdout, _jit_stderr(jit.stderr), jit.returncode) == (plain.stdout, plain.stderr, plain.returncode)


SCRIPT_BYTES = {
    "syntax_error": b"s = 0\nfor i in range(10):\n    s += (i\nprint(s)\n",
    "nul_byte": b"print(1)\n\0\n",
    "latin1_cookie": b"# -*- coding: latin-1 -*-\ns = 0\nfor i in range(3000):\n    s += i\nprint(s, '\xe9t\xe9')\n",
    "bad_utf8": b"print('\xff')\n",
    "invalid_escape_warning": b"import warnings\nprint(len('\\d'))\n",
}


# python reads a script through its file tokenizer, whose messages for undecodable bytes and NUL bytes differ from
# the string tokenizer's that compile() and tracejit use (same exception type and exit status; a known difference,
# README Limits)
FILE_TOKENIZER_MESSAGES = {"nul_byte", "bad_utf8"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(
    strict=True, reason="file tokenizer's message")) if n in FILE_TOKENIZER_MESSAGES else n
    for n in sorted(SCRIPT_BYTES)])
def test_script_source_compiles_like_python(tmp_path, name):
    """The script's source is compiled through the C API (tracejit.cpython.source): its errors, warnings and
    results are python's own."""
    (tmp_path / "s.py").write_bytes(SCRIPT_BYTES[name])
    plain, jit = _pair(["s.py"], tmp_path)
    assert (jit.returncode == 1) == ("SyntaxError" in plain.stderr) == ("SyntaxError" in jit.stderr)
    assert (jit.stdout, _jit_stderr(jit.stderr), jit.returncode) == (plain.stdout, plain.stderr, plain.returncode)


def test_module_traceback_and_globals_like_python_dash_m(tmp_path):
    (tmp_path / "emod.py").write_text("import sys\nprint(list(globals()), sys.argv, sys.path[0] == __import__('os')"
                                      ".getcwd())\nfor i in range(3000):\n    pass\n1 / 0\n")
    plain, jit = _pair(["-m", "emod", "x"], tmp_path)
    assert "_run_module_as_main" in plain.stderr
    assert (jit.stdout, _jit_stderr(jit.stderr), jit.returncode) == (plain.stdout, plain.stderr, plain.returncode)


def test_script_globals_and_path_like_python(tmp_path):
    (tmp_path / "g.py").write_text("import sys\nprint(list(globals()), type(__loader__).__name__, __spec__, "
                                   "sys.path[0], sys.path[1] != sys.path[0])\n")
    plain, jit = _pair(["g.py"], tmp_path)
    assert (jit.stdout, jit.returncode) == (plain.stdout, plain.returncode)


@pytest.mark.parametrize("name", ["nosuchmod", "os.nosuch", "emptypkg"])
def test_missing_module_message_like_python(tmp_path, name):
    (tmp_path / "emptypkg").mkdir()
    (tmp_path / "emptypkg" / "__init__.py").write_text("")
    plain, jit = _pair(["-m", name], tmp_path)
    assert plain.returncode == 1 and plain.stderr.startswith(sys.executable + ": ")
    assert (jit.stdout, _jit_stderr(jit.stderr), jit.returncode) == (plain.stdout, plain.stderr, plain.returncode)


def test_version_matches_package(tmp_path):
    import platform
    import tracejit
    r = _run(["-m", "tracejit", "--version"], tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == f"tracejit {tracejit.__version__} (CPython {platform.python_version()})\n"


def test_no_program_on_a_terminal_is_an_error(tmp_path):
    """With stdin a terminal and no program, python would start its REPL; tracejit has none: one line."""
    import pty
    master, slave = pty.openpty()
    try:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        r = subprocess.run([sys.executable, "-m", "tracejit"], stdin=slave, cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert (r.returncode, r.stdout) == (2, "")
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("tracejit: no program given")


# ------------------------------------------------------------------ view FILE: one line for what it cannot read
@pytest.mark.parametrize("kind", ["wrong_json_shape", "json_list", "events_of_wrong_shape", "binary", "directory",
                                  "missing", "text", "latin1"])
def test_view_reports_unreadable_files_in_one_line(tmp_path, kind):
    path = tmp_path / "f.json"
    if kind == "wrong_json_shape":
        path.write_text('{"sources": 3}')
    elif kind == "json_list":
        path.write_text('[1, 2]')
    elif kind == "events_of_wrong_shape":
        path.write_text('{"t": 1}\n{"event": "seen", "loop": [1]}\n')
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 4)
    elif kind == "directory":
        path.mkdir()
    elif kind == "text":
        path.write_text("hello\n")
    elif kind == "latin1":
        path.write_bytes(b"{\xe9t\xe9}")
    r = _run(["-m", "tracejit", "view", str(path)], tmp_path, {"BROWSER": "true"})
    assert (r.returncode, r.stdout) == (2, ""), r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("tracejit: "), r.stderr
    assert not (tmp_path / "f.json.html").exists()


# ------------------------------------------------------------------ packaging: console script, version, py.typed
def _distribution():
    from importlib import metadata
    try:
        return metadata.distribution("tracejit")
    except metadata.PackageNotFoundError:
        pytest.skip("tracejit is not installed in this interpreter (make setup installs it)")


def test_console_script_runs_like_python_dash_m_tracejit(tmp_path):
    dist = _distribution()
    assert [ep.value for ep in dist.entry_points if ep.group == "console_scripts" and ep.name == "tracejit"] \
        == ["tracejit.__main__:main"]
    script = Path(sys.executable).parent / "tracejit"
    assert script.exists(), script
    (tmp_path / "p.py").write_text(PRELUDE_KI := "import atexit, sys\natexit.register(lambda: print('atexit'))\n"
                                   "s = 0\nfor i in range(3000):\n    s += i\nprint(s, sys.argv)\n"
                                   "raise KeyboardInterrupt\n")
    env = dict(os.environ, PYTHONHASHSEED="0")
    plain = subprocess.run([sys.executable, "p.py", "x"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)
    for argv in ([str(script), "--params", "threshold=2", "p.py", "x"],
                 [sys.executable, "-m", "tracejit", "--params", "threshold=2", "p.py", "x"]):
        jit = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert (jit.stdout, _jit_stderr(jit.stderr), jit.returncode) == \
            (plain.stdout, plain.stderr, plain.returncode), PRELUDE_KI
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    import tracejit
    assert version.stdout.split()[:2] == ["tracejit", tracejit.__version__]


def test_package_metadata():
    import tracejit
    dist = _distribution()
    meta = dist.metadata
    assert dist.version == tracejit.__version__
    assert meta["License-Expression"] == "MIT" or meta["License"] == "MIT"
    classifiers = meta.get_all("Classifier") or []
    for c in ("Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.12",
              "Programming Language :: Python :: 3.13", "Operating System :: POSIX :: Linux",
              "Programming Language :: Python :: Implementation :: CPython",
              "Topic :: Software Development :: Compilers"):
        assert c in classifiers, c
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n\nCopyright (c) 2026 the tracejit authors")
    assert (Path(tracejit.__file__).parent / "py.typed").exists()


# imported by the JIT's first recording or compile, never at start-up: a program without hot loops pays only
# for the hooks, the layout self-check and the native callback guard (docs/architecture.md, "What the JIT
# may spend"); dataclasses drags in inspect, dis, ast and tokenize
LAZY_MODULES = ("dataclasses", "inspect", "dis", "ast", "cffi", "iced_x86", "tracejit.recorder", "tracejit.ir",
                "tracejit.optimizer", "tracejit.backend", "tracejit.runtime.compiled", "tracejit.runtime.compiling")


def test_start_up_imports_nothing_a_program_without_hot_loops_does_not_need(tmp_path):
    probe = f"import sys\nprint(sorted(m for m in {LAZY_MODULES!r} if m in sys.modules))\n"
    plain = _run(["-c", probe], tmp_path)
    jit = _run(["-m", "tracejit", "-c", probe], tmp_path)
    assert plain.returncode == jit.returncode == 0, jit.stderr
    assert plain.stdout == "[]\n"
    assert jit.stdout == "[]\n", jit.stdout


def test_start_up_imports_none_of_the_standard_library_it_can_do_without(tmp_path):
    """Without site (python -S: the editable install's finder imports much of the standard library itself), what
    `python -m tracejit -m probe` imports beyond `python -m probe`; the 3.11 hooks need threading (and their
    native timer weakref)."""
    (tmp_path / "probe.py").write_text("import sys\nprint(sorted(sys.modules))\n")
    plain = _run(["-S", "-m", "probe"], tmp_path)
    jit = _run(["-S", "-m", "tracejit", "-m", "probe"], tmp_path)
    assert plain.returncode == jit.returncode == 0, jit.stderr
    added = set(ast.literal_eval(jit.stdout)) - set(ast.literal_eval(plain.stdout))
    assert "tracejit.runtime.engine" in added
    unwanted = {"contextlib", "functools", "threading", "weakref", "typing", "enum", "re", "ctypes.util",
                "array", "collections", "operator"}     # (array imports collections: the recorder checks its layout)
    if sys.version_info < (3, 12):
        unwanted -= {"threading", "weakref"}
    assert not added & unwanted, sorted(added & unwanted)


HOT_LOOPS = """import sys
import tracejit


s = 0
for i in range(300):                # recorded, never compiled: building a set aborts the recording
    s += len({{i}})
print(tracejit.stats()["traces_compiled"], sorted(m for m in {recorded!r} if m in sys.modules))
t = 0
for i in range(3000):               # compiled
    t += i * i
print(tracejit.stats()["traces_compiled"], sorted(m for m in {compiled!r} if m in sys.modules))
"""


def test_first_recording_and_first_compile_import_only_what_they_need(tmp_path):
    """A recording loads the recorder, not typing nor the compiled-loop runtime; a compile loads the backend, not
    ctypes.util (which imports subprocess, tempfile and shutil, and runs ldconfig)."""
    recorded = ("tracejit.recorder", "typing", "tracejit.runtime.compiled", "tracejit.backend")
    compiled = ("tracejit.backend", "ctypes.util", "subprocess", "tempfile", "shutil")
    (tmp_path / "hot.py").write_text(HOT_LOOPS.format(recorded=recorded, compiled=compiled))
    jit = _run(["-m", "tracejit", "--params", "threshold=2,trace_idle_ms=600000", "hot.py"], tmp_path)
    assert jit.returncode == 0, jit.stderr
    assert jit.stdout == "0 ['tracejit.recorder']\n1 ['tracejit.backend']\n", jit.stdout
