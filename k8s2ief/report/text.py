"""Text reports: convert's findings as they come, audit's table; coloured on a terminal."""

from __future__ import annotations

from collections.abc import Sequence
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
        style = self.style
        self.lines([finding_line(f, style) + "\n" for f in document.findings])

    def lines(self, lines: Sequence[str]) -> None:
        """A document's finding lines, already rendered (k8s2ief.rendered: by a worker)."""
        if lines:  # one write per document, not per line
            self.out.write("".join(lines))

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

    Each document's row and finding lines are rendered as it comes, while workers are still
    converting (audit --jobs): only the location column, whose width needs every row, is padded
    at the end.
    """

    def __init__(self, out: IO[str], style: Style = PLAIN) -> None:
        super().__init__(out, style)
        self.rows: list[tuple[str, str, str]] = []

    def document(self, document: ReportDocument) -> None:
        super().document(document)
        self.rows.append(table_row(document, self.style))

    def render(self, summary: Summary) -> str:
        return table_text(self.rows, summary, self.style)


def table_row(document: ReportDocument, style: Style = PLAIN) -> tuple[str, str, str]:
    """A document's row as (status, location, the rest: kind, name and its finding lines)."""
    rest = f"  {document.kind or '-':<12}  {document.name or '-'}"
    if document.findings:
        rest += "".join(f"\n{'':<10}  {finding_line(f, style)}" for f in document.findings)
    return style.status(document.status, f"{document.status:<10}"), where(document), rest


def table_text(rows: list[tuple[str, str, str]], summary: Summary, style: Style = PLAIN) -> str:
    # Wide enough for most locations; a few very long paths may push their row out instead.
    width = min(max((len(location) for _, location, _ in rows), default=8), TEXT_LOCATION_MAX)
    parts = [style.bold(f"{'STATUS':<10}  {'LOCATION':<{width}}  {'KIND':<12}  NAME")]
    # One join of small pieces: the report is megabytes, and every whole row or line list
    # joined on the way would be another copy of it (a quarter of the time, 5,000 documents).
    for status, location, rest in rows:
        parts += ("\n", status, "  ", location.ljust(width), rest)
    parts += ("\n\n", "\n".join(summary_lines(summary, style)), "\n")
    return "".join(parts)


def where(document: ReportDocument) -> str:
    return f"{document.file}:{document.line}" if document.line else document.file


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
