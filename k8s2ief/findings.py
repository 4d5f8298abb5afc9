"""Findings: what a conversion could not carry over, as plain data.

Detecting (the rules), deciding (the policy: ignore, severity overrides, fail-on) and printing
(k8s2ief.report) are kept apart, as flake8 does. A rule only names a code, a path and a message;
the registry in k8s2ief.codes gives the code its default severity and documentation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from k8s2ief.patterns import lazy
from k8s2ief.records import FrozenRecord, set_field, slot_setters
from k8s2ief.severity import Severity

__all__ = [
    "FAIL_NEVER",
    "Finding",
    "Policy",
    "Severity",
    "breaches",
    "code_patterns",
    "parse_fail_on",
    "reaches",
    "worst",
]


class Finding(FrozenRecord):
    """One thing a conversion reports. ``path`` uses the manifest's own key names."""

    __slots__ = ("code", "severity", "path", "message", "file", "line", "paths")  # noqa: RUF023 (the order of __init__)
    code: str
    severity: Severity
    path: str
    message: str
    file: str | None
    line: int | None
    # Every field a summary finding stands for (KI002, KI010): its message names only a few.
    paths: tuple[str, ...]

    def __init__(
        self,
        code: str,
        severity: Severity,
        path: str,
        message: str,
        file: str | None = None,
        line: int | None = None,
        paths: tuple[str, ...] = (),
    ) -> None:
        _set_code(self, code)
        _set_severity(self, severity)
        _set_path(self, path)
        _set_message(self, message)
        _set_file(self, file)
        _set_line(self, line)
        _set_paths(self, paths)

    @property
    def name(self) -> str:
        return code_names()[self.code]

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
        # convert path): spelled out, this is faster than the records' generic one.
        return (
            Finding,
            (self.code, self.severity, self.path, self.message, self.file, self.line, self.paths),
        )

    def location(self) -> str:
        """``file:line`` (or what is known of it), for one-line messages."""
        if self.file is None:
            return f"line {self.line}" if self.line else "-"
        return f"{self.file}:{self.line}" if self.line else self.file


_set_code, _set_severity, _set_path, _set_message, _set_file, _set_line, _set_paths = slot_setters(
    Finding
)


@functools.cache
def code_names() -> dict[str, str]:
    """Code -> its name, for every code of the registry."""
    # Imported late: the code table is only needed once a finding is printed.
    from k8s2ief.codes import REGISTRY

    return {code: info.name for code, info in REGISTRY.items()}


FAIL_NEVER = "never"


def parse_fail_on(text: str) -> Severity | None:
    """``--fail-on`` value: a severity, or None for ``never``."""
    return None if text.strip().lower() == FAIL_NEVER else Severity.parse(text)


# A code prefix: "KI8" (or "KI8*") stands for every KI8xx code, "KI80" for KI800-KI809.
_PREFIX = lazy(r"KI\d{1,2}\*?")


def code_patterns(text: str | Iterable[str], *, strict: bool = True) -> frozenset[str]:
    """Codes and code prefixes from ``KI301,env-value-not-string KI8`` style input.

    ``text`` is one string or several (repeated options); each may be a comma list. Codes are
    given by number or name and come back as numbers; prefixes such as ``KI8`` stay prefixes.
    Unknown codes raise ValueError, or are dropped when not ``strict`` (annotations: a typo in a
    manifest must not stop a conversion).
    """
    parts = [text] if isinstance(text, str) else list(text)
    patterns: set[str] = set()
    for part in (p.strip() for item in parts for p in item.split(",")):
        if not part:
            continue
        try:
            patterns.add(_pattern(part))
        except ValueError:
            if strict:
                raise
    return frozenset(patterns)


def _pattern(text: str) -> str:
    if _PREFIX.fullmatch(text.upper()):
        return text.upper().rstrip("*")
    from k8s2ief.codes import resolve_code

    return resolve_code(text)


def _matches(pattern: str, code: str) -> bool:
    return code == pattern or (len(pattern) < len(code) and code.startswith(pattern))


class Policy(FrozenRecord):
    """What the user decided about findings: ignored codes and per-code severities.

    Built once per command from --ignore/--severity and the config file, and applied by convert,
    audit and apply alike, together with each document's ``k8s2ief.io/ignore`` annotation.
    Codes may be given by number (``KI301``), by name (``env-value-not-string``) or by prefix
    (``KI8``: every KI8xx code). A severity for a code beats one for a prefix, and a longer
    prefix beats a shorter one.
    """

    __slots__ = ("ignore", "severities")
    ignore: frozenset[str]
    severities: Mapping[str, Severity]

    def __init__(
        self, ignore: frozenset[str] = frozenset(), severities: Mapping[str, Severity] | None = None
    ) -> None:
        set_field(self, "ignore", ignore)
        set_field(self, "severities", {} if severities is None else severities)

    @classmethod
    def build(
        cls, ignore: str | Iterable[str] = (), severities: Mapping[str, str] | None = None
    ) -> Policy:
        """From user input; ValueError (one line) for unknown codes or levels."""
        levels: dict[str, Severity] = {}
        for codes, level in (severities or {}).items():
            severity = Severity.parse(level)
            for pattern in code_patterns(codes):
                levels[pattern] = severity
        return cls(ignore=code_patterns(ignore), severities=levels)

    @classmethod
    def parse_severities(cls, items: Iterable[str]) -> dict[str, str]:
        """``["KI802=info", "KI8=warning"]`` -> ``{"KI802": "info", "KI8": "warning"}``."""
        levels: dict[str, str] = {}
        for item in items:
            for entry in item.split(","):
                code, sep, level = entry.partition("=")
                if not sep or not code.strip():
                    raise ValueError(f"--severity takes CODE=LEVEL, not {entry!r}")
                levels[code.strip()] = level
        return levels

    def ignores(self, code: str, extra_ignore: Iterable[str] = ()) -> bool:
        return any(_matches(p, code) for p in (*self.ignore, *extra_ignore))

    def severity_for(self, code: str) -> Severity | None:
        """The severity the user gave this code (directly or by prefix), if any."""
        if code in self.severities:
            return self.severities[code]
        best = max((p for p in self.severities if _matches(p, code)), key=len, default=None)
        return None if best is None else self.severities[best]

    def apply(
        self, findings: Iterable[Finding], extra_ignore: Iterable[str] = ()
    ) -> tuple[list[Finding], int]:
        """Return the findings that survive, with severities adjusted, and how many were dropped.

        ``extra_ignore`` holds a document's own patterns (its ``k8s2ief.io/ignore``).
        """
        extra = tuple(extra_ignore)
        if not (self.ignore or self.severities or extra):
            findings = list(findings)
            return findings, 0
        kept: list[Finding] = []
        dropped = 0
        for finding in findings:
            if self.ignores(finding.code, extra):
                dropped += 1
                continue
            severity = self.severity_for(finding.code)
            kept.append(finding.replace(severity=severity) if severity else finding)
        return kept, dropped


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among findings, or None when there are none."""
    return max((f.severity for f in findings), default=None)


def breaches(findings: Iterable[Finding], fail_on: Severity | None) -> bool:
    """True when a finding reaches the ``--fail-on`` threshold."""
    return fail_on is not None and reaches(worst(findings), fail_on)


def reaches(top: Severity | None, fail_on: Severity | None) -> bool:
    """True when ``top``, the worst severity of some findings, reaches ``--fail-on``."""
    return fail_on is not None and top is not None and top >= fail_on
