"""Which function handles which Kubernetes field: rules declare it with ``@handles``.

``docs/mapping.md`` names, for every row, the ``module:function`` that carries or reports the
field (scripts/gen_mapping.py asks ``handler_of``), so a reader goes from a field to its code in
one step. Field patterns are the mapping's own: ``spec.template.spec.containers[*].env[*].name``;
a pattern covers the fields below it unless a longer one is declared. Rows written for
``containers[*]`` and ``livenessProbe`` also stand for ``initContainers[*]`` and
``readinessProbe``, so patterns are normalised to those before they are stored or looked up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

POD = "spec.template.spec"
C = f"{POD}.containers[*]"

_F = TypeVar("_F", bound=Callable[..., object])
_HANDLERS: dict[str, str] = {}  # normalised field pattern -> "module:qualified name"
_TWINS = (
    (re.compile(r"\.initContainers\b"), ".containers"),
    (re.compile(r"\.readinessProbe\b"), ".livenessProbe"),
)


def _normal(field: str) -> str:
    for regex, replacement in _TWINS:
        field = regex.sub(replacement, field)
    return field


def handles(*fields: str) -> Callable[[_F], _F]:
    """Declare that the decorated function carries or reports ``fields`` (and what lies below)."""

    def mark(function: _F) -> _F:
        where = f"{function.__module__}:{function.__qualname__}"
        for field in map(_normal, fields):
            if _HANDLERS.setdefault(field, where) != where:
                raise ValueError(f"{field} is declared by {_HANDLERS[field]} and {where}")
        return function

    return mark


def handler_of(field: str) -> str | None:
    """The declared handler of ``field``: its own declaration, else the nearest enclosing one."""
    field = _normal(field)
    while field:
        if field in _HANDLERS:
            return _HANDLERS[field]
        cut = max(field.rfind("."), field.rfind("["))
        field = field[:cut] if cut > 0 else ""
    return None


def declared() -> dict[str, str]:
    """Every declaration so far (the rule modules declare theirs when they are imported)."""
    return dict(_HANDLERS)
