"""Audit reports: the data model (model.py) and one formatter per format, registered by name.

Formatters turn an AuditReport into text and know nothing about rules; add a format by adding
one entry to FORMATTERS.
"""

from __future__ import annotations

from collections.abc import Callable

from k8s2ief.report.audit.formats import to_csv, to_json, to_markdown, to_text
from k8s2ief.report.audit.model import (
    STATUSES,
    AuditDocument,
    AuditReport,
    AuditSummary,
    CodeStat,
    FileCount,
    build_report,
)
from k8s2ief.report.audit.sarif import to_sarif

Formatter = Callable[[AuditReport], str]

FORMATTERS: dict[str, Formatter] = {
    "text": to_text,
    "json": to_json,
    "markdown": to_markdown,
    "sarif": to_sarif,
    "csv": to_csv,
}

__all__ = [
    "FORMATTERS",
    "STATUSES",
    "AuditDocument",
    "AuditReport",
    "AuditSummary",
    "CodeStat",
    "FileCount",
    "Formatter",
    "build_report",
]
