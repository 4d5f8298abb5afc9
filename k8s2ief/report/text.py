"""Text reports: convert's findings as they come, audit's table; coloured on a terminal."""

from __future__ import annotations

from typing import IO

from k8s2ief.report import finding_line
from k8s2ief.report.model import ReportContext, ReportDocument, Summary
from k8s2ief.report.style import PLAIN, Style
from k8s2ief.report.whole import WholeReport

TEXT_LOCATION_MAX = 60


class ConvertText:
    """One line per finding, printed as documents come, then one summary line."""

    def __init__(self, out: IO[str], style: Style = PLAIN) -> None:
        self.out = out
        self.style = style

    def start(self, context: ReportContext) -> None:
        pass  # nothing comes before the first finding

    def document(self, document: ReportDocument) -> None:
        for finding in document.findings:
            self.out.write(finding_line(finding, self.style) + "\n")

    def finish(self, summary: Summary) -> None:
        for line in (*summary.errors, *(f"note: {n}" for n in summary.notes)):
            self.out.write(line + "\n")
        parts = [
            self.style.status(status, f"{n} {status}")
            for status, n in sorted(summary.statuses.items())
            if n
        ]
        self.out.write(f"k8s2ief: {summary.documents} document(s): {', '.join(parts) or 'none'}\n")
        self.out.flush()


class AuditText(WholeReport):
    """A table of documents with their findings, then the summary (widths need every row).

    Each document's finding lines are rendered as it comes, while workers are still converting
    (audit --jobs): only the rows, which need the column width, wait for the end.
    """

    def __init__(self, out: IO[str], style: Style = PLAIN) -> None:
        super().__init__(out, style)
        self.finding_blocks: list[str | None] = []

    def document(self, document: ReportDocument) -> None:
        super().document(document)
        self.finding_blocks.append(finding_block(document, self.style))

    def render(self, summary: Summary) -> str:
        return audit_text(self.documents, summary, self.style, self.finding_blocks)


def finding_block(document: ReportDocument, style: Style = PLAIN) -> str | None:
    """The document's finding lines under its row (None without findings)."""
    if not document.findings:
        return None
    return "\n".join(f"{'':<10}  {finding_line(f, style)}" for f in document.findings)


def audit_text(
    documents: list[ReportDocument],
    summary: Summary,
    style: Style = PLAIN,
    blocks: list[str | None] | None = None,
) -> str:
    """The table and the summary; ``blocks`` are finding_block of each document, if known."""
    if blocks is None:
        blocks = [finding_block(document, style) for document in documents]
    width = _location_width(documents)
    lines = [style.bold(f"{'STATUS':<10}  {'LOCATION':<{width}}  {'KIND':<12}  NAME")]
    for document, block in zip(documents, blocks, strict=True):
        lines.append(
            f"{style.status(document.status, f'{document.status:<10}')}  "
            f"{where(document):<{width}}  {document.kind or '-':<12}  "
            f"{document.name or '-'}"
        )
        if block is not None:
            lines.append(block)
    lines.append("")
    lines.extend(summary_lines(summary, style))
    return "\n".join(lines) + "\n"


def where(document: ReportDocument) -> str:
    return f"{document.file}:{document.line}" if document.line else document.file


def _location_width(documents: list[ReportDocument]) -> int:
    # Wide enough for most locations; a few very long paths may push their row out instead.
    return min(max((len(where(d)) for d in documents), default=8), TEXT_LOCATION_MAX)


def share_text(summary: Summary) -> str:
    if summary.share is None:
        return "no Deployments"
    return (
        f"{summary.convertible}/{summary.deployments} Deployments clean or lossy "
        f"({summary.share:.1%})"
    )


def summary_lines(summary: Summary, style: Style = PLAIN) -> list[str]:
    """The text summary; its first line is the one-line overview CI logs show."""
    statuses = ", ".join(style.status(s, f"{n} {s}") for s, n in summary.statuses.items())
    lines = [
        f"k8s2ief audit: {summary.documents} document(s) in {summary.files} file(s): "
        f"{statuses}; {share_text(summary)}; {summary.suppressed} finding(s) suppressed"
    ]
    if summary.codes:
        lines.append("findings by code:")
        lines.extend(
            f"  {c.code}  {c.name:<32} "
            f"{style.severity(c.severity, f'{c.severity!s:<8}')} {c.count:>6}"
            for c in summary.codes
        )
    if summary.blocker_files:
        lines.append("files with the most blockers (errors):")
        lines.extend(f"  {f.count:>6}  {f.file}" for f in summary.blocker_files)
    lines.extend(f"note: {note}" for note in summary.notes)
    return lines
