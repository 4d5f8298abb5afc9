"""Terminal colours for text reports: by severity and status, off unless the stream is a TTY.

``--color auto`` (the default) colours only a report written to a terminal, and never when the
``NO_COLOR`` environment variable is set to anything but the empty string (https://no-color.org);
``--color always`` and ``--color never`` are the user's explicit word and win over both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

from k8s2ief.findings import Severity

COLOR_CHOICES = ("auto", "always", "never")

RESET = "\033[0m"
_SEVERITY = {Severity.ERROR: "1;31", Severity.WARNING: "33", Severity.INFO: "36"}
_STATUS = {
    "clean": "32",
    "converted": "32",
    "lossy": "33",
    "blocked": "1;31",
    "failed": "1;31",
    "skipped": "2",
    "unreadable": "1;35",
}


def wants_color(
    choice: str, stream: IO[str] | None, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether to colour a report bound for ``stream`` (None: a file named by the user)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(stream is not None and isatty is not None and isatty())


class Style:
    """Wraps text in ANSI colours when enabled; the identity otherwise."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        # Each severity's label as reports print it: a report line needs one per finding.
        self.severity_labels = {level: self.severity(level, str(level)) for level in Severity}

    def _paint(self, sgr: str | None, text: str) -> str:
        return f"\033[{sgr}m{text}{RESET}" if self.enabled and sgr and text else text

    def severity(self, severity: Severity, text: str) -> str:
        return self._paint(_SEVERITY.get(severity), text)

    def status(self, status: str, text: str) -> str:
        return self._paint(_STATUS.get(status), text)

    def bold(self, text: str) -> str:
        return self._paint("1", text)

    def dim(self, text: str) -> str:
        return self._paint("2", text)


PLAIN = Style(False)
