"""Words shared by the back-edge stub's machine code (tracejit.backend.fastentry) and the runtime that writes and
reads them (tracejit.runtime.fastpath): plain constants, importable at start-up (the runtime places the stub when
the hooks are installed, before any IR or backend module is loaded). The state buffer's budget slot is defined
here too, for the same reason (tracejit.ir.trace has the rest of the buffer's layout).

May import: tracejit.pristine (constants only).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

BUDGET_SLOT = 0         # the state buffer's slot 0: the iterations a run may still make (ir/trace.py)

# A compiled loop the back-edge stub may enter (tracejit.backend.fastentry, runtime/fastpath.py) has a *fast entry*
# per loop header (int64 words): its round trip (0: disabled), the addresses of the loop's busy word and counters,
# the count of fast entries at which the runtime looks again, the state buffer's address, the budget of a run,
# the addresses of the per-exit quiet flags and guard-exit counts, the header's offset, the back-edges the stub
# lets pass before anything else while the loop backs off (counted down by the stub; a loop not compiled yet has
# a fast entry for this alone), and the address of the words that must hold for the trace's assumptions on Python
# objects (0: none): {n, then n times (base, offset, expected)}, each the word at base + offset (base 0: the
# executing interpreter frame) equal to expected (the names it pins: their dicts' versions; the functions it
# inlines: their code and defaults), the address of the loop's graveyard (old objects whose release a run deferred to
# its end) and of the function that empties one (backend.stubs.release_stub).
FAST_ROUNDTRIP, FAST_BUSY, FAST_COUNTERS, FAST_LIMIT, FAST_BUFFER, FAST_BUDGET, FAST_QUIET, FAST_FAILS, FAST_TO, \
    FAST_SKIP, FAST_GUARDS, FAST_GRAVEYARD, FAST_RELEASE = range(13)
FAST_WORDS = 13
COUNT_ENTRIES, COUNT_ITERATIONS, COUNT_BUDGET, COUNT_GUARD = range(4)     # the loop's counters of fast runs
# an exit's quiet flag (0: the runtime decides what follows it): a guard exit or a budget exit the stub counts
# itself, or QUIET_UNTIL + n: a guard exit it counts while its failures it counted (loop.fast_fails) are below n
# (the runtime starts a bridge at the next one)
QUIET_GUARD, QUIET_BUDGET, QUIET_UNTIL = 1, 2, 3

# The back-edge stub's data slots, 8-byte words placed after its code in this order (the runtime writes them; the
# encoded code holds placeholders): the gate (int64[2]: open, the instrumentation version it was opened at), the
# address of the interpreter's instrumentation version (3.12+), the co_extra index of the fast entries' tables, the
# engine's counters (int64[3]: entries, budget exits, guard exits), the runtime's finish(code, to, result) (a
# borrowed reference), None, the signal gate's words (gate_word 0: no gate), and the C functions it calls.
JUMP_SLOTS = ("gate", "version", "extra_index", "engine_counters", "finish", "none", "gate_word", "gate_ident",
              "gate_pending", "gate_breaker", "gate_bit", "PyThreadState_Get", "PyObject_Vectorcall",
              "PyLong_FromLongLong", "Py_DecRef", "PyThread_get_thread_ident")
