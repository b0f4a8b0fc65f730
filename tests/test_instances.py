"""Attributes of instances read through CPython's maps: `obj.name` as the class's version guard plus an indexed
load from the instance's values array (instance_attr), on every version. Each program runs against plain CPython
(output, tracebacks, exit status) while the things that would make such a read stale happen in the middle of the
loop: an attribute deleted or set again, the instance given a real dict, a property or a slot added to the class,
`__class__` reassigned, instances of a subclass, an attribute replaced by a call while the trace still uses the
old value. In-process tests check that the trace really reads the values array.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import tracejit  # noqa: E402
from test_deopt import NATIVE, check  # noqa: E402
from tracejit.cpython.instances import attribute_slot, instance_values  # noqa: E402


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y
        self.label = "p"


def dot_all(points, n):
    s = 0.0
    k = 0
    for i in range(n):
        p = points[i % len(points)]
        s += p.x * p.y
        k += len(p.label)
    return s, k


def ops_of(func, *args) -> list[str]:
    expected = func(*args)
    with tracejit.enable(threshold=2):
        got = func(*args)
    assert got == expected
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]
    assert loops, tracejit.stats()
    return [op.name for op in loops[0].blocks[0].trace.ops]


def test_layout_self_check_passes():
    v = instance_values()
    assert v is not None and v.kind == {(3, 11): "pointer", (3, 12): "tagged", (3, 13): "inline"}[sys.version_info[:2]]
    p = Point(1.0, 2.0)
    assert [attribute_slot(p, n) for n in ("x", "y", "label", "z")] == [0, 1, 2, None]


def test_an_attributes_slot_is_found_by_an_equal_name_too():
    """The shared keys are searched for the name object itself first (an interpreted name is interned), then for
    an equal str: a name built at run time, not interned, finds the same slot; a missing one none."""
    p = Point(1.0, 2.0)
    label, built = "label", "".join(["la", "bel"])
    assert built == label and built is not label and attribute_slot(p, built) == 2
    assert attribute_slot(p, "".join(["z", "z"])) is None


def test_reads_are_indexed_loads(fresh_engine):
    points = [Point(i * 0.5, 2.0 - i) for i in range(7)]
    names = ops_of(dot_all, points, 2000)
    assert names.count("instance_attr") == 3 and "getattr_plain" not in names, names


def test_a_data_descriptor_hides_the_values():
    """A property of the class comes before the instance's own attribute of that name: such a name is never read
    from the values array, though the array has it (put there through __dict__)."""
    from types import SimpleNamespace

    from tracejit.recorder.attributes import _values_slot

    class Shadowed:
        def __init__(self):
            self.x = 1.0
            self.y = 2.0
    o = Shadowed()
    Shadowed.x = property(lambda self: 5.0)
    rec = SimpleNamespace(owned_reads=frozenset())
    assert attribute_slot(o, "x") == 0 and o.x == 5.0
    assert _values_slot(rec, o, "x") is None and _values_slot(rec, o, "y") == 1
    assert _values_slot(SimpleNamespace(owned_reads=frozenset({"instance_attr"})), o, "y") is None


@pytest.mark.parametrize("native", NATIVE)
def test_stale_maps_are_never_read(prog, native):
    check(prog, native, """\
        class P:
            def __init__(self, x, y):
                self.x = x
                self.y = y
                self.name = "p"

        class Q(P):
            pass

        class Other:
            x = 100.0                       # a class attribute where P instances have their own
            def __init__(self):
                self.y = 0.5
                self.name = "other"

        def total(ps, n):
            s = 0.0
            k = 0
            for r in range(n):
                for p in ps:
                    s += p.x * p.y
                    k += len(p.name)
            return s, k

        ps = [P(i * 0.5, i + 1.0) for i in range(40)]
        print(total(ps, 50))
        q = ps[3]
        del q.y                             # the slot empties: the class has no y, AttributeError
        try:
            total(ps, 3)
        except AttributeError as e:
            print("AttributeError", e)
        q.y = 7.0                           # set again
        print(total(ps, 50))
        ps[5].__dict__["x"] = 100.0         # a real dict (3.11/3.12), or one sharing the values (3.13)
        print(total(ps, 50))
        ps[6].__class__ = Other             # another class: its version guard fails
        ps[7] = Q(1.0, 2.0)                 # a subclass: another class too
        print(total(ps, 50))
        P.name = property(lambda self: "property")  # a data descriptor comes before the instance's own
        print(total(ps, 50))
        del P.name
        for k in range(40):                 # more attributes than shared keys hold: real dicts
            setattr(ps[9], f"extra{k}", k)
        print(total(ps, 50))
        """, compiled=("total",))


@pytest.mark.parametrize("slots, read", [("", "instance_attr"), ('__slots__ = ("s",)', "member_attr")],
                         ids=["values", "slots"])
@pytest.mark.parametrize("native", NATIVE)
def test_an_attribute_replaced_by_a_call_while_the_trace_uses_its_old_value(prog, native, slots, read):
    """The borrowed read of b.s would die in the call: the compile refuses it, and the loop is recorded again reading
    its attributes as references of its own (the "owned_reads" hint), whether b.s is in a values array or a slot."""
    evs = check(prog, native, """\
        import sys

        class Box:
            SLOTS
            def __init__(self, k):
                self.s = "box" + str(k)

        def swap(b, *, i):                      # (keyword-only: called, not inlined)
            b.s = "".join(["s", str(i % 7)])    # drops the last reference to the old str
            return "!"

        def f(boxes, n):
            total = 0
            for i in range(n):
                b = boxes[i % 3]
                total += len(b.s + swap(b, i=i))    # b.s is on the stack across the call
            return total

        boxes = [Box(k) for k in range(3)]
        print(f(boxes, 3000))
        print([b.s for b in boxes])
        """.replace("SLOTS", slots or "pass"), compiled=("f",) if sys.version_info >= (3, 12) else (),
        params="cost_model=0")
    if sys.version_info >= (3, 12):
        assert any(e.get("owned_reads") == read for e in evs), evs


@pytest.mark.parametrize("native", NATIVE)
def test_an_exit_inside_an_inlined_method_that_keeps_failing_grows_a_bridge_there(prog, native):
    """The wall bounce inside the inlined step() exits the trace mid-method, after its store (its frame rebuilt
    each time): after bridge_threshold failures a bridge grows there, resuming step() in machine code, and the
    loop keeps inlining it."""
    evs = check(prog, native, """\
        class Particle:
            def __init__(self, x, v):
                self.x = x
                self.v = v
                self.hits = 0

            def step(self, dt):
                self.x = self.x + self.v * dt
                if self.x > 10.0 or self.x < 0.0:
                    self.v = -self.v
                    self.hits += 1

        def run(ps, n):
            for i in range(n):
                for p in ps:
                    p.step(0.01)
            return [round(p.x, 6) for p in ps], sum(p.hits for p in ps)

        ps = [Particle(i * 0.1, (i % 7) - 3.0) for i in range(50)]
        print(run(ps, 3000))
        """, compiled=("run",))
    assert not [e for e in evs if e["event"] == "inline_less"], evs
    bridged = {e["exit"] for e in evs if e["event"] == "bridge_compiled"}
    assert any(e.get("rebuilds", "").startswith("step line") and e["exit"] in bridged
               for e in evs if e["event"] == "guard_failure"), [e for e in evs if e["event"] != "guard_failure"]


@pytest.mark.parametrize("native", NATIVE)
def test_an_exit_inside_an_inlined_call_that_cannot_grow_a_bridge_records_the_loop_again(prog, native):
    """An exit after the inlined call's store that no bridge can follow (the callee raises there: a recording
    cannot go on through an exception), taken often: after bridge_threshold failures the loop is recorded again
    calling that function (on 3.11, which has no generic path, that recording aborts)."""
    evs = check(prog, native, """\
        class Acc:
            def __init__(self):
                self.total = 0

            def add(self, x, d):
                self.total = self.total + x
                return x // d            # d == 0 one time in four: ZeroDivisionError, caught by the caller

        def run(n):
            a = Acc()
            bad = 0
            for i in range(n):
                try:
                    a.add(i, i % 4)
                except ZeroDivisionError:
                    bad += 1
            return a.total, bad

        print(run(3000))
        """, compiled=("run",))
    less = [e for e in evs if e["event"] == "inline_less"]
    assert less and less[0]["not_inlined"] == "add", [e for e in evs if e["event"] != "guard_failure"]


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def scale(self, k):
        self.x = self.x * k
        self.y *= k

    def norm2(self):
        return self.x * self.x + self.y * self.y


def scale_all(vs, n):
    t = 0.0
    for i in range(n):
        v = vs[i % len(vs)]
        v.scale(1.0000001)
        t += v.norm2()
    return t


def test_slots_are_read_and_written_at_their_offsets(fresh_engine):
    expected = scale_all([Vec(i * 0.5, 2.0 - i) for i in range(5)], 2000)
    with tracejit.enable(threshold=2):
        got = scale_all([Vec(i * 0.5, 2.0 - i) for i in range(5)], 2000)
    assert got == expected
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is scale_all.__code__]
    names = [op.name for op in loops[0].blocks[0].trace.ops]
    assert "member_attr" in names and names.count("member_set") == 2, names
    assert "getattr_plain" not in names and "guard_no_own_attr" not in names, names   # no instance dict at all


@pytest.mark.parametrize("native", NATIVE)
def test_stale_slots_are_never_read(prog, native):
    check(prog, native, """\
        class V:
            __slots__ = ("x", "y", "z")
            def __init__(self, x, y, z):
                self.x, self.y, self.z = x, y, z
            def scale(self, k):
                self.x = self.x * k
                self.y = self.y * k
                self.z *= k
            def norm2(self):
                return self.x * self.x + self.y * self.y + self.z * self.z

        class W(V):                         # a subclass with a __dict__: another class
            pass

        def run(vs, n):
            t, r = 0.0, 0
            while r < n:
                for v in vs:
                    v.scale(1.0000001)
                    t += v.norm2()
                r += 1
            return round(t, 6)

        vs = [V(i * 0.5, 1.0 - i, 2.0) for i in range(10)]
        print(run(vs, 300))
        w = vs[3]
        del w.y                             # unset: AttributeError from the interpreter
        try:
            run(vs, 10)
        except AttributeError as e:
            print("AttributeError", e)
        w.y = "text"                        # another type: the old value's guard fails
        try:
            run(vs, 10)
        except TypeError as e:
            print("TypeError", e)
        w.y = 1.5
        vs[4] = W(1.0, 2.0, 3.0)
        print(run(vs, 300))
        V.norm2 = lambda self: 1.0          # a method replaced: the version guard fails
        print(run(vs, 300))
        V.z = property(lambda s: 1.0)       # the member descriptor replaced by a property
        try:
            print(run(vs, 100))
        except AttributeError as e:
            print("AttributeError", e)
        """, compiled=("run",))


class Strength:
    def __init__(self, s):
        self.s = s


REQUIRED, WEAK = Strength(0), Strength(5)


class Cell:
    def __init__(self):
        self.walk = REQUIRED
        self.mark = 0

    def choose(self, a):
        self.mark = 1               # written twice in one inlined call: the second store's old value is the first's
        if a:
            self.mark = 2
        return self.mark


def walks(cells, n):
    t = 0
    for i in range(n):
        c = cells[i % len(cells)]
        t += c.walk.s + c.choose(True)
    return t


def test_a_second_store_in_an_inlined_call_replaces_what_the_first_stored(fresh_engine):
    """choose() stores self.mark twice: the second store's old value is the object the first stored (the
    recorder runs the call ahead of the interpreter, so the instance still holds the value before the call)."""
    cells = [Cell() for _ in range(5)]
    names = ops_of(walks, cells, 2000)
    assert names.count("instance_set") >= 2, names


@pytest.mark.parametrize("native", NATIVE)
def test_a_store_never_drops_what_plain_cpython_would_release_there(prog, native):
    """A store over an object of any type drops its reference in machine code only where another reference
    remains; the last one is dropped by the interpreter, so __del__ (which reads what the loop wrote just
    before) and weakref callbacks run where they would without the JIT."""
    check(prog, native, """\
        import weakref

        class Dying:
            def __init__(self, k, h=None):
                self.k = k
                self.h = h
            def __del__(self):
                print("dying", self.k, "at", self.h.n if self.h is not None else "-")

        class Holder:
            def __init__(self):
                self.n = 0
                self.other = None

        def replace(hs, n, fresh):
            t = 0
            for i in range(n):
                h = hs[i % len(hs)]
                h.n = i
                h.other = fresh[i % len(fresh)]     # over an object still in a list, or its last reference
                t += h.other.k
            return t

        hs = [Holder() for _ in range(4)]
        keep = [Dying(k) for k in range(7)]
        print(replace(hs, 3000, keep))              # recorded over objects held elsewhere too
        for h in hs:
            h.other = Dying(-1, h)                  # each holder's the only reference
        r = weakref.ref(hs[2].other, lambda _: print("weakref callback at", hs[2].n))
        print(replace(hs, 40, keep))                # the first store to each drops it: __del__ sees h.n
        keep[3] = None                              # Dying(3) now held by holders only
        print(replace(hs, 40, keep[:3] + keep[4:]))
        del keep
        for h in hs:
            h.other = None                          # (before the end: what dies at exit is another matter)
        print("end")
        """, compiled=("replace",) if sys.version_info >= (3, 12) else ())


@pytest.mark.xfail(sys.version_info >= (3, 12), strict=True,
                   reason="known, older than the test: during the iteration a recording follows, the recorder's "
                          "concrete values hold the nodes, so their __del__ runs later (3.12+, where the loop "
                          "is recorded with its generic STORE_ATTR)")
@pytest.mark.parametrize("native", NATIVE)
def test_a_queue_drained_by_attribute_stores_frees_each_node_where_plain_cpython_does(prog, native):
    """`q.head = cur.next` drops the last reference to a node only once the local `cur` moves on; its __del__
    logs into the same list as the loop, so any store that kept it alive longer (in the graveyard) would show.
    (A store over an object in machine code, behind a guard that it is not the last reference, failed this at
    every iteration and was withdrawn; what remains is the recording's.)"""
    check(prog, native, """\
        log = []

        class Node:
            def __init__(self, k, nxt):
                self.k = k
                self.next = nxt
            def __del__(self):
                log.append(-self.k - 1)

        class Q:
            pass

        q = Q()

        def build(m):
            head = None
            for k in range(m - 1, -1, -1):
                head = Node(k, head)
            q.head = head

        def drain():
            while True:
                cur = q.head
                if cur is None:
                    break
                q.head = cur.next
                log.append(cur.k)

        for m in (30, 200, 40):
            build(m)
            drain()
            print(log)
            log.clear()
        """, compiled=())


def _collected_program(rebinds: str) -> str:
    """The start of a program whose garbage collections run finalizers that rebind what its loop reads: `A`
    instances log their death in `events`; each collection frees a `Cyc` (a self-referencing instance), whose
    `__del__` counts it, runs `rebinds` once `armed`, and makes the next `Cyc`; `H` is a `Holder` instance."""
    rebinds = textwrap.indent(textwrap.dedent(rebinds).strip(), " " * 12)
    return textwrap.dedent("""\
        import gc
        events = []

        class A:
            def __init__(self, k):
                self.k = k
            def __del__(self):
                events.append(-self.k - 1)

        collected = [0]
        armed = [False]

        class Cyc:
            def __init__(self):
                self.me = self
            def __del__(self):
                collected[0] += 1
                if armed[0]:
        """) + rebinds + """
        Cyc()

class Holder:
    pass

"""


@pytest.mark.parametrize("native", NATIVE)
def test_a_collection_inside_the_machine_codes_allocation_frees_nothing_the_trace_reads(prog, native):
    """3.11 collects inside the allocation that crosses the threshold; here each collection's finalizer rebinds
    the attributes the loop has just read (the trace borrows them: from the values array, and a class
    attribute's object at its address) while the loop allocates an instance per iteration. The machine code
    holds collections off around its own allocations (they run at the interpreter's next one, as 3.12+ run them
    at the next eval-breaker check), so no read of `v.k` or `w.k` follows the death of `v` or `w` (before: a
    segfault on 3.11; and with native=0 on 3.13, where the IR interpreter, being Python code, collected between
    reading an attribute's address and taking a reference to it: it now holds collections off as the machine
    code does). When collections run differs with the JIT (on every version: its own work allocates), so the
    program prints only what does not depend on it."""
    check(prog, native, _collected_program("""\
        H.val = A(collected[0])
        Config.DEFAULT = A(100000 + collected[0])
        """) + textwrap.dedent("""\

        H = Holder()
        H.val = A(0)

        class Config:
            DEFAULT = A(100000)

        class P:
            def __init__(self, i):
                self.i = i

        def run(m):
            keep = []
            for i in range(m):
                v = H.val
                w = Config.DEFAULT
                keep.append(P(i))
                events.append(v.k)
                events.append(w.k)
                v = w = None
            return len(keep)

        Cyc()
        gc.set_threshold(7)
        print(run(100))
        armed[0] = True
        print(run(2000))
        gc.set_threshold(700)
        dead = set()
        late = [k for k in events if k >= 0 and k in dead or k < 0 and dead.add(-k - 1)]
        print("reads after death:", late, "reads:", sum(k >= 0 for k in events), "collections:", collected[0] > 20)
        """), compiled=("run",))


@pytest.mark.parametrize("native", NATIVE)
def test_a_variable_only_a_bridge_writes_is_retained_for_the_write_back(prog, native):
    """A local only a bridge writes (added to the loop's state by the bridge) holds an attribute's object, borrowed,
    when the loop's own exit is taken: that exit's retain record, made before the bridge existed, must name it
    too (CompiledLoop.refresh_retain), or a collection in the runtime's write-back frees it before it is boxed
    (found by review: a segfault on 3.12 and 3.13)."""
    check(prog, native, """\
        import gc
        G = 0
        dead = set()
        serial = [100]

        class Box:
            def __init__(self, item):
                self.item = item

        class Item:
            __slots__ = ("k", "pad")
            def __init__(self, k):
                self.k = k
                self.pad = None
            def __del__(self):
                dead.add(self.k)

        boxes = [Box(Item(k)) for k in range(4)]
        armed = [False]

        class Cyc:
            def __init__(self):
                self.me = self
            def __del__(self):
                if armed[0]:
                    for b in boxes:
                        serial[0] += 1
                        b.item = Item(serial[0])
                Cyc()

        def f(n):
            global G
            x = None
            t = 0
            for i in range(n):
                if i % 10 == 9:
                    x = boxes[i % 4].item
                t += i
                G = t               # a global written: the Python entry (no round trip)
            return t, x

        for r in range(30):
            f(1000)
        Cyc()
        gc.set_threshold(1)
        armed[0] = True
        bad = 0
        for r in range(300):
            t, x = f(100)
            if x.k in dead:          # x died before the loop returned it
                bad += 1
        armed[0] = False
        gc.set_threshold(700)
        print("x dead when returned:", bad)
        """, compiled=("f",))


@pytest.mark.parametrize("native", NATIVE)
def test_objects_read_at_entry_stay_alive_until_the_machine_code_runs(prog, native):
    """The Python entry reads a global the loop rebinds into the state buffer, then runs Python code before the
    machine code starts; a collection's finalizer there rebinds the global, dropping its object's last other
    reference: load() holds the objects it read until the run ends (found by review: a segfault on every
    version, native or not)."""
    check(prog, native, """\
        import gc
        events = []
        import itertools
        serial = itertools.count(1000)

        class Item:
            __slots__ = ("k", "pad", "__weakref__")
            def __init__(self, k):
                self.k = k
                self.pad = None
            def __del__(self):
                events.append(-self.k - 1)

        armed = [False]
        class Cyc:
            def __init__(self):
                self.me = self
            def __del__(self):
                global G
                if armed[0]:
                    G = Item(next(serial))       # the old G dies here
                Cyc()

        lst = [Item(k) for k in range(4)]
        G = lst[0]

        def s(n):
            global G
            t = 0
            for i in range(n):
                x = G                   # (a strong reference in the interpreter: a death after the read is appended after it)
                events.append(x.k)
                x = None
                t += 1
                G = lst[i % 4]
            return t

        Cyc()
        for _ in range(50):
            s(20)
        gc.set_threshold(1)
        armed[0] = True
        total = 0
        for r in range(3000):
            G = Item(next(serial))               # only the global holds it
            total += s(20)
        armed[0] = False
        gc.set_threshold(700)
        dead = set()
        late = [k for k in events if (k >= 0 and k in dead) or (k < 0 and dead.add(-k - 1))]
        print(total, "reads after death:", late[:5], len(late))
        """, compiled=("s",))


@pytest.mark.parametrize("native", NATIVE)
def test_a_dict_made_by_obj_dict_inside_machine_code_collects_nothing_on_311(prog, native):
    """`o.__dict__` (getattr_plain) makes the instance's dict, a GC-tracked allocation: on 3.11 a collection could
    run inside it and free `h.val`, which the trace has just read (getattr_plain is allocates_tracked; found by
    review)."""
    check(prog, native, _collected_program("""\
        H.val = A(collected[0])
        """) + textwrap.dedent("""\

        class P:
            def __init__(self, i):
                self.i = i

        H = Holder()
        H.val = A(0)

        def run(objs):
            n = 0
            h = H
            for o in objs:
                v = h.val
                d = o.__dict__
                events.append(v.k)
                n += len(d)
                n += (n * 7 + 3) % 5 + (n ^ 12) % 3 + (n * 13) % 11 + (n * 5 + 1) % 7 + (n * 17) % 19 + (n * 3) % 23
                v = None
            return n

        Cyc()
        print(run([P(i) for i in range(100)]))
        gc.set_threshold(3)
        armed[0] = True
        total = 0
        for r in range(20):
            objs = [P(i) for i in range(200)]
            total += run(objs)
        armed[0] = False
        gc.set_threshold(700)
        dead = set()
        late = [k for k in events if k >= 0 and k in dead or k < 0 and dead.add(-k - 1)]
        print(total, "reads after death:", late[:5], len(late), "collections:", collected[0] > 20)
        """), compiled=("run",))


class Sq:
    def __init__(self, k):
        self.pos = k
        self.color = k % 3
        self.tag = "s"


def sq_score(sqs, n):
    t = 0
    for i in range(n):
        s = sqs[i % len(sqs)]
        if s.color == 1:
            t += s.pos
        t += len(s.tag)
    return t


def test_attributes_of_an_instance_with_a_real_dict_are_dict_lookups(fresh_engine):
    """3.11/3.12: an instance whose attributes moved to a real dict (vars(), `__dict__`) is read with the dict's
    own lookup (dict_attr), not PyObject_GetAttr; 3.13 keeps reading the values array the dict shares."""
    sqs = [Sq(k) for k in range(20)]
    for s in sqs:
        vars(s)
    names = ops_of(sq_score, sqs, 2000)
    assert "getattr_plain" not in names and "py_call" not in names, names
    wanted = "instance_attr" if sys.version_info >= (3, 13) else "dict_attr"
    assert names.count(wanted) >= 2, names


@pytest.mark.parametrize("native", NATIVE)
def test_stale_instance_dicts_are_never_read(prog, native):
    check(prog, native, """\
        class Sq:
            def __init__(self, k):
                self.pos = k
                self.color = k % 3
                self.tag = "s"

        def score(sqs, n):
            t = 0
            for i in range(n):
                s = sqs[i % len(sqs)]
                if s.color == 1:
                    t += s.pos
                t += len(s.tag)
            return t

        sqs = [Sq(k) for k in range(20)]
        for s in sqs[::2]:
            vars(s)                      # half the instances get real dicts
        print(score(sqs, 3000))
        sqs[4].color = 7                 # a store through the dict
        del sqs[6].tag                   # a missing key, and the class has none: AttributeError
        try:
            score(sqs, 3000)
        except AttributeError as e:
            print("AttributeError", e)
        sqs[6].tag = "back"
        Sq.tag = "class"                 # a class attribute: the instances' own come first
        print(score(sqs, 3000))
        del sqs[8].tag                   # now the class's
        print(score(sqs, 3000))
        sqs[10].__dict__[1] = "int key"  # a key of another type: the lookup could call an __eq__
        print(score(sqs, 3000))
        sqs[12].__dict__ = {"pos": 100, "color": 1, "tag": "new dict"}    # another dict
        print(score(sqs, 3000))
        Sq.color = property(lambda self: 1)   # a data descriptor comes first
        print(score(sqs, 3000))
        """, compiled=("score",))
