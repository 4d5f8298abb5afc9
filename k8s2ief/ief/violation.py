"""A violation of the IEF API by a request body, how its JSON path is spelled, and the helpers
that word a schema violation (shared by the generated checks and the schema interpreter)."""

from __future__ import annotations

import json

from k8s2ief.records import FrozenRecord, set_field

Path = tuple[str | int, ...]


class Violation(FrozenRecord):
    """One way a body breaks the API's rules: a value, compared, hashed and shown by its fields
    (a record, not a dataclass: every conversion imports it, see k8s2ief.records)."""

    __slots__ = ("path", "rule", "message", "parts")  # noqa: RUF023 (the order of __init__)

    path: str  # JSON path like "$.deployment.template.containers[0].ports[1].host_port"
    rule: str  # stable rule id: "schema.<keyword>" or a key of CODE_RULES
    message: str  # one line: what is wrong and what the API expects
    parts: Path  # the same path as keys and indexes

    def __init__(self, path: str, rule: str, message: str, parts: Path = ()) -> None:
        set_field(self, "path", path)
        set_field(self, "rule", rule)
        set_field(self, "message", message)
        set_field(self, "parts", parts)


def _plain_key(key: str) -> bool:
    """Whether ``key`` matches ``^[a-zA-Z][a-zA-Z0-9_]*$`` as ``re.match`` reads it (``$`` also
    before a final newline), without compiling a regular expression at import."""
    word = key[:-1] if key.endswith("\n") else key
    return word[:1].isalpha() and word.isascii() and word.replace("_", "").isalnum()


def format_path(parts: Path) -> str:
    """A JSON path spelled exactly as ``jsonschema``'s ``ValidationError.json_path``."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _plain_key(part):
            text += "." + part
        else:
            text += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


def short(value: object) -> str:
    """A value for a one-line message: JSON, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


# JSON type names by Python type; bool before int, since a bool is an int to isinstance.
_JSON_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def json_type(value: object) -> str:
    """The JSON type name of a Python value, for messages."""
    return next(
        (name for kind, name in _JSON_TYPE_NAMES if isinstance(value, kind)), type(value).__name__
    )


def json_equal(a: object, b: object) -> bool:
    """JSON equality as JSON Schema's enum/const mean it: true is not 1, 1 is 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        return False
    return a == b


def schema_violation(parts: Path, keyword: str, message: str, hint: str | None) -> Violation:
    """A violation of the schema keyword ``keyword``; ``hint`` (the schema's description of the
    field) says what the API expects."""
    if hint:
        message = f"{message} (API: {hint})"
    return Violation(format_path(parts), "schema." + keyword, message, parts)


def unknown_fields(
    parts: Path, instance: dict[str, object], known: frozenset[str], allowed: str
) -> Violation:
    """The violation of ``additionalProperties: false``: every key not in ``known``, in order."""
    names = ", ".join(repr(key) for key in instance if key not in known)
    message = f"unknown field(s) {names}; allowed: {allowed}"
    return schema_violation(parts, "additionalProperties", message, None)
