"""compile_source (the program's source compiled through Py_CompileStringObject, without the builtin compile()'s
first-call cost) gives what compile(source, filename, "exec", dont_inherit=True) gives: the same code objects, the
same errors, the same warnings."""
from __future__ import annotations

import warnings

import pytest

from tracejit.cpython.source import compile_source, fresh_code

SOURCES = {
    "plain": b"def f(n):\n    s = 0\n    for i in range(n):\n        s += i * i\n    return s\nprint(f(10))\n",
    "latin1_cookie": b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\nprint(s)\n",
    "utf8_bom": b"\xef\xbb\xbfx = '\xc3\xa9'\n",
    "future": b"from __future__ import annotations\ndef g(x: Undefined) -> int:\n    return x\n",
    "classes_and_closures": b"class P:\n    def __init__(self, x):\n        self.x = x\n"
                            b"def outer():\n    k = 3\n    return lambda y: y + k\n"
                            b"try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    pass\n",
    "str_source": "s = '\u00e9\u4e2d'\nprint(s)\n",
    "str_with_cookie_ignored": "# -*- coding: latin-1 -*-\ns = '\u4e2d'\n",
}

BAD = {
    "syntax_error": b"x = (1,\nprint(x)\n",
    "indentation": b"def f():\nreturn 1\n",
    "nul_byte": b"x = 1\0\n",
    "bad_utf8": b"s = '\xff'\n",
    "bad_cookie": b"# -*- coding: no-such-codec -*-\nx = 1\n",
    "lone_surrogate": "s = '\ud800'\n",
}


def _same_code(a, b) -> None:
    assert type(a) is type(b)
    for attr in ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars", "co_flags", "co_filename",
                 "co_name", "co_qualname", "co_firstlineno", "co_linetable", "co_exceptiontable", "co_argcount",
                 "co_kwonlyargcount", "co_posonlyargcount", "co_stacksize"):
        assert getattr(a, attr) == getattr(b, attr), attr
    assert len(a.co_consts) == len(b.co_consts)
    for x, y in zip(a.co_consts, b.co_consts):
        if hasattr(x, "co_code"):
            _same_code(x, y)
        else:
            assert type(x) is type(y) and (x == y or x != x and y != y)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_code_as_compile(name):
    source = SOURCES[name]
    _same_code(compile_source(source, f"/tmp/{name}.py"), compile(source, f"/tmp/{name}.py", "exec",
                                                                   dont_inherit=True))


def _outcome(function):
    try:
        function()
    except BaseException as e:      # noqa: BLE001 - the comparison is the point
        return type(e), str(e), getattr(e, "lineno", None), getattr(e, "offset", None), getattr(e, "filename", None)
    return None


@pytest.mark.parametrize("name", sorted(BAD))
def test_same_error_as_compile(name):
    source = BAD[name]
    ours = _outcome(lambda: compile_source(source, f"/tmp/{name}.py"))
    builtin = _outcome(lambda: compile(source, f"/tmp/{name}.py", "exec", dont_inherit=True))
    assert builtin is not None and ours == builtin


def test_same_warnings_as_compile():
    source = b"x = '\\d'\nassert (x, 1)\n"          # an invalid escape; an assert of a tuple (always true)

    def caught(function) -> list:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            function()
        return [(type(m.message), str(m.message), m.filename, m.lineno) for m in w]
    ours = caught(lambda: compile_source(source, "/tmp/warn.py"))
    assert len(ours) == 2
    assert ours == caught(lambda: compile(source, "/tmp/warn.py", "exec", dont_inherit=True))


def test_fresh_code_is_new_and_never_run():
    a, b = fresh_code(), fresh_code()
    assert a is not b and a == b
    assert eval(a) == 0
