"""Runtime: executable memory, state buffers, entering and leaving native code (see execmem)."""
