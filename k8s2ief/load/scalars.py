"""Plain YAML scalars typed the way Kubernetes types them.

kubectl and the API server read YAML with sigs.k8s.io/yaml, which uses go-yaml v2's resolver and
then goes through JSON. That differs from PyYAML's YAML 1.1 resolver in ways users hit:

- timestamps (``2024-01-01``) stay strings; base-60 numbers (``1:20``) stay strings;
- ``y``, ``Y``, ``n``, ``N`` are booleans, like ``yes``/``on``/``off``;
- ``1e3`` (no dot, no exponent sign) is a float; ``0o17`` is octal, ``08`` is the float 8;
- integers beyond int64 become floats (JSON numbers); ``.inf``/``.nan`` cannot be JSON at all.

tests/test_load_kubectl.py checks this module against kubectl itself on a table of such scalars.
"""

from __future__ import annotations

import math
import re

from k8s2ief.patterns import lazy

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class NotJsonValue(ValueError):
    """A scalar Kubernetes cannot carry (infinity, NaN): its text and what is wrong with it,
    apart, so that a message can leave the text out."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text} {reason}")
        self.text = text
        self.reason = reason


# go-yaml v2's resolve table: exact spellings, looked up before anything else.
_EXACT: dict[str, object] = {}
for _words, _value in (
    (("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    (("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    (("", "~", "null", "Null", "NULL"), None),
):
    for _word in _words:
        _EXACT[_word] = _value
_NOT_JSON = frozenset(
    w for base in (".inf", ".Inf", ".INF") for w in (base, "+" + base, "-" + base)
) | frozenset((".nan", ".NaN", ".NAN"))

# Go's strconv.ParseInt(s, 0, 64) syntax, after go-yaml removed underscores.
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_OCTAL_LEGACY = re.compile(r"[-+]?0[0-7]+")
# go-yaml v2's yamlStyleFloat.
_YAML_FLOAT = lazy(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NUMBER_START = frozenset("0123456789+-.")


def resolve_plain(text: str) -> object:
    """Type one plain (unquoted, untagged) scalar as Kubernetes would."""
    exact = _EXACT.get(text, _EXACT)
    if exact is not _EXACT:
        return exact
    if not text or text[0] not in _NUMBER_START:
        return text
    if text in _NOT_JSON:
        raise NotJsonValue(text, "is not a JSON number, and Kubernetes rejects it")
    plain = text.replace("_", "") if "_" in text else text
    if _GO_INT.fullmatch(plain):
        try:
            value = _parse_go_int(plain)
        except ValueError:  # more digits than Python's int() reads: no float holds it either
            return text
        if INT64_MIN <= value <= INT64_MAX:
            return value
        # JSON carries integers beyond int64 as floats, as kubectl prints them; one beyond any
        # float fails Go's ParseFloat too, and go-yaml then keeps the scalar as a string.
        try:
            return float(value)
        except OverflowError:
            return text
    if _YAML_FLOAT.fullmatch(plain):
        number = float(plain)
        # "1e400": Go's ParseFloat reports a range error, so go-yaml keeps it as a string.
        return text if math.isinf(number) else number
    return text


def _parse_go_int(text: str) -> int:
    if _OCTAL_LEGACY.fullmatch(text):  # "0644": Go reads a leading zero as octal
        sign = -1 if text[0] == "-" else 1
        return sign * int(text.lstrip("+-"), 8)
    return int(text, 0)


def key_text(value: object) -> str | None:
    """A mapping key as the JSON object key Kubernetes makes of it; None if it has none."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return None


def go_float(value: float) -> str:
    """Format a float as Go's strconv.FormatFloat(f, 'g', -1, 64) does for ordinary values."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    return text.replace("e+0", "e+").replace("e-0", "e-")
