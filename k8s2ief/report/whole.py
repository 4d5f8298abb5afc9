"""Formats that need every document before they write (column widths, rule indexes, charts)."""

from __future__ import annotations

from typing import IO

from k8s2ief.report.model import ReportContext, ReportDocument, Summary
from k8s2ief.report.style import PLAIN, Style


class WholeReport:
    """Keeps the documents, then writes ``render(...)`` once, at ``finish``."""

    def __init__(self, out: IO[str], style: Style = PLAIN) -> None:
        self.out = out
        self.style = style
        self.command = "audit"
        self.documents: list[ReportDocument] = []

    def start(self, context: ReportContext) -> None:
        self.command = context.command

    def document(self, document: ReportDocument) -> None:
        self.documents.append(document)

    def finish(self, summary: Summary) -> None:
        self.out.write(self.render(summary))
        self.out.flush()

    def render(self, summary: Summary) -> str:
        raise NotImplementedError
