"""A violation of the IEF API by a request body, and how its JSON path is spelled."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a body breaks the API's rules."""

    path: str  # JSON path like "$.deployment.template.containers[0].ports[1].host_port"
    rule: str  # stable rule id: "schema.<keyword>" or a key of CODE_RULES
    message: str  # one line: what is wrong and what the API expects
    parts: tuple[str | int, ...] = ()  # the same path as keys and indexes


_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")


def format_path(parts: Path) -> str:
    """A JSON path spelled exactly as ``jsonschema``'s ``ValidationError.json_path``."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            text += "." + part
        else:
            text += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


def short(value: object) -> str:
    """A value for a one-line message: JSON, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."
