"""Kubernetes resource quantities (``250m``, ``1.5Gi``, ``2e3``) as exact decimals.

The same answers as the Kubernetes Python client's ``kubernetes.utils.quantity.parse_quantity``
(tests/test_quantity.py checks that over generated values), without depending on the client:
a plain install has no kubernetes package, and importing it would cost half a second.
"""

from __future__ import annotations

from decimal import Decimal, DecimalException, InvalidOperation

# Suffix letter -> power of the base (1000 for a bare letter, 1024 with a trailing "i").
EXPONENTS = {"n": -3, "u": -2, "m": -1, "K": 1, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
BINARY_PREFIXES = "KMGTPE"  # Ki, Mi, Gi, Ti, Pi, Ei; "ki", "mi", "ni" and "ui" do not exist


def parse_quantity(quantity: object) -> Decimal:
    """The amount a quantity stands for; ValueError when it is not one.

    Numbers (int, float, Decimal) are taken as they are; anything else is read as text.
    """
    if isinstance(quantity, (int, float, Decimal)):
        return Decimal(quantity)
    text = str(quantity)
    number, suffix = _split_suffix(text)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"Invalid number format: {number}") from None
    if suffix is None:
        return amount
    base = _base(text, suffix)
    try:
        return amount * (base ** Decimal(EXPONENTS[suffix[0]]))
    except DecimalException as exc:
        raise ValueError(f"Invalid quantity: {text}") from exc


def _split_suffix(text: str) -> tuple[str, str | None]:
    """``"1.5Gi"`` -> ``("1.5", "Gi")``; ``"7"`` -> ``("7", None)``."""
    if len(text) >= 2 and text[-1] == "i":
        if text[-2] in EXPONENTS:
            return text[:-2], text[-2:]
        return text, None
    if text and text[-1] in EXPONENTS:
        return text[:-1], text[-1]
    return text, None


def _base(text: str, suffix: str) -> int:
    if suffix.endswith("i"):
        if suffix[0] not in BINARY_PREFIXES:
            raise ValueError(f"{text} has unknown suffix")
        return 1024
    return 1000
