"""Compiled loops entered from machine code: the runtime side of backend/fastentry.py.

`FastPath(engine, mem, on_jump, on_finish)` is made once, at the first activation, when the hooks can call machine
code at a back-edge: sys.monitoring's (3.12+), or the C-level trace function of the 3.11 hooks
(runtime/native_trace.py). It places the stub's bytes kept here for this version (JUMP_STUBS; their data slots,
fastwords.JUMP_SLOTS, written after them: no assembler is loaded), which each activation registers with the
hooks (`set_jump_callback`: 3.12+ the JUMP callback in place of the Python one, `on_jump`, its slow path; 3.11 the
function the trace function calls at a loop header's line before its dispatcher), and keeps the data the stub
reads:
- the gate: open while the engine is active and nothing is under way that the Python path must see (a
  recording, a pending raise or resume: the engine closes it); 3.12+: at the instrumentation version at which no
  other tool was seen (`reopen()` checks again when it changed); another tool's local events on a code object
  are seen by the stub itself (the layout's `code_monitoring`, probed once with a free tool id: no fast path
  without it); 3.11: a profile function is seen by the stub itself (the thread state's, at the offset the tracer
  checked), and a program's trace function replaces the tracer that calls the stub;
- per loop header with a compiled loop the round trip serves (`refresh(site, frame)`, after each entry the
  Python path made): a fast entry (FAST_* words) in its code object's co_extra table: the round trip, the
  loop's busy word and counters, the number of fast entries after which the Python path looks again (a
  judgement is due: sites.entries_verdict), the budget, which exits are quiet (nothing to decide: a budget
  exit; a guard whose bridge is compiled or will not be recorded, outside inlined calls, owning nothing the
  round trip does not release, with the events log off), and the guards of what its traces assumed of Python
  objects, checked at refresh: the frame's globals and builtins, each pinned name's binding (the keys object
  of the dict it was found in and the value word of its entry there; a builtin's, and that the globals gained
  no key; where that cannot be written, the dict's version tag: any change to it fails the guard, and the next
  entry is the Python path's, which checks the names and refreshes), and the code and defaults of each
  function it inlines;
- per loop header that backs off (`let_pass(site, code, n)`, its recordings aborted or its entries rejected): the
  back-edges the stub lets pass itself, counting them down (FAST_SKIP; a loop not compiled yet has a fast entry
  for this alone); `passed(site)` takes back those it has not let pass yet;
- `finish(code, to, result)`: the Python bookkeeping of a fast run whose exit was not quiet (the write-back
  too when the round trip left it to the runtime). The loop's busy word is still set then (cleared here).

`disable(site)` stops a header's fast entry at once (a loop retired or changed); nothing else frees what the
stub may read while an entry is enabled. `uninstall()` (the hooks go) closes the gate and clears every co_extra
table; the next activation registers the same stub again.

May import: tracejit.fastwords, tracejit.cpython.layout, tracejit.runtime.native_callback, tracejit.hooks
(foreign_tool_active), tracejit.codetable and the standard library (not the backend: it is placed at start-up).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import struct
import sys
import types

from tracejit.codetable import CodeTable
from tracejit.cpython.layout import DK_HEADER, EXTRA_FAST, VERSION, Layout, c_api_address, code_extra_index, \
    dict_value_slot, keys_version, keys_versions_hold, local_monitors_probe, set_code_extra
from tracejit.fastwords import (BUDGET_SLOT, FAST_BUDGET, FAST_BUFFER, FAST_BUSY, FAST_COUNTERS, FAST_FAILS,
                                FAST_GRAVEYARD, FAST_GUARDS, FAST_LIMIT, FAST_QUIET, FAST_RELEASE, FAST_ROUNDTRIP,
                                FAST_SKIP, FAST_TO, FAST_WORDS, JUMP_SLOTS, QUIET_BUDGET, QUIET_GUARD, QUIET_UNTIL)

from .native_callback import MARGIN, fastcall_builtin

# backend.fastentry.jump_stub(JumpStub(**stub_shape(layout))).code of each version without its data slots
# (JUMP_SLOTS, 8 bytes each, appended by FastPath in that order): installing the stub needs no assembler; a test
# checks that these are what the backend assembles
JUMP_STUBS = {
    (3, 11): bytes.fromhex(
        "534154415541564157554883ec3848897424284889542430488bfa488b051e030000488338010f85fc020000488b4424"
        "28488b80b00000004885c00f84e7020000488b0d080300004839080f8ed7020000488b44c8084885c00f84c902000048"
        "8b084885c90f84bd0200004c8b34c8493b7e4074064883e901ebe749837e48007e0a49836e4801e9a302000049833e00"
        "0f8492020000498b4608488338000f8584020000498b4610488b08493b4e180f8d73020000488b05dc020000ffd04863"
        "48204883f9320f8c5c02000048837840000f8551020000488b40384c8b78084d85ff0f8440020000488b442428493b47"
        "200f8531020000498b56504885d27432488b0a4883c2084885c97426488b324885f67503498bf748037208488b36483b"
        "72100f85000200004883c2184883e901ebd548c744242000000000488b052e0200004885c0742f488b056a020000ffd0"
        "483b0521020000751d488b051002000048833800741048c74424200100000048c70000000000498b460848c700010000"
        "00498b4620498b4e28488908498b7f28498bf7498b06ffd048894424184885c07c10498b7e5848833f007406498b4660"
        "ffd0498b4e0848c7010000000048837c2420007430488b05a4010000488b0da5010000488908488b05a30100008b0885"
        "c97412488b059e0100008b08480b0d9d0100008908488b4424184883f8ff0f84240100004885c07c73498b4e30488b14"
        "c14885d274664883fa037c11498b4e38488b34c14883c6034839d67d4f498b761048830601498b4e28498b7e20482b0f"
        "48014e08488b3d0d010000488307014883fa02750f48834610014883470801e9cb00000048834618014883471001498b"
        "4e38488304c101e9b3000000488bf8488b0522010000ffd04885c00f848e0000004889442410488b7c2430488b050601"
        "0000ffd04885c07510488b7c2410488b05fb000000ffd0eb664889442408488b4c242848890c24488b44240848894424"
        "30488b3d88000000488bf4ba0300000033c9488b05b7000000ffd04c8be8488b7c2410488b05b6000000ffd0488b7c24"
        "30488b05a8000000ffd04d85ed7410498bfd488b0597000000ffd033c0eb1248c7c0ffffffffeb09b801000000eb0233"
        "c04883c4385d415f415e415d415c5bc3"),
    (3, 12): bytes.fromhex(
        "534154415541564157554883ec38488bdf4c8be64c8bea488b05a9030000488338010f8560030000488b0da003000048"
        "8b09483b48080f854c0300004983fd030f8542030000498b442408488b4810f7c1020000000f852d03000048c1e90348"
        "83f9010f871f030000be0000000072038b7018498b442410488b4810f7c1020000000f850003000048c1e9034883f901"
        "0f87f2020000bf0000000072038b78184839f70f8ddf020000498b0424488944242848897c2430488b80a80000004885"
        "c0742a488b08488b500848beffffffffffffff004821f24809d148bedfdfdfdfdfdfdfdf4821f10f859b020000488b44"
        "2428488b80b80000004885c00f8486020000488b0dce0200004839080f8e76020000488b44c8084885c00f8468020000"
        "488b084885c90f845c0200004c8b34c8493b7e4074064883e901ebe749837e48007e0a49836e4801e96402000049833e"
        "000f8431020000498b4608488338000f8523020000498b4610488b08493b4e180f8d12020000488b05a2020000ffd048"
        "63481c4883f9320f8cfb010000488b40384c8b384d85ff0f84eb010000488b442428493b070f85dd010000498b565048"
        "85d27432488b0a4883c2084885c97426488b324885f67503498bf748037208488b36483b72100f85ac0100004883c218"
        "4883e901ebd548c744242000000000488b05010200004885c0742f488b053d020000ffd0483b05f4010000751d488b05"
        "e301000048833800741048c74424200100000048c70000000000498b460848c70001000000498b4620498b4e28488908"
        "498b7f30498bf7498b06ffd048894424184885c07c10498b7e5848833f007406498b4660ffd0498b4e0848c701000000"
        "0048837c2420007430488b0577010000488b0d78010000488908488b05760100008b0885c97412488b05710100008b08"
        "480b0d700100008908488b4424184883f8ff0f84d00000004885c07c73498b4e30488b14c14885d274664883fa037c11"
        "498b4e38488b34c14883c6034839d67d4f498b761048830601498b4e28498b7e20482b0f48014e08488b3de000000048"
        "8307014883fa02750f48834610014883470801e99900000048834618014883471001498b4e38488304c101e981000000"
        "488bf8488b05f5000000ffd04885c074774889442410498b0c2448890c24498b4c241048894c2408488b3d8800000048"
        "8bf4ba0300000033c9488b05b7000000ffd04c8be8488b7c2410488b05b6000000ffd0498bc5eb30488b0590000000ff"
        "d04863481c4883f9327c16488bfb498bf4498bd533c9488b057a000000ffd0eb07488b05370000004883c4385d415f41"
        "5e415d415c5bc3"),
    (3, 13): bytes.fromhex(
        "534154415541564157554883ec38488bdf4c8be64c8bea488b05a0030000488338010f8557030000488b0d9703000048"
        "8b09483b48080f85430300004983fd030f8539030000498b442408488b4810f7c1020000000f852403000048c1e90348"
        "83f9010f8716030000be0000000072038b7018498b442410488b4810f7c1020000000f85f702000048c1e9034883f901"
        "0f87e9020000bf0000000072038b78184839f70f8dd6020000498b0424488944242848897c2430488b80b00000004885"
        "c07425488b08488b5008beffff00004821f24809d148bedfdfdfdfdfdfdfdf4821f10f8597020000488b442428488b80"
        "c00000004885c00f8482020000488b0dca0200004839080f8e72020000488b44c8084885c00f8464020000488b084885"
        "c90f84580200004c8b34c8493b7e4074064883e901ebe749837e48007e0a49836e4801e96002000049833e000f842d02"
        "0000498b4608488338000f851f020000498b4610488b08493b4e180f8d0e020000488b059e020000ffd04863482c4883"
        "f9320f8cf70100004c8b78484d85ff0f84ea010000488b442428493b070f85dc010000498b56504885d27432488b0a48"
        "83c2084885c97426488b324885f67503498bf748037208488b36483b72100f85ab0100004883c2184883e901ebd548c7"
        "44242000000000488b05000200004885c0742f488b053c020000ffd0483b05f3010000751d488b05e201000048833800"
        "741048c74424200100000048c70000000000498b460848c70001000000498b4620498b4e28488908498b7f30498bf749"
        "8b06ffd048894424184885c07c10498b7e5848833f007406498b4660ffd0498b4e0848c7010000000048837c24200074"
        "2f488b0576010000488b0d77010000488908488b05750100008b0885c97411488b0570010000488b0d71010000480908"
        "488b4424184883f8ff0f84d00000004885c07c73498b4e30488b14c14885d274664883fa037c11498b4e38488b34c148"
        "83c6034839d67d4f498b761048830601498b4e28498b7e20482b0f48014e08488b3de0000000488307014883fa02750f"
        "48834610014883470801e99900000048834618014883471001498b4e38488304c101e981000000488bf8488b05f50000"
        "00ffd04885c074774889442410498b0c2448890c24498b4c241048894c2408488b3d88000000488bf4ba0300000033c9"
        "488b05b7000000ffd04c8be8488b7c2410488b05b6000000ffd0498bc5eb30488b0590000000ffd04863482c4883f932"
        "7c16488bfb498bf4498bd533c9488b057a000000ffd0eb07488b05370000004883c4385d415f415e415d415c5bc3"),
}


TRACED = VERSION < (3, 12)          # the stub is called by the 3.11 C-level trace function (else: the JUMP callback)
BREAKER_SIZE = 8 if VERSION >= (3, 13) else 4      # the eval breaker the signal gate raises (hooks.SignalGate)


def stub_shape(layout: Layout) -> dict:
    """The fields of backend.fastentry.JumpStub for this CPython version: what its bytes in JUMP_STUBS are made of."""
    return dict(code_extra=layout.code_extra, code_monitoring=-1 if TRACED else layout.code_monitoring,
                local_monitor_events=layout.local_monitor_events,
                own_tool=-1 if TRACED else sys.monitoring.OPTIMIZER_ID, long_tag=layout.long_tag,
                long_digits=layout.long_digits, long_tagged=layout.long_tagged,
                recursion_remaining=layout.tstate_recursion_remaining, margin=MARGIN,
                tstate_cframe=layout.tstate_cframe, current_frame=layout.current_frame,
                iframe_code=layout.iframe_code, iframe_frame_obj=layout.iframe_frame_obj, budget_slot=BUDGET_SLOT,
                gate_breaker_size=BREAKER_SIZE, trace_function=TRACED,
                tstate_profile=layout.tstate_c_profilefunc if TRACED else -1)


class FastPath:
    def __init__(self, engine, mem, on_jump, on_finish) -> None:
        self.engine = engine
        fa = engine.fa
        self.gate = (ctypes.c_int64 * 2)()
        self.counters = (ctypes.c_int64 * 3)()         # entries, budget exits, guard exits of fast runs
        self.tables = CodeTable()                       # code -> its co_extra table {n, entry addresses}
        self.version_address = 0 if TRACED else fa.monitoring_version_address()
        self.checked_version = -1                       # the version at which no other tool was seen
        # pinned names guarded one by one through their dicts' keys versions (_namespace_words), where CPython's
        # keys versions behave as this JIT relies on (checked once here)
        self.keys_versions = keys_versions_hold(fa.L)
        gate = engine.gate
        self.finish = on_finish                         # the stub holds a borrowed reference
        values = dict(gate=ctypes.addressof(self.gate), version=self.version_address,
                      extra_index=code_extra_index(EXTRA_FAST), engine_counters=ctypes.addressof(self.counters),
                      finish=id(on_finish), none=id(None),
                      gate_word=ctypes.addressof(gate.main_thread) if gate.ident else 0, gate_ident=gate.ident,
                      gate_pending=ctypes.addressof(gate.pending), gate_breaker=ctypes.addressof(gate.breaker),
                      gate_bit=gate.bit)
        for name in JUMP_SLOTS:
            if name not in values:
                values[name] = c_api_address(name)      # the C functions it calls
        data = struct.pack(f"<{len(JUMP_SLOTS)}q", *(values[name] for name in JUMP_SLOTS))
        address = mem.place(JUMP_STUBS[VERSION] + data)         # never unmapped
        self.on_jump = on_jump
        if TRACED:
            self.callback = address             # the 3.11 trace function calls it
        else:
            self.callback = fastcall_builtin(address, on_jump, b"tracejit_jump")
        self.registered = False             # the hooks report back-edges to it (install_fast; uninstall)

    # ------------------------------------------------------------------ the gate
    def reopen(self) -> None:
        """Open the gate at the current instrumentation version, if no other tool is active (checked again only
        when the version changed). 3.11: the stub sees a profile function itself."""
        if not self.version_address:
            self.gate[0] = 1
            return
        version = ctypes.c_uint64.from_address(self.version_address).value
        if version != self.checked_version:
            from tracejit.hooks import foreign_tool_active
            if foreign_tool_active():
                self.gate[0] = 0
                return
            self.checked_version = version
        self.gate[1] = version
        self.gate[0] = 1

    def close(self) -> None:
        self.gate[0] = 0

    # ------------------------------------------------------------------ entries
    def refresh(self, site, frame) -> None:
        """Point the header's fast entry at the site's first compiled version, if the stub may enter it (in frames
        like `frame`: its globals and builtins are those the loop's pinned names were checked in)."""
        loop = site.versions[0] if site.versions else None
        if loop is None or not _servable(loop, site):
            self.disable(site)
            return
        same = site.fast_loop is loop and site.fast is not None
        # (a bridge may have pinned or inlined more since the words were made: they are made again)
        assumed = (len(loop.layout.pins), len(loop.layout.inlined))
        guards = site.fast_guards if same and site.fast_assumed == assumed else None
        if guards is None or not _hold(guards, self.engine.fa.iframe(frame)):
            guards = self._guards(loop, frame)
            if guards is None:
                self.disable(site)
                return
        site.fast_assumed = assumed
        entry = self._entry(site, frame.f_code)
        entry[FAST_ROUNDTRIP] = 0
        if guards is not site.fast_guards:
            site.fast_guards = guards
            entry[FAST_GUARDS] = ctypes.addressof(guards) if guards[0] else 0
        engine = self.engine
        quiet, log_on = loop.quiet, engine.log.on
        # every exit's quietness when what it depends on changed (exits, records, bridges started, the log), else
        # the last run's exit's alone (its bridge may have started or ended): a loop with bridges has hundreds
        key = (len(loop.exits), len(loop.records), loop.bridges_tried, log_on)
        if key != loop.quiet_key:
            for exit_id, info in loop.exits.items():
                quiet[exit_id] = _quietness(loop, info, engine.params, log_on)
            loop.quiet_key = key
        elif loop.last_exit is not None:
            info = loop.last_exit
            quiet[info.exit_id] = _quietness(loop, info, engine.params, log_on)
        if not engine.params.short_run:
            ahead = 1 << 62                     # never judged
        elif not loop.judge_at:
            ahead = 0                           # the next entry opens the first window (sites.entries_verdict)
        else:           # the entry that closes a window, or ends its hopeless start, is the Python path's
            due = [at for at in (loop.judge_at, loop.look_at) if at > loop.entries]
            ahead = min(due) - loop.entries - 1 if due else 0
        entry[FAST_BUSY] = ctypes.addressof(loop.busy_word)
        entry[FAST_COUNTERS] = ctypes.addressof(loop.counters)
        entry[FAST_LIMIT] = loop.counters[0] + max(ahead, 0)
        entry[FAST_BUFFER] = loop.buffer_address
        entry[FAST_BUDGET] = loop.budget
        entry[FAST_QUIET] = ctypes.addressof(loop.quiet)
        entry[FAST_FAILS] = ctypes.addressof(loop.fast_fails)
        entry[FAST_GRAVEYARD] = ctypes.addressof(loop.graveyard)
        entry[FAST_RELEASE] = engine.ext["release_graveyard"]
        site.fast_loop = loop
        entry[FAST_ROUNDTRIP] = loop.roundtrip_address

    def _guards(self, loop, frame):
        """The words that must hold for what the loop's traces assumed of Python objects, checked now: {n, (base,
        offset, expected)...} (fastwords.FAST_GUARDS); None if they do not hold (or cannot be written so)."""
        layout = loop.layout
        try:
            loop.check_assumptions(frame)
        except Exception:       # noqa: BLE001 - EntryRejected: the Python path decides at the next entry
            return None
        L = self.engine.fa.L
        words = []
        bindings: dict[int, tuple] = {}     # id(dict) -> (the dict, [(name, expected)]: names it must bind)
        for pin in layout.pins:
            if pin.owner is None:
                g, b = frame.f_globals, frame.f_builtins
                if type(g) is not dict or type(b) is not dict:
                    return None
                bindings.setdefault(id(g), (g, []))
                if pin.name in g:
                    bindings[id(g)][1].append((pin.name, pin.expected))
                else:           # a builtin: g's key set must not change (a global of that name would shadow it)
                    bindings.setdefault(id(b), (b, []))[1].append((pin.name, pin.expected))
            elif isinstance(pin.owner, types.ModuleType) and type(pin.owner.__dict__) is dict:
                d = pin.owner.__dict__
                bindings.setdefault(id(d), (d, []))[1].append((pin.name, pin.expected))
            else:
                return None
        if any(pin.owner is None for pin in layout.pins):       # first: the dicts the names were found in
            words += [(0, L.iframe_globals, id(frame.f_globals)), (0, L.iframe_builtins, id(frame.f_builtins))]
        for d, names in bindings.values():
            words += _namespace_words(d, names, L, self.keys_versions)
        for f in layout.inlined.values():
            words += [(id(f.function), offset, id(obj) if obj is not None else 0)
                      for offset, obj in ((L.func_code, f.code), (L.func_defaults, f.defaults),
                                          (L.func_kwdefaults, f.kwdefaults))]
            same_globals = (0, L.iframe_globals, id(f.function.__globals__))    # (its names: the frame's globals)
            if same_globals not in words:
                words.append(same_globals)
        return (ctypes.c_int64 * (1 + 3 * len(words)))(len(words), *(w for triple in words for w in triple))

    def let_pass(self, site, code, n: int) -> None:
        """The stub lets the header's next `n` back-edges pass, counting them itself (the loop backs off)."""
        self._entry(site, code)[FAST_SKIP] = n

    @staticmethod
    def passed(site) -> int:
        """The back-edges let_pass gave the stub that it has not let pass (taken back)."""
        left, site.fast[FAST_SKIP] = site.fast[FAST_SKIP], 0
        return left

    def _entry(self, site, code):
        """The site's fast entry, made if need be, in its code object's table."""
        entry = site.fast
        if entry is None:
            entry = site.fast = (ctypes.c_int64 * FAST_WORDS)()
            entry[FAST_TO] = site.header
        self._add(code, entry)
        return entry

    @staticmethod
    def disable(site) -> None:
        if site.fast is not None:
            site.fast[FAST_ROUNDTRIP] = 0

    def _add(self, code, entry) -> None:
        """Put the entry in the code object's table (if it is not there: made by an earlier FastPath)."""
        old = self.tables.get(code)
        if old is not None and entry in old[1]:     # (by identity: ctypes arrays compare no other way)
            return
        entries = (list(old[1]) if old is not None else []) + [entry]
        table = (ctypes.c_int64 * (1 + len(entries)))(len(entries), *[ctypes.addressof(e) for e in entries])
        set_code_extra(code, EXTRA_FAST, ctypes.addressof(table))
        self.tables[code] = (table, entries)        # the old table is unused from here (no Python code between)

    def uninstall(self) -> None:
        self.close()
        self.registered = False
        for code in self.tables.codes():
            set_code_extra(code, EXTRA_FAST, 0)
        self.tables = CodeTable()

    def counts(self) -> tuple[int, int, int]:
        """(entries, budget exits, guard exits) of the fast runs so far."""
        return self.counters[0], self.counters[1], self.counters[2]


def _word(address: int) -> int:
    return ctypes.c_int64.from_address(address).value


def _namespace_words(d: dict, names: list, L, keys_versions: bool) -> list:
    """Guard words that dict d still binds each (name, expected) of `names` to its object and holds the same
    keys (no name added or deleted, so a builtin it does not hold stays unshadowed), whatever values of its other
    names change (a counter the module assigns at every call): d's keys object, the word of that object that
    holds its layout and its keys version (dk_version, which CPython gives a keys object when it specializes a
    LOAD_GLOBAL or LOAD_ATTR on a module, never twice the same, and resets to 0 when a key is added or deleted:
    cpython.layout.keys_version), then the value word of each name's entry (cpython.layout.dict_value_slot). The
    stub checks the words in order and stops at the first that fails, so it reads no entry of a keys object the
    dict has let go. Where that cannot be written (no keys version yet, an entry not found), the dict's version
    tag (any change to the dict fails it; the Python path then checks the names and makes the words again)."""
    keys, header, version = keys_version(d, L)
    if keys_versions and version:
        words = [(id(d), L.dict_keys, keys), (keys, DK_HEADER, header)]
        for name, expected in names:
            found = dict_value_slot(d, name, L)
            if found is None or found[0] != keys or _word(found[1]) != id(expected):
                break
            words.append((found[1], 0, id(expected)))
        else:
            return words
    return [(id(d), L.dict_version, _word(id(d) + L.dict_version))]


def _hold(guards, iframe: int) -> bool:
    """Whether the guard words (FastPath._guards) still hold in the frame (as the stub would find them)."""
    for k in range(1, 1 + 3 * guards[0], 3):
        if _word((guards[k] or iframe) + guards[k + 1]) != guards[k + 2]:
            return False
    return True


def _servable(loop, site) -> bool:
    """The stub may enter the loop: its round trip serves it, and its entry needs no preparation (calls that may
    run Python code). (What its traces assumed of Python objects is checked by the stub's guards: _guards.)"""
    return loop.roundtrip is not None and not loop.retired and not loop.syncs and not site.skip and \
        not site.blacklisted


def _quietness(loop, info, params, log_on: bool) -> int:
    """The exit's quiet flag (fastwords.QUIET_*): what the stub may count itself before the runtime must see a
    failure (the one that starts a bridge; with the events log on, the 1st, 2nd, 4th ... one, which it logs)."""
    if loop.records.get(info.exit_id) is None or info.inner or (info.owned and not loop.owned_table[info.exit_id]) \
            or info.linked >= 0:
        return 0            # (an exit linked to another's bridge returns only out of budget: the runtime unlinks it)
    if info.reason == "budget":
        return QUIET_BUDGET
    fails = loop.exit_fails(info)
    if info.bridge in ("compiled", "blocked") or (
            info.bridge == "none" and loop.bridges_tried >= params.max_bridges):
        left = None                                     # nothing to decide
    elif info.bridge == "none":
        left = max(params.bridge_threshold, info.bridge_after) - 1 - fails     # counting towards a bridge
    else:
        return 0                                        # its bridge is being recorded
    if log_on:
        logged = 1 << fails.bit_length()                # the next failure the log has an event for
        left = logged - 1 - fails if left is None else min(left, logged - 1 - fails)
    if left is None:
        return QUIET_GUARD
    return QUIET_UNTIL + loop.fast_fails[info.exit_id] + left if left > 0 else 0


def available(engine) -> bool:
    """Whether the stub can serve this engine: its bytes for this version, native code, the layout's co_extra,
    hooks that can call it, the signal gate's eval breaker of the size the stub raises, and 3.12+: the tools with
    local events on a code object (probed with a free tool id); 3.11: the C-level tracer, whose check found the
    thread state's profile function where the layout has it (the engine asks once, at its first activation)."""
    L = engine.fa.L
    gate = engine.gate
    if not (VERSION in JUMP_STUBS and engine.params.native and L.code_extra >= 0 and
            getattr(engine.hooks, "set_jump_callback", None) is not None and
            (not gate.ident or ctypes.sizeof(gate.breaker) == BREAKER_SIZE)):
        return False
    if not TRACED:
        return engine.fa.monitoring_version_address() != 0 and local_monitors_probe(L)
    tracer = getattr(engine.hooks, "native", None)
    return tracer is not None and tracer.profilefunc_offset == L.tstate_c_profilefunc
