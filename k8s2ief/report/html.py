"""``audit --format html``: one self-contained page (inline CSS, JS and SVG; nothing is fetched).

The page holds the summary as cards, three charts (documents by status, blocking codes, files
with the most blockers), the table of documents with their findings, filtered in the page by
status, worst severity and text, and the explanation of every reported code (as ``k8s2ief
explain`` gives it). Counts are marked with ``data-*`` attributes so that the page can be
checked against the JSON report of the same input. The output is deterministic (no clock).
"""

from __future__ import annotations

from collections import Counter
from html import escape

from k8s2ief.codes import REGISTRY
from k8s2ief.findings import Finding, Severity, worst
from k8s2ief.report.html_assets import CSP, CSS, JS, SEVERITY_COLORS, STATUS_COLORS
from k8s2ief.report.json_report import JSON_VERSION
from k8s2ief.report.model import SKIPPED, ReportDocument, Summary
from k8s2ief.report.sarif import tool_version
from k8s2ief.report.svg import Mark, bars, donut
from k8s2ief.report.text import share_text, where
from k8s2ief.report.whole import WholeReport

BLOCKING_CODES_SHOWN = 12
HIDDEN_AT_START = frozenset({SKIPPED})  # a table of Deployments: other kinds are one click away
SEVERITY_FILTER = (
    ("none", "any finding or none"),
    ("info", "info or worse"),
    ("warning", "warnings or worse"),
    ("error", "errors"),
)


class Html(WholeReport):
    def render(self, summary: Summary) -> str:
        return page(self.command, self.documents, summary)


def page(command: str, documents: list[ReportDocument], summary: Summary) -> str:
    title = f"k8s2ief {command}"
    body = "\n".join(
        (
            _header(title, summary),
            _cards(summary),
            _charts(summary),
            _table(documents, summary),
            _codes(summary),
            f"<footer>k8s2ief {escape(tool_version())} · report version {JSON_VERSION} · "
            "this page loads nothing from the network</footer>",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n<script>{JS}</script>\n</body>\n</html>\n"
    )


def _header(title: str, summary: Summary) -> str:
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in summary.notes)
    errors = "".join(f'<p class="note">{escape(e)}</p>' for e in summary.errors)
    return (
        f"<header><h1>{escape(title)}</h1><p>{summary.documents} document(s) in "
        f"{summary.files} file(s); {escape(share_text(summary))}.</p>{notes}{errors}"
        "</header>"
    )


def _card(key: str, value: str, text: str, extra: str = "") -> str:
    return (
        f'<div class="card {extra}"><b data-summary="{key}">{escape(value)}</b>'
        f"<span>{escape(text)}</span></div>"
    )


def _cards(summary: Summary) -> str:
    share = "–" if summary.share is None else f"{summary.share:.1%}"
    errors = sum(c.count for c in summary.codes if c.severity is Severity.ERROR)
    return "".join(
        (
            '<section class="cards">',
            _card(
                "share",
                share,
                f"of {summary.deployments} Deployment(s) can move "
                f"({summary.convertible} clean or lossy)",
                "share",
            ),
            _card("documents", str(summary.documents), f"documents in {summary.files} file(s)"),
            _card("findings", str(summary.findings), f"findings, {errors} of them errors"),
            _card(
                "suppressed", str(summary.suppressed), "findings suppressed (--ignore, annotation)"
            ),
            "</section>",
        )
    )


def _charts(summary: Summary) -> str:
    statuses = [
        Mark(s, s, n, STATUS_COLORS.get(s, "#8c959f"), f"#status={s}")
        for s, n in summary.statuses.items()
    ]
    blocking = [c for c in summary.codes if c.severity is Severity.ERROR]
    codes = [
        Mark(
            c.code,
            f"{c.code} {c.name}",
            c.count,
            SEVERITY_COLORS["error"],
            f"#q={c.code}",
            f"{c.code} {c.name}: {c.summary}",
        )
        for c in blocking[:BLOCKING_CODES_SHOWN]
    ]
    files = [
        Mark(f.file, f.file, f.count, "#a40e26", f"#q={f.file}") for f in summary.blocker_files
    ]
    more = len(blocking) - len(codes)
    return "".join(
        (
            '<section class="charts">',
            _figure("Documents by status", donut("statuses", statuses, "Documents by status")),
            _figure(
                "Blocking codes (error findings)" + (f", top {len(codes)}" if more > 0 else ""),
                bars("codes", codes, "Blocking codes", "no error findings"),
            ),
            _figure(
                "Files with the most blockers",
                bars("files", files, "Files with the most blockers", "no file has an error"),
            ),
            "</section>",
        )
    )


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{escape(caption)}</figcaption>{svg}</figure>"


def _table(documents: list[ReportDocument], summary: Summary) -> str:
    chips = "".join(
        f'<label><input type="checkbox" name="status" value="{s}"'
        f"{'' if s in HIDDEN_AT_START else ' checked'}>{_badge(s)}"
        f'<span data-status-count="{s}">{n}</span></label>'
        for s, n in summary.statuses.items()
    )
    options = "".join(f'<option value="{v}">{escape(t)}</option>' for v, t in SEVERITY_FILTER)
    filters = (
        f'<div class="filters">{chips}<label>severity <select id="f-severity">{options}'
        '</select></label><input id="f-text" type="search" placeholder="file, name or code"'
        f' aria-label="filter"><span class="count">showing <b id="shown">'
        f'{len(documents)}</b> of <b data-summary="rows">{len(documents)}</b></span></div>'
    )
    head = (
        "<thead><tr><th>Status</th><th>Location</th><th>Kind</th><th>Name</th>"
        "<th>Errors</th><th>Warnings</th><th>Info</th></tr></thead>"
    )
    rows = "".join(_document(d) for d in documents)
    return (
        f'<section id="documents"><h2>Documents</h2>{filters}'
        f'<table id="document-table">{head}{rows}</table></section>'
    )


def _badge(status: str) -> str:
    color = STATUS_COLORS.get(status, "#8c959f")
    return f'<span class="badge" style="background:{color}">{escape(status)}</span>'


def _document(document: ReportDocument) -> str:
    counts = Counter(f.severity for f in document.findings)
    top = worst(document.findings)
    text = " ".join(
        (
            document.file,
            document.name or "",
            document.kind or "",
            *dict.fromkeys(f"{f.code} {f.name}" for f in document.findings),
        )
    )
    numbers = "".join(
        f'<td class="n {s if counts[s] else "zero"}">{counts[s]}</td>'
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )
    row = (
        f'<tr><td>{_badge(document.status)}</td><td class="where">'
        f"{escape(where(document))}</td><td>{escape(document.kind or '–')}</td>"
        f"<td>{escape(document.name or '–')}</td>{numbers}</tr>"
    )
    more = _findings(document.findings) if document.findings else ""
    return (
        f'<tbody class="doc" data-status="{escape(document.status)}" '
        f'data-worst="{"none" if top is None else top}" '
        f'data-text="{escape(text.lower(), quote=True)}">{row}{more}</tbody>'
    )


def _findings(findings: tuple[Finding, ...]) -> str:
    codes = Counter(f.code for f in findings)
    listed = ", ".join(f"{c} ×{n}" if n > 1 else c for c, n in codes.items())
    items = "".join(_finding(f) for f in findings)
    return (
        f'<tr class="more"><td></td><td colspan="6"><details><summary>{len(findings)} '
        f'finding(s): {escape(listed)}</summary><ul class="findings">{items}</ul>'
        "</details></td></tr>"
    )


def _finding(finding: Finding) -> str:
    color = SEVERITY_COLORS[str(finding.severity)]
    line = f" · line {finding.line}" if finding.line else ""
    path = f' <span class="path">[{escape(finding.path)}]</span>' if finding.path else ""
    paths = ""
    if finding.paths:
        paths = (
            f'<details class="paths"><summary>{len(finding.paths)} field(s)</summary>'
            f"{escape(', '.join(finding.paths))}</details>"
        )
    return (
        f'<li style="border-left-color:{color}" data-severity="{finding.severity}">'
        f'<span class="sev" style="color:{color}">{finding.severity}</span>'
        f'<a class="code" href="#{finding.code}">{finding.code}</a> {escape(finding.name)}'
        f"{line}<br>{escape(finding.message)}{path}"
        f'<div class="why">{escape(REGISTRY[finding.code].summary)}</div>{paths}</li>'
    )


def _codes(summary: Summary) -> str:
    if not summary.codes:
        return '<section id="codes"><h2>Finding codes</h2><p>No findings.</p></section>'
    entries = "".join(
        f'<dt id="{c.code}" data-code="{c.code}" data-count="{c.count}">'
        f'<span class="sev" style="color:{SEVERITY_COLORS[str(c.severity)]}">{c.severity}</span>'
        f"{c.code} {escape(c.name)} · {c.count}</dt>"
        f'<dd class="summary">{escape(c.summary)}</dd><dd>{escape(c.doc)}</dd>'
        for c in summary.codes
    )
    suppressed = ""
    if summary.suppressed_codes:
        listed = ", ".join(f"{code} ×{n}" for code, n in summary.suppressed_codes.items())
        suppressed = f"<p>Suppressed: {escape(listed)}.</p>"
    return (
        f'<section id="codes"><h2>Finding codes (k8s2ief explain CODE)</h2>{suppressed}'
        f'<dl class="codes">{entries}</dl></section>'
    )
