"""Audit formatters for text, JSON, Markdown and CSV: AuditReport -> str, nothing else.

The JSON shape (``"version": 1``; keys are always present, values may be null)::

    {
      "version": 1,
      "documents": [                       # every input document, in input order
        {
          "file": "corpus/real/x/app.yaml",  # as given on the command line (or "<stdin>")
          "line": 12,                      # first line of the document; null when unknown
          "kind": "Deployment",            # null for unreadable documents and non-objects
          "name": "web",                   # metadata.name; null when absent
          "status": "lossy",               # clean | lossy | blocked | skipped | unreadable
          "suppressed": 1,                 # findings dropped by --ignore or k8s2ief.io/ignore
          "findings": [
            {"code": "KI301", "name": "env-value-not-string", "severity": "warning",
             "path": "spec.template.spec.containers[0].env[0].value",
             "file": "corpus/real/x/app.yaml", "line": 40, "message": "..."}
          ]
        }
      ],
      "summary": {
        "documents": 7, "files": 6, "findings": 11,
        "statuses": {"clean": 1, "lossy": 2, "blocked": 1, "skipped": 2, "unreadable": 1},
        "codes": [                         # most frequent first; severity after --severity
          {"code": "KI003", "name": "kind-skipped", "severity": "info", "count": 2}
        ],
        "suppressed": {"total": 1, "codes": {"KI103": 1}},
        "blocker_files": [{"file": "...", "errors": 3}],   # at most 10, most errors first
        "deployments": {"total": 4, "clean_or_lossy": 3, "share": 0.75}  # share null if total 0
      }
    }
"""

from __future__ import annotations

import csv
import io
import json

from k8s2ief.findings import Severity
from k8s2ief.report import finding_line
from k8s2ief.report.audit.model import STATUSES, AuditDocument, AuditReport, AuditSummary

JSON_VERSION = 1
TEXT_LOCATION_MAX = 60
CSV_HEADER = ("file", "line", "kind", "name", "status", "code", "code_name", "severity", "path",
              "message")


# --- JSON ----------------------------------------------------------------------------------------

def to_json(report: AuditReport) -> str:
    data = {
        "version": JSON_VERSION,
        "documents": [_document_dict(d) for d in report.documents],
        "summary": _summary_dict(report),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _document_dict(document: AuditDocument) -> dict[str, object]:
    return {
        "file": document.file,
        "line": document.line,
        "kind": document.kind,
        "name": document.name,
        "status": document.status,
        "suppressed": document.suppressed,
        "findings": [f.to_dict() for f in document.findings],
    }


def _summary_dict(report: AuditReport) -> dict[str, object]:
    summary = report.summary
    return {
        "documents": summary.documents,
        "files": summary.files,
        "findings": report.findings,
        "statuses": dict(summary.statuses),
        "codes": [{"code": c.code, "name": c.name, "severity": str(c.severity), "count": c.count}
                  for c in summary.codes],
        "suppressed": {"total": summary.suppressed, "codes": dict(summary.suppressed_codes)},
        "blocker_files": [{"file": f.file, "errors": f.count} for f in summary.blocker_files],
        "deployments": {
            "total": summary.deployments,
            "clean_or_lossy": summary.convertible,
            "share": None if summary.share is None else round(summary.share, 4),
        },
    }


# --- text ----------------------------------------------------------------------------------------

def to_text(report: AuditReport) -> str:
    width = _location_width(report.documents)
    lines = [f"{'STATUS':<10}  {'LOCATION':<{width}}  {'KIND':<12}  NAME"]
    for document in report.documents:
        lines.append(f"{document.status:<10}  {_where(document):<{width}}  "
                     f"{document.kind or '-':<12}  {document.name or '-'}")
        lines.extend(f"{'':<10}  {finding_line(f)}" for f in document.findings)
    lines.append("")
    lines.extend(summary_lines(report.summary))
    return "\n".join(lines) + "\n"


def _where(document: AuditDocument) -> str:
    return f"{document.file}:{document.line}" if document.line else document.file


def _location_width(documents: tuple[AuditDocument, ...]) -> int:
    # Wide enough for most locations; a few very long paths may push their row out instead.
    return min(max((len(_where(d)) for d in documents), default=8), TEXT_LOCATION_MAX)


def share_text(summary: AuditSummary) -> str:
    if summary.share is None:
        return "no Deployments"
    return (f"{summary.convertible}/{summary.deployments} Deployments clean or lossy "
            f"({summary.share:.1%})")


def summary_lines(summary: AuditSummary) -> list[str]:
    """The text summary; its first line is the one-line overview CI logs show."""
    statuses = ", ".join(f"{summary.statuses[s]} {s}" for s in STATUSES)
    lines = [f"k8s2ief audit: {summary.documents} document(s) in {summary.files} file(s): "
             f"{statuses}; {share_text(summary)}; {summary.suppressed} finding(s) suppressed"]
    if summary.codes:
        lines.append("findings by code:")
        lines.extend(f"  {c.code}  {c.name:<32} {c.severity!s:<8} {c.count:>6}"
                     for c in summary.codes)
    if summary.blocker_files:
        lines.append("files with the most blockers (errors):")
        lines.extend(f"  {f.count:>6}  {f.file}" for f in summary.blocker_files)
    return lines


# --- Markdown ------------------------------------------------------------------------------------

def to_markdown(report: AuditReport) -> str:
    summary = report.summary
    parts = [
        "# k8s2ief audit\n",
        f"{summary.documents} document(s) in {summary.files} file(s); {share_text(summary)}; "
        f"{summary.suppressed} finding(s) suppressed.\n",
        "## Documents by status\n",
        _table(("Status", "Documents"), [(s, str(summary.statuses[s])) for s in STATUSES]),
        "## Findings by code\n",
        _table(("Code", "Name", "Severity", "Count"),
               [(c.code, c.name, str(c.severity), str(c.count)) for c in summary.codes]),
        "## Files with the most blockers\n",
        _table(("File", "Errors"), [(f.file, str(f.count)) for f in summary.blocker_files]),
        "## Files\n",
        _table(("File", *(s.capitalize() for s in STATUSES), "Codes"), _file_rows(report)),
        "## Blocking findings\n",
        _table(("File", "Line", "Name", "Code", "Message"), _blocker_rows(report)),
    ]
    return "\n".join(parts)


def _file_rows(report: AuditReport) -> list[tuple[str, ...]]:
    """One row per file: documents per status, then every code reported in it with its count."""
    files: dict[str, list[AuditDocument]] = {}
    for document in report.documents:
        files.setdefault(document.file, []).append(document)
    rows = []
    for file, documents in files.items():
        counts = [str(sum(d.status == s for d in documents)) for s in STATUSES]
        codes: dict[str, int] = {}
        for finding in (f for d in documents for f in d.findings):
            codes[finding.code] = codes.get(finding.code, 0) + 1
        listed = ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(codes.items()))
        rows.append((file, *counts, listed))
    return rows


def _blocker_rows(report: AuditReport) -> list[tuple[str, ...]]:
    """Every error finding: what a ticket about moving these Deployments has to fix."""
    return [
        (d.file, "" if f.line is None else str(f.line), d.name or "", f"{f.code} {f.name}",
         f.message)
        for d in report.documents
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


# --- CSV -----------------------------------------------------------------------------------------

def to_csv(report: AuditReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for document in report.documents:
        for finding in document.findings:
            writer.writerow((
                document.file, "" if finding.line is None else finding.line,
                document.kind or "", document.name or "", document.status, finding.code,
                finding.name, str(finding.severity), finding.path, finding.message,
            ))
    return out.getvalue()
