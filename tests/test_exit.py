"""How a program ends under `python -m tracejit` (and the `--off` run): exactly as under plain `python`.

Uncaught KeyboardInterrupt (raised, or a real SIGINT), SystemExit of every kind, other exceptions and
signals with Python handlers: same stdout, same stderr (traceback text included, tracejit's own
`tracejit:` lines aside), same exit status (death by SIGINT: returncode -2), the program's atexit handlers
run, its `finally` blocks run, and a file it wrote without closing is flushed. Also: tracejit's own output
at exit survives a program that closed or replaced sys.stdout/sys.stderr, and the --log file is closed.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Each program registers an atexit handler that reports whether the unclosed file was flushed yet (plain
# CPython: not yet, atexit runs first) and writes to a buffered file it never closes.
PRELUDE = """\
import atexit, os, signal, sys
def _bye():
    print("atexit: out.txt has", os.path.getsize("out.txt"), "bytes so far", flush=True)
atexit.register(_bye)
OUT = open("out.txt", "w")
OUT.write("written, never closed\\n")
def hot(n):
    s = 0
    for i in range(n):
        s += i
    return s
"""

PROGRAMS = {
    "raise_keyboard_interrupt": "try:\n    hot(3000)\n    raise KeyboardInterrupt\nfinally:\n"
                                "    print('finally ran')\n",
    "sigint_in_hot_loop": "def loop():\n    s = 0\n    for i in range(10**7):\n        s += i\n"
                          "        if i == 5000:\n            os.kill(os.getpid(), signal.SIGINT)\n    return s\n"
                          "try:\n    loop()\nfinally:\n    print('finally ran')\n",
    "sigint_while_sleeping": "import time\nhot(3000)\nos.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n",
    "keyboard_interrupt_in_function": "def f():\n    hot(100)\n    raise KeyboardInterrupt('stop')\nf()\n",
    "exit_3": "hot(3000)\nsys.exit(3)\n",
    "exit_none": "hot(3000)\nsys.exit(None)\n",
    "exit_string": "hot(3000)\nsys.exit('bye')\n",
    "exit_tuple": "raise SystemExit(1, 2)\n",
    "exit_true": "sys.exit(True)\n",
    "exit_object": "class E:\n    def __str__(self):\n        return 'custom exit'\nsys.exit(E())\n",
    "uncaught_error": "def f(n):\n    return 10 // (n - 2999)\nfor i in range(3000):\n    f(i)\n",
    "chained_error": "try:\n    hot(3000)\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('wrapped') from e\n",
    "handler_raises_exit": "def h(sig, frame):\n    print('handler', sig)\n    raise SystemExit(7)\n"
                           "signal.signal(signal.SIGUSR1, h)\ndef loop():\n    s = 0\n    for i in range(10**7):\n"
                           "        s += i\n        if i == 5000:\n            os.kill(os.getpid(), signal.SIGUSR1)\n"
                           "loop()\n",
    "handler_ignores_sigint": "signal.signal(signal.SIGINT, lambda s, f: print('ignored', s))\n"
                              "os.kill(os.getpid(), signal.SIGINT)\nprint(hot(3000))\n",
    "handler_raises_keyboard_interrupt": "def h(sig, frame):\n    raise KeyboardInterrupt('from handler')\n"
                                         "signal.signal(signal.SIGTERM, h)\nhot(3000)\n"
                                         "os.kill(os.getpid(), signal.SIGTERM)\nhot(10)\n",
    # tokenize imported up front: on 3.13 a first import of tokenize inside the hook makes plain python
    # exit with status 1 instead of dying by SIGINT (tracejit has it imported already)
    "program_excepthook": "import traceback, tokenize\ndef hook(t, v, tb):\n"
                          "    print('hook:', t.__name__, [f.name for f in traceback.extract_tb(tb)])\n"
                          "sys.excepthook = hook\natexit.register(lambda: print('last:', "
                          "[f.name for f in traceback.extract_tb(sys.last_traceback)]))\n"
                          "def g():\n    raise KeyboardInterrupt\ng()\n",
    "excepthook_deleted": "del sys.excepthook\nraise RuntimeError('no hook')\n",
}


def _env() -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    for k in ("TRACEJIT", "TRACEJIT_PARAMS", "TRACEJIT_LOG"):
        env.pop(k, None)
    return env


def _sigint_default() -> None:
    """In the child before exec: SIGINT as a terminal's shell leaves it (a test run that is itself a background
    job of a script inherits SIGINT ignored, and the programs here send themselves SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run(argv: list[str], cwd: Path) -> tuple[str, str, int, str]:
    for f in cwd.glob("out.txt"):
        f.unlink()
    p = subprocess.run([sys.executable, *argv], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=60,
                       preexec_fn=_sigint_default)
    out = cwd / "out.txt"
    return p.stdout, p.stderr, p.returncode, out.read_text() if out.exists() else "<missing>"


def _without_jit_lines(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if not line.startswith("tracejit:"))


@pytest.mark.parametrize("options", [["--params", "threshold=2,little_left=0"], ["--off"]], ids=["jit", "off"])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_ends_as_with_python(tmp_path, name, options):
    script = tmp_path / f"{name}.py"
    script.write_text(PRELUDE + PROGRAMS[name])
    plain = _run([script.name, "arg"], tmp_path)
    jit = _run(["-m", "tracejit", *options, script.name, "arg"], tmp_path)
    assert "atexit:" in plain[0] and plain[3] == "written, never closed\n"      # the test's premise
    assert jit[0] == plain[0]                                  # stdout, the atexit handler's line included
    assert _without_jit_lines(jit[1]) == plain[1]              # tracebacks and messages
    assert jit[2] == plain[2]                                  # exit status (-2: killed by SIGINT)
    assert jit[3] == plain[3]                                  # the unclosed file was flushed


@pytest.mark.parametrize("options", [["--params", "threshold=2,little_left=0"], ["--off"]], ids=["jit", "off"])
def test_keyboard_interrupt_in_module_as_with_python_dash_m(tmp_path, options):
    (tmp_path / "kimod.py").write_text(PRELUDE + PROGRAMS["sigint_in_hot_loop"])
    plain = _run(["-m", "kimod"], tmp_path)
    jit = _run(["-m", "tracejit", *options, "-m", "kimod"], tmp_path)
    assert plain[2] == -2 and "_run_module_as_main" in plain[1]
    assert (jit[0], _without_jit_lines(jit[1]), jit[2], jit[3]) == plain


def test_keyboard_interrupt_from_stdin_and_command(tmp_path):
    code = PRELUDE + PROGRAMS["raise_keyboard_interrupt"]
    for how in (["-c", code], ["-"]):
        env = _env()
        plain = subprocess.run([sys.executable, *how], input=code, cwd=tmp_path, env=env, capture_output=True,
                               text=True, timeout=60, preexec_fn=_sigint_default)
        jit = subprocess.run([sys.executable, "-m", "tracejit", *how], input=code, cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60, preexec_fn=_sigint_default)
        assert plain.returncode == -2 and "atexit:" in plain.stdout
        assert (jit.stdout, _without_jit_lines(jit.stderr), jit.returncode) == \
            (plain.stdout, plain.stderr, plain.returncode)


CLOSES = {
    "closed_stdout_and_stderr": "print(sum(range(5000)))\nsys.stdout.close()\nsys.stderr.close()\n",
    "closed_real_stderr": "print(sum(range(5000)))\nsys.__stderr__.close()\n",
    "replaced_streams": "import io\nprint(sum(range(5000)))\nsys.stdout = io.StringIO()\nsys.stderr = None\n",
    "stderr_fd_closed": "print(sum(range(5000)), flush=True)\nos.close(2)\n",
}


@pytest.mark.parametrize("name", sorted(CLOSES))
def test_exit_output_survives_closed_or_replaced_streams(tmp_path, name):
    """--stats/--dump/--view write at exit; a program that closed or replaced sys.stdout/sys.stderr (or
    fd 2) still ends as under plain python, and tracejit prints no traceback of its own."""
    script = tmp_path / "p.py"
    script.write_text("import os, sys\n" + CLOSES[name])
    plain = _run([script.name], tmp_path)
    jit = _run(["-m", "tracejit", "--params", "threshold=2,little_left=0", "--stats", "--dump", "--view", "r.html",
                script.name], tmp_path)
    assert (jit[0], jit[2]) == (plain[0], plain[2])
    assert "Traceback" not in jit[1] and "Exception ignored" not in jit[1], jit[1]
    assert (tmp_path / "r.html").stat().st_size > 1000
    if name in ("closed_real_stderr", "replaced_streams"):
        assert "traces_compiled" in jit[1]          # still reported, on the process's stderr


def test_log_file_is_closed_at_exit(tmp_path):
    """-X dev shows a ResourceWarning for a file left open at exit; the --log file is closed."""
    script = tmp_path / "p.py"
    script.write_text("s = 0\nfor i in range(3000):\n    s += i\nprint(s)\n")
    jit = subprocess.run([sys.executable, "-X", "dev", "-m", "tracejit", "--params", "threshold=2,little_left=0", "--log",
                          "ev.jsonl", script.name], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                         timeout=60)
    assert (jit.returncode, jit.stdout) == (0, "4498500\n")
    assert "ResourceWarning" not in jit.stderr, jit.stderr
    assert '"compiled"' in (tmp_path / "ev.jsonl").read_text()


def test_stats_come_after_the_programs_atexit_output(tmp_path):
    script = tmp_path / "p.py"
    script.write_text("import atexit, sys\natexit.register(lambda: print('program atexit', file=sys.stderr))\n"
                      "s = 0\nfor i in range(3000):\n    s += i\n")
    jit = _run(["-m", "tracejit", "--params", "threshold=2,little_left=0", "--stats", script.name], tmp_path)
    assert jit[2] == 0
    assert jit[1].index("program atexit") < jit[1].index("tracejit stats:")
