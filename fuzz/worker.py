"""Running programs: long-lived worker processes (plain and JIT) fed over a pipe, and the slow but exact
two-subprocess check used to confirm a difference.

Worker side (`python -m fuzz.worker [--jit PARAMS]`): reads requests from stdin, each a 4-byte big-endian
length and a JSON object `{"src": ...}`, executes the program with
`exec(compile(src, "<fuzz>", "exec"), {"__name__": "__main__", "__builtins__": builtins})` with stdout and
stderr captured, and answers the same way with a `ProgramResult` as JSON. A JIT worker configures the one
tracejit engine once with PARAMS and runs every program inside `with tracejit.enable():` (so one engine
sees thousands of programs), reporting per program the deltas of `tracejit.stats()`. A fork-server JIT
worker (`--fork`, used by the shrinker) instead runs each program in a forked child with a fresh engine.

Parent side: `Worker` (start, run with a timeout, restart after a crash or hang) and
`run_subprocess_pair()` (`python prog.py` vs `python -m tracejit --params P prog.py`, compared like
tests/difftest.py does: stdout, exit status and stderr with the JIT's own `tracejit:` lines removed).
"""
from __future__ import annotations

import argparse
import builtins
import contextlib
import dataclasses
import gc
import io
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import REPO_ROOT

PROGRAM_NAME = "<fuzz>"
JIT_PREFIX = "tracejit:"
STAT_KEYS = ("traces_compiled", "bridges_compiled", "native_entries", "guard_failures", "internal_errors",
             "loops_dropped", "blacklisted", "entry_rejections")


@dataclass
class ProgramResult:
    """What one program did in a worker."""
    stdout: str
    stderr: str
    exc_type: str | None          # uncaught exception (None: none, or SystemExit)
    exc_msg: str | None
    exc_line: int | None          # line of the innermost "<fuzz>" traceback frame
    status: int                   # synthesized exit status
    seconds: float
    stats: dict[str, int] = field(default_factory=dict)   # JIT stats deltas (JIT worker only)


@dataclass
class WorkerFailure:
    """The worker did not answer: it died ("crash") or exceeded the timeout ("hang")."""
    kind: str
    returncode: int | None
    stderr_tail: str
    seconds: float


@dataclass
class SubprocessResult:
    stdout: str
    stderr: str                   # normalized
    returncode: int | None        # None: timed out
    seconds: float


@dataclass
class PairResult:
    """`python prog.py` vs `python -m tracejit --params P prog.py`."""
    plain: SubprocessResult
    jit: SubprocessResult
    kind: str | None              # None: same; else "mismatch:<fields>", "crash:<rc>", "hang", "plain-timeout"
    problems: list[str]


# ---------------------------------------------------------------------------------------------------- worker side
def _read_msg(stream) -> Any | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (n,) = struct.unpack(">I", head)
    data = stream.read(n)
    return json.loads(data.decode("utf-8"))


def _write_msg(stream, obj: Any) -> None:
    data = json.dumps(obj).encode("utf-8")
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def _exit_status(e: SystemExit, err: io.StringIO) -> int:
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    err.write(f"{code}\n")
    return 1


def _numeric_stats(tracejit) -> dict[str, int]:
    s = tracejit.stats()
    out = {k: int(s.get(k, 0)) for k in STAT_KEYS}
    out["aborts"] = sum(s.get("aborts", {}).values())
    return out


def execute(src: str, jit: bool, tracejit=None) -> ProgramResult:
    """Run one program in this process (the worker's job)."""
    out, err = io.StringIO(), io.StringIO()
    glb: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    exc_type = exc_msg = None
    exc_line = None
    status = 0
    before = _numeric_stats(tracejit) if jit else {}
    t0 = time.perf_counter()
    try:
        code = compile(src, PROGRAM_NAME, "exec")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            if jit:
                with tracejit.enable():
                    exec(code, glb)
            else:
                exec(code, glb)
    except SystemExit as e:
        status = _exit_status(e, err)
    except BaseException as e:     # noqa: BLE001 - everything a program can raise is a result
        exc_type, exc_msg, status = type(e).__name__, str(e), 1
        tb = e.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == PROGRAM_NAME:
                exc_line = tb.tb_lineno
            tb = tb.tb_next
        del tb, e
    seconds = time.perf_counter() - t0
    stats = {}
    if jit:
        after = _numeric_stats(tracejit)
        stats = {k: after[k] - before.get(k, 0) for k in after}
    glb.clear()
    return ProgramResult(out.getvalue(), err.getvalue(), exc_type, exc_msg, exc_line, status, seconds, stats)


def _fork_execute(src: str, params: str, timeout: float) -> dict:
    """Fork-server mode: run the program in a forked child with a brand-new engine (as in a fresh process,
    without paying for the interpreter start and the imports); report a crash or hang of the child."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:                                    # child
        os.close(r)
        try:
            import tracejit
            from tracejit.params import Params
            tracejit.api.configure(Params.parse(params))
            data = json.dumps(dataclasses.asdict(execute(src, True, tracejit))).encode("utf-8")
            with os.fdopen(w, "wb") as f:
                f.write(data)
        finally:
            os._exit(0)
    os.close(w)
    chunks, deadline, hung = [], time.monotonic() + timeout, False
    while True:
        left = deadline - time.monotonic()
        ready = select.select([r], [], [], max(left, 0))[0] if left > 0 else []
        if not ready:
            hung = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            break
        data = os.read(r, 1 << 16)
        if not data:
            break
        chunks.append(data)
    os.close(r)
    _, wstatus = os.waitpid(pid, 0)
    seconds = time.perf_counter() - t0
    if hung:
        return {"failure": "hang", "returncode": None, "seconds": seconds}
    rc = os.waitstatus_to_exitcode(wstatus)
    if rc != 0 or not chunks:
        return {"failure": "crash", "returncode": rc, "seconds": seconds}
    return json.loads(b"".join(chunks).decode("utf-8"))


def worker_main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m fuzz.worker")
    ap.add_argument("--jit", metavar="PARAMS", default=None, help="run under tracejit with these parameters")
    ap.add_argument("--fork", action="store_true",
                    help="with --jit: run each program in a forked child with a fresh engine")
    args = ap.parse_args(argv)
    import faulthandler
    faulthandler.enable()
    # Private channels for the protocol; the program's (and anybody's) fd 0/1 no longer reach them.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    tracejit = None
    if args.jit is not None and args.fork:
        import tracejit
        import tracejit.backend  # noqa: F401  (imported once here, not in every child)
        import tracejit.runtime.engine  # noqa: F401
    elif args.jit is not None:
        import tracejit
        from tracejit.params import Params
        tracejit.api.configure(Params.parse(args.jit))
        if tracejit.api.engine() is None:
            print(f"fuzz.worker: JIT unavailable: {tracejit.stats()}", file=sys.stderr)
            sys.exit(3)
    n = 0
    while True:
        req = _read_msg(proto_in)
        if req is None:
            break
        if args.fork and args.jit is not None:
            _write_msg(proto_out, _fork_execute(req["src"], args.jit, req.get("timeout", 10.0)))
            continue
        res = execute(req["src"], tracejit is not None, tracejit)
        _write_msg(proto_out, dataclasses.asdict(res))
        n += 1
        if n % 64 == 0:
            gc.collect()


# ---------------------------------------------------------------------------------------------------- parent side
def child_env() -> dict[str, str]:
    """The environment of tests/difftest.py: PYTHONHASHSEED=0, utf-8 I/O, the repository on PYTHONPATH, and
    TRACEJIT_PARAMS=trace_idle_ms=600000 (under `--params`): on 3.11 a fresh process keeps tracing these short
    programs, as the long-lived JIT worker does (else a difference the worker saw may not be confirmed)."""
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    for k in ("PYTHONSTARTUP", "PYTHONINSPECT", "TRACEJIT", "TRACEJIT_PARAMS", "TRACEJIT_LOG"):
        env.pop(k, None)
    env["TRACEJIT_PARAMS"] = "trace_idle_ms=600000"
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + old if old else "")
    return env


class Worker:
    """A long-lived worker process (plain, or JIT with the given params); restarted after a failure."""

    def __init__(self, jit_params: str | None = None, python: str = sys.executable, fork: bool = False):
        self.jit_params = jit_params
        self.python = python
        self.fork = fork and jit_params is not None
        self.proc: subprocess.Popen | None = None
        self.errfile = None
        self.history: list[int] = []      # seeds run since the last (re)start, for worker-only reports

    @property
    def label(self) -> str:
        return f"jit[{self.jit_params}]" if self.jit_params is not None else "plain"

    def start(self) -> None:
        argv = [self.python, "-m", "fuzz.worker"]
        if self.jit_params is not None:
            argv += ["--jit", self.jit_params]
        if self.fork:
            argv.append("--fork")
        self.errfile = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errfile,
                                     env=child_env(), cwd=str(REPO_ROOT))
        self.history = []

    def _stderr_tail(self, n: int = 4000) -> str:
        if self.errfile is None:
            return ""
        self.errfile.seek(0)
        return self.errfile.read().decode("utf-8", "replace")[-n:]

    def _read_exact(self, n: int, deadline: float) -> bytes | None:
        fd = self.proc.stdout.fileno()
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
            data = os.read(fd, n - got)
            if not data:
                return None
            chunks.append(data)
            got += len(data)
        return b"".join(chunks)

    def run(self, src: str, timeout: float, seed: int = -1) -> ProgramResult | WorkerFailure:
        if self.proc is None:
            self.start()
        self.history.append(seed)
        t0 = time.monotonic()
        data = json.dumps({"src": src, "timeout": timeout}).encode("utf-8")
        if self.fork:
            timeout += 5.0                           # the fork server enforces `timeout` itself
        try:
            self.proc.stdin.write(struct.pack(">I", len(data)) + data)
            self.proc.stdin.flush()
            head = self._read_exact(4, t0 + timeout)
            body = None if head is None else self._read_exact(struct.unpack(">I", head)[0], t0 + timeout)
        except TimeoutError:
            self.kill()
            return WorkerFailure("hang", None, self._stderr_tail(), time.monotonic() - t0)
        except (BrokenPipeError, ConnectionResetError):
            body = None
        if body is None:
            rc = self.proc.wait()
            tail = self._stderr_tail()
            self._reset()
            return WorkerFailure("crash", rc, tail, time.monotonic() - t0)
        msg = json.loads(body.decode("utf-8"))
        if "failure" in msg:
            return WorkerFailure(msg["failure"], msg["returncode"], self._stderr_tail(), msg["seconds"])
        return ProgramResult(**msg)

    def kill(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._reset()

    def _reset(self) -> None:
        if self.proc is not None:
            for s in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(Exception):
                    s.close()
        if self.errfile is not None:
            self.errfile.close()
        self.proc = None
        self.errfile = None

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reset()


def strip_jit_lines(text: str) -> str:
    return "\n".join(ln for ln in text.split("\n") if not ln.startswith(JIT_PREFIX))


def compare_results(plain: ProgramResult, jit: ProgramResult) -> list[str]:
    """Names of the fields that differ between a plain and a JIT worker result (empty: same)."""
    diffs = []
    if plain.stdout != jit.stdout:
        diffs.append("stdout")
    if plain.stderr != strip_jit_lines(jit.stderr):
        diffs.append("stderr")
    if (plain.exc_type, plain.exc_msg) != (jit.exc_type, jit.exc_msg):
        diffs.append("exception")
    if plain.exc_line != jit.exc_line:
        diffs.append("line")
    if plain.status != jit.status:
        diffs.append("status")
    return diffs


# ---------------------------------------------------------------------------------------------------- subprocesses
def normalize_stderr(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _run_file(argv: list[str], cwd: str, timeout: float) -> SubprocessResult:
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, cwd=cwd, env=child_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return SubprocessResult((e.stdout or b"").decode("utf-8", "replace"),
                                normalize_stderr((e.stderr or b"").decode("utf-8", "replace")), None,
                                time.monotonic() - t0)
    return SubprocessResult(p.stdout.decode("utf-8", "replace"), normalize_stderr(p.stderr.decode("utf-8", "replace")),
                            p.returncode, time.monotonic() - t0)


def run_subprocess_pair(src: str, params: str, python: str = sys.executable, timeout: float = 20.0,
                        plain_timeout: float | None = None, filename: str = "fuzz_prog.py") -> PairResult:
    """Write the program to a temporary file and run it as two fresh processes; classify the difference."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as d:
        path = Path(d) / filename
        path.write_text(src, encoding="utf-8")
        plain = _run_file([python, str(path)], d, plain_timeout or timeout)
        if plain.returncode is None:
            return PairResult(plain, plain, "plain-timeout", ["plain CPython timed out"])
        jit = _run_file([python, "-m", "tracejit", "--params", params, str(path)], d, timeout)
    problems, fields = [], []
    if jit.returncode is None:
        return PairResult(plain, jit, "hang", [f"tracejit run timed out after {timeout}s"])
    if plain.stdout != jit.stdout:
        fields.append("stdout")
        problems.append("stdout differs")
    if plain.returncode != jit.returncode:
        fields.append("status")
        problems.append(f"exit status differs: plain={plain.returncode} jit={jit.returncode}")
    jit_err = strip_jit_lines(jit.stderr).strip("\n")
    if plain.stderr != jit_err:
        fields.append("stderr")
        problems.append("stderr differs")
    if not fields:
        return PairResult(plain, jit, None, [])
    if jit.returncode is not None and jit.returncode < 0 and plain.returncode != jit.returncode:
        return PairResult(plain, jit, f"crash:{jit.returncode}", problems)
    return PairResult(plain, jit, "mismatch:" + "+".join(fields), problems)


if __name__ == "__main__":
    worker_main()
