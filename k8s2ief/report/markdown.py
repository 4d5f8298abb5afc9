"""The Markdown audit: summary tables, then per-file counts and every blocking finding."""

from __future__ import annotations

from k8s2ief.findings import Severity
from k8s2ief.report.model import ReportDocument, Summary
from k8s2ief.report.text import share_text
from k8s2ief.report.whole import WholeReport


class Markdown(WholeReport):
    def render(self, summary: Summary) -> str:
        return to_markdown(self.documents, summary)


def to_markdown(documents: list[ReportDocument], summary: Summary) -> str:
    statuses = tuple(summary.statuses)
    parts = [
        "# k8s2ief audit\n",
        f"{summary.documents} document(s) in {summary.files} file(s); {share_text(summary)}; "
        f"{summary.suppressed} finding(s) suppressed.\n",
        *(f"Note: {note}\n" for note in summary.notes),
        "## Documents by status\n",
        _table(("Status", "Documents"), [(s, str(n)) for s, n in summary.statuses.items()]),
        "## Findings by code\n",
        _table(
            ("Code", "Name", "Severity", "Count"),
            [(c.code, c.name, str(c.severity), str(c.count)) for c in summary.codes],
        ),
        "## Files with the most blockers\n",
        _table(("File", "Errors"), [(f.file, str(f.count)) for f in summary.blocker_files]),
        "## Files\n",
        _table(
            ("File", *(s.capitalize() for s in statuses), "Codes"), _file_rows(documents, statuses)
        ),
        "## Blocking findings\n",
        _table(("File", "Line", "Name", "Code", "Message"), _blocker_rows(documents)),
    ]
    return "\n".join(parts)


def _file_rows(documents: list[ReportDocument], statuses: tuple[str, ...]) -> list[tuple[str, ...]]:
    """One row per file: documents per status, then every code reported in it with its count."""
    files: dict[str, list[ReportDocument]] = {}
    for document in documents:
        files.setdefault(document.file, []).append(document)
    rows = []
    for file, in_file in files.items():
        counts = [str(sum(d.status == s for d in in_file)) for s in statuses]
        codes: dict[str, int] = {}
        for finding in (f for d in in_file for f in d.findings):
            codes[finding.code] = codes.get(finding.code, 0) + 1
        listed = ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(codes.items()))
        rows.append((file, *counts, listed))
    return rows


def _blocker_rows(documents: list[ReportDocument]) -> list[tuple[str, ...]]:
    """Every error finding: what a ticket about moving these Deployments has to fix."""
    return [
        (
            d.file,
            "" if f.line is None else str(f.line),
            d.name or "",
            f"{f.code} {f.name}",
            f.message,
        )
        for d in documents
        for f in d.findings
        if f.severity is Severity.ERROR
    ]


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    if not rows:
        return "_none_\n"
    lines = [_row(header), "|" + "|".join(" --- " for _ in header) + "|"]
    lines.extend(_row(row) for row in rows)
    return "\n".join(lines) + "\n"


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _cell(text: str) -> str:
    # A pipe would split the cell and a newline would end the row: both break the table.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
