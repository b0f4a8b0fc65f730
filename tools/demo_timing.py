#!/usr/bin/env python3
"""Time a script plainly and under tracejit; used by `make demo`.

Usage: demo_timing.py PYTHON SCRIPT [ARGS...]

Runs `PYTHON SCRIPT ARGS` and then `PYTHON -m tracejit --stats SCRIPT ARGS`
(output passes straight through, so the JIT's stats are shown), prints both
wall-clock times and the speedup (plain / tracejit).  Exits non-zero if either
run fails.  Standard library only.
"""

import subprocess
import sys
import time


def timed(label, cmd):
    print("=== %s: %s" % (label, " ".join(cmd)), flush=True)
    t0 = time.perf_counter()
    rc = subprocess.call(cmd)
    elapsed = time.perf_counter() - t0
    if rc != 0:
        print("=== %s FAILED with exit code %d after %.3f s"
              % (label, rc, elapsed), flush=True)
    print(flush=True)
    return rc, elapsed


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    python, script, extra = argv[0], argv[1], argv[2:]
    rc_plain, t_plain = timed("plain CPython", [python, script] + extra)
    rc_jit, t_jit = timed("tracejit",
                          [python, "-m", "tracejit", "--stats", script] + extra)

    print("=== demo summary (%s)" % script)
    print("  plain CPython : %8.3f s%s" % (t_plain, "" if rc_plain == 0 else "  (FAILED)"))
    print("  tracejit      : %8.3f s%s" % (t_jit, "" if rc_jit == 0 else "  (FAILED)"))
    if rc_plain == 0 and rc_jit == 0 and t_jit > 0:
        print("  speedup       : %8.2fx (plain / tracejit)" % (t_plain / t_jit))
    return 1 if (rc_plain or rc_jit) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
