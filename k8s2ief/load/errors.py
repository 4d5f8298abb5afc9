"""Why a document cannot be read, in a message that never quotes a Secret's value."""

from __future__ import annotations

from yaml.nodes import Node


def short(text: str, limit: int = 40) -> str:
    """Input quoted in a message is cut: messages stay one readable line, whatever the input."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


SECRET_VALUE = "(a value inside a Secret, not shown)"


class LoadError(Exception):
    """A document that cannot be read. ``line`` is 1-based within the file, when known.

    A message that quotes input takes it as ``value`` (``{value}`` in the text) with the ``node``
    it came from, and shows it only once ``reveal`` was called: the loader calls it when that
    node is proven to lie outside every Secret (``outside_secrets``). Until then, and whenever
    it cannot tell, the message says SECRET_VALUE instead: a Secret's value cannot reach a
    message by construction, whatever the text of the message."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        code: str = "KI001",
        *,
        value: str | None = None,
        node: Node | None = None,
    ) -> None:
        super().__init__(message)
        self._template = message
        self.line = line
        self.code = code
        self.value = value
        self.node = node
        self._revealed = value is None

    def reveal(self) -> None:
        self._revealed = True

    @property
    def message(self) -> str:
        if self.value is None:
            return self._template
        shown = repr(short(self.value)) if self._revealed else SECRET_VALUE
        return self._template.replace("{value}", shown)

    def __str__(self) -> str:
        return self.message
