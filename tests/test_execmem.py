"""Executable memory: W^X placement, entry points that keep the GIL, state buffers, libm addresses."""
from __future__ import annotations

import ctypes
import math
import struct

import pytest

from tracejit.runtime.execmem import (ENTRY_TYPE, CodeMemory, Int64Table, StateBuffer, libm_address,
                                      make_entry)

# mov rax, [rdi]; add rax, [rdi+8]; mov [rdi+16], rax; ret
ADD_CODE = bytes.fromhex("488b07") + bytes.fromhex("48034708") + bytes.fromhex("48894710") + b"\xc3"


def maps() -> list[tuple[int, int, str]]:
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            rng, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in rng.split("-"))
            out.append((lo, hi, perms))
    return out


def perms_at(addr: int) -> str:
    for lo, hi, perms in maps():
        if lo <= addr < hi:
            return perms
    raise AssertionError(f"{addr:#x} not mapped")


def test_place_and_run():
    mem = CodeMemory()
    try:
        addr = mem.place(ADD_CODE)
        buf = StateBuffer(3)
        buf.set_int(0, 40)
        buf.set_int(1, 2)
        assert make_entry(addr)(buf.address) == 42
        assert buf.get_int(2) == 42
        assert mem.bytes_in_use == len(ADD_CODE)
        assert mem.contains(addr) and not mem.contains(addr - 1)
    finally:
        mem.free_all()
    assert mem.bytes_in_use == 0


def test_never_writable_and_executable():
    mem = CodeMemory()
    try:
        addrs = [mem.place(ADD_CODE * k) for k in (1, 50, 400)]     # one page and multi-page blocks
        for a in addrs:
            p = perms_at(a)
            assert "x" in p and "w" not in p, p
        for lo, hi, perms in maps():
            assert not ("w" in perms and "x" in perms), f"{lo:#x}-{hi:#x} {perms}"
    finally:
        mem.free_all()


def test_free_all_unmaps():
    mem = CodeMemory()
    a = mem.place(ADD_CODE)
    mem.free_all()
    assert all(not (lo <= a < hi) for lo, hi, _ in maps())


def test_entry_keeps_the_gil():
    assert ENTRY_TYPE._flags_ & ctypes._FUNCFLAG_PYTHONAPI
    mem = CodeMemory()
    try:
        f = make_entry(mem.place(ADD_CODE))
        assert f._flags_ & ctypes._FUNCFLAG_PYTHONAPI
    finally:
        mem.free_all()


def test_state_buffer_slots():
    buf = StateBuffer(8)
    assert len(buf) == 8 and buf.address != 0
    assert all(buf.get_int(k) == 0 for k in range(8))
    buf.set_int(1, -(1 << 63))
    buf.set_int(2, (1 << 63) - 1)
    assert buf.get_int(1) == -(1 << 63) and buf.get_int(2) == (1 << 63) - 1
    for x in (0.0, -0.0, 1.5, math.inf, -math.inf, 5e-324):
        buf.set_float(3, x)
        assert struct.pack("<d", buf.get_float(3)) == struct.pack("<d", x)
    buf.set_float(3, -0.0)
    assert buf.get_int(3) == -(1 << 63)
    buf.set_float(4, math.nan)
    assert math.isnan(buf.get_float(4))
    buf.set_bool(5, True)
    assert buf.get_int(5) == 1 and buf.get_bool(5)
    buf.clear()
    assert all(buf.get_int(k) == 0 for k in range(8))
    with pytest.raises(OverflowError):
        buf.set_int(0, 1 << 63)


def test_int64_table():
    t = Int64Table(4)
    assert t[3] == 0
    t[3] = 12345
    assert t[3] == 12345
    assert ctypes.c_int64.from_address(t.address + 24).value == 12345


@pytest.mark.parametrize("name,args,expect", [("fmod", (7.5, 2.0), 1.5), ("floor", (-1.5,), -2.0),
                                               ("pow", (2.0, 10.0), 1024.0), ("copysign", (0.0, -1.0), -0.0)])
def test_libm_address(name, args, expect):
    addr = libm_address(name)
    assert addr
    fn = ctypes.CFUNCTYPE(ctypes.c_double, *[ctypes.c_double] * len(args))(addr)
    r = fn(*args)
    assert struct.pack("<d", r) == struct.pack("<d", expect)


def test_libm_missing():
    with pytest.raises(Exception):
        libm_address("no_such_function_xyz")
