"""The report data model every formatter reads, for convert and audit alike.

A command turns each pipeline result into a ReportDocument (``convert_document`` or
``audit_document``) and feeds it to a Tally and to a formatter as it comes; the Tally's Summary
is handed to the formatter at the end. Nothing here does I/O, so tests build reports without
running the CLI (``build_report``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from k8s2ief.codes import REGISTRY
from k8s2ief.findings import Finding, Policy, Severity
from k8s2ief.pipeline import (
    CONVERTED,
    DEPLOYMENT,
    FAILED,
    LOSSY,
    SKIPPED,
    DocumentResult,
    status_of,
)
from k8s2ief.records import FrozenRecord, MutableRecord, set_field, slot_setters

CONVERT, AUDIT = "convert", "audit"
CLEAN, BLOCKED, UNREADABLE = "clean", "blocked", "unreadable"
# Every status of each command, in the order reports list them; summaries show all of them.
STATUSES: dict[str, tuple[str, ...]] = {
    CONVERT: (CONVERTED, LOSSY, FAILED, SKIPPED),
    AUDIT: (CLEAN, LOSSY, BLOCKED, SKIPPED, UNREADABLE),
}
MOVABLE = frozenset({CONVERTED, CLEAN, LOSSY})  # a Deployment in one of these can run on IEF
TOP_BLOCKER_FILES = 10

_FROM_PIPELINE = {CONVERTED: CLEAN, LOSSY: LOSSY}  # anything else the pipeline says is blocked


class ReportContext(FrozenRecord):
    """What a formatter knows before the first document."""

    __slots__ = ("command", "notes")
    command: str  # CONVERT or AUDIT: it decides the status vocabulary
    notes: tuple[str, ...]  # how to read this report (e.g. what the command left out)

    def __init__(self, command: str, notes: tuple[str, ...] = ()) -> None:
        set_field(self, "command", command)
        set_field(self, "notes", notes)

    @property
    def statuses(self) -> tuple[str, ...]:
        return STATUSES[self.command]


class ReportDocument(FrozenRecord):
    """One input document: where it is, what it is, its status and surviving findings."""

    __slots__ = ("file", "line", "kind", "name", "status", "findings", "suppressed")  # noqa: RUF023 (the order of __init__)
    file: str
    line: int | None
    kind: str | None
    name: str | None
    status: str
    findings: tuple[Finding, ...]  # in line order (see in_line_order)
    suppressed: int  # findings dropped by --ignore or the k8s2ief.io/ignore annotation

    def __init__(
        self,
        file: str,
        line: int | None,
        kind: str | None,
        name: str | None,
        status: str,
        findings: tuple[Finding, ...],
        suppressed: int = 0,
    ) -> None:
        _set_file(self, file)
        _set_line(self, line)
        _set_kind(self, kind)
        _set_name(self, name)
        _set_status(self, status)
        _set_findings(self, findings)
        _set_suppressed(self, suppressed)


(
    _set_file,
    _set_line,
    _set_kind,
    _set_name,
    _set_status,
    _set_findings,
    _set_suppressed,
) = slot_setters(ReportDocument)


class CodeStat(FrozenRecord):
    """How often one code was reported, with what formatters need to describe it."""

    __slots__ = ("code", "name", "severity", "count", "summary", "doc")  # noqa: RUF023 (the order of __init__)
    code: str
    name: str
    severity: Severity  # the effective one, after --severity
    count: int
    summary: str
    doc: str

    def __init__(
        self, code: str, name: str, severity: Severity, count: int, summary: str, doc: str
    ) -> None:
        set_field(self, "code", code)
        set_field(self, "name", name)
        set_field(self, "severity", severity)
        set_field(self, "count", count)
        set_field(self, "summary", summary)
        set_field(self, "doc", doc)


class FileCount(FrozenRecord):
    """How many error findings one file has."""

    __slots__ = ("file", "count")  # noqa: RUF023 (the order of __init__)
    file: str
    count: int

    def __init__(self, file: str, count: int) -> None:
        set_field(self, "file", file)
        set_field(self, "count", count)


class Summary(FrozenRecord):
    """The counts at the end of a report."""

    __slots__ = (  # noqa: RUF023 (the order of __init__)
        "command",
        "documents",
        "files",
        "findings",
        "statuses",
        "codes",
        "suppressed",
        "suppressed_codes",
        "blocker_files",
        "deployments",
        "convertible",
        "worst",
        "errors",
        "notes",
    )
    command: str
    documents: int
    files: int
    findings: int
    statuses: dict[str, int]  # every status of the command, in STATUSES order, zeros included
    codes: tuple[CodeStat, ...]  # most frequent first, then by code
    suppressed: int
    suppressed_codes: dict[str, int]  # code -> findings dropped, sorted by code
    blocker_files: tuple[FileCount, ...]  # files with the most error findings (at most 10)
    deployments: int  # documents of kind Deployment (unreadable ones have no kind)
    convertible: int  # ... of which can run on IEF (clean or lossy; converted or lossy)
    worst: Severity | None  # the highest severity reported
    errors: tuple[str, ...]  # problems outside any document (a body file not written)
    notes: tuple[str, ...]

    def __init__(
        self,
        command: str,
        documents: int,
        files: int,
        findings: int,
        statuses: dict[str, int],
        codes: tuple[CodeStat, ...],
        suppressed: int,
        suppressed_codes: dict[str, int],
        blocker_files: tuple[FileCount, ...],
        deployments: int,
        convertible: int,
        worst: Severity | None,
        errors: tuple[str, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        set_field(self, "command", command)
        set_field(self, "documents", documents)
        set_field(self, "files", files)
        set_field(self, "findings", findings)
        set_field(self, "statuses", statuses)
        set_field(self, "codes", codes)
        set_field(self, "suppressed", suppressed)
        set_field(self, "suppressed_codes", suppressed_codes)
        set_field(self, "blocker_files", blocker_files)
        set_field(self, "deployments", deployments)
        set_field(self, "convertible", convertible)
        set_field(self, "worst", worst)
        set_field(self, "errors", errors)
        set_field(self, "notes", notes)

    @property
    def share(self) -> float | None:
        """Share of Deployments that can run on IEF; None without Deployments."""
        return self.convertible / self.deployments if self.deployments else None


def in_line_order(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings by line (stable: equal lines keep the rules' order); unknown lines first."""
    return tuple(sorted(findings, key=lambda f: f.line or 0))


def convert_document(
    result: DocumentResult, findings: Iterable[Finding] | None = None, suppressed: int = 0
) -> ReportDocument:
    """A convert result as reported: the pipeline's own status."""
    kept = result.findings if findings is None else findings
    return ReportDocument(
        result.file,
        result.line,
        result.kind,
        result.name,
        result.status,
        in_line_order(kept),
        suppressed,
    )


def audit_status(result: DocumentResult, findings: list[Finding]) -> str:
    """The audit status of a document, from the findings that survived the policy.

    A document the pipeline could not convert at all (no body) stays blocked even when its
    error is ignored: ignoring a finding does not make a body appear.
    """
    if result.unreadable:
        return UNREADABLE
    if result.status == SKIPPED:
        return SKIPPED
    if result.body is None:
        return BLOCKED
    return _FROM_PIPELINE.get(status_of(findings), BLOCKED)


def audit_document(result: DocumentResult, policy: Policy) -> tuple[ReportDocument, Counter[str]]:
    """One document under the policy, and the codes the policy dropped from it."""
    kept, dropped = policy.apply(result.findings, extra_ignore=result.ignore)
    gone = Counter(f.code for f in result.findings) - Counter(f.code for f in kept)
    document = ReportDocument(
        result.file,
        result.line,
        result.kind,
        result.name,
        audit_status(result, kept),
        in_line_order(kept),
        dropped,
    )
    return document, gone


class Tally(MutableRecord):
    """The summary, counted one document at a time (reports stream; memory stays flat)."""

    __slots__ = (  # noqa: RUF023 (the order of __init__)
        "command",
        "statuses",
        "codes",
        "severities",
        "suppressed",
        "file_errors",
        "deployments",
        "convertible",
        "worst",
    )
    command: str
    statuses: Counter[str]
    codes: Counter[str]
    severities: dict[str, Severity]
    suppressed: Counter[str]
    file_errors: Counter[str]  # first-seen order = input order
    deployments: int
    convertible: int
    worst: Severity | None

    def __init__(
        self,
        command: str,
        statuses: Counter[str] | None = None,
        codes: Counter[str] | None = None,
        severities: dict[str, Severity] | None = None,
        suppressed: Counter[str] | None = None,
        file_errors: Counter[str] | None = None,
        deployments: int = 0,
        convertible: int = 0,
        worst: Severity | None = None,
    ) -> None:
        self.command = command
        self.statuses = Counter() if statuses is None else statuses
        self.codes = Counter() if codes is None else codes
        self.severities = {} if severities is None else severities
        self.suppressed = Counter() if suppressed is None else suppressed
        self.file_errors = Counter() if file_errors is None else file_errors
        self.deployments = deployments
        self.convertible = convertible
        self.worst = worst

    def add(self, document: ReportDocument, dropped: Counter[str] | None = None) -> None:
        findings = document.findings
        self.count(
            document.status,
            document.kind,
            document.file,
            [f.code for f in findings],
            [f.severity for f in findings],
        )
        if dropped:
            self.suppressed.update(dropped)

    def count(
        self,
        status: str,
        kind: str | None,
        file: str,
        codes: Sequence[str],
        severities: Sequence[Severity],
    ) -> None:
        """One document by its status and its findings' codes and severities (in pairs)."""
        self.statuses[status] += 1
        # Whole sequences at a time (loops in C): a report adds every document.
        self.codes.update(codes)
        self.severities.update(zip(codes, severities, strict=True))  # --severity acts per code
        errors = severities.count(Severity.ERROR)
        top = max(severities, default=None)
        self.file_errors[file] += errors
        if kind == DEPLOYMENT:
            self.deployments += 1
            self.convertible += status in MOVABLE
        if top is not None and (self.worst is None or top > self.worst):
            self.worst = top

    def summary(self, errors: Iterable[str] = (), notes: Iterable[str] = ()) -> Summary:
        ranked = sorted(self.codes.items(), key=lambda item: (-item[1], item[0]))
        # sorted is stable, so files with as many errors stay in input order.
        blockers = sorted((i for i in self.file_errors.items() if i[1]), key=lambda i: -i[1])
        return Summary(
            command=self.command,
            documents=sum(self.statuses.values()),
            files=len(self.file_errors),
            findings=sum(self.codes.values()),
            statuses={status: self.statuses[status] for status in STATUSES[self.command]},
            codes=tuple(_code_stat(code, self.severities[code], n) for code, n in ranked),
            suppressed=sum(self.suppressed.values()),
            suppressed_codes=dict(sorted(self.suppressed.items())),
            blocker_files=tuple(FileCount(f, n) for f, n in blockers[:TOP_BLOCKER_FILES]),
            deployments=self.deployments,
            convertible=self.convertible,
            worst=self.worst,
            errors=tuple(errors),
            notes=tuple(notes),
        )


def _code_stat(code: str, severity: Severity, count: int) -> CodeStat:
    info = REGISTRY[code]
    return CodeStat(code, info.name, severity, count, info.summary, info.doc)


class Report(FrozenRecord):
    """A whole report in memory: what tests and one-shot callers build with build_report."""

    __slots__ = ("documents", "summary")
    documents: tuple[ReportDocument, ...]
    summary: Summary

    def __init__(self, documents: tuple[ReportDocument, ...], summary: Summary) -> None:
        set_field(self, "documents", documents)
        set_field(self, "summary", summary)


def build_report(
    results: Iterable[DocumentResult], policy: Policy, notes: Iterable[str] = ()
) -> Report:
    """The whole audit, pure: documents in input order and their summary."""
    tally = Tally(AUDIT)
    documents = []
    for result in results:
        document, gone = audit_document(result, policy)
        tally.add(document, gone)
        documents.append(document)
    return Report(tuple(documents), tally.summary(notes=notes))
