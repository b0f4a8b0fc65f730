"""Which compiled loops and exits the native round trip (tracejit.backend.roundtrip) serves, and its data.

At the first compile, `shared_code(ext)` is the routine that serves every loop, with its data slots written
(placed once by the engine: `roundtrip_shared`; its bytes for this version kept in roundtrip_code.py). When a loop
or one of its bridges is compiled: `prepare(loop, syncs)` makes the loop's descriptor for its state layout as it
will be and the trampoline into the routine with it (None: the current one still serves, or none can), `append`
puts the trampoline at the end of the block's code (one placement, no page of its own), and `install(engine,
loop, prepared, address)` writes the record of every exit that has none yet and makes `loop.roundtrip` (a
callable f(id(frame), 0) -> int, see backend.roundtrip). No round trip serves a loop whose layout has what it
does not describe; those loops keep the Python entry and write-back of CompiledLoop.run, which stays the
reference (and the whole path with `native=0`):
- complex numbers, iterators other than those of ranges, lists, enumerate(a list) and zip(lists), the names of
  module-level code (its locals, which are its globals only when run so);
- objects the machine code owns (`owned_slots`) and calls that may run Python code (`syncs`): their entry
  prepares more than the frame's values.
An exit gets no record (the runtime writes it back after the native entry) when it rebuilds inlined frames,
when a variable holds another kind there than the loop's, or when it pushes a complex number; and an exit
after a bridge replaced an iterator is written back by the runtime too (it makes the new iterator).

May import: tracejit.backend.roundtrip, tracejit.ir, tracejit.runtime.compiled, .native_callback and
.roundtrip_code, tracejit.cpython.layout, tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

import ctypes

from tracejit.backend.roundtrip import (ENTRY_BITS_WORD, KIND_CODES, MAX_EXIT_STACK, ROUNDTRIP_SLOTS, TRACE_ENTRY_WORD,
                                        GlobalPlace, IterPlace, Place, RoundTripPlan, Shared, descriptor_words,
                                        scratch_words, shared_roundtrip, trampoline)
from tracejit.cpython.layout import (ENUM_INDEX, ENUM_LONGINDEX, ENUM_SIT, LAYOUTS, LIST_ITER_INDEX, LIST_ITER_SEQ,
                                    LIST_ITER_TYPE, RANGE_ITER_TYPE, VERSION, ZIP_ITERS, ZIP_SIZE, c_api_address)
from tracejit.ir import Kind
from tracejit.plaindata import dataclass, replace

from .compiled import COMPLEX, STORE_DEPTH, WRITE_DEPTH, CompiledLoop, ExitInfo
from .native_callback import MARGIN
from .roundtrip_code import ROUNDTRIP_CODE

ROUNDTRIP_TYPE = ctypes.PYFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)   # (frame, iframe)
KINDS = {Kind.INT: "int", Kind.FLOAT: "float", Kind.BOOL: "bool", Kind.REF: "ref"}
# the state slots of each kind of iterator the round trip reads and writes (a zip's are numbered per list)
ITER_SLOTS = {"range": ("next", "step", "remaining"), "list": ("index", "seq"), "enumerate": ("count", "index", "seq"),
              "zip": ("index", "seq")}


def iterator_kind(slots: dict) -> str | None:
    """Which iterator a loop's iterator state slots describe, if the round trip serves it (only range and list
    iterators may be replaced by a bridge: `fresh`)."""
    names = set(slots) - {"fresh"}
    for kind in ("range", "list", "enumerate"):
        if names == set(ITER_SLOTS[kind]):
            return kind if kind != "enumerate" or "fresh" not in slots else None
    n = len(names) // 2
    if n >= 1 and "fresh" not in slots and names == {f"{name}{j}" for j in range(n) for name in ("index", "seq")}:
        return "zip"
    return None


@dataclass
class PreparedRoundTrip:
    """A loop's round trip for its current layout, to be placed at the end of the block being compiled."""
    code: bytes                             # the trampoline into the shared routine
    key: tuple
    scratch: object                         # ctypes int64 array: the round trip's scratch area
    nslots: int
    descriptor: object                      # ctypes int64 array: what the routine reads and writes for the loop


def iterator_offsets() -> Shared:
    """The field offsets of the iterators the shared round trip reads, for this interpreter."""
    return Shared(list_iter_index=LIST_ITER_INDEX, list_iter_seq=LIST_ITER_SEQ, enum_index=ENUM_INDEX,
                  enum_sit=ENUM_SIT, enum_longindex=ENUM_LONGINDEX, zip_size=ZIP_SIZE, zip_iters=ZIP_ITERS)


def shared_code(ext: dict) -> bytes:
    """The routine every loop's round trip enters, with its data slots (backend.roundtrip.ROUNDTRIP_SLOTS) written
    for this process: its kept bytes for this version (roundtrip_code.py), else assembled now. `ext`: the
    engine's addresses (cpython.layout.c_api_addresses)."""
    code = ROUNDTRIP_CODE.get(VERSION)
    if code is None:
        enc = shared_roundtrip(iterator_offsets(), LAYOUTS[VERSION])
        code = enc.code[:enc.code_len]
    values = {"int_type": id(int), "float_type": id(float), "bool_type": id(bool), "true": id(True),
              "false": id(False), "range_iter_type": id(RANGE_ITER_TYPE), "list_iter_type": id(LIST_ITER_TYPE),
              "enumerate_type": id(enumerate), "zip_type": id(zip), "dict_type": id(dict),
              "thread_state_get": c_api_address("PyThreadState_Get")}
    values.update((name, ext[name]) for name in ROUNDTRIP_SLOTS if name not in values)
    return code + b"".join(values[name].to_bytes(8, "little", signed=True) for name in ROUNDTRIP_SLOTS)


def prepare(loop: CompiledLoop, syncs: bool) -> PreparedRoundTrip | None:
    """The round trip for the loop's layout as it is once the block being compiled is in place (`syncs`: the loop
    will have calls that may run Python code), or None when the current one still serves or none can. When the
    current one no longer serves, it stops at once: until the new one is installed, run() takes the Python entry."""
    key = _plan_key(loop, syncs)
    if key == loop.roundtrip_key:
        return None
    loop.roundtrip, loop.roundtrip_key, loop.roundtrip_address = None, None, 0
    if key is None:
        return None
    if loop.exit_records is None:
        loop.exit_records = (ctypes.c_int64 * len(loop.bridge_table))()
    places, iters, nslots, owned, globs = key
    plan = RoundTripPlan(places=places, iters=iters, nslots=nslots, owned=owned, globals=globs,
                         nlocalsplus=loop.nlocalsplus,
                         base_depth=loop.base_depth,
                         headroom=MARGIN + WRITE_DEPTH + STORE_DEPTH + loop.layout.inline_depth + 4,
                         buffer=loop.buffer_address, scratch=0, exit_records=ctypes.addressof(loop.exit_records),
                         retain_table=ctypes.addressof(loop.retain_table),
                         owned_table=ctypes.addressof(loop.owned_table))
    scratch = (ctypes.c_int64 * scratch_words(plan))()
    plan = replace(plan, scratch=ctypes.addressof(scratch))
    words = descriptor_words(plan, loop.fa.L)
    descriptor = (ctypes.c_int64 * len(words))(*words)
    return PreparedRoundTrip(trampoline(ctypes.addressof(descriptor), loop.host.roundtrip_shared), key, scratch,
                             nslots, descriptor)


def append(code: bytes, prepared) -> tuple[bytes, int]:
    """The block's code with the round trip after it (16-byte aligned), and its offset (-1: none)."""
    if prepared is None:
        return code, -1
    at = -len(code) % 16 + len(code)
    return code + b"\xcc" * (at - len(code)) + prepared.code, at


def install(engine, loop: CompiledLoop, prepared: PreparedRoundTrip | None, address: int) -> None:
    """After the block is placed (`address`: where its round trip is, if it has one): every exit without a record
    gets one, and the prepared round trip becomes the loop's."""
    code = loop.code
    if code is None or loop.exit_records is None:
        return
    for exit_id, info in loop.exits.items():
        if exit_id not in loop.records:
            record = exit_record(loop, info, code)
            loop.records[exit_id] = record
            if record is not None:
                loop.exit_records[exit_id] = ctypes.addressof(record)
                if info.owned:          # the round trip releases them after its write-back
                    owned = loop.owned_records[exit_id] = (ctypes.c_int64 * (1 + len(info.owned)))(
                        len(info.owned), *info.owned)
                    loop.owned_table[exit_id] = ctypes.addressof(owned)
    if prepared is not None:
        prepared.scratch[TRACE_ENTRY_WORD] = loop.trace_entry
        loop.scratch = prepared.scratch
        loop.roundtrip_descriptor = prepared.descriptor
        loop.roundtrip_entry_bits = (ctypes.c_int64 * prepared.nslots).from_address(
            ctypes.addressof(prepared.scratch) + 8 * ENTRY_BITS_WORD)
        loop.roundtrip_key = prepared.key
        loop.roundtrip = ROUNDTRIP_TYPE(address)
        loop.roundtrip_address = address


def _plan_key(loop: CompiledLoop, syncs: bool):
    """(places, iterators, slots, owned slots, globals) of the loop's layout, or None when the round trip cannot
    serve it."""
    loop.layout_changed()
    if syncs:
        return None
    fast, glob, iters, cplx = loop._input_plan()
    if cplx:
        return None
    if glob and not loop.optimized:
        return None         # module-level code: its names are f_locals', which may not be f_globals (exec(c, g, l))
    globs = []
    for name, slot, kind, _ in glob:
        if kind not in KINDS:
            return None
        # (the name: the layout's state variable keeps the str alive as long as the loop and its code)
        globs.append(GlobalPlace(id(name), slot, KINDS[kind], name))
    places = []
    for index, slot, kind, sv in fast:
        if kind not in KINDS:
            return None
        places.append(Place(index if index is not None else loop.nlocalsplus + sv.key, slot, KINDS[kind],
                            index is not None))
    its = []
    for pos, slots in iters:
        kind = iterator_kind(slots)
        if kind is None:
            return None
        names = ITER_SLOTS[kind] if kind != "zip" else \
            [f"{name}{j}" for j in range(len(slots) // 2) for name in ITER_SLOTS["zip"]]
        its.append(IterPlace(pos, kind, tuple(slots[k] for k in names), slots.get("fresh", -1)))
    return tuple(places), tuple(its), loop.layout.nslots, tuple(loop.owned_slots), tuple(globs)


def exit_record(loop: CompiledLoop, info: ExitInfo, code):
    """The exit's record for the native write-back (backend.roundtrip), or None: the runtime writes it back."""
    if info.inner or info.kinds or len(info.stack) > MAX_EXIT_STACK:
        return None
    words = [loop.fa.instr_address(code, info.resume_pc), loop.base_depth - info.popped, len(info.stack)]
    for slot, kind in info.stack:
        if kind is COMPLEX or kind not in KINDS:
            return None
        words += [slot, KIND_CODES[KINDS[kind]]]
    return (ctypes.c_int64 * len(words))(*words)
