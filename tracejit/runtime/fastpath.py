"""Compiled loops entered from machine code: the runtime side of backend/fastentry.py.

`FastPath(engine, on_jump, on_finish)` is made once, at the first compile, when the hooks can call machine code at
a back-edge: sys.monitoring's (3.12+), or the C-level trace function of the 3.11 hooks (runtime/native_trace.py).
It assembles the stub (placed with the graveyard's release stub: `placed(address)`), which each activation
registers with the hooks (`set_jump_callback`: 3.12+ the JUMP callback in place of the Python one, `on_jump`, its
slow path; 3.11 the function the trace function calls at a loop header's line before its dispatcher), and keeps
the data the stub reads:
- the gate: open while the engine is active and nothing is under way that the Python path must see (a
  recording, a pending raise or resume: the engine closes it); 3.12+: at the instrumentation version at which no
  other tool was seen (`reopen()` checks again when it changed); another tool's local events on a code object
  are seen by the stub itself (the layout's `code_monitoring`, probed once with a free tool id: no fast path
  without it); 3.11: a profile function is seen by the stub itself (the thread state's, at the offset the tracer
  checked), and a program's trace function replaces the tracer that calls the stub;
- per loop header with a compiled loop the round trip serves (`refresh(site, code)`, after each entry the
  Python path made): a fast entry (FAST_* words) in its code object's co_extra table: the round trip, the
  loop's busy word and counters, the number of fast entries after which the Python path looks again (a
  judgement is due: sites.entries_verdict), the budget, which exits are quiet (nothing to decide: a budget
  exit; a guard whose bridge is compiled or will not be recorded, outside inlined calls, owning nothing, with
  the events log off);
- `finish(code, to, result)`: the Python bookkeeping of a fast run whose exit was not quiet (the write-back
  too when the round trip left it to the runtime). The loop's busy word is still set then (cleared here).

`disable(site)` stops a header's fast entry at once (a loop retired or changed); nothing else frees what the
stub may read while an entry is enabled. `uninstall()` (the hooks go) closes the gate and clears every co_extra
table; the next activation registers the same stub again.

May import: tracejit.backend (fastentry), tracejit.cpython.layout, tracejit.ir (trace),
tracejit.runtime.native_callback, tracejit.hooks (foreign_tool_active), tracejit.codetable and the standard
library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import sys

from tracejit.backend.fastentry import JumpStub, jump_stub
from tracejit.codetable import CodeTable
from tracejit.cpython.layout import EXTRA_FAST, c_api_address, code_extra_index, local_monitors_probe, set_code_extra
from tracejit.ir import BUDGET_SLOT
from tracejit.ir.trace import (FAST_BUDGET, FAST_BUFFER, FAST_BUSY, FAST_COUNTERS, FAST_FAILS, FAST_LIMIT, FAST_QUIET,
                               FAST_ROUNDTRIP, FAST_TO, FAST_WORDS, QUIET_BUDGET, QUIET_GUARD)

from .native_callback import MARGIN, fastcall_builtin



class FastPath:
    def __init__(self, engine, on_jump, on_finish) -> None:
        self.engine = engine
        fa = engine.fa
        L = fa.L
        self.gate = (ctypes.c_int64 * 2)()
        self.counters = (ctypes.c_int64 * 3)()         # entries, budget exits, guard exits of fast runs
        self.tables = CodeTable()                       # code -> its co_extra table {n, entry addresses}
        traced = sys.version_info < (3, 12)         # called by the 3.11 C-level trace function
        self.version_address = 0 if traced else fa.monitoring_version_address()
        self.checked_version = -1                       # the version at which no other tool was seen
        gate = engine.gate
        self.finish = on_finish
        stub = JumpStub(gate=ctypes.addressof(self.gate), version=self.version_address,
                        extra_index=code_extra_index(EXTRA_FAST), code_extra=L.code_extra,
                        code_monitoring=L.code_monitoring, local_monitor_events=L.local_monitor_events,
                        own_tool=-1 if traced else sys.monitoring.OPTIMIZER_ID, long_tag=L.long_tag,
                        long_digits=L.long_digits, long_tagged=L.long_tagged,
                        thread_state_get=c_api_address("PyThreadState_Get"),
                        recursion_remaining=L.tstate_recursion_remaining, margin=MARGIN,
                        tstate_cframe=L.tstate_cframe, current_frame=L.current_frame, iframe_code=L.iframe_code,
                        iframe_frame_obj=L.iframe_frame_obj, budget_slot=BUDGET_SLOT,
                        engine_counters=ctypes.addressof(self.counters), finish=id(on_finish),
                        vectorcall=c_api_address("PyObject_Vectorcall"), long_new=c_api_address("PyLong_FromLongLong"),
                        decref=c_api_address("Py_DecRef"), none=id(None),
                        thread_ident=c_api_address("PyThread_get_thread_ident"),
                        gate_word=ctypes.addressof(gate.main_thread) if gate.ident else 0,
                        gate_ident=gate.ident, gate_pending=ctypes.addressof(gate.pending),
                        gate_breaker=ctypes.addressof(gate.breaker), gate_breaker_size=ctypes.sizeof(gate.breaker),
                        gate_bit=gate.bit, trace_function=traced,
                        tstate_profile=engine.hooks.native.profilefunc_offset if traced else -1)
        self.code = jump_stub(stub).code        # placed by the runtime, with the graveyard's release stub
        self.on_jump = on_jump
        self.callback = None
        self.registered = False             # the hooks report JUMP events to it (install_fast; uninstall)

    def placed(self, address: int) -> None:
        """The stub is in executable memory at `address` (for as long as the engine lives)."""
        if self.version_address:
            self.callback = fastcall_builtin(address, self.on_jump, b"tracejit_jump")
        else:
            self.callback = address         # the 3.11 trace function calls it

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
    def refresh(self, site, code) -> None:
        """Point the header's fast entry at the site's first compiled version, if the stub may enter it."""
        loop = site.versions[0] if site.versions else None
        if loop is None or not _servable(loop, site):
            self.disable(site)
            return
        entry = site.fast
        if entry is None:
            entry = site.fast = (ctypes.c_int64 * FAST_WORDS)()
            entry[FAST_TO] = site.header
        self._add(code, entry)
        entry[FAST_ROUNDTRIP] = 0
        engine = self.engine
        quiet, log_on = loop.quiet, engine.log.on
        for exit_id, info in loop.exits.items():
            quiet[exit_id] = _quietness(loop, info, engine.params, log_on)
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
        site.fast_loop = loop
        entry[FAST_ROUNDTRIP] = loop.roundtrip_address

    @staticmethod
    def disable(site) -> None:
        if site.fast is not None:
            site.fast[FAST_ROUNDTRIP] = 0

    def _add(self, code, entry) -> None:
        """Put the entry in the code object's table (if it is not there: made by an earlier FastPath)."""
        old = self.tables.get(code)
        if old is not None and any(e is entry for e in old[1]):
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


def _servable(loop, site) -> bool:
    """The stub may enter the loop: its round trip serves it, and its entry needs no check of Python objects (names
    pinned to constants, inlined functions) and no preparation (calls that may run Python code)."""
    return loop.roundtrip is not None and not loop.retired and not loop.syncs and not loop.layout.pins and \
        not loop.layout.inlined and not site.skip and not site.blacklisted


def _quietness(loop, info, params, log_on: bool) -> int:
    if loop.records.get(info.exit_id) is None or info.inner or info.owned:
        return 0
    if info.reason == "budget":
        return QUIET_BUDGET
    if log_on:
        return 0        # the log has a guard_failure event at the 1st, 2nd, 4th ... failure
    if info.bridge in ("compiled", "blocked") or (
            info.bridge == "none" and loop.bridges_tried >= params.max_bridges):
        return QUIET_GUARD
    return 0


def available(engine) -> bool:
    """Whether the stub can serve this engine: native code, the layout's co_extra, hooks that can call it, and
    3.12+: the tools with local events on a code object (probed with a free tool id); 3.11: the C-level tracer,
    whose check found the thread state's profile function (the engine asks once, at its first compile)."""
    L = engine.fa.L
    if not (engine.params.native and L.code_extra >= 0 and
            getattr(engine.hooks, "set_jump_callback", None) is not None):
        return False
    if sys.version_info >= (3, 12):
        return engine.fa.monitoring_version_address() != 0 and local_monitors_probe(L)
    tracer = getattr(engine.hooks, "native", None)
    return tracer is not None and tracer.profilefunc_offset is not None
