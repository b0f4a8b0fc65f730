"""Every setting is checked before anything runs: a bad one on the command line ends with one line
`tracejit: ...` naming it, exit status 2, and the program not started; in the API, a clear TypeError or
ValueError. enable(**params) applies to its own block; stats() has the same keys with the JIT on or off.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tracejit
from tracejit.params import PARAMS, Params, check_writable, from_environment, jit_switch

REPO = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    for k in ("TRACEJIT", "TRACEJIT_PARAMS", "TRACEJIT_LOG"):
        env.pop(k, None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "tracejit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


BAD = {   # id: (options before the program, environment, words the one error line must contain)
    "params_unknown": (["--params", "bogus=1"], {}, ["--params", "bogus"]),
    "params_not_int": (["--params", "threshold=fast"], {}, ["--params", "threshold", "'fast'"]),
    "params_float_for_int": (["--params", "threshold=1.5"], {}, ["--params", "threshold"]),
    "params_negative": (["--params", "trace_limit=-3"], {}, ["--params", "trace_limit"]),
    "params_nan": (["--params", "slice_ms=nan"], {}, ["--params", "slice_ms", "nan"]),
    "params_inf": (["--params", "slice_ms=inf"], {}, ["--params", "slice_ms"]),
    "params_negative_float": (["--params", "slice_ms=-1"], {}, ["--params", "slice_ms"]),
    "params_no_equals": (["--params", "threshold"], {}, ["--params", "name=value"]),
    "params_empty_value": (["--params", "threshold=,little_left=0"], {}, ["--params", "threshold"]),
    "params_flag_2": (["--params", "native=2"], {}, ["--params", "native"]),
    "env_params_nan": ([], {"TRACEJIT_PARAMS": "slice_ms=nan"}, ["TRACEJIT_PARAMS", "slice_ms"]),
    "env_params_unknown": ([], {"TRACEJIT_PARAMS": "fast=1"}, ["TRACEJIT_PARAMS", "fast"]),
    "env_params_with_off": (["--off"], {"TRACEJIT_PARAMS": "threshold=x"}, ["TRACEJIT_PARAMS"]),
    "env_switch_maybe": ([], {"TRACEJIT": "maybe"}, ["TRACEJIT", "maybe"]),
    "env_log_directory": ([], {"TRACEJIT_LOG": "."}, ["TRACEJIT_LOG", "directory"]),
    "env_log_no_parent": ([], {"TRACEJIT_LOG": "nodir/ev.log"}, ["TRACEJIT_LOG", "nodir"]),
    "log_directory": (["--log", "."], {}, ["--log", "directory"]),
    "log_no_parent": (["--log", "nodir/ev.log"], {}, ["--log", "nodir"]),
    "view_directory": (["--view", "."], {}, ["--view", "directory"]),
    "view_no_parent": (["--view", "nodir/r.html"], {}, ["--view", "nodir"]),
    "unknown_option": (["--fast"], {}, ["unknown option --fast"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_setting_fails_before_the_program(tmp_path, case):
    options, env, words = BAD[case]
    (tmp_path / "p.py").write_text("open('started', 'w').close()\nprint('ran')\n")
    r = _run([*options, "p.py"], tmp_path, env)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracejit: "), r.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert not (tmp_path / "started").exists()
    assert not (tmp_path / "nodir").exists()                # no directory is made for a path


@pytest.mark.parametrize("option", ["--view", "--log", "--params", "-m", "-c"])
def test_option_without_value(tmp_path, option):
    r = _run([option], tmp_path)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"tracejit: option {option} needs a value\n"


@pytest.mark.parametrize("value,on", [("", True), ("on", True), ("1", True), ("YES", True), (" true ", True),
                                      ("off", False), ("0", False), ("No", False), ("false", False)])
def test_tracejit_switch_words(tmp_path, value, on):
    (tmp_path / "p.py").write_text("s = 0\nfor i in range(3000):\n    s += i\nprint(s)\n")
    r = _run(["--params", "threshold=2,little_left=0", "--stats", "p.py"], tmp_path, {"TRACEJIT": value})
    assert (r.returncode, r.stdout) == (0, "4498500\n"), r.stderr
    assert ("traces_compiled      1" in r.stderr) == on, r.stderr


def test_off_does_not_change_the_programs_environment(tmp_path):
    (tmp_path / "p.py").write_text("import os\nprint(os.environ.get('TRACEJIT'))\n")
    assert _run(["--off", "p.py"], tmp_path).stdout == "None\n"


def test_good_log_and_view_paths_work(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "p.py").write_text("s = 0\nfor i in range(3000):\n    s += i\nprint(s)\n")
    r = _run(["--params", "threshold=2,little_left=0", "--view", "out/r.html", "p.py"], tmp_path,
             {"TRACEJIT_LOG": "out/ev.log"})
    assert (r.returncode, r.stdout) == (0, "4498500\n"), r.stderr
    assert '"compiled"' in (tmp_path / "out" / "ev.log").read_text()
    assert (tmp_path / "out" / "r.html").stat().st_size > 1000


# ------------------------------------------------------------------ Params, in one place
def test_params_checks_types_and_values():
    with pytest.raises(TypeError, match="threshold must be an int, not str"):
        Params(threshold="abc")
    with pytest.raises(TypeError, match="threshold must be an int, not bool"):
        Params(threshold=True)
    with pytest.raises(TypeError, match="threshold must be an int, not float"):
        Params(threshold=2.0)
    with pytest.raises(ValueError, match="trace_limit must be >= 0"):
        Params(trace_limit=-1)
    for bad in (float("nan"), float("inf"), -0.5):
        with pytest.raises(ValueError, match="slice_ms must be a finite number"):
            Params(slice_ms=bad)
    with pytest.raises(ValueError, match="native must be 0 or 1"):
        Params(native=2)
    assert Params(slice_ms=3).slice_ms == 3.0 and isinstance(Params(slice_ms=3).slice_ms, float)
    assert Params(native=False).native == 0 and type(Params(native=False).native) is int
    for name, kind, default, _ in PARAMS:                   # every default passes its own check
        assert getattr(Params(), name) == default and type(default) is kind


def test_params_make_names_unknown_parameters():
    with pytest.raises(TypeError) as e:
        Params.make(bogus=1)
    assert str(e.value).startswith("unknown parameter 'bogus'; known: threshold, trace_limit")
    assert Params.make(Params(threshold=7), trace_limit=9) == Params(threshold=7, trace_limit=9)


def test_parse_and_environment(monkeypatch):
    assert Params.parse(" threshold = 5 , slice_ms=0.5,") == Params(threshold=5, slice_ms=0.5)
    with pytest.raises(ValueError, match=r"^--params: bad value for slice_ms: 'nan'"):
        Params.parse("slice_ms=nan")
    monkeypatch.setenv("TRACEJIT_PARAMS", "threshold=oops")
    with pytest.raises(ValueError, match="^TRACEJIT_PARAMS: bad value for threshold"):
        from_environment()
    monkeypatch.setenv("TRACEJIT", "maybe")
    with pytest.raises(ValueError, match="^TRACEJIT: bad value 'maybe'"):
        jit_switch()


def test_check_writable(tmp_path):
    check_writable(str(tmp_path / "new.html"), "--view")
    assert not (tmp_path / "new.html").exists()
    with pytest.raises(ValueError, match="^--view: .*is a directory"):
        check_writable(str(tmp_path), "--view")
    with pytest.raises(ValueError, match="^--log: .*no such directory"):
        check_writable(str(tmp_path / "a" / "b.log"), "--log")


# ------------------------------------------------------------------ enable() and stats()
def test_enable_rejects_bad_keywords_even_when_off(fresh_engine, monkeypatch):
    for switch in ("on", "off"):
        monkeypatch.setenv("TRACEJIT", switch)
        with pytest.raises(TypeError, match="^unknown parameter 'bogus'; known: threshold"):
            with tracejit.enable(bogus=1):
                pass
        with pytest.raises(TypeError, match="threshold must be an int, not str"):
            with tracejit.enable(threshold="abc"):
                pass
        with pytest.raises(ValueError, match="slice_ms"):
            with tracejit.enable(slice_ms=float("nan")):
                pass


def test_enable_bad_environment_raises(fresh_engine, monkeypatch):
    monkeypatch.setenv("TRACEJIT", "maybe")
    with pytest.raises(ValueError, match="^TRACEJIT: "):
        with tracejit.enable():
            pass


def test_enable_parameters_apply_to_their_block(fresh_engine):
    """Nested blocks use the inner block's parameters while it runs; a later enable(threshold=50) in the
    same process takes effect (the first block's keywords used to be the only ones ever applied)."""
    seen = []
    with tracejit.enable(threshold=7):
        eng = tracejit.engine()
        if eng is None:
            pytest.skip("JIT unavailable here")
        base = from_environment()          # (the tests' TRACEJIT_PARAMS: conftest)
        seen.append(eng.params.threshold)
        with tracejit.enable(trace_limit=300, slice_ms=1.5):
            seen.append((eng.params.threshold, eng.params.trace_limit, eng.params.slice_ms, eng.slice_ns))
        seen.append((eng.params.threshold, eng.params.trace_limit))
    seen.append(eng.params)
    with tracejit.enable(threshold=50):
        seen.append(eng.params.threshold)
    with tracejit.enable():
        seen.append(eng.params.threshold)
    assert seen == [7, (7, 300, 1.5, 1_500_000), (7, base.trace_limit), base, 50, base.threshold]


def test_enable_threshold_changes_what_compiles(fresh_engine):
    """The block's threshold is really used: a loop of 30 iterations compiles at threshold=5, not at 50."""
    def loop(n):
        s = 0
        for i in range(n):
            s += i
        return s
    with tracejit.enable(threshold=50):
        loop(30)
    if tracejit.engine() is None:
        pytest.skip("JIT unavailable here")
    assert tracejit.stats()["traces_compiled"] == 0
    with tracejit.enable(threshold=5):
        assert loop(30) == 435
    assert tracejit.stats()["traces_compiled"] == 1


def test_stats_keys_are_the_same_on_and_off(fresh_engine, monkeypatch):
    from tracejit.runtime.stats import Stats
    keys = set(Stats().as_dict()) | {"jit", "reason"}
    before = tracejit.stats()
    assert set(before) == keys and before["jit"] == "off" and before["reason"] == "not started yet"
    assert before["traces_compiled"] == 0
    monkeypatch.setenv("TRACEJIT", "off")
    with tracejit.enable():
        pass
    off = tracejit.stats()
    assert set(off) == keys and off["jit"] == "off" and "TRACEJIT" in off["reason"]
    monkeypatch.delenv("TRACEJIT")
    with tracejit.enable():
        pass
    on = tracejit.stats()
    assert set(on) == keys
    assert (on["jit"], on["reason"]) == (("on", None) if tracejit.engine() is not None else ("off", on["reason"]))


def test_stats_in_a_program_run_with_off(tmp_path):
    (tmp_path / "p.py").write_text("import tracejit\nwith tracejit.enable():\n    pass\n"
                                   "s = tracejit.stats()\nprint(s['jit'], s['reason'], s['traces_compiled'])\n")
    r = _run(["--off", "p.py"], tmp_path)
    assert (r.returncode, r.stdout) == (0, "off switched off by --off 0\n"), r.stderr
