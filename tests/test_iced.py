"""The backend's iced-x86 constants (tracejit/backend/iced.py): the native extension alone, and a checked table of
the constants the backend names instead of the package's 45 modules, with the package as the fallback."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from difftest import REPO_ROOT, _env
from test_optable import EMITTED, op_instructions
from tracejit.backend import iced, release_stub, retaining_entry_stub
from tracejit.backend.stubs import callback_stub, pending_call_stub, timer_thread_stub, trace_stub


def _python(src: str) -> str:
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(src)], capture_output=True, text=True, env=_env(),
                       cwd=REPO_ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_the_table_holds_for_the_installed_iced():
    """Every constant of the table is what the installed iced-x86 says (else: run tools/iced_names.py)."""
    assert iced.fallback_reason is None
    import iced_x86
    for kind, table in (("Code", iced.CODES), ("Register", iced.REGISTERS), ("Mnemonic", iced.MNEMONICS)):
        for name, entry in table.items():
            assert getattr(getattr(iced_x86, kind), name) == entry[0], f"{kind}.{name}"


def test_assembling_every_op_and_stub_needs_no_constant_the_table_lacks():
    """(A miss reads the package: correct, but the import the table is there to avoid; tools/iced_names.py adds
    what is missing.)"""
    for name in EMITTED:
        op_instructions(name)
    for stub in (release_stub(0x1000), retaining_entry_stub(0x1000), callback_stub(50), trace_stub(50),
                 timer_thread_stub(), pending_call_stub()):
        assert stub.code
    assert iced.misses == []


def test_a_compile_imports_neither_the_package_nor_typing():
    out = _python("""
        import sys, tracejit
        def f(n):
            t = 0
            for i in range(n):
                t += i * i
            return t
        with tracejit.enable(threshold=2):
            f(1000)
        assert tracejit.stats()["traces_compiled"] == 1
        print(sorted(m for m in ("iced_x86", "typing", "iced_x86.Code") if m in sys.modules))
        """)
    assert out.strip() == "[]"


def _python_writing(src: str) -> str:
    """_python with bytecode (and the check's record) written."""
    env = _env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(src)], capture_output=True, text=True, env=env,
                       cwd=REPO_ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_check_that_passed_is_remembered_for_that_extension_and_table():
    """The table's check (3-5 ms) runs once per extension file and table, like a bytecode cache: a later process
    finds the record and trusts it; a record for anything else is not trusted."""
    probe = """
        from tracejit.backend import iced
        print(iced.fallback_reason, iced._record == iced._key, iced._key != "")
        """
    _python_writing(probe)
    assert _python_writing(probe).split() == ["None", "True", "True"]
    assert _python(probe).split() == ["None", "True", "True"]     # (read where it is not written too)
    # a record of another extension file or table: the check runs (and passes), and writes its own record
    with open(iced._CHECK_RECORD, "w", encoding="utf-8") as f:
        f.write("/elsewhere/_iced_x86_py.so|1|2|3|4")
    assert _python(probe).split() == ["None", "False", "True"]
    assert _python_writing(probe).split() == ["None", "False", "True"]
    assert _python_writing(probe).split() == ["None", "True", "True"]


def test_a_table_that_does_not_match_falls_back_to_the_package():
    """A constant the extension contradicts (another iced-x86): the package is imported and every constant read
    from it; the machine code is the same (a remembered check of the right table does not hide it)."""
    _python_writing("from tracejit.backend import iced")
    out = _python("""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("tracejit.backend.iced_names", "tracejit/backend/iced_names.py")
        names = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(names)
        sys.modules[spec.name] = names      # (the table, read before the backend loads)
        name = "MOV_R64_RM64"
        value, text, op_code = names.CODES[name]
        names.CODES[name] = (value + 1, text, op_code)
        from tracejit.backend import iced
        from tracejit.backend.x86 import RAX, RCX, Asm
        a = Asm()
        a.mov(RAX, RCX)
        print(iced.fallback_reason, "iced_x86" in sys.modules, a.finish().code.hex())
        """)
    reason, imported, code = out.split()
    assert reason == "Code.MOV_R64_RM64" and imported == "True"
    assert code == "488bc1"         # mov rax, rcx
