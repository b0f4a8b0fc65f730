"""A timer that runs a callback in the main thread about every `period` seconds, without a Python thread.

The 3.11 hooks keep their (C-level) tracer on only while a frame on the main thread's stack has a loop the JIT
may still compile (see tracejit.hooks.tracing): tracing makes CPython 3.11 run every instruction through its
slow tracing path, so call-heavy code with no such loop would pay for it all along. Something must look at
the stack now and then to switch the tracer on again. A Python thread would show in `threading.enumerate()`
and could run the program's finalizers (a garbage collection it triggers), and a ctypes callback would map
a writable and executable trampoline. So this timer is a native thread (machine code of
tracejit.backend.stubs.timer_thread_stub, started with pthread_create) that only sleeps (a futex wait that
stop() cuts short) and asks CPython,
with `Py_AddPendingCall`, to run the callback in the main thread at its next eval-breaker check (where
signal handlers run), through a pending-call function that is machine code too
(tracejit.backend.stubs.pending_call_stub). It holds no GIL and runs no Python code itself; one request is
pending at a time. While no other thread runs, it raises the eval breaker itself (3.11's Py_AddPendingCall,
called from another thread, computes it as if that thread could run pending calls, and leaves it unset);
with other threads it does not (one of them would find a breaker it cannot clear), and their GIL switches
make the main thread see the request. The thread is stopped before interpreter shutdown (threading's exit
hooks) and started again in a child process after fork.

May import: tracejit.runtime.execmem, tracejit.cpython (entrycheck, layout), ctypes and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import os
import struct
import threading
import time
import weakref

from tracejit.cpython.entrycheck import without_entry_check
from tracejit.cpython.layout import c_api_address

# tracejit.backend.stubs.timer_thread_stub().code; it reads the int64 fields of FIELDS through its argument
TIMER_STUB = bytes.fromhex(
    "53488bdfbfca000000488d33ba8000000033c94c8d43104533c94c8b5b2033c041ffd348833b00753648837b080174187fd248"
    "c7430801000000488b7b30488b7350488b4328ffd0488b43584883380075b2488b4340488b4b48f00908eba548c74338010000"
    "0033c05bc3")
# tracejit.backend.stubs.pending_call_stub() without its data slots (PENDING_CALL_SLOTS there): the pending call
# itself, in machine code (a ctypes callback's trampoline would be RWX memory)
PENDING_CALL_STUB = bytes.fromhex(
    "5341544883ec08488bdf488b056a000000ffd04c8be0498bfc488b0563000000ffd0488bfb488b0537000000ffd0488bd8498bfc"
    "488b0550000000ffd04885db740e488bfb488b051f000000ffd0eb09488b051c000000ffd033c04883c408415c5bc3")
FIELDS = ("stop", "pending", "tv_sec", "tv_nsec", "syscall", "Py_AddPendingCall", "callback", "stopped",
          "eval_breaker", "breaker_bit", "callback_arg", "thread_count")
_F = {name: k for k, name in enumerate(FIELDS)}

_libc = ctypes.CDLL(None, use_errno=True)
_pthread_create = _libc.pthread_create
_pthread_create.argtypes = [ctypes.POINTER(ctypes.c_ulong), ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
_pthread_create.restype = ctypes.c_int
_pthread_detach = _libc.pthread_detach
_pthread_detach.argtypes = [ctypes.c_ulong]
_pthread_detach.restype = ctypes.c_int
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long
SYS_FUTEX, FUTEX_WAKE_PRIVATE = 202, 129    # as tracejit.backend.stubs (x86-64 Linux)

_timers: weakref.WeakSet = weakref.WeakSet()      # running timers, restarted in a child after fork


def _restart_after_fork() -> None:
    for timer in list(_timers):
        timer.fields[_F["stopped"]] = 1           # the parent's thread does not exist here
        timer.running = False
        timer.start()


os.register_at_fork(after_in_child=_restart_after_fork)


class NativeTimer:
    """`callback()` runs in the main thread about every `period` seconds between start() and stop(); it must
    not raise (an exception is dropped). Its int64 fields and code live as long as the object."""

    def __init__(self, mem, callback, period: float, eval_breaker: int, breaker_bit: int,
                 thread_count: int | None = None) -> None:
        """`eval_breaker`: the address of the int32 the main thread's eval loop checks (the hooks'
        SignalWords.breaker), `breaker_bit` the bit to set in it; `thread_count`: the address of the
        interpreter's count of other running threads (layout.interp_thread_count): the breaker is raised only
        while it is 0 (None: never raised, the request waits for the main thread's next GIL switch). The
        callback runs with the thread's tracing suspended (pending_call_stub): no profiler or trace function
        sees it."""
        self.callback = callback
        self.period = period
        self.fields = (ctypes.c_int64 * len(FIELDS))()
        self._run_method = self._run                 # kept alive: the pending call holds only its address
        f = self.fields
        f[_F["tv_sec"]], f[_F["tv_nsec"]] = int(period), int(period % 1 * 1e9)
        f[_F["syscall"]] = ctypes.cast(_libc.syscall, ctypes.c_void_p).value
        f[_F["Py_AddPendingCall"]] = ctypes.cast(ctypes.pythonapi.Py_AddPendingCall, ctypes.c_void_p).value
        f[_F["callback"]] = mem.place(PENDING_CALL_STUB + struct.pack(
            "<6Q", c_api_address("PyObject_CallNoArgs"), c_api_address("Py_DecRef"), c_api_address("PyErr_Clear"),
            c_api_address("PyThreadState_Get"), c_api_address("PyThreadState_EnterTracing"),
            c_api_address("PyThreadState_LeaveTracing")))
        f[_F["callback_arg"]] = id(self._run_method)
        f[_F["stopped"]] = 1
        f[_F["eval_breaker"]], f[_F["breaker_bit"]] = eval_breaker, breaker_bit
        self._never = ctypes.c_int64(1)              # a thread count that is never 0
        f[_F["thread_count"]] = thread_count if thread_count is not None else ctypes.addressof(self._never)
        self.code = mem.place(TIMER_STUB)            # never unmapped
        self.running = False
        self._exit_hook = False

    def start(self) -> None:
        if self.running:
            return
        f = self.fields
        f[_F["stop"]], f[_F["pending"]], f[_F["stopped"]] = 0, 0, 0
        tid = ctypes.c_ulong()
        if _pthread_create(ctypes.byref(tid), None, self.code, ctypes.addressof(f)) != 0:
            f[_F["stopped"]] = 1
            raise OSError("pthread_create failed")
        _pthread_detach(tid.value)
        self.running = True
        _timers.add(self)
        if not self._exit_hook:
            self._exit_hook = True
            try:        # runs at interpreter shutdown before the atexit handlers (not one of them)
                threading._register_atexit(self.stop)
            except (AttributeError, RuntimeError):
                pass

    def stop(self) -> None:
        """Stop the thread and wait until it has left: it sleeps in a futex wait on its stop field, which
        this wakes, so that takes microseconds, not a period (every 3.11 process stops its timer at exit).
        A request still pending runs or is dropped harmlessly (the callback checks whether it should do
        anything)."""
        if not self.running:
            return
        self.running = False
        _timers.discard(self)
        f = self.fields
        f[_F["stop"]] = 1
        _syscall(ctypes.c_long(SYS_FUTEX), ctypes.c_void_p(ctypes.addressof(f) + 8 * _F["stop"]),
                 ctypes.c_int(FUTEX_WAKE_PRIVATE), ctypes.c_int(1), None, None, ctypes.c_int(0))
        deadline = time.monotonic() + 10 * self.period + 1.0
        pause = 0.00005
        while not f[_F["stopped"]] and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(2 * pause, self.period / 4)

    @without_entry_check        # no signal handler may run before the callback holds them (hooks.SignalGate)
    def _run(self) -> int:
        # pending = 2 while this runs: the thread neither queues another request (CPython runs no pending call
        # inside another: its eval breaker would stay set through the callback) nor raises the breaker
        self.fields[_F["pending"]] = 2
        try:
            if self.running:
                self.callback()
        except BaseException:           # noqa: BLE001 - a pending call must not raise into the program
            pass
        finally:
            self.fields[_F["pending"]] = 0
        return 0
