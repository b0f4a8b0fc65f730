"""Backend: register allocation and x86-64 code generation for trace IR (with iced-x86).

`assemble(trace, ext, loop=None) -> MachineCode` compiles a loop trace (or a bridge, given its loop's
LoopAddresses) into position-independent machine code; `format_listing` shows each IR op beside the
instructions it became. Raises CompileError for traces it cannot compile.

Modules: x86 (instruction emission, labels, encoding), regalloc (liveness + linear scan),
assembler (code shape and op emitters), containers (the emitters of str, dict and array ops), pycalls
(calls that may run Python code, with the frame written back around them), listing
(disassembly text), stubs (fixed code that does not come from a trace: the hooks' recursion guard, the
graveyard release).

May import: tracejit.ir and iced_x86 only.
"""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
from .assembler import EMITTERS, Externals, LoopAddresses, MachineCode, assemble
from . import containers  # noqa: F401,I001 - its emitters (str, dict, array ops) register in EMITTERS
from . import pycalls  # noqa: F401,I001 - its emitters (calls that may run Python code) register in EMITTERS
from . import randoms  # noqa: F401,I001 - its emitters (random.Random's methods) register in EMITTERS
from .errors import CompileError
from .listing import ListingGroup, format_groups, format_listing, listing_groups
from .stubs import release_stub, retaining_entry_stub

__all__ = ["assemble", "Externals", "LoopAddresses", "MachineCode", "format_listing", "CompileError",
           "EMITTERS", "release_stub", "retaining_entry_stub", "ListingGroup", "listing_groups", "format_groups"]
