"""The report data model every formatter reads, for convert and audit alike.

A command turns each pipeline result into a ReportDocument (``convert_document`` or
``audit_document``) and feeds it to a Tally and to a formatter as it comes; the Tally's Summary
is handed to the formatter at the end. Nothing here does I/O, so tests build reports without
running the CLI (``build_report``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from k8s2ief.codes import REGISTRY
from k8s2ief.findings import Finding, Policy, Severity, worst
from k8s2ief.pipeline import (
    CONVERTED,
    DEPLOYMENT,
    FAILED,
    LOSSY,
    SKIPPED,
    DocumentResult,
    status_of,
)

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


@dataclass(frozen=True)
class ReportContext:
    """What a formatter knows before the first document."""

    command: str  # CONVERT or AUDIT: it decides the status vocabulary
    notes: tuple[str, ...] = ()  # how to read this report (e.g. what the command left out)

    @property
    def statuses(self) -> tuple[str, ...]:
        return STATUSES[self.command]


@dataclass(frozen=True)
class ReportDocument:
    """One input document: where it is, what it is, its status and surviving findings."""

    file: str
    line: int | None
    kind: str | None
    name: str | None
    status: str
    findings: tuple[Finding, ...]  # in line order (see in_line_order)
    suppressed: int = 0  # findings dropped by --ignore or the k8s2ief.io/ignore annotation


@dataclass(frozen=True)
class CodeStat:
    """How often one code was reported, with what formatters need to describe it."""

    code: str
    name: str
    severity: Severity  # the effective one, after --severity
    count: int
    summary: str
    doc: str


@dataclass(frozen=True)
class FileCount:
    file: str
    count: int


@dataclass(frozen=True)
class Summary:
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
    errors: tuple[str, ...] = ()  # problems outside any document (a body file not written)
    notes: tuple[str, ...] = ()

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


@dataclass
class Tally:
    """The summary, counted one document at a time (reports stream; memory stays flat)."""

    command: str
    statuses: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    severities: dict[str, Severity] = field(default_factory=dict)
    suppressed: Counter[str] = field(default_factory=Counter)
    file_errors: Counter[str] = field(default_factory=Counter)  # first-seen order = input order
    deployments: int = 0
    convertible: int = 0
    worst: Severity | None = None

    def add(self, document: ReportDocument, dropped: Counter[str] | None = None) -> None:
        self.statuses[document.status] += 1
        self.file_errors[document.file] += sum(
            f.severity is Severity.ERROR for f in document.findings
        )
        for finding in document.findings:
            self.codes[finding.code] += 1
            self.severities[finding.code] = finding.severity  # --severity acts per code
        if dropped:
            self.suppressed.update(dropped)
        if document.kind == DEPLOYMENT:
            self.deployments += 1
            self.convertible += document.status in MOVABLE
        top = worst(document.findings)
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


@dataclass(frozen=True)
class Report:
    """A whole report in memory: what tests and one-shot callers build with build_report."""

    documents: tuple[ReportDocument, ...]
    summary: Summary


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
