"""k8s2ief.quantity agrees with the Kubernetes client's parser on every value, valid or not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s2ief.quantity import EXPONENTS, parse_quantity

reference = pytest.importorskip("kubernetes.utils.quantity").parse_quantity

SUFFIXES = [*EXPONENTS, *(f"{p}i" for p in EXPONENTS), "", "i", "Ki", "ki", "mi", "x", "KiB"]
number_text = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.from_regex(r"\A[+-]?[0-9]{0,6}(\.[0-9]{0,6})?([eE][+-]?[0-9]{1,7})?\Z"),
    st.sampled_from(["", ".", "+", "-", " 1", "1 ", "1_000", "0x10", "NaN", "sNaN", "Inf", "1e"]),
)
quantity_text = st.one_of(
    st.tuples(number_text, st.sampled_from(SUFFIXES)).map("".join),
    st.text(max_size=12),
    st.text(alphabet="0123456789.eE+-KMGTPEkmunix ", max_size=10),
)
numbers = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.decimals(allow_nan=False), st.booleans()
)


def outcome(parse: object, value: object) -> tuple[str, str]:
    """("ok", exact text of the decimal) or ("error", the exception's class)."""
    try:
        result = parse(value)  # type: ignore[operator]
    except Exception as exc:
        return "error", type(exc).__name__
    assert isinstance(result, Decimal)
    return "ok", str(result)  # the text keeps the exponent: 1.0 and 1.00 differ


@settings(max_examples=3000, deadline=None)
@given(quantity_text)
def test_text_agrees_with_the_kubernetes_client(text: str) -> None:
    assert outcome(parse_quantity, text) == outcome(reference, text)


@settings(max_examples=500, deadline=None)
@given(numbers)
def test_numbers_agree_with_the_kubernetes_client(value: object) -> None:
    assert outcome(parse_quantity, value) == outcome(reference, value)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("250m", "0.250"),
        ("1Gi", "1073741824"),
        ("1.5Ki", "1536.0"),
        ("2e3", "2E+3"),
        ("100", "100"),
        ("1k", "1000"),
        ("1n", "1E-9"),
    ],
)
def test_known_values(text: str, amount: str) -> None:
    assert parse_quantity(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["1ki", "1mi", "abc", "", "1Kib", "Gi"])
def test_invalid_values_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_quantity(text)
