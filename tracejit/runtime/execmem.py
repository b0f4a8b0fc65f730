"""Executable memory, state buffers and native entry points for generated machine code.

CodeMemory places position-independent machine code in pages that are mapped read-write, filled and then
switched to read+execute with mprotect: no page is ever writable and executable at the same time, and a
page once made executable is never written again (each block gets its own page-rounded mapping).
StateBuffer is the int64 array the code reads and writes through r15. `make_entry` wraps a code address
as a ctypes PYFUNCTYPE callable (the GIL stays held while the code runs; cffi function pointers and
ctypes CFUNCTYPE release it and must not be used). `libm_address` finds libm functions for the backend.

Mapping and protecting pages goes through ctypes (loaded at start-up anyway), so the hooks' native callback
guard costs no cffi import; cffi (whose C-declaration parser takes tens of milliseconds to load) is imported
when the first state buffer is made, that is at the first compile.

May import: cffi (lazily), ctypes and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_mmap = _libc.mmap
_mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_mmap.restype = ctypes.c_void_p
_mprotect = _libc.mprotect
_mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_mprotect.restype = ctypes.c_int
_munmap = _libc.munmap
_munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_munmap.restype = ctypes.c_int

_cffi: list = []        # [the FFI instance], made at first use


def _ffi():
    """cffi's FFI, imported at first use (a state buffer, at the first compile)."""
    if not _cffi:
        import cffi
        _cffi.append(cffi.FFI())
    return _cffi[0]

PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20
PAGE = 4096
MAP_FAILED = (1 << 64) - 1


class ExecMemError(Exception):
    pass


def _round_up(n: int, m: int) -> int:
    return (n + m - 1) // m * m


class CodeMemory:
    """Places machine code blocks in W^X memory: each `place` maps fresh pages RW, copies the code and
    makes them RX (one mapping per block, so no executable page is ever written again)."""

    def __init__(self) -> None:
        self._chunks: dict[int, tuple[int, int]] = {}  # address -> (mapped length, code length)
        self.bytes_in_use = 0                         # bytes of code placed
        self.bytes_mapped = 0                         # page-rounded bytes mapped

    @staticmethod
    def mapped_size(code_length: int) -> int:
        """Bytes of address space `place` maps for code of this length."""
        return _round_up(code_length, PAGE)

    def place(self, code: bytes) -> int:
        if not code:
            raise ValueError("empty code")
        size = _round_up(len(code), PAGE)
        addr = _mmap(None, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if addr is None or addr == MAP_FAILED:
            raise ExecMemError(f"mmap failed (errno {ctypes.get_errno()})")
        ctypes.memmove(addr, code, len(code))
        if _mprotect(addr, size, PROT_READ | PROT_EXEC) != 0:
            _munmap(addr, size)
            raise ExecMemError(f"mprotect failed (errno {ctypes.get_errno()})")
        self._chunks[addr] = (size, len(code))
        self.bytes_in_use += len(code)
        self.bytes_mapped += size
        return addr

    def free(self, address: int) -> None:
        """Unmap the block placed at `address` (the caller guarantees no thread runs or will enter it)."""
        size, length = self._chunks.pop(address)
        if _munmap(address, size) != 0:
            raise ExecMemError("munmap failed")
        self.bytes_in_use -= length
        self.bytes_mapped -= size

    def contains(self, address: int) -> bool:
        return any(a <= address < a + n for a, (n, _) in self._chunks.items())

    def free_all(self) -> None:
        """Unmap every placed block (callers must make sure no code is running or will be entered)."""
        for addr in list(self._chunks):
            self.free(addr)


ENTRY_TYPE = ctypes.PYFUNCTYPE(ctypes.c_int64, ctypes.c_void_p)


def make_entry(address: int):
    """A callable f(state_address: int) -> int for a loop entry `int64 f(int64 *state)`; the GIL stays held."""
    return ENTRY_TYPE(address)


RETAINING_ENTRY_TYPE = ctypes.PYFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


def make_retaining_entry(stub: int, trace: int, table: int):
    """f(state_address) -> exit id: the loop entry `trace` called through the retaining stub at `stub`
    (backend.stubs.retaining_entry_stub), with the loop's retain table."""
    from _functools import partial      # (functools' own, without importing functools)
    return partial(RETAINING_ENTRY_TYPE(stub), trace, table)


class StateBuffer:
    """A zeroed int64 array of `nslots` slots (doubles stored by bit pattern); keep it alive while code uses it."""

    def __init__(self, nslots: int) -> None:
        self.nslots = nslots
        ffi = self._ffi = _ffi()
        self._buf = ffi.new("int64_t[]", nslots)
        self.address = int(ffi.cast("uintptr_t", self._buf))

    def __len__(self) -> int:
        return self.nslots

    def get_int(self, slot: int) -> int:
        return int(self._buf[slot])

    def set_int(self, slot: int, value: int) -> None:
        self._buf[slot] = value

    def get_float(self, slot: int) -> float:
        return struct.unpack("<d", struct.pack("<q", self._buf[slot]))[0]

    def set_float(self, slot: int, value: float) -> None:
        self._buf[slot] = struct.unpack("<q", struct.pack("<d", value))[0]

    def get_bool(self, slot: int) -> bool:
        return bool(self._buf[slot])

    def set_bool(self, slot: int, value: bool) -> None:
        self._buf[slot] = 1 if value else 0

    def clear(self) -> None:
        self._ffi.memmove(self._buf, bytes(8 * self.nslots), 8 * self.nslots)


class Int64Table:
    """A zeroed int64 array at a fixed address (e.g. a loop's bridge table)."""

    def __init__(self, n: int) -> None:
        ffi = _ffi()
        self._buf = ffi.new("int64_t[]", n)
        self.n = n
        self.address = int(ffi.cast("uintptr_t", self._buf))

    def __getitem__(self, i: int) -> int:
        return int(self._buf[i])

    def __setitem__(self, i: int, v: int) -> None:
        self._buf[i] = v


_libm_handles: list[ctypes.CDLL] = []


def _libm() -> list[ctypes.CDLL]:
    """glibc's libm by its soname (what ctypes.util.find_library("m") answers on x86-64 Linux, without the
    ldconfig subprocess it runs and the modules it imports: subprocess, tempfile, shutil), then the symbols
    of the whole process (where libm is part of libc, as on musl)."""
    if not _libm_handles:
        try:
            _libm_handles.append(ctypes.CDLL("libm.so.6"))
        except OSError:
            pass
        _libm_handles.append(ctypes.CDLL(None))
    return _libm_handles


def libm_address(name: str) -> int:
    """Absolute address of a libm function ('fmod', 'floor', 'pow', 'copysign', ...)."""
    for lib in _libm():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            continue
        return ctypes.cast(fn, ctypes.c_void_p).value
    raise ExecMemError(f"libm function {name!r} not found")
