"""Severity of a finding: its own module so that the code registry (k8s2ief.codes) and the
findings (k8s2ief.findings) both use it without importing each other."""

from __future__ import annotations

import enum


class Severity(enum.IntEnum):
    """How much a finding matters; ordered so that ``>=`` compares thresholds."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return _SEVERITY_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


# Reports print a severity per finding, tens of thousands of times: computed once.
_SEVERITY_LABELS = {severity: severity.name.lower() for severity in Severity}
