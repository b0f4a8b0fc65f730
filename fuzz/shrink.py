"""Shrinking a failing program to a small reproducer, and saving it as a corpus regression case.

`shrink(src, oracle)` works on the `ast`: it repeatedly tries deleting runs of statements (an emptied
body becomes `pass`), unwrapping if/for/while/try/def into their bodies (or an if into its else), dropping
else branches, turning an assignment into its bare value, replacing an expression by one of its
sub-expressions, a variable by 0 or 1, and reducing int constants, and keeps
a candidate when `oracle(candidate)` reports the same failure kind as the original. It stops at a fixpoint
or when the time budget is spent. The oracle is any `Callable[[str], str | None]` (None: does not fail),
so the shrinker is tested with fake oracles. The real ones: `FastOracle` (a plain worker and a fork-server
JIT worker with a fresh engine per program: about 0.1 s per test) and `pair_oracle` (two fresh processes,
plain and under tracejit: exact, about 0.6 s per test).
"""
from __future__ import annotations

import ast
import copy
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import REPO_ROOT
from .worker import PairResult, ProgramResult, Worker, compare_results, run_subprocess_pair

Oracle = Callable[[str], "str | None"]
CORPUS_DIR = REPO_ROOT / "tests" / "corpus"
CORPUS_PARAMS = "threshold=2"       # what tests/test_differential.py runs every corpus program with

_STMT_FIELDS = ("body", "orelse", "finalbody")


@dataclass
class ShrinkStats:
    tests: int = 0
    accepted: int = 0
    seconds: float = 0.0
    fixpoint: bool = False


# ---------------------------------------------------------------------------------------------------- edits
def _stmt_lists(tree: ast.AST) -> Iterator[tuple[int, str, list]]:
    for ni, node in enumerate(ast.walk(tree)):
        for fld in _STMT_FIELDS:
            lst = getattr(node, fld, None)
            if isinstance(lst, list) and lst and isinstance(lst[0], ast.stmt):
                yield ni, fld, lst


def _expr_slots(tree: ast.AST) -> Iterator[tuple[int, str, int | None, ast.expr]]:
    """(parent index, field, list index or None, child) for every expression that is read (not a target)."""
    for ni, node in enumerate(ast.walk(tree)):
        for fld, value in ast.iter_fields(node):
            items = [(None, value)] if not isinstance(value, list) else list(enumerate(value))
            for k, child in items:
                if not isinstance(child, ast.expr):
                    continue
                if isinstance(getattr(child, "ctx", None), (ast.Store, ast.Del)):
                    continue
                if isinstance(node, ast.keyword) or isinstance(child, (ast.Starred, ast.Slice)):
                    continue
                yield ni, fld, k, child


def _subexprs(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Call):
        return [a for a in node.args if not isinstance(a, ast.Starred)]
    return [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr) and not isinstance(c, (ast.Starred, ast.Slice))]


def _edits(tree: ast.Module) -> Iterator[tuple]:
    """Candidate edits, the ones removing most first. Each is applied by _apply to a fresh copy."""
    lists = list(_stmt_lists(tree))
    maxlen = max((len(lst) for _, _, lst in lists), default=0)
    size = maxlen
    while size >= 1:                                   # delete runs of statements, long runs first
        for ni, fld, lst in lists:
            if len(lst) >= size:
                for start in range(0, len(lst) - size + 1, size):
                    yield ("delete", ni, fld, start, size)
        size //= 2
    for ni, fld, lst in lists:                         # unwrap compound statements
        for k, st in enumerate(lst):
            if isinstance(st, (ast.If, ast.For, ast.While, ast.Try, ast.With, ast.FunctionDef)):
                yield ("unwrap", ni, fld, k, "body")
            if isinstance(st, (ast.If, ast.For, ast.While, ast.Try)) and st.orelse:
                yield ("unwrap", ni, fld, k, "orelse")
                yield ("drop_else", ni, fld, k, None)
            if isinstance(st, (ast.Assign, ast.AugAssign)) and not isinstance(st.value, (ast.Name, ast.Constant)):
                yield ("to_expr", ni, fld, k, None)     # keep only the computation: `s += a // b` -> `a // b`
    for ni, fld, k, child in _expr_slots(tree):        # simplify expressions
        subs = _subexprs(child)
        for si in range(len(subs)):
            yield ("subexpr", ni, fld, k, si)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and fld != "func":
            yield ("const", ni, fld, k, 0)
            yield ("const", ni, fld, k, 1)
        if isinstance(child, ast.Constant) and type(child.value) is int and abs(child.value) > 1:
            v = child.value
            for nv in dict.fromkeys([0, 1, v // 2]):
                if nv != v and abs(nv) < abs(v):
                    yield ("const", ni, fld, k, nv)


def _apply(tree: ast.Module, edit: tuple) -> ast.Module:
    new = copy.deepcopy(tree)
    nodes = list(ast.walk(new))
    op, ni, fld, k, arg = edit
    parent = nodes[ni]
    if op == "delete":
        lst = getattr(parent, fld)
        del lst[k:k + arg]
        if not lst and fld in ("body",):
            lst.append(ast.Pass())
    elif op == "to_expr":
        lst = getattr(parent, fld)
        lst[k] = ast.Expr(lst[k].value)
    elif op in ("unwrap", "drop_else"):
        lst = getattr(parent, fld)
        st = lst[k]
        repl = [] if op == "drop_else" else list(getattr(st, arg))
        if op == "drop_else":
            st.orelse = []
        else:
            lst[k:k + 1] = repl or [ast.Pass()]
    else:
        cur = getattr(parent, fld)
        child = cur[k] if k is not None else cur
        if op == "subexpr":
            repl = _subexprs(child)[arg]
        else:
            repl = ast.Constant(arg)
        if k is not None:
            cur[k] = repl
        else:
            setattr(parent, fld, repl)
    return ast.fix_missing_locations(new)


def _source(tree: ast.Module) -> str | None:
    try:
        text = ast.unparse(tree) + "\n"
        compile(text, "<shrink>", "exec")
    except (SyntaxError, ValueError, RecursionError):
        return None
    return text


# ---------------------------------------------------------------------------------------------------- shrinking
def shrink(src: str, oracle: Oracle, kind: str | None = None, time_budget: float = 300.0,
           max_tests: int = 5000, stats: ShrinkStats | None = None, log: Callable[[str], None] | None = None) -> str:
    """The smallest program found that still fails like `src` (kind: the oracle's verdict on src)."""
    stats = stats if stats is not None else ShrinkStats()
    t0 = time.monotonic()
    if kind is None:
        kind = oracle(src)
        stats.tests += 1
        if kind is None:
            raise ValueError("the program does not fail")
    best_tree = ast.parse(src)
    best = _source(best_tree) or src
    seen: set[str] = {best}
    while True:
        # One pass over the edits of the current program; after an accepted edit the pass goes on at the
        # same position in the new program's edit list (so a pass costs about one test per edit).
        changed = False
        edits = list(_edits(best_tree))
        i = 0
        while i < len(edits):
            if time.monotonic() - t0 > time_budget or stats.tests >= max_tests:
                stats.seconds = time.monotonic() - t0
                return best
            cand = _source(_apply(best_tree, edits[i]))
            i += 1
            if cand is None or cand in seen or (len(cand) >= len(best) and edits[i - 1][0] != "const"):
                continue
            seen.add(cand)
            stats.tests += 1
            if oracle(cand) == kind:
                best_tree, best = ast.parse(cand), cand
                stats.accepted += 1
                changed = True
                edits = list(_edits(best_tree))
                i -= 1
                if log:
                    log(f"shrink: {len(best.splitlines())} lines after {stats.tests} tests")
        if not changed:
            break
    stats.fixpoint = True
    stats.seconds = time.monotonic() - t0
    return best


def coarse_kind(kind: str | None) -> str | None:
    """The failure kind the shrinker preserves: "mismatch" (whatever fields differ: a wrong value often
    changes which ones), "crash:<rc>" or "hang"."""
    return "mismatch" if kind is not None and kind.startswith("mismatch") else kind


def coarse(oracle: Oracle) -> Oracle:
    return lambda src: coarse_kind(oracle(src))


def pair_oracle(params: str, python: str = sys.executable, timeout: float = 20.0,
                plain_timeout: float = 3.0) -> Oracle:
    """Oracle: run plain and under tracejit (two fresh processes); the failure kind or None."""
    def oracle(src: str) -> str | None:
        res = run_subprocess_pair(src, params, python, timeout=timeout, plain_timeout=plain_timeout)
        return None if res.kind == "plain-timeout" else res.kind
    return oracle


class FastOracle:
    """Oracle on workers: plain worker vs a forked child with a fresh engine. Kinds are named like the
    subprocess pair's ("crash:<rc>", "hang", "mismatch:<fields>"), but the fields are the worker's."""

    def __init__(self, params: str, python: str = sys.executable, timeout: float = 10.0,
                 plain_timeout: float = 3.0):
        self.plain = Worker(None, python)
        self.jit = Worker(params, python, fork=True)
        self.timeout, self.plain_timeout = timeout, plain_timeout

    def __call__(self, src: str) -> str | None:
        plain = self.plain.run(src, self.plain_timeout)
        if not isinstance(plain, ProgramResult):
            return None
        jit = self.jit.run(src, self.timeout)
        if not isinstance(jit, ProgramResult):
            return jit.kind + (f":{jit.returncode}" if jit.returncode is not None else "")
        diffs = compare_results(plain, jit)
        return "mismatch:" + "+".join(diffs) if diffs else None

    def close(self) -> None:
        self.plain.close()
        self.jit.close()


# ---------------------------------------------------------------------------------------------------- saving
def _describe(res: PairResult) -> list[str]:
    def short(text: str, n: int = 300) -> list[str]:
        lines = text.strip("\n").split("\n")
        out = "\n".join(lines[-8:])
        return (out[-n:]).split("\n")
    lines = [f"Differs: {res.kind} ({'; '.join(res.problems)})",
             f"plain exit {res.plain.returncode}, stdout (tail):"]
    lines += ["  " + ln for ln in short(res.plain.stdout)]
    if res.plain.stderr:
        lines += ["plain stderr (tail):"] + ["  " + ln for ln in short(res.plain.stderr)]
    lines += [f"tracejit exit {res.jit.returncode}, stdout (tail):"]
    lines += ["  " + ln for ln in short(res.jit.stdout)]
    if res.jit.stderr:
        lines += ["tracejit stderr (tail):"] + ["  " + ln for ln in short(res.jit.stderr)]
    return lines


def corpus_path(seed: int, python_version: tuple[int, int] | None = None) -> Path:
    major, minor = python_version or sys.version_info[:2]
    return CORPUS_DIR / f"fuzz_py{major}{minor}_{seed}.py"


def existing_reproducers() -> set[str]:
    """The bodies (header comments removed) of the fuzz_*.py corpus files, to skip duplicates."""
    out = set()
    for p in CORPUS_DIR.glob("fuzz_*.py"):
        out.add(strip_header(p.read_text(encoding="utf-8")))
    return out


def strip_header(text: str) -> str:
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "\n".join(lines)


def save_reproducer(program: str, seed: int, params: str, python: str = sys.executable,
                    original_kind: str = "", dest: Path | None = None) -> tuple[Path, PairResult, bool]:
    """Write the shrunk program with a header under tests/corpus/; returns (path, result under the corpus
    params, whether the saved file fails under the corpus test's params)."""
    at_corpus = run_subprocess_pair(program, CORPUS_PARAMS, python)
    at_seed = run_subprocess_pair(program, params, python)
    reproduces = at_corpus.kind is not None and at_corpus.kind != "plain-timeout"
    shown = at_corpus if reproduces else at_seed
    version = sys.version.split()[0] if python == sys.executable else python
    header = [
        f"Fuzz regression case: `python -m fuzz --one {seed}` (CPython {version}),",
        f"fuzz params {params}; found as: {original_kind}.",
        f"Fails under the corpus test's params ({CORPUS_PARAMS}): {'yes' if reproduces else 'NO, only under ' + params}.",
    ] + _describe(shown)
    text = "\n".join("# " + ln if ln else "#" for ln in header) + "\n" + program
    path = dest or corpus_path(seed)
    path.write_text(text, encoding="utf-8")
    # Re-check the file as saved (the header moved every line down).
    final = run_subprocess_pair(text, CORPUS_PARAMS, python)
    return path, final, final.kind is not None and final.kind != "plain-timeout"
