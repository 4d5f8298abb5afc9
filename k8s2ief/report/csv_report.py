"""The CSV audit: one row per finding, with its document's columns; written as it comes."""

from __future__ import annotations

import csv
from typing import IO

from k8s2ief.report.model import ReportContext, ReportDocument, Summary
from k8s2ief.report.style import PLAIN, Style

CSV_HEADER = (
    "file",
    "line",
    "kind",
    "name",
    "status",
    "code",
    "code_name",
    "severity",
    "path",
    "message",
)


class Csv:
    def __init__(self, out: IO[str], style: Style = PLAIN) -> None:
        self.out = out
        self.writer = csv.writer(out, lineterminator="\n")

    def start(self, context: ReportContext) -> None:
        self.writer.writerow(CSV_HEADER)

    def document(self, document: ReportDocument) -> None:
        for finding in document.findings:
            self.writer.writerow(
                (
                    document.file,
                    "" if finding.line is None else finding.line,
                    document.kind or "",
                    document.name or "",
                    document.status,
                    finding.code,
                    finding.name,
                    str(finding.severity),
                    finding.path,
                    finding.message,
                )
            )

    def finish(self, summary: Summary) -> None:
        self.out.flush()
