"""Compiling the program's source, and fresh code objects for the layout probes, without what `compile()` costs
the first time a process calls it.

The builtin `compile()` first asks whether its source is an AST object (`PyAST_Check`), and the first time a
process asks, CPython builds the `ast` module's 124 classes (`init_types`): about 11 million instructions, 2-3 ms
of every `python -m tracejit` run (measured with callgrind on CPython 3.12 and 3.13, 2026-12-07), although the
source is never an AST. `python script.py` itself never builds them: it compiles the file in C. The builtin then
calls `Py_CompileStringObject` with the same flags for every non-AST source; `compile_source` calls it directly
through ctypes, with what `compile(source, filename, "exec", dont_inherit=True)` passes (flags
PyCF_SOURCE_IS_UTF8, and PyCF_IGNORE_COOKIE for str source; the running version as the feature version; optimize
-1), so the code objects, syntax errors and warnings are the builtin's (a test compares them). Source the C
string cannot carry (a NUL byte, a str that does not encode to UTF-8) and any failure to reach the C function
go to the builtin, which reports them as it does.

`fresh_code()`: a new, never-run code object, for the probes that write into one (`code.replace()`, not
`compile()`, for the same reason).

May import: ctypes and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import sys

PY_FILE_INPUT = 257                 # Py_file_input: a module ("exec")
PYCF_SOURCE_IS_UTF8 = 0x0100
PYCF_IGNORE_COOKIE = 0x0800

_compile_string = []                # [the ctypes function and its flags struct type], made at the first use


def _c_compiler():
    if not _compile_string:
        import ctypes

        class CompilerFlags(ctypes.Structure):
            _fields_ = [("cf_flags", ctypes.c_int), ("cf_feature_version", ctypes.c_int)]
        function = ctypes.pythonapi.Py_CompileStringObject
        function.argtypes = [ctypes.c_char_p, ctypes.py_object, ctypes.c_int, ctypes.POINTER(CompilerFlags),
                             ctypes.c_int]
        function.restype = ctypes.py_object
        _compile_string.extend((function, CompilerFlags, ctypes.byref))
    return _compile_string


def compile_source(source: bytes | str, filename: str):
    """What `compile(source, filename, "exec", dont_inherit=True)` returns (or raises)."""
    flags = PYCF_SOURCE_IS_UTF8
    text = source
    if isinstance(source, str):
        flags |= PYCF_IGNORE_COOKIE
        try:
            text = source.encode("utf-8")
        except UnicodeError:
            text = None
    if isinstance(text, bytes) and b"\0" not in text and type(filename) is str:
        try:
            function, CompilerFlags, byref = _c_compiler()
        except (ImportError, AttributeError, OSError):
            pass
        else:
            return function(text, filename, PY_FILE_INPUT, byref(CompilerFlags(flags, sys.version_info[1])), -1)
    return compile(source, filename, "exec", dont_inherit=True)


def _probe_function():
    return 0


def fresh_code():
    """A new code object that no frame has run and no tool has instrumented."""
    return _probe_function.__code__.replace()
