"""What a recording in progress needs, loaded with the recorder when the first loop gets hot: the recorder's
window on the live frame (FrameView) and the engine's record of one recording (Recording).

May import: tracejit.recorder, tracejit.cpython, tracejit.runtime.compiled (for type checkers: the compiled-loop
runtime loads with tracejit.runtime.compiling, at the first compile), tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import dataclass

from tracejit.cpython.bytecode import CO_OPTIMIZED
from tracejit.cpython.layout import LIST_ITER_TYPE, RANGE_ITER_TYPE, SEQ_ITER_TYPES, FrameAccess, dict_walk, \
    enumerate_list_state, list_iter_state, zip_list_states
from tracejit.recorder import (LITTLE_LEFT, LOOP_LEFT, RETRY_HINTS, BridgeStart, RecordAbort,  # noqa: F401
                               TraceRecorder)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .compiled import CompiledLoop, ExitInfo

class FrameView:
    """The recorder's window on the live frame (see tracejit.recorder.FrameView)."""

    def __init__(self, fa: FrameAccess, frame):
        self.fa = fa
        self.iframe = fa.iframe(frame)
        self.code = frame.f_code
        self.n = fa.nlocalsplus(self.code)
        self.globals = frame.f_globals
        self.builtins = frame.f_builtins
        self.module_level = not (self.code.co_flags & CO_OPTIMIZED) and frame.f_locals is frame.f_globals

    def local(self, index: int):
        return self.fa.read_slot(self.iframe, index)

    def stack(self, pos: int):
        return self.fa.read_slot(self.iframe, self.n + pos)

    def range_iter_state(self, it):
        if type(it) is not RANGE_ITER_TYPE:
            raise TypeError("not a range iterator")
        return self.fa.range_iter_state(it)

    def list_iter_state(self, it):
        if type(it) is not LIST_ITER_TYPE:
            raise TypeError("not a list iterator")
        return list_iter_state(it)

    def seq_iter_state(self, it):
        if type(it) not in SEQ_ITER_TYPES:
            raise TypeError("not a str, tuple or array iterator")
        return list_iter_state(it)

    def dict_iter_state(self, it, kind: str) -> tuple[int, int, dict]:
        return dict_walk(it, kind)

    def enumerate_state(self, it) -> tuple[int, int, list]:
        count, _, index, seq = enumerate_list_state(it)
        return count, index, seq

    def zip_state(self, it) -> list[tuple[int, list]]:
        return [(index, seq) for _, index, seq in zip_list_states(it)]


@dataclass
class Recording:
    """A recording under way: the recorder, the frame it follows and the loop (or exit) it is for."""
    recorder: TraceRecorder
    frame: object
    code: object
    site: object            # the engine's LoopSite
    view: FrameView
    loop: CompiledLoop | None = None        # set for a bridge
    exit: ExitInfo | None = None
    started: float = 0.0
    idle: int = 0
    missed: bool = False                    # an instruction event came while another thread held the JIT


