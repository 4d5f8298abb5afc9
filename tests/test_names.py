"""The compact store of first-used IEF names (KI109) answers as a plain dict would."""

from __future__ import annotations

import random

from k8s2ief.names import FirstUse


def test_agrees_with_a_dict_on_random_claims() -> None:
    rng = random.Random(7)
    store, reference = FirstUse(), {}
    names = [f"app-{i}" for i in range(3000)] + ["é-ünïcode", "", "x" * 300]
    for step in range(20000):
        name = rng.choice(names)
        source, line = rng.choice(["a.yaml", "b.yaml", "<stdin>"]), rng.randrange(0, 50)
        first = reference.setdefault(name, (source, line))
        expected = None if first == (source, line) else (
            f"{first[0]}:{first[1]}" if first[1] else first[0]
        )
        assert store.claim(name, source, line) == expected, step
    assert len(store) == len(reference)


def test_equal_hashes_are_told_apart_by_the_name() -> None:
    store = FirstUse()
    assert store.claim("first", "f", 1) is None
    store._hashes[0] = hash(b"second")  # forge a collision: "first" now hashes like "second"
    store._grow()  # re-place the entry where "second" will probe first
    assert store.claim("second", "g", 2) is None  # not mistaken for "first"
    assert store.claim("second", "h", 3) == "g:2"
