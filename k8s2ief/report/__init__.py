"""Reports: one formatter interface, one data model (model.py), one formatter per format.

Every formatter is driven the same way, by convert and audit alike::

    formatter.start(context)       # once: the command, notes
    formatter.document(document)   # per input document, in input order
    formatter.finish(summary)      # once: every count (model.Summary)

Formatters know findings and documents, never rules. A formatter may write as it goes (text for
convert, JSON, CSV) or keep what it needs until ``finish`` (tables, SARIF, HTML). The protocol is
generic so that body writers can take the same shape (``Formatter[None, Body, None]``).

Formats are registered by name below and imported only when used, so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import IO, TYPE_CHECKING, Protocol, TypeVar

from k8s2ief.findings import code_names

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Iterable, Sequence

    from k8s2ief.findings import Finding, Severity
    from k8s2ief.report.model import ReportContext, ReportDocument, Summary
    from k8s2ief.report.style import Style

Start = TypeVar("Start", contravariant=True)
Item = TypeVar("Item", contravariant=True)
End = TypeVar("End", contravariant=True)


class Formatter(Protocol[Start, Item, End]):
    def start(self, context: Start) -> None: ...
    def document(self, item: Item) -> None: ...
    def finish(self, summary: End) -> None: ...


ReportFormatter = Formatter["ReportContext", "ReportDocument", "Summary"]


class RenderedDocument(Protocol):
    """A document whose report was rendered where it was converted (k8s2ief.rendered.Rendered):
    the codes and severities of its reported findings, and their text report lines, or None
    when the report takes the document itself (``report_document``)."""

    status: str
    kind: str | None
    file: str
    codes: Sequence[str]
    severities: Sequence[Severity]
    lines: Sequence[str] | None

    def report_document(self) -> ReportDocument: ...


# format name -> "module:class"; every class takes (out, style) and is a ReportFormatter.
CONVERT_FORMATS = {
    "text": "k8s2ief.report.text:ConvertText",
    "json": "k8s2ief.report.json_report:JsonReport",
}
AUDIT_FORMATS = {
    "text": "k8s2ief.report.text:AuditText",
    "json": "k8s2ief.report.json_report:JsonReport",
    "markdown": "k8s2ief.report.markdown:Markdown",
    "sarif": "k8s2ief.report.sarif:Sarif",
    "csv": "k8s2ief.report.csv_report:Csv",
    "html": "k8s2ief.report.html:Html",
}
CONVERT_REPORT_FORMATS = tuple(CONVERT_FORMATS)


def formatter(
    registry: dict[str, str], name: str, out: IO[str], style: Style | None = None
) -> ReportFormatter:
    module, attribute = registry[name].split(":")
    cls = getattr(importlib.import_module(module), attribute)
    if style is None:
        from k8s2ief.report.style import PLAIN

        style = PLAIN
    made: ReportFormatter = cls(out, style)
    return made


class ReportWriter:
    """Feeds each document to the formatter and to the tally; ``finish`` returns the summary."""

    def __init__(self, fmt: ReportFormatter, context: ReportContext) -> None:
        from k8s2ief.report.model import Tally

        self.formatter = fmt
        self.context = context
        self.tally = Tally(context.command)
        fmt.start(context)

    def add(self, document: ReportDocument, dropped: Counter[str] | None = None) -> None:
        self.tally.add(document, dropped)
        self.formatter.document(document)

    def add_rendered(self, document: RenderedDocument) -> None:
        """A document rendered where it was converted: its text report lines (rendered only
        for the text formatter, which writes them as they are) or its findings."""
        self.tally.count(
            document.status, document.kind, document.file, document.codes, document.severities
        )
        if document.lines is None:
            self.formatter.document(document.report_document())
        else:
            self.formatter.lines(document.lines)  # type: ignore[attr-defined]

    def finish(self, errors: Iterable[str] = ()) -> Summary:
        summary = self.tally.summary(errors, self.context.notes)
        self.formatter.finish(summary)
        return summary


def finding_line(finding: Finding, style: Style | None = None) -> str:
    """``file:line: severity CODE name: message [path]`` — one line, editors can jump to it."""
    # Written out (Finding.location, Finding.name): a report has a line per finding, and the
    # parent of a parallel conversion renders them all.
    file, line = finding.file, finding.line
    if file is None:
        where = f"line {line}" if line else "-"
    else:
        where = f"{file}:{line}" if line else file
    path = f" [{finding.path}]" if finding.path else ""
    if style is None:
        from k8s2ief.report.style import PLAIN as style
    severity = style.severity_labels[finding.severity]
    name = code_names()[finding.code]
    return f"{where}: {severity} {finding.code} {name}: {finding.message}{path}"
