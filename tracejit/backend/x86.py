"""x86-64 instruction emission around iced-x86: registers, operands, labels, a constant pool, encoding.

`Asm` collects iced `Instruction`s (built with `Instruction.create_*`), each tagged with the listing group
(IR op or block name) it belongs to. Labels are indices into the instruction list; at `finish()` every
instruction gets a unique `.ip`, branches are created with `Instruction.create_branch` to their target's
ip and `BlockEncoder(64)` encodes the block (shortening branches). The constant pool (8-byte data items
at the end of the block) is addressed RIP-relative, so the code is position-independent. In the hot
range (the loop body) the loop head is aligned to 32 bytes and nops are inserted so that no branch or
macro-fused compare+branch crosses or ends at a 32-byte boundary (Intel's JCC erratum: measured 1.0 vs
up to 5.5 ns per iteration for the same loop on the development machine).

Operands: `Reg` (a GPR or XMM register), `Mem` (base register + displacement, or a pool constant) and
plain Python ints (immediates). Generic helpers (`mov`, `alu`, `imul`, `sse`, `movsd` ...) choose the
encoding from the operand types; all GPR operations are 64-bit unless the helper says otherwise.

May import: tracejit.backend.iced (iced-x86), tracejit.plaindata and the standard library.
"""
from __future__ import annotations

from tracejit.pristine import BUILTINS as __builtins__  # noqa: F401 - see tracejit.pristine

from tracejit.plaindata import cached_property, dataclass, field, memoized

from .iced import BlockEncoder, Decoder, Formatter, Instruction, MemoryOperand, Mnemonic, Register, code as _c, \
    formatter_syntax_intel

I = Instruction


@dataclass(frozen=True, eq=False)
class Reg:
    """A general-purpose or XMM register: one object per register (GPR, XMM below), compared by identity (the
    register allocator compares them often: field-by-field equality was a tenth of assembling)."""
    name: str
    num: int          # hardware number 0..15
    xmm: bool = False

    def __repr__(self) -> str:
        return self.name

    @property
    def r64(self) -> int:
        return _R64[self.num] if not self.xmm else _XMM[self.num]

    @property
    def r32(self) -> int:
        return _R32[self.num]

    @property
    def r8(self) -> int:
        return _R8[self.num]


_GPR_NAMES = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
              "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
_R64 = [getattr(Register, n.upper()) for n in _GPR_NAMES]
_R32 = [getattr(Register, n) for n in ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI",
                                       "R8D", "R9D", "R10D", "R11D", "R12D", "R13D", "R14D", "R15D"]]
_R8 = [getattr(Register, n) for n in ["AL", "CL", "DL", "BL", "SPL", "BPL", "SIL", "DIL",
                                      "R8L", "R9L", "R10L", "R11L", "R12L", "R13L", "R14L", "R15L"]]
_R16 = [getattr(Register, n) for n in ["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI",
                                       "R8W", "R9W", "R10W", "R11W", "R12W", "R13W", "R14W", "R15W"]]
_XMM = [getattr(Register, f"XMM{i}") for i in range(16)]

GPR = {n: Reg(n, i) for i, n in enumerate(_GPR_NAMES)}
XMM = {f"xmm{i}": Reg(f"xmm{i}", i, True) for i in range(16)}
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = (GPR[n] for n in _GPR_NAMES[:8])
R8, R9, R10, R11, R12, R13, R14, R15 = (GPR[n] for n in _GPR_NAMES[8:])
XMM0, XMM1 = XMM["xmm0"], XMM["xmm1"]


@dataclass(frozen=True)
class Mem:
    """[base + disp] (64-bit unless used with a narrower helper), or a pool constant when `pool` >= 0."""
    base: Reg | None
    disp: int = 0
    index: Reg | None = None
    scale: int = 1
    pool: int = -1

    def __init__(self, base: Reg | None, disp: int = 0, index: Reg | None = None, scale: int = 1, pool: int = -1):
        # (one store of all fields: the backend makes a Mem for most instructions it emits)
        self.__dict__.update(base=base, disp=disp, index=index, scale=scale, pool=pool)

    def mo(self) -> MemoryOperand:
        """iced's operand, made once per Mem and shared by equal Mems (the state buffer's and the spill area's are
        asked for again and again; an instruction copies it; making one costs about 3 us)."""
        made = self.__dict__.get("_mo")
        if made is None:
            made = _memory_operand((self.base, self.index, self.scale, self.disp, self.pool))
            object.__setattr__(self, "_mo", made)
        return made

    def __repr__(self) -> str:
        if self.pool >= 0:
            return "[pool]"
        return f"[{self.base}{'+' + str(self.index) + '*' + str(self.scale) if self.index else ''}{self.disp:+d}]"


Operand = Reg | Mem | int


@memoized
def _memory_operand(key: tuple) -> MemoryOperand:
    """iced's operand for (base, index, scale, disp, pool) of a Mem (a Reg hashes by identity: one per register)."""
    base, index, scale, disp, pool = key
    if pool >= 0:
        return MemoryOperand(Register.RIP, displ=pool)
    return MemoryOperand(base.r64 if base else Register.NONE, index.r64 if index else Register.NONE, scale, disp,
                         1 if disp else 0)


def fits_i32(v: int) -> bool:
    return -(1 << 31) <= v < (1 << 31)


def fits_i8(v: int) -> bool:
    return -128 <= v < 128


# condition codes: name -> (jcc, setcc, cmovcc) codes; NEG gives the inverse condition
_CCS = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]
JCC = {cc: _c(f"J{cc.upper()}_REL32_64") for cc in _CCS}
SETCC = {cc: _c(f"SET{cc.upper()}_RM8") for cc in _CCS}
CMOVCC = {cc: _c(f"CMOV{cc.upper()}_R64_RM64") for cc in _CCS}
NEG = {"o": "no", "no": "o", "b": "ae", "ae": "b", "e": "ne", "ne": "e", "be": "a", "a": "be",
       "s": "ns", "ns": "s", "p": "np", "np": "p", "l": "ge", "ge": "l", "le": "g", "g": "le"}
SWAP = {"l": "g", "g": "l", "le": "ge", "ge": "le", "e": "e", "ne": "ne",
        "b": "a", "a": "b", "be": "ae", "ae": "be"}

# two-operand integer ALU ops: (rm64 <- r64, r64 <- rm64, rm64 <- imm8, rm64 <- imm32)
ALU = {m: (_c(f"{m.upper()}_RM64_R64"), _c(f"{m.upper()}_R64_RM64"), _c(f"{m.upper()}_RM64_IMM8"),
           _c(f"{m.upper()}_RM64_IMM32")) for m in ("add", "sub", "and", "or", "xor", "cmp")}
SHIFT = {m: (_c(f"{m.upper()}_RM64_IMM8"), _c(f"{m.upper()}_RM64_CL")) for m in ("shl", "sar", "shr")}
UNARY = {m: _c(f"{m.upper()}_RM64") for m in ("neg", "not", "inc", "dec", "idiv")}
SSE = {m: _c(f"{m.upper()}_XMM_XMMM64") for m in ("addsd", "subsd", "mulsd", "divsd", "ucomisd", "movsd",
                                                   "sqrtsd")}
SSE128 = {m: _c(f"{m.upper()}_XMM_XMMM128") for m in ("xorpd", "andpd", "orpd", "movapd", "xorps")}


@dataclass
class _Branch:
    """A jump to a label, made into an instruction when the code is encoded."""
    code: int
    label: int


@dataclass(eq=False)
class Encoded:
    """Encoded code, where its labels ended up, and its grouped listing (made when first read: decoding and
    formatting every instruction is a good part of an assembly nobody looks at)."""
    code: bytes
    label_offsets: dict[int, int]
    code_len: int = 0
    groups: list = field(default_factory=list)          # titles: str, or a function that makes it
    tags: list[int] = field(default_factory=list)
    item_pos: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    pool: dict[int, int] = field(default_factory=dict)

    @cached_property
    def listing(self) -> list[tuple[str, list[tuple[int, str]]]]:
        fmt = _formatter()
        texts = [fmt.format(d) for d in Decoder(64, self.code[:self.code_len], ip=0)]
        listing: list[tuple[str, list[tuple[int, str]]]] = [(g if type(g) is str else g(), [])
                                                            for g in self.groups]
        item_pos, offsets = self.item_pos, self.offsets
        for k in range(len(self.tags)):
            first = item_pos[k - 1] + 1 if k else 0       # padding nops belong to the item they precede
            for j in range(first, item_pos[k] + 1):
                listing[self.tags[k]][1].append((offsets[j], texts[j]))
        if self.pool:
            rows = []
            for bits, idx in sorted(self.pool.items(), key=lambda t: t[1]):
                rows.append((self.code_len + 8 * idx, f"dq 0x{bits:016x}"))
            listing.append(("constants", rows))
        return listing


@dataclass
class Asm:
    """An instruction list being built: groups for the listing, labels, the constant pool."""
    items: list = field(default_factory=list)          # Instruction | _Branch
    tags: list[int] = field(default_factory=list)      # listing group of each item
    groups: list[str] = field(default_factory=list)
    labels: dict[int, int] = field(default_factory=dict)   # label -> item index
    nlabels: int = 0
    pool: dict[int, int] = field(default_factory=dict)  # qword bits -> pool index
    hot_range: tuple[int, int] = (0, 0)                 # items [start, end) of the loop body

    # ---- structure ---------------------------------------------------------------------------------

    def group(self, title) -> None:
        """Start a listing group; `title` is a str or a function that makes it (called only for a listing)."""
        self.groups.append(title)

    def new_label(self) -> int:
        self.nlabels += 1
        return self.nlabels

    def bind(self, label: int) -> None:
        assert label not in self.labels
        self.labels[label] = len(self.items)

    def emit(self, ins) -> None:
        if not self.groups:
            self.group("")
        self.items.append(ins)
        self.tags.append(len(self.groups) - 1)

    def const(self, bits: int) -> Mem:
        """A RIP-relative reference to an 8-byte constant (two's complement bits) in the pool."""
        bits &= (1 << 64) - 1
        if bits not in self.pool:
            self.pool[bits] = len(self.pool)
        return Mem(None, pool=_POOL_IP + self.pool[bits])

    # ---- control -----------------------------------------------------------------------------------

    def jcc(self, cc: str, label: int) -> None:
        self.emit(_Branch(JCC[cc], label))

    def jmp(self, label: int) -> None:
        self.emit(_Branch(_c("JMP_REL32_64"), label))

    def jmp_reg(self, r: Reg) -> None:
        self.emit(I.create_reg(_c("JMP_RM64"), r.r64))

    def call_reg(self, r: Reg) -> None:
        self.emit(I.create_reg(_c("CALL_RM64"), r.r64))

    def ret(self) -> None:
        self.emit(I.create(_c("RETNQ")))

    def push(self, r: Reg) -> None:
        self.emit(I.create_reg(_c("PUSH_R64"), r.r64))

    def pop(self, r: Reg) -> None:
        self.emit(I.create_reg(_c("POP_R64"), r.r64))

    # ---- integer -----------------------------------------------------------------------------------

    def mov(self, dst: Reg | Mem, src: Operand, scratch: Reg | None = None, keep_flags: bool = False) -> None:
        """64-bit move; an imm64 into memory needs `scratch`. Zeroing a register uses xor unless keep_flags."""
        if isinstance(dst, Reg):
            if isinstance(src, Reg):
                if src != dst:
                    self.emit(I.create_reg_reg(_c("MOV_R64_RM64"), dst.r64, src.r64))
            elif isinstance(src, Mem):
                self.emit(I.create_reg_mem(_c("MOV_R64_RM64"), dst.r64, src.mo()))
            else:
                self.mov_imm(dst, src, keep_flags)
        else:
            if isinstance(src, Reg):
                self.emit(I.create_mem_reg(_c("MOV_RM64_R64"), dst.mo(), src.r64))
            elif isinstance(src, Mem):
                assert scratch is not None
                self.mov(scratch, src)
                self.mov(dst, scratch)
            elif fits_i32(src):
                self.emit(I.create_mem_i32(_c("MOV_RM64_IMM32"), dst.mo(), src))
            else:
                assert scratch is not None
                self.mov_imm(scratch, src)
                self.mov(dst, scratch)

    def mov_imm(self, dst: Reg, v: int, keep_flags: bool = False) -> None:
        v = _s64(v)
        if v == 0 and not keep_flags:
            self.emit(I.create_reg_reg(_c("XOR_R32_RM32"), dst.r32, dst.r32))
        elif 0 <= v < (1 << 32):
            self.emit(I.create_reg_u32(_c("MOV_R32_IMM32"), dst.r32, v))
        elif fits_i32(v):
            self.emit(I.create_reg_i32(_c("MOV_RM64_IMM32"), dst.r64, v))
        else:
            self.emit(I.create_reg_i64(_c("MOV_R64_IMM64"), dst.r64, v))

    def load32(self, dst: Reg, src: Mem) -> None:
        """dst = the unsigned 32-bit value at src (zero-extended)."""
        self.emit(I.create_reg_mem(_c("MOV_R32_RM32"), dst.r32, src.mo()))

    def load8(self, dst: Reg, src: Mem) -> None:
        """dst = the byte at src (zero-extended)."""
        self.emit(I.create_reg_mem(_c("MOVZX_R32_RM8"), dst.r32, src.mo()))

    def load16(self, dst: Reg, src: Mem) -> None:
        """dst = the unsigned 16-bit value at src (zero-extended)."""
        self.emit(I.create_reg_mem(_c("MOVZX_R32_RM16"), dst.r32, src.mo()))

    def load_signed(self, dst: Reg, src: Mem, size: int) -> None:
        """dst = the signed 1-, 2-, 4- or 8-byte value at src (sign-extended to 64 bits)."""
        code = {1: "MOVSX_R64_RM8", 2: "MOVSX_R64_RM16", 4: "MOVSXD_R64_RM32", 8: "MOV_R64_RM64"}[size]
        self.emit(I.create_reg_mem(_c(code), dst.r64, src.mo()))

    def load_signed_reg(self, dst: Reg, src: Reg, size: int) -> None:
        """dst = the low 1, 2 or 4 bytes of src, sign-extended to 64 bits."""
        code, reg = {1: ("MOVSX_R64_RM8", src.r8), 2: ("MOVSX_R64_RM16", _R16[src.num]),
                     4: ("MOVSXD_R64_RM32", src.r32)}[size]
        self.emit(I.create_reg_reg(_c(code), dst.r64, reg))

    def store_narrow(self, dst: Mem, src: Reg, size: int) -> None:
        """The low 1, 2, 4 or 8 bytes of src stored at dst."""
        code, reg = {1: ("MOV_RM8_R8", src.r8), 2: ("MOV_RM16_R16", _R16[src.num]), 4: ("MOV_RM32_R32", src.r32),
                     8: ("MOV_RM64_R64", src.r64)}[size]
        self.emit(I.create_mem_reg(_c(code), dst.mo(), reg))

    def cvtss2sd(self, dst: Reg, src: Mem) -> None:
        """dst = the float32 at src, widened to a double (exact)."""
        self.emit(I.create_reg_mem(_c("CVTSS2SD_XMM_XMMM32"), dst.r64, src.mo()))

    def cvtsd2ss_store(self, dst: Mem, src: Reg, scratch: Reg) -> None:
        """The double in src rounded to float32 (to nearest, as C's cast) and stored at dst, through scratch."""
        self.emit(I.create_reg_reg(_c("CVTSD2SS_XMM_XMMM64"), scratch.r64, src.r64))
        self.emit(I.create_mem_reg(_c("MOVSS_XMMM32_XMM"), dst.mo(), scratch.r64))

    def test_imm(self, a: Reg, imm: int) -> None:
        """Flags of a & imm (a 32-bit immediate; the upper half of a is not tested)."""
        self.emit(I.create_reg_u32(_c("TEST_RM32_IMM32"), a.r32, imm))

    def mov32(self, dst: Reg, v: int) -> None:
        self.emit(I.create_reg_u32(_c("MOV_R32_IMM32"), dst.r32, v))

    def alu(self, m: str, dst: Reg | Mem, src: Operand) -> None:
        """add/sub/and/or/xor/cmp dst, src: src int must fit in 32 bits; mem-mem is not allowed."""
        rm_r, r_rm, rm_i8, rm_i32 = ALU[m]
        if isinstance(src, int):
            src = _s64(src)
            assert fits_i32(src), src
            code = rm_i8 if fits_i8(src) else rm_i32
            if isinstance(dst, Reg):
                self.emit(I.create_reg_i32(code, dst.r64, src))
            else:
                self.emit(I.create_mem_i32(code, dst.mo(), src))
        elif isinstance(src, Reg):
            if isinstance(dst, Reg):
                self.emit(I.create_reg_reg(rm_r, dst.r64, src.r64))
            else:
                self.emit(I.create_mem_reg(rm_r, dst.mo(), src.r64))
        else:
            assert isinstance(dst, Reg)
            self.emit(I.create_reg_mem(r_rm, dst.r64, src.mo()))

    def test(self, a: Reg | Mem, b: Reg) -> None:
        if isinstance(a, Reg):
            self.emit(I.create_reg_reg(_c("TEST_RM64_R64"), a.r64, b.r64))
        else:
            self.emit(I.create_mem_reg(_c("TEST_RM64_R64"), a.mo(), b.r64))

    def test_zero(self, o: Reg | Mem) -> None:
        """Flags of the 64-bit value o against 0 (ZF set when it is 0): `test r, r`, or `cmp [m], 0`."""
        if isinstance(o, Reg):
            self.test(o, o)
        else:
            self.alu("cmp", o, 0)

    def test32(self, a: Reg, b: Reg) -> None:
        self.emit(I.create_reg_reg(_c("TEST_RM32_R32"), a.r32, b.r32))

    def unary(self, m: str, dst: Reg | Mem) -> None:
        if isinstance(dst, Reg):
            self.emit(I.create_reg(UNARY[m], dst.r64))
        else:
            self.emit(I.create_mem(UNARY[m], dst.mo()))

    def imul(self, dst: Reg, src: Reg | Mem) -> None:
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg(_c("IMUL_R64_RM64"), dst.r64, src.r64))
        else:
            self.emit(I.create_reg_mem(_c("IMUL_R64_RM64"), dst.r64, src.mo()))

    def bsr(self, dst: Reg, src: Reg) -> None:
        """dst = the index of src's highest set bit (src must not be 0: dst is then undefined)."""
        self.emit(I.create_reg_reg(_c("BSR_R64_RM64"), dst.r64, src.r64))

    def imul_imm(self, dst: Reg, src: Reg | Mem, imm: int) -> None:
        code = _c("IMUL_R64_RM64_IMM8") if fits_i8(imm) else _c("IMUL_R64_RM64_IMM32")
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg_i32(code, dst.r64, src.r64, imm))
        else:
            self.emit(I.create_reg_mem_i32(code, dst.r64, src.mo(), imm))

    def shift(self, m: str, dst: Reg | Mem, count: int | None) -> None:
        """shl/sar/shr dst by an immediate count, or by cl when count is None."""
        imm, cl = SHIFT[m]
        if count is None:
            if isinstance(dst, Reg):
                self.emit(I.create_reg_reg(cl, dst.r64, Register.CL))
            else:
                self.emit(I.create_mem_reg(cl, dst.mo(), Register.CL))
        elif isinstance(dst, Reg):
            self.emit(I.create_reg_i32(imm, dst.r64, count))
        else:
            self.emit(I.create_mem_i32(imm, dst.mo(), count))

    def lea(self, dst: Reg, base: Reg, index: Reg | None = None, disp: int = 0) -> None:
        self.emit(I.create_reg_mem(_c("LEA_R64_M"), dst.r64, Mem(base, disp, index).mo()))

    def cqo(self) -> None:
        self.emit(I.create(_c("CQO")))

    def setcc(self, cc: str, dst: Reg) -> None:
        self.emit(I.create_reg(SETCC[cc], dst.r8))

    def movzx8(self, dst: Reg, src: Reg) -> None:
        self.emit(I.create_reg_reg(_c("MOVZX_R32_RM8"), dst.r32, src.r8))

    def and8(self, dst: Reg, src: Reg) -> None:
        self.emit(I.create_reg_reg(_c("AND_RM8_R8"), dst.r8, src.r8))

    def or8(self, dst: Reg, src: Reg) -> None:
        self.emit(I.create_reg_reg(_c("OR_RM8_R8"), dst.r8, src.r8))

    def cmp8(self, a: Reg, b: Reg) -> None:
        self.emit(I.create_reg_reg(_c("CMP_RM8_R8"), a.r8, b.r8))

    def cmov(self, cc: str, dst: Reg, src: Reg | Mem) -> None:
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg(CMOVCC[cc], dst.r64, src.r64))
        else:
            self.emit(I.create_reg_mem(CMOVCC[cc], dst.r64, src.mo()))

    # ---- SSE ---------------------------------------------------------------------------------------

    def sse(self, m: str, dst: Reg, src: Reg | Mem) -> None:
        """addsd/subsd/mulsd/divsd/ucomisd/movsd xmm, xmm/m64 (movsd reg-reg becomes movapd)."""
        if m == "movsd" and isinstance(src, Reg):
            if src != dst:
                self.emit(I.create_reg_reg(SSE128["movapd"], dst.r64, src.r64))
            return
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg(SSE[m], dst.r64, src.r64))
        else:
            self.emit(I.create_reg_mem(SSE[m], dst.r64, src.mo()))

    def sse128(self, m: str, dst: Reg, src: Reg) -> None:
        self.emit(I.create_reg_reg(SSE128[m], dst.r64, src.r64))

    def movsd_store(self, dst: Mem, src: Reg) -> None:
        self.emit(I.create_mem_reg(_c("MOVSD_XMMM64_XMM"), dst.mo(), src.r64))

    def movq_to_xmm(self, dst: Reg, src: Reg | Mem) -> None:
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg(_c("MOVQ_XMM_RM64"), dst.r64, src.r64))
        else:
            self.emit(I.create_reg_mem(_c("MOVSD_XMM_XMMM64"), dst.r64, src.mo()))

    def movq_from_xmm(self, dst: Reg | Mem, src: Reg) -> None:
        if isinstance(dst, Reg):
            self.emit(I.create_reg_reg(_c("MOVQ_RM64_XMM"), dst.r64, src.r64))
        else:
            self.movsd_store(dst, src)

    def roundsd(self, dst: Reg, src: Reg, mode: int) -> None:
        """dst = src rounded to an integral double (SSE4.1; mode 0: to nearest, ties to even)."""
        self.emit(I.create_reg_reg_u32(_c("ROUNDSD_XMM_XMMM64_IMM8"), dst.r64, src.r64, mode))

    def cvttsd2si(self, dst: Reg, src: Reg | Mem) -> None:
        """dst (GPR) = src (double) truncated toward zero (0x8000000000000000 when out of range)."""
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg(_c("CVTTSD2SI_R64_XMMM64"), dst.r64, src.r64))
        else:
            self.emit(I.create_reg_mem(_c("CVTTSD2SI_R64_XMMM64"), dst.r64, src.mo()))

    def cvtsi2sd(self, dst: Reg, src: Reg | Mem) -> None:
        if isinstance(src, Reg):
            self.emit(I.create_reg_reg(_c("CVTSI2SD_XMM_RM64"), dst.r64, src.r64))
        else:
            self.emit(I.create_reg_mem(_c("CVTSI2SD_XMM_RM64"), dst.r64, src.mo()))

    # ---- encoding ----------------------------------------------------------------------------------

    def hot(self, start: bool) -> None:
        """Mark the start / end of hot code (the loop body): there the loop head is aligned to 32 bytes and
        no branch (or macro-fused compare+branch) crosses or ends at a 32-byte boundary (Skylake's JCC
        erratum makes such branches fall out of the uop cache and run several times slower)."""
        if start:
            self.hot_range = (len(self.items), len(self.items))
        else:
            self.hot_range = (self.hot_range[0], len(self.items))

    def finish(self) -> Encoded:
        """Encode at ip 0; returns the code, the offset of every label and the grouped listing."""
        if any(ix >= len(self.items) for ix in self.labels.values()):
            self.emit(I.create(_c("INT3")))
        pads: dict[int, int] = {}
        hs, he = self.hot_range
        placed = self._placed()
        for _ in range(20):
            code, ins, item_pos, offsets, code_len = self._encode(placed, pads)
            more = self._padding(pads, hs, he, item_pos, offsets)
            if not more:
                break
            for k, nbytes in more.items():
                pads[k] = pads.get(k, 0) + nbytes
        label_offsets = {lab: offsets[item_pos[ix]] for lab, ix in self.labels.items()}
        return Encoded(code, label_offsets, code_len, self.groups, self.tags, item_pos, offsets, self.pool)

    def _placed(self) -> list[Instruction]:
        """The items as instructions (a branch made for its label's item), each at ip _CODE_IP + its index: the
        same for every encoding of this code (only the padding between them changes)."""
        out: list[Instruction] = []
        labels, append = self.labels, out.append
        for k, it in enumerate(self.items):
            if type(it) is _Branch:
                it = I.create_branch(it.code, _CODE_IP + labels[it.label])
            it.ip = _CODE_IP + k
            append(it)
        return out

    def _encode(self, placed: list[Instruction], pads: dict[int, int]):
        if pads:
            ins: list[Instruction] = []
            item_pos: list[int] = []
            npad = 0
            append, position = ins.append, item_pos.append
            for k, it in enumerate(placed):
                if k in pads:
                    for chunk in _nops(pads[k]):
                        d = I.create_declare_byte(chunk)
                        npad += 1
                        d.ip = _PAD_IP + npad
                        append(d)
                position(len(ins))
                append(it)
        else:
            ins, item_pos = list(placed), list(range(len(placed)))
        ncode = len(ins)
        for bits, idx in sorted(self.pool.items(), key=lambda t: t[1]):
            d = I.create_declare_qword_1(bits)
            d.ip = _POOL_IP + idx
            ins.append(d)
        enc = BlockEncoder(64)
        enc.add_many(ins)
        code = enc.encode(0)
        code_len = len(code) - 8 * len(self.pool)
        offsets, at = [], 0
        append = offsets.append
        for d in Decoder(64, code[:code_len], ip=0):    # (each instruction's length: cheaper than its ip)
            append(at)
            at += d.len
        assert len(offsets) == ncode and at == code_len, (len(offsets), ncode)
        offsets.append(code_len)
        return code, ins, item_pos, offsets, code_len

    def _padding(self, pads, hs, he, item_pos, offsets) -> dict[int, int]:
        """Extra padding (item index -> bytes) so the hot code is laid out well, assuming later code just
        shifts by the padding inserted before it (re-checked after encoding, as branch sizes may change)."""
        more: dict[int, int] = {}
        shift = 0
        if hs < he and hs in self.labels.values():
            off = offsets[item_pos[hs]]
            if off % 32:
                more[hs] = 32 - off % 32
                shift = more[hs]
        for k in range(hs, he):
            it = self.items[k]
            if not isinstance(it, _Branch):
                continue
            first = k
            prev = self.items[k - 1] if k > hs else None
            if it.code != _c("JMP_REL32_64") and isinstance(prev, Instruction) and \
                    prev.mnemonic in _FUSIBLE and not pads.get(k) and k not in more:
                first = k - 1
            start = offsets[item_pos[first]] + shift
            end = offsets[item_pos[k] + 1] + shift
            if start // 32 != (end - 1) // 32 or end % 32 == 0:
                need = 32 - start % 32
                more[first] = more.get(first, 0) + need
                shift += need
        return more


_NOPS = {1: b"\x90", 2: b"\x66\x90", 3: b"\x0f\x1f\x00", 4: b"\x0f\x1f\x40\x00", 5: b"\x0f\x1f\x44\x00\x00",
         6: b"\x66\x0f\x1f\x44\x00\x00", 7: b"\x0f\x1f\x80\x00\x00\x00\x00",
         8: b"\x0f\x1f\x84\x00\x00\x00\x00\x00", 9: b"\x66\x0f\x1f\x84\x00\x00\x00\x00\x00"}


def _nops(n: int) -> list[bytes]:
    out = []
    while n > 0:
        k = min(n, 9)
        out.append(_NOPS[k])
        n -= k
    return out


_FUSIBLE = {Mnemonic.CMP, Mnemonic.TEST, Mnemonic.ADD, Mnemonic.SUB, Mnemonic.AND, Mnemonic.INC, Mnemonic.DEC}
_PAD_IP = 1 << 36
_CODE_IP = 0x1000
_POOL_IP = 1 << 40


def _s64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= (1 << 63) else v


def _formatter() -> Formatter:
    f = Formatter(formatter_syntax_intel())
    f.space_after_operand_separator = True
    f.hex_prefix = "0x"
    f.hex_suffix = ""
    f.uppercase_hex = False
    f.signed_immediate_operands = True
    f.show_branch_size = False
    return f


def disassemble(code: bytes, base: int = 0) -> list[tuple[int, str]]:
    fmt = _formatter()
    return [(d.ip, fmt.format(d)) for d in Decoder(64, code, ip=base)]
