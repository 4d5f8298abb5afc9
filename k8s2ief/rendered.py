"""One document's output, rendered where it was converted: what convert writes and reports.

A large convert runs in worker processes (k8s2ief.parallel). Each worker renders every
document it converts with ``render_document``: the policy applied (``--ignore``, ``--severity``, the
``k8s2ief.io/ignore`` annotation), the body encoded exactly as ``-o`` writes it, and, for the
text report, each finding as its report line. What crosses back to the parent is strings and a
few small tuples instead of the body's tree of objects and a record per finding, so the parent
only counts and writes (the body's tree cost the worker its pickling, the parent its
unpickling and encoding). Inputs converted in process go through the same
``render_document``, so the output is the same either way by construction.

What a worker cannot know is what KI109 (an IEF name used earlier) and KI320 (a node port bound
earlier) add to a document: that depends on every document before it, so the parent checks the
claims in input order (k8s2ief.workers.NameCheck) and ``with_added`` renders the findings a
claim adds and puts them where the in-order path puts them. Most documents of a stream on one
node gain a KI320, so this is a merge of a few lines, not a second rendering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from k8s2ief.emit import Encoder, body_encoder
from k8s2ief.findings import Finding, Policy, Severity
from k8s2ief.pipeline import DocumentResult, status_for, with_policy
from k8s2ief.records import FrozenRecord, MutableRecord, set_field
from k8s2ief.report import finding_line
from k8s2ief.report.model import ReportDocument, in_line_order
from k8s2ief.report.style import Style

if TYPE_CHECKING:
    from k8s2ief.workers import NameClaim

T = TypeVar("T")


class OutputPlan(FrozenRecord):
    """What is rendered for each document, decided once per run from convert's options."""

    __slots__ = ("policy", "body_format", "to_directory", "text_style")  # noqa: RUF023 (the order of __init__)
    policy: Policy
    body_format: str  # -o: json, jsonl or yaml
    to_directory: bool  # --output-dir: one file per body
    text_style: Style | None  # the text report's style; None: the report needs Finding records

    def __init__(
        self, policy: Policy, body_format: str, to_directory: bool, text_style: Style | None
    ) -> None:
        set_field(self, "policy", policy)
        set_field(self, "body_format", body_format)
        set_field(self, "to_directory", to_directory)
        set_field(self, "text_style", text_style)

    @property
    def encode(self) -> Encoder:
        return body_encoder(self.body_format, self.to_directory)


class Rendered(MutableRecord):
    """One document as the report and the body writer take it.

    ``codes`` and ``severities`` are those of the findings reported (after the policy), in
    report order, for the summary and ``--fail-on``; ``lines`` are their text report lines (each
    with its newline), or ``findings`` the records themselves when the report is not text.
    """

    __slots__ = (  # noqa: RUF023 (the order of __init__)
        "file",
        "line",
        "kind",
        "name",
        "status",
        "suppressed",
        "unreadable",
        "codes",
        "severities",
        "lines",
        "findings",
        "body",
        "body_name",
        "ignore",
        "claim",
        "keys",
        "split",
    )
    file: str
    line: int | None
    kind: str | None
    name: str | None
    status: str
    suppressed: int  # findings the policy dropped
    unreadable: bool
    codes: tuple[str, ...]
    severities: tuple[Severity, ...]
    lines: tuple[str, ...] | None
    findings: tuple[Finding, ...] | None
    body: str | None  # encoded as the writer writes it
    body_name: str  # the name the writer files it under
    ignore: frozenset[str]  # the document's k8s2ief.io/ignore, for what a claim adds
    # Set only where the parent still has to check the IEF name and node ports (workers):
    claim: NameClaim | None
    # Where what the claim adds goes (read once, by with_added): each reported finding's line
    # (0: unknown), and how many of them came before the claim's place among the findings.
    keys: tuple[int, ...]
    split: int

    def __init__(
        self,
        file: str,
        line: int | None,
        kind: str | None,
        name: str | None,
        status: str,
        suppressed: int,
        unreadable: bool,
        codes: tuple[str, ...],
        severities: tuple[Severity, ...],
        lines: tuple[str, ...] | None,
        findings: tuple[Finding, ...] | None,
        body: str | None,
        body_name: str,
        ignore: frozenset[str] = frozenset(),
        claim: NameClaim | None = None,
        keys: tuple[int, ...] = (),
        split: int = 0,
    ) -> None:
        self.file = file
        self.line = line
        self.kind = kind
        self.name = name
        self.status = status
        self.suppressed = suppressed
        self.unreadable = unreadable
        self.codes = codes
        self.severities = severities
        self.lines = lines
        self.findings = findings
        self.body = body
        self.body_name = body_name
        self.ignore = ignore
        self.claim = claim
        self.keys = keys
        self.split = split

    def report_document(self) -> ReportDocument:
        """The document for a report that takes Finding records (``findings`` is set)."""
        return ReportDocument(
            self.file,
            self.line,
            self.kind,
            self.name,
            self.status,
            self.findings or (),
            self.suppressed,
        )


def render_document(
    result: DocumentResult, plan: OutputPlan, claim: NameClaim | None = None
) -> Rendered:
    """The document's output under the plan: what convert writes and reports for it.

    ``claim`` (from k8s2ief.workers.ClaimingConverter) is the IEF name and node ports the
    parent still has to check; the findings they may add go in by ``with_added``.
    """
    kept = with_policy(result, plan.policy)
    shown = in_line_order(kept.findings)
    style = plan.text_style
    body = result.body
    keys: tuple[int, ...] = ()
    split = 0
    if claim is not None:
        # Where check_names would insert what the claim adds: at claim.index of the findings
        # before the policy, which then drops some of those before it. (The findings are in
        # line order already, as Converter sorts them, so ``shown`` keeps their order.)
        before, _ = plan.policy.apply(result.findings[: claim.index], result.ignore)
        split = len(before)
        keys = tuple([f.line or 0 for f in shown])
    return Rendered(
        result.file,
        result.line,
        result.kind,
        result.name,
        kept.status,
        len(result.findings) - len(kept.findings),
        result.unreadable,
        tuple([f.code for f in shown]),
        tuple([f.severity for f in shown]),
        None if style is None else tuple([finding_line(f, style) + "\n" for f in shown]),
        shown if style is None else None,
        None if body is None else plan.encode(body),
        "" if body is None else str(body.get("name") or result.name or ""),
        result.ignore,
        claim,
        keys,
        split,
    )


def with_added(document: Rendered, added: list[Finding], plan: OutputPlan) -> Rendered:
    """The document with the findings its claim added (KI109, KI320), as the in-order path
    reports it: check_names' insertion at the claim's place, then the policy, then the line
    order of the report (a stable sort, so the added findings go after every reported finding
    of a smaller line, and among those of their own line after the ones before the claim)."""
    if not added:
        return document
    kept, dropped = plan.policy.apply(added, document.ignore)
    document.suppressed += dropped
    if kept:
        keys, split = document.keys, document.split
        ordered = sorted(kept, key=_line_key)
        at: list[int] = []  # where each added finding goes, in the order of their lines
        position = 0
        for finding in ordered:
            key = finding.line or 0
            while position < len(keys) and (
                keys[position] < key or (keys[position] == key and position < split)
            ):
                position += 1
            at.append(position)
        style = plan.text_style
        document.codes = _inserted(document.codes, at, [f.code for f in ordered])
        document.severities = _inserted(document.severities, at, [f.severity for f in ordered])
        if document.lines is not None and style is not None:
            new_lines = [finding_line(f, style) + "\n" for f in ordered]
            document.lines = _inserted(document.lines, at, new_lines)
        if document.findings is not None:
            document.findings = _inserted(document.findings, at, ordered)
    # A claim comes only with a body, whose status follows its findings (with_policy).
    document.status = status_for(max(document.severities, default=None))
    return document


def _line_key(finding: Finding) -> int:
    return finding.line or 0


def _inserted(items: tuple[T, ...], at: list[int], new: list[T]) -> tuple[T, ...]:
    """``items`` with ``new[i]`` placed before ``items[at[i]]`` (``at`` ascending)."""
    out: tuple[T, ...] = ()
    start = 0
    for position, item in zip(at, new, strict=True):
        out += (*items[start:position], item)
        start = position
    return out + items[start:]
