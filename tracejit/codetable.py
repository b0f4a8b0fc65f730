"""CodeTable: a mapping keyed by code objects that does not keep them alive. The bytecode cache, the
hooks and the engine keep per-code data in it, so a program that creates and drops functions (exec, lambdas,
classes) does not make tracejit's memory grow.

May import: the standard library only (every stage may import it).
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

# functools' partial and weakref's ref themselves, without importing those modules at start-up
from _functools import partial
from _weakref import ref as weak_ref


class CodeTable:
    """A mapping keyed by code objects that does not keep them alive: when a code object dies (its function
    or exec'd module is gone) its entry disappears, and `on_death(value)` is called if given. Lookups cost
    one dict access (keys are id()s; each entry holds a weak reference that tells a reused id apart)."""

    __slots__ = ("_data", "on_death")

    def __init__(self, on_death=None) -> None:
        self._data: dict[int, tuple] = {}          # id(code) -> (weakref to code, value)
        self.on_death = on_death

    def get(self, code, default=None):
        e = self._data.get(id(code))
        return e[1] if e is not None and e[0]() is code else default

    def __setitem__(self, code, value) -> None:
        i = id(code)
        e = self._data.get(i)
        ref = e[0] if e is not None and e[0]() is code else weak_ref(code, partial(self._died, i))
        self._data[i] = (ref, value)

    def __contains__(self, code) -> bool:
        e = self._data.get(id(code))
        return e is not None and e[0]() is code

    def pop(self, code, default=None):
        """Remove code's entry and return its value (on_death is not called), or `default`."""
        i = id(code)
        e = self._data.get(i)
        if e is None or e[0]() is not code:
            return default
        del self._data[i]
        return e[1]

    def __len__(self) -> int:
        return len(self._data)

    def values(self) -> list:
        return [e[1] for e in list(self._data.values())]

    def codes(self) -> list:
        """The code objects that have an entry (alive)."""
        return [c for c in (e[0]() for e in list(self._data.values())) if c is not None]

    def clear(self) -> None:
        """Forget every entry (on_death is not called)."""
        self._data.clear()

    def _died(self, i: int, ref) -> None:
        e = self._data.get(i)
        if e is not None and e[0] is ref:
            del self._data[i]
            if self.on_death is not None:
                self.on_death(e[1])
