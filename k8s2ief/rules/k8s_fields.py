"""Is a key a Kubernetes field at its place? Answers from the generated k8s_fields_table."""

from __future__ import annotations

from k8s2ief.paths import Path
from k8s2ief.rules.k8s_fields_table import TYPES

ROOT = "V1Deployment"


def unknown_key(path: Path, root: str = ROOT) -> tuple[str, list[str]] | None:
    """``(key, valid keys)`` when the last key of ``path`` is no field of its parent's type.

    None when the key is valid, or when the parent's type is not known (free-form maps such as
    labels, or fields typed ``object``): a typo can only be called where the schema is known.
    """
    token = root
    for position, key in enumerate(path):
        if token.startswith("["):
            if not isinstance(key, int):
                return None
            token = token[1:]
            continue
        if token.startswith("{") or token not in TYPES or not isinstance(key, str):
            return None
        fields = TYPES[token]
        if key not in fields:
            return (key, sorted(fields)) if position == len(path) - 1 else None
        token = fields[key]
    return None
