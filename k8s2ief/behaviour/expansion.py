"""``$(VAR)`` expansion exactly as the kubelet does it (third_party/forked/golang/expansion).

``$(NAME)`` is replaced by NAME's value when NAME is defined and kept as written otherwise;
``$$`` is one literal ``$``; ``$`` followed by anything else stays as it is; an unterminated
``$(`` stays literal. Only ``value`` strings are expanded, never values read from a ConfigMap or
Secret.
"""

from __future__ import annotations

from collections.abc import Callable

OPERATOR, OPENER, CLOSER = "$", "(", ")"


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    if OPERATOR not in text:  # nothing to expand: the loop below would copy it as it is
        return text
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == OPERATOR and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            read, is_variable, advance = _read_name(text[cursor + 1 :])
            if is_variable:
                value = lookup(read)
                out.append(value if value is not None else f"$({read})")
            else:
                out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def _read_name(rest: str) -> tuple[str, bool, int]:
    """(text read, whether it is a variable name, characters consumed after the operator)."""
    if rest[0] == OPERATOR:
        return OPERATOR, False, 1
    if rest[0] == OPENER:
        end = rest.find(CLOSER, 1)
        if end != -1:
            return rest[1:end], True, end + 1
        return OPERATOR + OPENER, False, 1
    return OPERATOR + rest[0], False, 1


def references(text: str) -> list[str]:
    """The variable names ``text`` refers to, in order."""
    if OPERATOR not in text:  # most values refer to nothing: no character-by-character walk
        return []
    found: list[str] = []
    expand(text, lambda name: found.append(name) or "")  # type: ignore[func-returns-value]
    return found
