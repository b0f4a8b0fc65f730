"""What the engine knows of each loop header (LoopSite), and the judgements of how long its runs are: in the
interpreter while it gets hot (count_run, short_interpreted_runs), in machine code once compiled
(entries_verdict). An entry into machine code costs about as much as `short_run` interpreted iterations; runs
HOPELESS_RUNS times shorter than that say the loop is short by nature (docs/architecture.md, "What the JIT
may spend").

May import: tracejit.cpython (the bytecode tables, loaded when a loop gets hot), tracejit.runtime.recording
(when a recording gave a hint), the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys
import time

from tracejit.codetable import CodeTable
from tracejit.cpython.entrycheck import raw_back_edges, raw_branches_into

TYPE_CHECKING = False           # typing is not imported at start-up
if TYPE_CHECKING:
    from tracejit.cpython.layout import FrameAccess

    from .compiled import CompiledLoop

MIN_ENTRIES_TO_JUDGE = 200        # entries in a window before judging whether entering a compiled loop pays
HOPELESS_AFTER = 64               # ... but a window whose first this many entries are hopeless (HOPELESS_RUNS) ends
                                  # there (more than bridge_threshold entries: a bridge it needs has had its chance)
# what an entry costs, in entries through the Python entry (bench/overheads.py, 3.12: 12.8 us): through the native
# round trip called from Python, 3.6 us; made by the back-edge stub (runtime/fastpath.py, 3.12+), 0.15-0.25 us
ROUNDTRIP_SHARE = 4
# On 3.11 the stub (called by the C-level trace function, 0.3 us) is priced as a round trip from Python: a loop
# kept compiled keeps the thread in 3.11's slow tracing mode while a frame is inside it (hooks/tracing.py), a
# cost on every instruction around the loop that its entries must carry (red_black_tree 3.11: 0.42 -> 0.475 s
# priced at a 48th)
STUB_SHARE = 48 if sys.version_info >= (3, 12) else ROUNDTRIP_SHARE
HOPELESS_RUNS = 8                 # runs this many times too short to pay back an entry (on average under
                                  # short_run / 8 iterations): the loop is short by nature, and compiling it
                                  # (again) would be paid again: it is given up at once
SHORT_BY_NATURE = 2               # ... and so are native runs averaging under this many iterations, however cheap
                                  # its entries (red_black_tree's fix_insert: 1.5, compiled and dropped 3 times)
MIN_RUNS_TO_JUDGE = 8             # runs of a loop seen before its interpreted runs may be judged too short
ENTRY_EVENTS = 4                  # a `while` loop's entry tests are watched for at most this many times `threshold`
                                  # of their events (runs, and passes that skip the loop) per count, then paused
                                  # until its next count (EntryTests)
# LoopSite.entry_state: its entries not counted, being counted, not this count any more, never again
NOT_COUNTED, WATCHED, PAUSED, CLOSED = 0, 1, 2, 3
MAX_LOOK_EVERY = 8                # a `for` loop counting towards `threshold` is looked at once in at most this many
                                  # back-edges (look_every), the back-edge stub letting the others pass


class LoopSite:
    """What the engine knows of one loop header in one code object (kept in a CodeTable, so it goes away
    with its code object)."""
    __slots__ = ("name", "header", "count", "aborts", "retries", "blacklisted", "versions", "rejects", "skip",
                 "backoffs", "counting_since", "last_abort", "hints", "for_loop", "runs", "edges", "position",
                 "judged_runs", "short_rounds", "fast", "fast_loop", "fast_guards", "fast_assumed", "passing",
                 "enclosing", "spend_waits", "little_waits", "import_waits", "pays_back_from", "looked", "left",
                 "spent", "saved", "drops", "retraces", "entry_state", "entry_events")

    def __init__(self, name: str, header: int) -> None:
        self.name = name
        self.header = header
        self.count = 0              # back-edges seen (negative after an abort: back-off)
        self.aborts = 0
        self.retries = 0            # recordings that failed by chance (see retryable)
        self.blacklisted = False
        self.versions: list[CompiledLoop] = []  # compiled loops for different entry types, last used first
        self.rejects = 0            # entries in a row that no version accepted
        self.skip = 0               # back-edges to let pass without trying to enter (backing off)
        self.backoffs = 0           # rounds of `reject_limit` rejected entries with no new version recorded
        self.spend_waits = 0        # times it found the JIT's share spent (Engine._may_spend): each wait is longer
        self.little_waits = 0       # times it got hot with too little of its run left to pay (Engine._first_run_left)
        self.import_waits = 0       # times it got hot while the program imported (Engine._record): each wait longer
        self.pays_back_from = 0     # the items left its recorded trace needs to pay (generic.pays_back), once known
        # the CPU time the JIT spent recording and compiling this loop, its versions and their bridges (whatever
        # came of it), and the instructions its versions no longer in service saved (native iterations x
        # instructions of the recorded iteration): Engine._site_may_spend
        self.spent = 0.0
        self.saved = 0
        self.drops = 0              # compiled versions dropped (runs too short to pay back, or one too many)
        self.retraces = 0           # versions recorded again for the types a bridge carried (Engine._retrace_types)
        self.counting_since = time.monotonic()  # when it started counting towards `threshold` (header_live)
        self.last_abort = ""        # the reason of its last failed recording, its numbers left out
        self.hints: dict[str, frozenset] = {}   # what its recordings do otherwise, learnt from aborts (_abort)
        # a `for` loop's runs in the interpreter while it counts towards `threshold` (count_run): the back-edges
        # seen with a range, list, tuple or str iterator, the runs they belong to (a run starts where the
        # iterator's position did not grow since the last back-edge: a new iterator), the last position, the
        # runs of the last judgement and the times they were found too short to record (Engine._short_runs)
        self.for_loop: bool | None = None   # False: not a `for` loop of its own; None: a FOR_ITER header
        self.enclosing: tuple[int, ...] = ()    # the headers of the loops of its code that enclose it
        self.runs = 0
        self.edges = 0
        self.position = 0
        self.looked = 0             # its count at the last back-edge count_run looked at
        self.left = 0               # the items its iterator had left then
        self.judged_runs = 0
        self.short_rounds = 0
        # a `while` loop's runs (3.12+, EntryTests): counted in `runs` by the BRANCH events of its entry tests
        # (`entry_events` of them so far), its back-edges meanwhile in `edges` (Engine._count, and those the
        # back-edge stub lets pass)
        self.entry_state = NOT_COUNTED
        self.entry_events = 0
        # its entry for the back-edge stub (runtime/fastpath.py; None: none yet) and the loop it enters
        self.fast = None
        self.fast_loop: CompiledLoop | None = None
        self.fast_guards = None     # the words its fast entry's FAST_GUARDS points to (kept alive here)
        self.fast_assumed = None    # ... made for these assumptions of the loop's (FastPath._assumed)
        # back-edges of its back-off handed to the stub to let pass ("count" or "skip": where they came from, and
        # where those it has not let pass go back; "": none)
        self.passing = ""

    def learn(self, name: str, item) -> bool:
        """Add a hint for the loop's next recordings (recording.RETRY_HINTS: at most that many items of each kind);
        False if it was known already or the kind's room is used up."""
        from .recording import RETRY_HINTS     # (a hint comes from a recording: the module is loaded)
        known = self.hints.get(name, frozenset())
        if item in known or len(known) >= RETRY_HINTS[name]:
            return False
        self.hints = {**self.hints, name: known | {item}}
        return True

    @property
    def given_up(self) -> bool:
        """Blacklisted with no compiled version left: nothing of the JIT's will run this loop."""
        return self.blacklisted and not self.versions

    @property
    def compiled(self) -> CompiledLoop | None:
        return self.versions[0] if self.versions else None


def loop_name(code, header: int) -> str:
    return f"{code.co_name}:{code.co_firstlineno}@{header}"


def look_every(short_run: int, threshold: int) -> int:
    """Once in how many back-edges a `for` loop counting towards `threshold` is looked at (count_run; the back-edge
    stub lets the others pass), for interpreted runs judged against `short_run` (short_interpreted_runs): fewer
    than the hopeless average run (short_run / HOPELESS_RUNS, 8 by default), so that looks at runs all hopelessly
    short find a new run each time, and few enough that those looks, twice MIN_RUNS_TO_JUDGE of them, fit in one
    count up to `threshold` (6 with the default threshold of 100)."""
    return max(1, min(MAX_LOOK_EVERY, -(-short_run // HOPELESS_RUNS) - 1, threshold // (2 * MIN_RUNS_TO_JUDGE)))


def count_run(fa: FrameAccess, frame, code, site: LoopSite) -> None:
    """A back-edge of a loop counting towards `threshold` (for all it knows, a `for` loop: short_interpreted_runs
    checks), looked at after the back-edge stub let the ones since the last look pass (`site.count` grew by as
    many): its runs are counted from its iterator (a range, list, tuple or str iterator on top of the frame's
    value stack, layout.top_iterator_run). A new run began since the last look where the iterator has not gone as
    far as those back-edges take it (each gives one item); the back-edges between the last look's run (its items
    left then) and the new one's (the items it has given, where known) belong to runs that began and ended in
    between, counted as that many runs as long as the new one, at least one. Looked at on every back-edge, this
    counts every run; looked at once in look_every back-edges, runs over a range on 3.12+ (its items given are
    not known) shorter than that count as that long, still short enough to be hopeless."""
    edges, site.looked = site.count - site.looked, site.count
    if not 1 <= edges <= site.count:
        edges = 1                   # the count went back since the last look (backing off): a first look
    run = fa.top_iterator_run(frame, code)
    if run is None:
        return
    position, given, left = run
    if not site.edges or position < site.position + edges:
        between = edges - given - site.left if given and site.edges else 0
        site.runs += 1 + (max(1, round(between / (given + left))) if between > 0 and given + left > 0 else 0)
    site.edges += edges
    site.position, site.left = position, left


def loops_around(code, header: int) -> tuple[int, ...]:
    """The headers of the loops of `code` that enclose the loop at `header` (a backward jump over it), read
    straight from co_code (entrycheck.raw_back_edges: the bytecode layer's decoding of every instruction, which
    this judgement does not need, took 5 ms for a large function such as re's `_parse`, in the program's time)."""
    return tuple(head for src, head in raw_back_edges(code) if head < header < src)


def short_interpreted_runs(site: LoopSite, code, short_run: int, given_up=lambda header: False) -> float | None:
    """The average length of the loop's runs counted since the last judgement (count_run), if it is a `for`
    loop whose runs were HOPELESS_RUNS times too short to pay back an entry; else None. Starts a new count.
    A loop inside another loop of its frame is left alone while that loop may still compile (given_up(its
    header) false): its runs may be short, but the trace of the enclosing loop can run through it, entered once
    for many of its runs. (A `while` loop whose entries are counted: EntryTests.judge.)"""
    runs, edges = site.runs, site.edges
    site.runs = site.edges = 0
    site.judged_runs = runs
    if not short_run or runs < MIN_RUNS_TO_JUDGE or edges * HOPELESS_RUNS >= short_run * runs:
        return None
    if site.for_loop is None:
        # its header is a FOR_ITER (the engine checked co_code when it made the site; other loops are not
        # counted): the runs counted by the iterator on top of the stack are the loop's own unless another loop
        # of its code encloses it. (Looked up here, not at the first back-edge: the bytecode tables are
        # imported only for a loop that gets hot.)
        site.enclosing = loops_around(code, site.header)
        site.for_loop = all(given_up(head) for head in site.enclosing)
    return round(edges / runs, 1) if site.for_loop else None


class EntryTests:
    """The `while` loops whose runs are counted while they count towards `threshold` (3.12+: the hooks'
    watch_entries). A `for` loop's runs are told apart by its iterator (count_run); a `while` loop keeps no such
    state, but each of its runs passes one of its entry tests (entrycheck.raw_branches_into: the conditional jump
    before it that falls into it or jumps to its test), whose BRANCH event costs one callback per run, not per
    iteration. Every other branch of the code object is never reported again after its first event.

    Only a loop that no other loop of its code encloses is counted: its native runs end where its interpreted
    runs do (a bridge cannot leave its frame by a return), so runs too short to pay back an entry now are too
    short in machine code too. Inside another loop, a bridge from its exit through the loop around it back into
    it can keep one native run going over many of its runs (the Julia set's escape loop: runs of 1-2 iterations
    at the border, 3.3x as machine code), and it is left to the recordings. A loop's entry tests are watched
    from its first back-edge (not during an import: most of those loops run once) until its runs are judged
    long enough, it compiles or is blacklisted, or its code object dies; within one count (one judgement's
    window) for at most ENTRY_EVENTS x threshold events, then paused until the next count. Runs that enter it
    another way (a fall-through into `while True:`, a jump) are not counted: its runs then seem longer than
    they are, never shorter."""

    def __init__(self) -> None:
        self.hooks = None                   # the installed hooks, if they can watch branches (Engine)
        self.tests = CodeTable()            # code -> {entry test offset: LoopSite}

    def watch(self, code, site: LoopSite) -> None:
        """Count the runs of the `while` loop `site` of `code` from now on, if it has entry tests and no loop of
        its code encloses it."""
        if self.hooks is None or site.entry_state != NOT_COUNTED or loops_around(code, site.header):
            return
        branches = raw_branches_into(code, site.header)
        if branches:
            site.entry_events, site.runs, site.edges = 0, 0, 0
            self._watch(code, site, branches)

    def entered(self, code, src: int, dst: int, limit: int) -> bool:
        """A BRANCH event at `src` going to `dst`: a run of the loop whose entry test it is when dst is its
        header. False if `src` is no watched loop's entry test (the hooks never report it again)."""
        tests = self.tests.get(code)
        site = tests.get(src) if tests is not None else None
        if site is None or site.entry_state != WATCHED:
            return False
        site.entry_events += 1
        if dst == site.header:
            site.runs += 1
        if site.entry_events >= limit:
            self._unwatch(code, site, PAUSED)
        return True

    def judge(self, code, site: LoopSite, short_run: int) -> float | None:
        """short_interpreted_runs of a `while` loop whose runs are counted: the average of its runs counted since
        the count began (in back-edges: its iterations in machine code, which it enters at its first back-edge),
        if they were short by nature, fewer than SHORT_BY_NATURE (the judgement a compiled loop's native runs get
        however cheap its entries: the back-edge stub makes most of them); else None. Runs long enough end the
        counting; too few of them let it go on. (Not judged against `short_run` as a `for` loop is: a function's
        `while` loop often runs short first and long later, merge sort's merge: 2-5 back-edges per run in its
        first calls, at the bottom of the recursion, 1.8x as machine code over the whole sort.)"""
        runs, edges = site.runs, site.edges
        site.judged_runs = runs
        if not short_run or runs < MIN_RUNS_TO_JUDGE:
            return None
        if edges >= SHORT_BY_NATURE * runs:
            self.close(code, site)
            return None
        return round(edges / runs, 1)

    def restart(self, code, site: LoopSite) -> None:
        """A new count of the runs of a loop judged too short (over its back-off and the back-edges after it)."""
        if site.entry_state in (WATCHED, PAUSED):
            site.entry_events, site.runs, site.edges = 0, 0, 0
            if site.entry_state == PAUSED and self.hooks is not None:
                self._watch(code, site, raw_branches_into(code, site.header))

    def close(self, code, site: LoopSite) -> None:
        """Stop counting the runs of `site` for good."""
        if site.entry_state == WATCHED:
            self._unwatch(code, site, CLOSED)
        elif site.entry_state == PAUSED:
            site.entry_state = CLOSED

    def _unwatch(self, code, site: LoopSite, state: int) -> None:
        site.entry_state = state
        tests = self.tests.get(code)
        if tests is not None:
            for offset in [k for k, v in tests.items() if v is site]:
                del tests[offset]
            if not tests:
                self.tests.pop(code)
        if self.hooks is not None:
            self.hooks.unwatch_entries(code)

    def _watch(self, code, site: LoopSite, branches: frozenset[int]) -> None:
        """Report the BRANCH events of `branches`, site's entry tests, to `entered` from now on."""
        tests = self.tests.get(code)
        if tests is None:
            tests = self.tests[code] = {}
        for offset in branches:
            tests.setdefault(offset, site)
        site.entry_state = WATCHED
        self.hooks.watch_entries(code)

    def forget(self) -> None:
        """The hooks went (their events with them): no loop's runs are counted any more."""
        for tests in self.tests.values():
            for site in tests.values():
                site.entry_state = NOT_COUNTED
        self.tests.clear()
        self.hooks = None


def entries_verdict(loop: CompiledLoop, short_run: int) -> tuple[str, bool] | None:
    """Whether a compiled loop's native runs pay back its entries: over windows of entries (MIN_ENTRIES_TO_JUDGE,
    then twice as long each time; a new bridge opens a new window; a window that is hopeless after HOPELESS_AFTER
    entries is judged there), runs averaging fewer iterations than `short_run` per entry through the Python entry
    do not (an entry through the native round trip costs a ROUNDTRIP_SHARE of that, one the back-edge stub made a
    STUB_SHARE: entry_cost). Returns (the reason to drop it, whether its runs are hopelessly short: the loop is
    then given up at once), or None."""
    if not short_run or loop.retired:
        return None
    if loop.judge_at == 0:
        loop.judged = (loop.entries, loop.native_iterations, loop.counters[0])
        loop.judge_at = loop.entries + MIN_ENTRIES_TO_JUDGE
        loop.look_at = loop.entries + HOPELESS_AFTER
        return None
    entries = loop.entries - loop.judged[0]
    iterations = loop.native_iterations - loop.judged[1]
    need = short_run * entry_cost(loop, entries, loop.counters[0] - loop.judged[2])
    hopeless = iterations * HOPELESS_RUNS < need or (iterations < need and iterations < SHORT_BY_NATURE * entries)
    if loop.entries < loop.judge_at and not (entries == HOPELESS_AFTER and hopeless):
        return None
    loop.judged = (loop.entries, loop.native_iterations, loop.counters[0])
    loop.judge_at = loop.entries + 2 * entries
    loop.look_at = loop.entries + HOPELESS_AFTER
    if iterations >= need:
        return None
    return f"native runs average {iterations / entries:.1f} iterations", hopeless


def entry_cost(loop: CompiledLoop, entries: int, fast: int) -> float:
    """What `entries` entries cost, `fast` of them made by the back-edge stub, in Python entries."""
    slow = (entries - fast) / (ROUNDTRIP_SHARE if loop.roundtrip is not None else 1)
    return slow + fast / STUB_SHARE
