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
from tracejit.cpython.layout import Layout, c_api_address, code_extra_index, enter_tracing, leave_tracing, \
    set_code_extra, thread_state


# tracejit.backend.stubs.trace_stub(MARGIN).code without its data slots (TRACE_SLOTS, 8 bytes each, appended
# by NativeTracer in that order)
TRACE_STUB = bytes.fromhex(
    "5341544155488bde4c8be249c1e42049c1fc204c8be94983fc070f84b90000004983fc00740a4983fc020f8517010000"
    "488b0d5d010000488b040b488b0d5a010000488b0408488b0d67010000488b14084885d20f847f000000488b0d2b0100"
    "0048390a7e73488b54ca084885d274694883fa0174564983fc000f84c70000004883fa027453488b0d07010000488b0c"
    "0b4c8b050c0100004a8b0c014829c1482b0d0601000048c1f901483b0a0f83940000004c8bc149c1e803460fb6440208"
    "4883e107490fa3c8720feb7b488b0de9000000c6040b00eb6e488b0594000000ffd0488b0d93000000488b0c0848c1e1"
    "2048c1f9204883f9327c4c4883ec2048891c24488b057a0000004a8b04e048894424084c896c2410488b3d3d00000048"
    "8bf4ba0300000033c9488b0534000000ffd04883c4204885c07414488bf8488b0527000000ffd033c0415d415c5bc348"
    "c7c0ffffffff415d415c5bc3")
NSLOTS = 13
# the event names a Python trace function receives, by PyTrace_* number (the stub passes events[what])
EVENTS = ("call", "exception", "line", "return", "c_call", "c_exception", "c_return", "opcode")
SKIP, EVERY_LINE = 1, 2     # co_extra values: nothing to trace / every line to the dispatcher
TSTATE_C_TRACEFUNC = 72     # offsetof(PyThreadState, c_tracefunc) on 3.11 (checked by NativeTracer)

_set_trace = ctypes.pythonapi.PyEval_SetTrace
_set_trace.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_set_trace.restype = None


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
        self.index = code_extra_index()
        data = struct.pack(f"<{NSLOTS}q", id(dispatch), c_api_address("PyObject_Vectorcall"),
                           c_api_address("Py_DecRef"), c_api_address("PyThreadState_Get"), recursion_remaining_offset,
                           ctypes.addressof(self.events), self.index, layout.frame_f_frame, layout.iframe_code,
                           layout.iframe_instr, layout.code_adaptive, layout.code_extra, layout.frame_trace_lines)
        self.address = mem.place(TRACE_STUB + data)        # never unmapped

        # PyThreadState.c_tracefunc (3.11), to tell whether a thread still has this tracer (a program's
        # sys.settrace replaces it); checked here, None when the check fails
        self.tracefunc_offset = self._find_tracefunc_offset()

    def _find_tracefunc_offset(self) -> int | None:
        tstate = thread_state()
        word = ctypes.c_void_p.from_address(tstate + TSTATE_C_TRACEFUNC)
        if word.value is not None:
            return None                             # some tracer is installed: cannot check now
        enter_tracing(tstate)                      # no trace event while the stub is installed for the check
        try:
            self.install()
            here = word.value
            self.uninstall()
        finally:
            leave_tracing(tstate)
        return TSTATE_C_TRACEFUNC if here == self.address and word.value is None else None

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
        self.marks[code] = value
        set_code_extra(code, value if isinstance(value, int) else value.address)

    def unmark(self, code) -> None:
        """Forget what `code` needs: the stub hands its next event to the dispatcher, which marks it again."""
        self.marks[code] = None
        set_code_extra(code, 0)

    def marked(self, code) -> bool:
        """Whether `code` has been classified (`mark`)."""
        return self.marks.get(code) is not None
