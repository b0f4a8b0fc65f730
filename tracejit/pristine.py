"""The builtins as they were when tracejit was first imported.

Every tracejit module binds its `__builtins__` to this snapshot (`from tracejit.pristine import BUILTINS as
__builtins__`), so the JIT's own code never calls a program's replacements of builtins: a program that
patches `builtins.len` (unittest.mock, a counting spy) must not see tracejit's calls, nor can a broken
replacement break the JIT.

May import: the standard library only.
"""
import builtins

BUILTINS = dict(builtins.__dict__)
