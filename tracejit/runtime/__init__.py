"""Runtime: executable memory, state buffers, entering and leaving native code (see execmem)."""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
