"""Developer tools built on the JIT's text forms (trace dumps)."""

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine
