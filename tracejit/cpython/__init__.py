"""CPython version layer: bytecode normalization (bytecode) and object/frame layouts (layout).

May import: the standard library only."""
