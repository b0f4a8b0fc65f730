"""Attribute stores in machine code beyond an instance's values array: into the real dict an instance keeps once its
class's shared keys are full (`dict_attr_set`), and over old values of any type (`shared` stores, which drop the
instance's reference at once where another reference remains, and leave the trace where it is the last, so that the
interpreter frees the object where plain CPython does). Each program runs plainly and under the JIT (native and the
IR interpreter) with the things that would make such a store wrong happening mid-loop; in-process tests check
which ops the trace holds.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import tracejit  # noqa: E402
from test_deopt import NATIVE, check  # noqa: E402
from tracejit.cpython.instances import instance_dict  # noqa: E402

# 3.11 records no generic path: a store it cannot compile aborts, and the loop is left to the interpreter
GENERIC = sys.version_info >= (3, 12)


class Square:
    def __init__(self, pos):
        self.pos = pos
        self.hits = 0


SQUARES = [Square(i) for i in range(60)]        # more instances than the shared keys have room for ...
for _sq in SQUARES:
    _sq.color = 0                               # ... so an attribute first set now gives each a real dict
    _sq.weight = 0.5
    _sq.name = "a"


def paint(squares, n):
    t = 0
    for i in range(n):
        q = squares[i % len(squares)]
        q.color = i & 3
        q.weight += 0.25
        q.name = "b" if i & 1 else "a"
        q.hits += 1
        t += q.color
    return t


def _loop_ops(func) -> list:
    loops = [lp for lp in tracejit.engine().all_loops if lp.code is func.__code__]
    assert loops, tracejit.stats()
    return loops[0].blocks[0].trace.ops


def test_stores_into_an_instances_real_dict_compile_as_dict_stores(fresh_engine):
    assert instance_dict(SQUARES[0]) is not None and instance_dict(SQUARES[0])["color"] == 0
    before = [dict(vars(q)) for q in SQUARES]
    expected = paint(SQUARES, 3000)
    after = [dict(vars(q)) for q in SQUARES]
    for q, d in zip(SQUARES, before):
        q.__dict__.update(d)
    with tracejit.enable(threshold=2):
        got = paint(SQUARES, 3000)
    assert got == expected and [vars(q) for q in SQUARES] == after
    ops = _loop_ops(paint)
    stores = [op for op in ops if op.name == "dict_attr_set"]
    assert sorted(op.args[3].value for op in stores) == ["color", "hits", "name", "weight"], [op.name for op in ops]
    assert not [op for op in ops if op.name == "py_call"], [op.name for op in ops]


@pytest.mark.parametrize("native", NATIVE)
def test_dict_stores_stay_right_when_the_dict_or_the_class_changes(prog, native):
    check(prog, native, """\
        class Sq:
            def __init__(self, pos):
                self.pos = pos
                self.hits = 0

        sqs = [Sq(i) for i in range(60)]
        for q in sqs:
            q.color = 0
            q.label = "x"

        def paint(sqs, n):
            t = 0
            for i in range(n):
                q = sqs[i % len(sqs)]
                q.color = q.color + (i & 3)
                q.label = "y" if i & 1 else "x"
                q.hits += 1
                t += q.color
            return t

        print(paint(sqs, 3000))
        sqs[5].__dict__ = {"pos": 5, "hits": 1, "color": 7, "label": "z"}     # a new dict
        print(paint(sqs, 300), vars(sqs[5]))
        sqs[6].__dict__[1] = "int key"              # keys of the general kind: the trace leaves
        print(paint(sqs, 300), sqs[6].color)
        del sqs[7].color                            # missing: AttributeError from the interpreter
        try:
            paint(sqs, 300)
        except AttributeError as e:
            print("AttributeError", e)
        sqs[7].color = 1
        sqs[8].color = 2.5                          # another type: the old value's guard
        print(paint(sqs, 300))
        Sq.color = property(lambda s: 1, lambda s, v: print("setter", v))  # a data descriptor: version guard
        print(paint(sqs, 3))
        del Sq.color
        class Loud(str):
            def __del__(self):
                print("freed", str(self))
        sqs[9].label = Loud("loud")                 # an old value whose release runs Python code
        print(paint(sqs, 300))
        print([vars(q) for q in sqs[:10]])
        """, compiled=("paint",))


class Link:
    def __init__(self, k):
        self.k = k
        self.other = None


class SlotLink:
    __slots__ = ("k", "other")

    def __init__(self, k):
        self.k = k
        self.other = None


def relink(links, targets, n):
    t = 0
    for i in range(n):
        a = links[i % len(links)]
        a.other = targets[(i * 7) % len(targets)]
        t += a.other.k
    return t


@pytest.mark.parametrize("cls", [Link, SlotLink])
def test_a_store_over_an_object_held_elsewhere_drops_it_in_machine_code(fresh_engine, cls):
    """The old value, another instance still in a list, is no int or str whose release nothing can observe: the
    store checks that the instance's reference is not its last and drops it (a `shared` store), with no generic
    call; the reference counts afterwards are plain CPython's."""
    targets = [cls(k) for k in range(13)]
    links = [cls(-k) for k in range(5)]
    for x in links:
        x.other = targets[0]
    expected = relink(links, targets, 4000)
    counts = [sys.getrefcount(x) for x in targets]
    for x in links:
        x.other = targets[0]            # (what the recording sees: an instance, not None)
    with tracejit.enable(threshold=2):
        got = relink(links, targets, 4000)
    assert got == expected and [sys.getrefcount(x) for x in targets] == counts
    ops = _loop_ops(relink)
    store = [op for op in ops if op.name in ("instance_set", "member_set")]
    assert store and all(op.args[-1].value == 1 for op in store), [op.name for op in ops]
    assert not [op for op in ops if op.name in ("py_call", "guard_graveyard")], [op.name for op in ops]


@pytest.mark.parametrize("native", NATIVE)
def test_an_object_a_store_drops_dies_where_it_dies_without_the_jit(prog, native):
    """Where the instance's reference is the last, the trace leaves and the interpreter stores: __del__ (reading
    what the loop wrote just before) and weakref callbacks run at that store, in a values array, a slot and a
    real dict alike."""
    check(prog, native, """\
        import weakref

        log = []

        class Dying:
            def __init__(self, k):
                self.k = k
            def __del__(self):
                log.append(("del", self.k, counter[0]))

        class Plain:
            def __init__(self):
                self.other = None

        class Slotted:
            __slots__ = ("other", "__weakref__")
            def __init__(self):
                self.other = None

        class Many:
            def __init__(self):
                self.k = 0

        manys = [Many() for _ in range(60)]
        for m in manys:
            m.other = None                          # a real dict each

        counter = [0]
        keep = [Dying(k) for k in range(5)]

        def run(holders, n, fresh_every):
            for i in range(n):
                counter[0] = i
                h = holders[i % len(holders)]
                if i % fresh_every == 0:
                    h.other = Dying(1000 + i)       # its only reference: dies at the next store over it
                else:
                    h.other = keep[i % len(keep)]
            return len(log)

        for holders in ([Plain() for _ in range(3)], [Slotted() for _ in range(3)], manys[:3]):
            print(run(holders, 3000, 1000), log[-3:])
            w = weakref.ref(holders[1].other, lambda _: log.append(("weakref", counter[0])))
            print(run(holders, 400, 37), log[-6:])
            del w
            for h in holders:
                h.other = None
            log.clear()
        print("end")
        """, compiled=("run",))


@pytest.mark.parametrize("native", NATIVE)
def test_a_linked_list_walk_that_relinks_nodes_keeps_its_frees_in_place(prog, native):
    """`prev.next = cur.next` over a node a local still holds: the frame's reference (which the machine code's
    count lacks) keeps such stores on the generic path or the interpreter; every node dies where it does
    plainly, and the program's output is the same."""
    check(prog, native, """\
        log = []

        class Node:
            def __init__(self, k, nxt):
                self.k = k
                self.next = nxt
            def __del__(self):
                log.append(self.k)

        def build(m):
            head = None
            for k in range(m - 1, -1, -1):
                head = Node(k, head)
            return head

        def drop_odd(head):
            prev, cur = head, head.next
            while cur is not None:
                if cur.k % 2:
                    prev.next = cur.next            # cur's node: still held by the local
                else:
                    prev = cur
                cur = cur.next
            return head

        for m in (50, 400, 60):
            h = drop_odd(build(m))
            n = 0
            while h is not None:
                n += 1
                h = h.next
            print(m, n, log[:6], len(log))
            log.clear()
        """, compiled=())


@pytest.mark.parametrize("native", NATIVE)
def test_an_object_a_local_holds_dies_where_the_local_lets_go_of_it(prog, native):
    """`pkt = d.pending; d.pending = None` in an inlined method: the local holds the packet, as the interpreter's
    frame would; the store gives the graveyard the instance's reference, and where the local lets go of the
    object (rebound, or at the method's return) the trace checks that the graveyard's is not the last, else the
    interpreter lets go of it there: __del__ runs where it does without the JIT, in both cases."""
    evs = check(prog, native, """\
        log = []

        class Packet:
            def __init__(self, k):
                self.k = k
            def __del__(self):
                log.append(("del", self.k, step[0]))

        class Device:
            def __init__(self):
                self.pending = None
                self.count = 0

            def take(self):
                pkt = self.pending          # the local holds it ...
                self.pending = None         # ... as the attribute lets go of it
                if pkt is None:
                    return 0
                self.count += 1
                return pkt.k

            def swap(self, new):
                old = self.pending
                self.pending = new
                k = old.k if old is not None else 0
                old = new                   # rebound: lets go of the old packet here
                return k + old.k

        step = [0]
        keep = [Packet(k) for k in range(6)]

        def run(devs, n, lone_every):
            t = 0
            for i in range(n):
                step[0] = i
                d = devs[i % len(devs)]
                if i % lone_every == 0:
                    d.pending = Packet(1000 + i)        # its only reference
                else:
                    d.pending = keep[i % len(keep)]
                t += d.take()
                t += d.swap(keep[(i + 1) % len(keep)])
            return t

        devs = [Device() for _ in range(3)]
        print(run(devs, 3000, 1000), log[-4:])
        print(run(devs, 500, 7), len(log), log[-6:])
        keep[2] = Packet(2000)          # Packet(2) now held by the devices only
        print(run(devs, 300, 1000), log[-4:])
        print(sum(d.count for d in devs))
        """, compiled=("run",) if native else ())    # (native=0: such stores take the generic path)
    if GENERIC and native:
        assert not [e for e in evs if e["event"] == "abort" and "PyObject_SetAttr" in e.get("reason", "")], evs


@pytest.mark.parametrize("native", NATIVE)
def test_a_shared_store_never_counts_a_reference_the_graveyard_keeps(prog, native):
    """Found by review: `self.head = cur.next` gives the graveyard the old head's reference for the local `cur`,
    and the next iteration's `self.prev = cur` is a shared store over that node, whose check saw the graveyard's
    reference and passed, so each node died when the native run ended instead of at that store. A loop whose
    traces leave objects of any type in the graveyard now makes no shared store (and the other way round):
    the compile refuses, and the next recording stores over objects on the generic path."""
    evs = check(prog, native, """\
        clk = [0]

        class N:
            def __init__(self, k, nxt):
                self.k = k
                self.next = nxt
            def __del__(self):
                print("del", self.k, "at", clk[0])

        class Src:
            def advance(self):
                cur = self.head
                self.head = cur.next        # the graveyard holds the old head for `cur`
                cur.next = None
                self.prev = cur             # a store over the node before
                return 0

        def run(s, n):
            for i in range(n):
                clk[0] = i
                s.advance()

        head = None
        for k in range(60, -1, -1):
            head = N(k, head)
        extra = [head, head.next, head.next.next, head.next.next.next]  # held elsewhere while recorded
        s = Src()
        s.head = head
        s.prev = None
        head = None
        run(s, 50)
        print("loop done")
        s.prev = s.head = None
        extra.clear()
        print("end")
        """, compiled=())
    if native:
        assert not any(e["event"] == "internal_error" for e in evs)
