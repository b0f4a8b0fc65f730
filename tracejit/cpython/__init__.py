"""CPython version layer: bytecode normalization (bytecode) and object/frame layouts (layout).

May import: the standard library only."""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
