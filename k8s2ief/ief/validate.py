"""Check an IEF create-deployment request body before it is sent.

Two layers, reported together: the JSON Schema (types, required fields, enums, patterns, lengths,
ranges: k8s2ief/ief/schema_checks.py, generated from the schema by scripts/gen_validator.py and
proved equal to the interpreter in k8s2ief/ief/schema.py) and the rules a schema cannot say
(k8s2ief/ief/body_rules.py). Both take their limits from the IEF contract
(k8s2ief/ief/contract.py).

Paths are JSON paths in the format ``jsonschema`` uses (``$.deployment.template.containers[0]``),
always pointing at a value that exists in the body: a missing field is reported on its parent.
"""

from __future__ import annotations

from k8s2ief.ief.body_rules import CODE_RULES, check_rules
from k8s2ief.ief.contract import EDITIONS
from k8s2ief.ief.schema_checks import check_body
from k8s2ief.ief.violation import Violation, format_path

__all__ = [
    "CODE_RULES",
    "EDITIONS",
    "Violation",
    "format_path",
    "load_schema",
    "validate_body",
]


def validate_body(body: object, *, edition: str = "professional") -> list[Violation]:
    """Every violation of the schema, then of the code rules, in a stable order.

    ``edition`` is the IEF service edition the body is meant for: "professional" or "platinum".
    """
    if edition not in EDITIONS:
        raise ValueError(f"unknown IEF edition {edition!r} (use {' or '.join(EDITIONS)})")
    out: list[Violation] = []
    check_body(body, (), out)
    if isinstance(body, dict):
        check_rules(body, edition, out)
    return out


def load_schema() -> dict[str, object]:
    """The packaged JSON Schema, freshly parsed (callers may change their copy)."""
    # The schema itself is read only by the commands that print it; validating needs no file.
    from k8s2ief.ief.schema import load_schema as load

    return load()
