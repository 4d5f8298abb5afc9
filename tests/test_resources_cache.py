"""cpu and memory quantities are rounded once per spelling (k8s2ief.rules.resources._rounded).

The cache must answer what the uncached function answers, for every spelling (numbers and
texts that are equal as values but not as types, suffixes, values that round, values too large
to round, non-quantities), asked in any order and more than once; and a quantity the decimal
module cannot round still fails the way it did before the cache (not as a KI407).
"""

from __future__ import annotations

import random

from k8s2ief.rules.resources import _rounded

SPELLINGS: list[object] = [
    "250m", "0.25", 0.25, "1", 1, 1.0, 2, 2.0, "1.5Gi", "1536Mi", "100M", "1e3", "1E3", 1e3,
    "0.001", "0.005", 0.001, "1n", "7u", "64Ki", "1e999999", "1e20", 10**20, 1e20, "-1", -1,
    "abc", "", "1.2.3", "Gi", "12Qi", "0", 0, "0.0", "3.14159", "512Mi", "2Ti", "1Ei",
]  # fmt: skip


def test_the_cache_answers_what_the_function_answers() -> None:
    uncached = _rounded.__wrapped__  # type: ignore[attr-defined]
    asked = [(name, raw) for name in ("cpu", "memory") for raw in SPELLINGS] * 3
    random.Random(1).shuffle(asked)
    _rounded.cache_clear()  # type: ignore[attr-defined]
    for name, raw in asked:
        got, expected = _rounded(name, raw), uncached(name, raw)  # type: ignore[arg-type]
        assert got == expected and type(got[0]) is type(expected[0]), (name, raw)
        if got[0] is not None:
            assert str(got[0]) == str(expected[0]), (name, raw)  # same exponent, same text
    assert _rounded.cache_info().hits > 0  # type: ignore[attr-defined]


def test_non_quantities_and_unroundable_amounts() -> None:
    assert _rounded("cpu", "abc") == (None, None)
    rounded, message = _rounded("cpu", "0.001")
    assert str(rounded) == "0.01" and message is not None and "rounded up" in message
    for raw in ("Infinity", "-Infinity", "NaN", "sNaN"):  # Decimal reads them, Kubernetes not
        assert _rounded("cpu", raw) == (None, None)
