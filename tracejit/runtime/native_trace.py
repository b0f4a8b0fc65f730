"""A C-level trace function for CPython 3.11 (the hooks' profiling there), built from machine code.

With `sys.settrace`, CPython 3.11 calls a Python function for the 'call' event of every Python call and for
every line of every frame that has a local trace function, and copies the frame's fast locals into
`f_locals` around each of those calls (PyFrame_FastToLocals): the hook cost up to 15x on call-heavy code,
and a `frame.f_locals` dict taken before a loop gained the loop's own variables. `NativeTracer` installs the
machine code of tracejit.backend.stubs.trace_stub with `PyEval_SetTrace` instead: it runs in C for every
event and calls the hooks' Python dispatcher only when there is something to do (a code object seen for
the first time, a line event at a loop header, an instruction while recording). Code objects are
classified through their `co_extra` slot (`mark`); a frame of code with nothing to trace gets
`f_trace_lines = 0`, so its lines cost nothing more. No FastToLocals is done, and `sys.gettrace()` returns
None, as without the JIT.

The stub's bytes are kept here (TRACE_STUB), so installing the hooks needs no assembler; a test checks that
they are what the backend assembles. The code page is mapped read+execute and lives as long as the engine.

May import: tracejit.runtime.execmem, tracejit.cpython.layout, tracejit.codetable, ctypes and the standard
library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import struct

from tracejit.codetable import CodeTable
from tracejit.cpython.layout import EXTRA_TRACER, Layout, c_api_address, code_extra_index, enter_tracing, \
    leave_tracing, set_code_extra, thread_state


# tracejit.backend.stubs.trace_stub(MARGIN).code without its data slots (TRACE_SLOTS, 8 bytes each, appended
# by NativeTracer in that order)
TRACE_STUB = bytes.fromhex(
    "5341544155488bde4c8be249c1e42049c1fc204c8be94983fc070f84010100004983fc00740a4983fc020f855f010000"
    "488b0da5010000488b040b488b0da2010000488b0408488b0daf010000488b14084885d20f84c7000000488b0d730100"
    "0048390a0f8eb7000000488b54ca084885d20f84a90000004883fa010f84920000004983fc000f84030100004883fa02"
    "0f848b000000488b0d3f010000488b0c0b4c8b05440100004a8b0c014829c1482b0d3e01000048c1f901483b0a0f83cc"
    "0000004c8bc149c1e803460fb64402084c8bc94983e1074d0fa3c87205e9ad0000004c8b05230100004d8b004d85c074"
    "30488bfb488bf0488bd14801ca41ffd04885c00f84860000004883f8017412e983000000488b0de9000000c6040b00eb"
    "6e488b0594000000ffd0488b0d93000000488b0c0848c1e12048c1f9204883f9327c4c4883ec2048891c24488b057a00"
    "00004a8b04e048894424084c896c2410488b3d3d000000488bf4ba0300000033c9488b0534000000ffd04883c4204885"
    "c07414488bf8488b0527000000ffd033c0415d415c5bc348c7c0ffffffff415d415c5bc3")
NSLOTS = 14
# the event names a Python trace function receives, by PyTrace_* number (the stub passes events[what])
EVENTS = ("call", "exception", "line", "return", "c_call", "c_exception", "c_return", "opcode")
SKIP, EVERY_LINE = 1, 2     # co_extra values: nothing to trace / every line to the dispatcher

_set_trace = ctypes.pythonapi.PyEval_SetTrace
_set_trace.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_set_trace.restype = None
_set_profile = ctypes.pythonapi.PyEval_SetProfile
_set_profile.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_set_profile.restype = None


class HeaderBitmap:
    """{int64 nbits; bit i set: code unit i is a loop header} for the stub, kept alive beside its code."""

    __slots__ = ("buffer", "address")

    def __init__(self, ncode_units: int, header_offsets) -> None:
        raw = bytearray(8 + (ncode_units + 7) // 8)
        raw[:8] = struct.pack("<q", ncode_units)
        for offset in header_offsets:
            unit = offset // 2
            raw[8 + unit // 8] |= 1 << (unit % 8)
        self.buffer = ctypes.create_string_buffer(bytes(raw), len(raw))
        self.address = ctypes.addressof(self.buffer)


class NativeTracer:
    """The stub, placed with its data: `dispatch(frame, event, arg)` is the Python side (see the module
    docstring). `install()`/`uninstall()` act on the calling thread, like sys.settrace."""

    def __init__(self, mem, layout: Layout, recursion_remaining_offset: int, dispatch) -> None:
        self.dispatch = dispatch                    # the stub holds a borrowed pointer: keep it alive
        self.marks = CodeTable()                    # code -> what the stub reads in its co_extra slot (mark)
        self.events = (ctypes.c_void_p * len(EVENTS))(*(id(name) for name in EVENTS))
        self.index = code_extra_index(EXTRA_TRACER)
        # the machine code the stub calls at a loop header's line, before the dispatcher (0: none; see set_fast)
        self.fast = ctypes.c_void_p(0)
        data = struct.pack(f"<{NSLOTS}q", id(dispatch), c_api_address("PyObject_Vectorcall"),
                           c_api_address("Py_DecRef"), c_api_address("PyThreadState_Get"), recursion_remaining_offset,
                           ctypes.addressof(self.events), self.index, layout.frame_f_frame, layout.iframe_code,
                           layout.iframe_instr, layout.code_adaptive, layout.code_extra, layout.frame_trace_lines,
                           ctypes.addressof(self.fast))
        self.address = mem.place(TRACE_STUB + data)        # never unmapped

        # PyThreadState.c_tracefunc, to tell whether a thread still has this tracer (a program's sys.settrace
        # replaces it), and c_profilefunc, which the fast entry reads (a program's sys.setprofile): the layout's
        # offsets, checked here (None when the check fails)
        self.tracefunc_offset = self._check_offset(layout.tstate_c_tracefunc, _set_trace)
        self.profilefunc_offset = self._check_offset(layout.tstate_c_profilefunc, _set_profile)

    def _check_offset(self, offset: int, setter) -> int | None:
        """`offset` if the thread state's word there is the function `setter` (PyEval_SetTrace/SetProfile) sets."""
        if offset < 0:
            return None
        tstate = thread_state()
        word = ctypes.c_void_p.from_address(tstate + offset)
        if word.value is not None:
            return None                             # some function is installed: cannot check now
        enter_tracing(tstate)                      # no event while the stub is installed for the check
        try:
            setter(self.address, None)
            here = word.value
            setter(None, None)
        finally:
            leave_tracing(tstate)
        return offset if here == self.address and word.value is None else None

    def set_fast(self, address: int) -> None:
        """The machine code (backend/fastentry.py, `int64 f(frame, code, offset)`: 0 it ran the loop, 1 the dispatcher
        decides, -1 an exception) the stub calls at a loop header's line event from now on (0: none)."""
        self.fast.value = address or None

    def installed_here(self) -> bool | None:
        """Whether the calling thread has this tracer (None: cannot tell)."""
        if self.tracefunc_offset is None:
            return None
        return ctypes.c_void_p.from_address(thread_state() + self.tracefunc_offset).value == self.address

    def install(self) -> None:
        _set_trace(self.address, None)

    @staticmethod
    def uninstall() -> None:
        _set_trace(None, None)

    def mark(self, code, headers=None, every_line: bool = False) -> None:
        """Tell the stub what `code` needs: every line (`every_line`), its lines at these loop-header offsets
        (`headers`), or else nothing (its frames get f_trace_lines = 0). What the stub reads is kept here
        as long as the code object lives."""
        if every_line:
            value = EVERY_LINE
        elif headers:
            value = HeaderBitmap(len(code.co_code) // 2, headers)
        else:
            value = SKIP
        set_code_extra(code, EXTRA_TRACER, value if isinstance(value, int) else value.address)
        self.marks[code] = value            # (the bitmap it replaces is freed once the stub no longer sees it)

    def unmark(self, code) -> None:
        """Forget what `code` needs: the stub hands its next event to the dispatcher, which marks it again."""
        set_code_extra(code, EXTRA_TRACER, 0)
        self.marks[code] = None

    def marked(self, code) -> bool:
        """Whether `code` has been classified (`mark`)."""
        return self.marks.get(code) is not None
