"""JIT overheads: recording + compile time per trace, and the cost of one entry into machine code.

    python bench/overheads.py

Per-entry overhead: a function whose loop runs K iterations is called many times under the JIT; the time
per call is fitted as a + b*K over several K, so `a` is the fixed cost of one trip interpreter -> machine code
-> interpreter (back-edge callback, entry type checks and unboxing, exit boxing and write-back) and `b` the
cost of one native iteration. The same fit for plain CPython is printed beside it.
"""
from __future__ import annotations

import statistics
import sys
import time

import tracejit


def loop_k(k):
    s = 0
    i = 0
    while i < k:
        s += i * 3 + 1
        i += 1
    return s


def per_call(k: int, calls: int) -> float:
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            loop_k(k)
        best = min(best, (time.perf_counter() - t) / calls)
    return best


def fit(ks, ts):
    mk, mt = statistics.fmean(ks), statistics.fmean(ts)
    b = sum((k - mk) * (t - mt) for k, t in zip(ks, ts)) / sum((k - mk) ** 2 for k in ks)
    return mt - b * mk, b


def main() -> None:
    ks = [20, 100, 500, 2000]
    plain = [per_call(k, 2000) for k in ks]
    with tracejit.enable(threshold=10, short_run=0):    # keep the short loop compiled to measure it
        loop_k(100)
        jit = [per_call(k, 2000) for k in ks]
    pa, pb = fit(ks, plain)
    ja, jb = fit(ks, jit)
    print(f"CPython {sys.version.split()[0]}")
    print(f"plain:    {pa * 1e6:6.2f} us per call + {pb * 1e9:6.2f} ns per iteration")
    print(f"tracejit: {ja * 1e6:6.2f} us per entry + {jb * 1e9:6.2f} ns per iteration")
    eng = tracejit.engine()
    if eng is not None:
        for loop in eng.all_loops:
            for block in loop.blocks:
                print(f"compiled {block.trace.name}: {len(block.trace.ops)} IR ops, {block.size} bytes, "
                      f"{block.compile_seconds * 1000:.2f} ms (optimize + assemble + place)")
        st = eng.stats
        print(f"recording: {st.recording_seconds * 1000:.2f} ms for {st.traces_recorded} traces "
              f"(the recorded iteration runs in the interpreter with instruction events on)")


if __name__ == "__main__":
    main()
