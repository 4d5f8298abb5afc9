"""The audit data model: what every audit formatter reads, built by one pure function.

``build_report`` takes the pipeline's DocumentResults (in input order) and the user's Policy and
returns an AuditReport; it does no I/O, so tests can build reports without running the CLI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from k8s2ief.codes import REGISTRY
from k8s2ief.findings import Finding, Policy, Severity
from k8s2ief.pipeline import CONVERTED, DEPLOYMENT, LOSSY, SKIPPED, DocumentResult, status_of

CLEAN, BLOCKED, UNREADABLE = "clean", "blocked", "unreadable"
# Every status in the order reports list them; summaries always show all of them.
STATUSES = (CLEAN, LOSSY, BLOCKED, SKIPPED, UNREADABLE)
TOP_BLOCKER_FILES = 10

_FROM_PIPELINE = {CONVERTED: CLEAN, LOSSY: LOSSY}  # anything else the pipeline says is blocked


@dataclass(frozen=True)
class AuditDocument:
    """One input document: where it is, what it is, its audit status and surviving findings."""

    file: str
    line: int | None
    kind: str | None
    name: str | None
    status: str
    findings: tuple[Finding, ...]
    suppressed: int  # findings dropped by --ignore or the k8s2ief.io/ignore annotation


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
class AuditSummary:
    documents: int
    files: int
    statuses: dict[str, int]  # every status of STATUSES, in that order
    codes: tuple[CodeStat, ...]  # most frequent first, then by code
    suppressed: int
    suppressed_codes: dict[str, int]  # code -> findings dropped, sorted by code
    blocker_files: tuple[FileCount, ...]  # files with the most error findings (at most 10)
    deployments: int  # documents of kind Deployment (unreadable ones have no kind)
    convertible: int  # ... of which clean or lossy

    @property
    def share(self) -> float | None:
        """Share of Deployments that can run on IEF (clean or lossy); None without Deployments."""
        return self.convertible / self.deployments if self.deployments else None


@dataclass(frozen=True)
class AuditReport:
    documents: tuple[AuditDocument, ...]
    summary: AuditSummary

    @property
    def findings(self) -> int:
        return sum(len(d.findings) for d in self.documents)


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


def audit_document(result: DocumentResult, policy: Policy) -> tuple[AuditDocument, Counter[str]]:
    """One document under the policy, and the codes the policy dropped from it."""
    kept, dropped = policy.apply(result.findings, extra_ignore=result.ignore)
    gone = Counter(f.code for f in result.findings) - Counter(f.code for f in kept)
    document = AuditDocument(result.file, result.line, result.kind, result.name,
                             audit_status(result, kept), tuple(kept), dropped)
    return document, gone


def build_report(results: Iterable[DocumentResult], policy: Policy) -> AuditReport:
    """The whole audit, pure: documents in input order and their summary."""
    documents: list[AuditDocument] = []
    suppressed: Counter[str] = Counter()
    for result in results:
        document, gone = audit_document(result, policy)
        documents.append(document)
        suppressed.update(gone)
    return AuditReport(tuple(documents), summarize(documents, suppressed))


def summarize(documents: list[AuditDocument], suppressed: Counter[str]) -> AuditSummary:
    statuses = Counter(d.status for d in documents)
    deployments = [d for d in documents if d.kind == DEPLOYMENT]
    return AuditSummary(
        documents=len(documents),
        files=len(dict.fromkeys(d.file for d in documents)),
        statuses={status: statuses[status] for status in STATUSES},
        codes=_code_stats(documents),
        suppressed=sum(suppressed.values()),
        suppressed_codes=dict(sorted(suppressed.items())),
        blocker_files=_blocker_files(documents),
        deployments=len(deployments),
        convertible=sum(d.status in (CLEAN, LOSSY) for d in deployments),
    )


def _code_stats(documents: list[AuditDocument]) -> tuple[CodeStat, ...]:
    counts: Counter[str] = Counter()
    severity: dict[str, Severity] = {}
    for finding in (f for d in documents for f in d.findings):
        counts[finding.code] += 1
        severity[finding.code] = finding.severity  # one per code: --severity acts per code
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(
        CodeStat(code, REGISTRY[code].name, severity[code], count, REGISTRY[code].summary,
                 REGISTRY[code].doc)
        for code, count in ranked
    )


def _blocker_files(documents: list[AuditDocument]) -> tuple[FileCount, ...]:
    errors: Counter[str] = Counter()
    for document in documents:
        errors[document.file] += sum(f.severity is Severity.ERROR for f in document.findings)
    # Counter keeps first-seen order, so ties stay in input order (sorted is stable).
    ranked = sorted((item for item in errors.items() if item[1]), key=lambda item: -item[1])
    return tuple(FileCount(file, count) for file, count in ranked[:TOP_BLOCKER_FILES])
