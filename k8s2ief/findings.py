"""Findings: what a conversion could not carry over, as plain data.

Detecting (the rules), deciding (the policy: ignore, severity overrides, fail-on) and printing
(k8s2ief.report) are kept apart, as flake8 does. A rule only names a code, a path and a message;
the registry in k8s2ief.codes gives the code its default severity and documentation.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace


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


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a conversion reports. ``path`` uses the manifest's own key names."""

    code: str
    severity: Severity
    path: str
    message: str
    file: str | None = None
    line: int | None = None
    # Every field a summary finding stands for (KI002, KI010): its message names only a few.
    paths: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return _code_names()[self.code]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "paths": list(self.paths),
        }

    def __reduce__(self) -> tuple[type[Finding], tuple[object, ...]]:
        # Findings cross process boundaries by the ten thousand (audit --jobs, the parallel
        # convert path); a plain constructor call pickles in half the time of the default.
        return (
            Finding,
            (self.code, self.severity, self.path, self.message, self.file, self.line, self.paths),
        )

    def location(self) -> str:
        """``file:line`` (or what is known of it), for one-line messages."""
        if self.file is None:
            return f"line {self.line}" if self.line else "-"
        return f"{self.file}:{self.line}" if self.line else self.file


@functools.cache
def _code_names() -> dict[str, str]:
    # Imported late: k8s2ief.codes imports this module for Severity.
    from k8s2ief.codes import REGISTRY

    return {code: info.name for code, info in REGISTRY.items()}


FAIL_NEVER = "never"


def parse_fail_on(text: str) -> Severity | None:
    """``--fail-on`` value: a severity, or None for ``never``."""
    return None if text.strip().lower() == FAIL_NEVER else Severity.parse(text)


@dataclass(frozen=True)
class Policy:
    """What the user decided about findings: ignored codes and per-code severities.

    Codes may be given by number (``KI301``) or by name (``env-value-not-string``).
    """

    ignore: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=dict)

    @classmethod
    def build(
        cls, ignore: Iterable[str] = (), severities: Mapping[str, str] | None = None
    ) -> Policy:
        from k8s2ief.codes import resolve_code

        return cls(
            ignore=frozenset(resolve_code(c) for c in ignore),
            severities={resolve_code(c): Severity.parse(s) for c, s in (severities or {}).items()},
        )

    def apply(
        self, findings: Iterable[Finding], extra_ignore: Iterable[str] = ()
    ) -> tuple[list[Finding], int]:
        """Return the findings that survive, with severities adjusted, and how many were dropped."""
        ignored = self.ignore.union(extra_ignore)
        kept: list[Finding] = []
        dropped = 0
        for finding in findings:
            if finding.code in ignored:
                dropped += 1
                continue
            severity = self.severities.get(finding.code)
            kept.append(replace(finding, severity=severity) if severity else finding)
        return kept, dropped


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among findings, or None when there are none."""
    return max((f.severity for f in findings), default=None)


def breaches(findings: Iterable[Finding], fail_on: Severity | None) -> bool:
    """True when a finding reaches the ``--fail-on`` threshold."""
    if fail_on is None:
        return False
    top = worst(findings)
    return top is not None and top >= fail_on
