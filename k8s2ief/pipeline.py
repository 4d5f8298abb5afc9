"""The pipeline: documents -> (classify -> convert -> validate -> locate) -> results.

Every command (convert, audit, apply) runs documents through ``Converter``; they differ only in
what they do with the results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from k8s2ief.codes import severity_of
from k8s2ief.findings import Finding, Policy, Severity, code_patterns, worst
from k8s2ief.load import Document, Limits, Source, iter_sources, read_chunk
from k8s2ief.load.split import Chunk, reencode_if_utf16, split_documents
from k8s2ief.names import FirstUse
from k8s2ief.paths import Path, render
from k8s2ief.records import MutableRecord
from k8s2ief.references import uses_env_from
from k8s2ief.rules import convert_manifest
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.host_ports import Bound, clash_message
from k8s2ief.rules.ledger import Ledger, RawFinding
from k8s2ief.rules.metadata import ANNOTATION_IGNORE
from k8s2ief.settings import DEPLOYMENT_API_VERSIONS, Settings

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget

DEPLOYMENT = "Deployment"
SIBLING_KINDS = ("ConfigMap", "Secret")

CONVERTED, LOSSY, FAILED, SKIPPED = "converted", "lossy", "failed", "skipped"


class DocumentResult(MutableRecord):
    """What became of one input document."""

    __slots__ = (  # noqa: RUF023 (the order of __init__)
        "file",
        "line",
        "kind",
        "name",
        "status",
        "body",
        "findings",
        "unreadable",
        "ignore",
    )
    file: str
    line: int | None
    kind: str | None
    name: str | None
    status: str
    body: dict[str, object] | None
    findings: list[Finding]
    unreadable: bool
    ignore: frozenset[str]  # codes and prefixes its k8s2ief.io/ignore suppresses

    def __init__(
        self,
        file: str,
        line: int | None,
        kind: str | None,
        name: str | None,
        status: str,
        body: dict[str, object] | None = None,
        findings: list[Finding] | None = None,
        unreadable: bool = False,
        ignore: frozenset[str] = frozenset(),
    ) -> None:
        self.file = file
        self.line = line
        self.kind = kind
        self.name = name
        self.status = status
        self.body = body
        self.findings = [] if findings is None else findings
        self.unreadable = unreadable
        self.ignore = ignore

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Every result comes back from a worker, with a dozen findings: they travel as plain
        # tuples, rebuilt by one call per result (a reduction per finding cost the workers
        # twice as much to pickle, and the parent more to unpickle).
        return (
            _rebuilt_result,
            (
                self.file,
                self.line,
                self.kind,
                self.name,
                self.status,
                self.body,
                [
                    (f.code, f.severity, f.path, f.message, f.file, f.line, f.paths)
                    for f in self.findings
                ],
                self.unreadable,
                self.ignore,
            ),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "kind": self.kind,
            "name": self.name,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
        }


def _rebuilt_result(
    file: str,
    line: int | None,
    kind: str | None,
    name: str | None,
    status: str,
    body: dict[str, object] | None,
    findings: list[tuple[Any, ...]],
    unreadable: bool,
    ignore: frozenset[str],
) -> DocumentResult:
    """A DocumentResult from its pickled form (``DocumentResult.__reduce__``)."""
    found = [Finding(*fields) for fields in findings]
    return DocumentResult(file, line, kind, name, status, body, found, unreadable, ignore)


def _line_key(finding: Finding) -> int:
    return finding.line or 0


def status_of(findings: list[Finding]) -> str:
    return status_for(worst(findings))


def status_for(top: Severity | None) -> str:
    """The status of a converted document whose worst finding is ``top`` (None: no finding)."""
    if top is Severity.ERROR:
        return FAILED
    return LOSSY if top is Severity.WARNING else CONVERTED


class Converter:
    """Converts a stream of documents; remembers what a stream-wide rule needs (names, siblings)."""

    def __init__(self, settings: Settings, *, validate: bool = True) -> None:
        self.settings = settings
        self.validate = validate
        self.siblings: dict[tuple[str, str], tuple[str, ...]] = dict(settings.siblings)
        # Rules read sibling keys through the settings; this map also grows as the stream goes.
        self._settings = settings.replace(siblings=self.siblings)
        self._names = FirstUse()  # IEF name -> where it was first used
        self._node_ports = FirstUse()  # "node/port" -> the deployment that binds it first

    def convert_all(self, documents: Iterable[Document]) -> Iterator[DocumentResult]:
        for document in documents:
            yield self.convert(document)

    @handles("apiVersion", "kind")
    def convert(self, doc: Document) -> DocumentResult:
        if doc.error is not None:
            finding = Finding(
                doc.error.code,
                severity_of(doc.error.code),
                "",
                doc.error.message,
                doc.source,
                doc.error.line,
            )
            return DocumentResult(
                doc.source, doc.error.line, None, None, FAILED, findings=[finding], unreadable=True
            )
        kind = doc.kind
        if not isinstance(doc.data, dict) or kind is None:
            return self._not_an_object(doc)
        if kind in SIBLING_KINDS:
            self._remember_sibling(doc)
        if kind != DEPLOYMENT:
            found = [
                self._locate(
                    doc,
                    RawFinding(
                        "KI003",
                        ("kind",),
                        f"{kind} skipped: only Deployments become IEF deployments",
                    ),
                )
            ]
            return DocumentResult(doc.source, doc.line, kind, doc.name, SKIPPED, findings=found)
        if doc.api_version not in DEPLOYMENT_API_VERSIONS:
            raw = [
                RawFinding(
                    "KI004",
                    ("apiVersion",),
                    f"apiVersion {doc.api_version!r} is not "
                    f"one of {', '.join(DEPLOYMENT_API_VERSIONS)}",
                )
            ]
            return self._result(doc, None, raw)
        ledger = Ledger()
        body, raw = convert_manifest(doc.data, self._settings, ledger)
        raw.extend(RawFinding(n.code, doc.note_path(n), n.message) for n in doc.notes)
        self._check_unique_name(doc, body, raw)
        self._check_node_ports(doc, body, ledger, raw)
        if self.validate:
            raw.extend(_violations(body, self.settings.edition, raw, ledger))
        return self._result(doc, body, raw)

    def _result(
        self, doc: Document, body: dict[str, object] | None, raw: list[RawFinding]
    ) -> DocumentResult:
        # In line order (stable): every command and the library report them so.
        findings = [self._locate(doc, item) for item in raw]
        findings.sort(key=_line_key)
        return DocumentResult(
            doc.source,
            doc.line,
            doc.kind,
            doc.name,
            status_of(findings) if body is not None else FAILED,
            body,
            findings,
            ignore=_ignored_codes(doc),
        )

    def _not_an_object(self, doc: Document) -> DocumentResult:
        what = "a mapping without kind" if isinstance(doc.data, dict) else "not a mapping"
        finding = self._locate(doc, RawFinding("KI013", (), f"the document is {what}"))
        return DocumentResult(doc.source, doc.line, None, None, FAILED, findings=[finding])

    def _locate(self, doc: Document, raw: RawFinding) -> Finding:
        return Finding(
            raw.code,
            severity_of(raw.code),
            render(raw.path),
            raw.message,
            doc.source,
            doc.locate(raw.path),
            raw.paths,
        )

    def _remember_sibling(self, doc: Document) -> None:
        if doc.name:
            self.siblings[(doc.kind or "", doc.name)] = sibling_keys(doc)

    def _check_unique_name(
        self, doc: Document, body: dict[str, object], raw: list[RawFinding]
    ) -> None:
        name = body.get("name")
        if not isinstance(name, str):
            return
        first = self._names.claim(name, doc.source, doc.line)
        if first is not None:
            raw.append(
                RawFinding(
                    "KI109",
                    ("metadata", "name"),
                    duplicate_name_message(name, first),
                )
            )

    def _check_node_ports(
        self, doc: Document, body: dict[str, object], ledger: Ledger, raw: list[RawFinding]
    ) -> None:
        """KI320 when an earlier deployment of the run binds the same port on the same node."""
        for node, bound in node_port_claims(body, ledger):
            first = self._node_ports.claim(
                f"{node}/{bound.port}", doc.source, doc.locate(bound.path)
            )
            if first is not None:
                raw.append(RawFinding("KI320", bound.path, clash_message(bound.port, first)))


def node_port_claims(body: dict[str, object], ledger: Ledger) -> list[tuple[str, Bound]]:
    """(node, bound port) for each node port the body binds on its single target node."""
    nodes = body.get("node_ids")
    if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], str):
        return []
    unique = {bound.port: bound for bound in reversed(ledger.node_ports)}
    return [(nodes[0], unique[port]) for port in sorted(unique)]


def duplicate_name_message(name: str, first: str) -> str:
    return f"IEF name {name} is already used by the Deployment at {first}"


def _violations(
    body: dict[str, object], edition: str, raw: list[RawFinding], ledger: Ledger
) -> list[RawFinding]:
    """KI901 for every body violation no converter finding about the same field explains,
    pointing at the manifest field the violating part of the body came from."""
    from k8s2ief.ief.validate import validate_body
    from k8s2ief.rules.origins import manifest_path

    found = []
    for violation in validate_body(body, edition=edition):
        from k8s2ief.ief.explained import explained_by  # only bodies with a violation need it

        where = manifest_path(ledger.body_paths, violation.parts)
        codes = explained_by(violation)
        if not any(r.code in codes and _related(r.path, where) for r in raw):
            message = f"{violation.path}: {violation.message} [{violation.rule}]"
            found.append(RawFinding("KI901", where, message))
    return found


def _related(finding: Path, field: Path) -> bool:
    """Whether a finding is about the field, a part of it or a whole containing it."""
    shorter = min(len(finding), len(field))
    return finding[:shorter] == field[:shorter]


@handles(f'metadata.annotations["{ANNOTATION_IGNORE}"]')
def _ignored_codes(doc: Document) -> frozenset[str]:
    data = doc.data if isinstance(doc.data, dict) else {}
    meta = data.get("metadata")
    notes = meta.get("annotations") if isinstance(meta, dict) else None
    text = notes.get(ANNOTATION_IGNORE) if isinstance(notes, dict) else None
    return code_patterns(text, strict=False) if isinstance(text, str) else frozenset()


def with_policy(result: DocumentResult, policy: Policy) -> DocumentResult:
    """The result as the user's policy has it: every command reports and decides on this.

    Ignored codes are gone and severities changed; the status follows the findings left, except
    that a document without a body stays failed (ignoring a finding does not make a body).
    """
    kept, dropped = policy.apply(result.findings, result.ignore)
    if not dropped and kept == result.findings:
        return result
    keeps_status = result.body is None or result.status == SKIPPED
    return result.replace(findings=kept, status=result.status if keeps_status else status_of(kept))


def sibling_keys(doc: Document) -> tuple[str, ...]:
    """The key names of a ConfigMap or Secret document (never its values)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    keys: list[str] = []
    for section in ("data", "stringData", "binaryData"):
        values = data.get(section)
        if isinstance(values, dict):
            keys.extend(k for k in values if isinstance(k, str))
    return tuple(dict.fromkeys(keys))


Siblings = dict[tuple[str, str], tuple[str, ...]]


def siblings_of(documents: Iterable[Document]) -> Siblings:
    """``(kind, name) -> key names`` of the ConfigMaps and Secrets among documents."""
    return {
        (doc.kind, doc.name): sibling_keys(doc)
        for doc in documents
        if doc.kind in SIBLING_KINDS and doc.name and isinstance(doc.data, dict)
    }


class SiblingKeys(dict[tuple[str, str], tuple[str, ...]]):
    """collect_siblings' answer: (kind, name) -> key names; ``redefined`` when some ConfigMap or
    Secret is defined twice with different keys (then what a Deployment sees depends on where it
    stands in the stream, and only an in-order conversion gets it right)."""

    redefined: bool = False


# A document can only be a ConfigMap or Secret (or a List holding one) if its text names the kind
# as a word of its own (not inside imagePullSecrets or configMapKeyRef), spells it with escapes (a
# backslash) or hides it in a !!binary scalar; every other chunk is skipped without parsing, which
# makes this pre-scan cheap on streams of Deployments. The test is the expression
#   (?<![A-Za-z0-9_])(?:ConfigMap|Secret)(?![A-Za-z0-9_])|\\|binary
# (tests/test_siblings_scan.py holds them equal), written with bytes.find: the expression has no
# literal prefix, so re stepped through every byte (0.12 s of the pre-scan's 0.37 s of CPU on a
# stream of 10,000 Deployments, which runs before any worker starts).
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _may_be_sibling(text: bytes) -> bool:
    if b"\\" in text or b"binary" in text:
        return True
    return _has_word(text, b"ConfigMap") or _has_word(text, b"Secret")


def _has_word(text: bytes, word: bytes) -> bool:
    """Whether ``word`` occurs in ``text`` with no letter, digit or underscore on either side."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or text[start - 1] not in _WORD_BYTES) and (
            end == len(text) or text[end] not in _WORD_BYTES
        ):
            return True
        start = text.find(word, start + 1)
    return False


def cluster_deployments(target: ClusterTarget) -> tuple[list[Document], Siblings]:
    """The Deployments a cluster target selects, and the key names of the ConfigMaps and Secrets
    their envFrom needs (read, like every envFrom source, only when some Deployment uses it).

    Raises k8s2ief.load.cluster.ClusterError (one line) when the cluster cannot be read.
    """
    from k8s2ief.load.cluster import read_cluster

    documents = read_cluster(target)
    siblings: Siblings = {}
    if any(uses_env_from(doc.data) for doc in documents):
        documents = read_cluster(target, with_references=True)
        siblings = siblings_of(documents)
    return [doc for doc in documents if doc.kind == DEPLOYMENT], siblings


def collect_siblings(sources: Iterable[Source], limits: Limits) -> SiblingKeys:
    """Key names of every ConfigMap and Secret in the input, for envFrom expansion.

    Only needed when some document uses envFrom and the ConfigMap may come after it; the CLI
    calls this first when the input mentions envFrom at all. Values are never kept. A stream
    (stdin, a pipe) is scanned only as far as its spooled head (k8s2ief.load.sources): when
    it goes on past that, ``redefined`` asks for an in-order conversion, which learns the
    siblings of the rest as they come, exactly as one Converter does.
    """
    return merge_siblings(source_siblings(source, limits) for source in sources)


SiblingScan = tuple[list[tuple[tuple[str, str], tuple[str, ...]]], bool]


def source_siblings(source: Source, limits: Limits) -> SiblingScan:
    """One source's part of collect_siblings (audit --jobs scans files in workers): its
    ConfigMaps and Secrets as ``((kind, name), key names)`` in input order, and whether the
    source was scanned whole."""
    found: list[tuple[tuple[str, str], tuple[str, ...]]] = []
    if _contains(source, b"ConfigMap", b"Secret"):
        for chunk in _chunks(source, limits):
            if not _may_be_sibling(chunk.text):
                continue
            for doc in read_chunk(source.name, chunk, limits):
                if doc.kind in SIBLING_KINDS and doc.name and isinstance(doc.data, dict):
                    found.append(((doc.kind, doc.name), sibling_keys(doc)))
    return found, source.scanned_whole()


def merge_siblings(scans: Iterable[SiblingScan]) -> SiblingKeys:
    """The sources' scans, in input order, as collect_siblings' answer (a later definition wins)."""
    found = SiblingKeys()
    for pairs, whole in scans:
        for key, keys in pairs:
            if found.get(key, keys) != keys:
                found.redefined = True
            found[key] = keys
        if not whole:
            found.redefined = True
    return found


def _chunks(source: Source, limits: Limits) -> Iterator[Chunk]:
    """The source's documents as unparsed chunks; unreadable sources give none (the conversion
    itself reports them)."""
    try:
        with source.open_for_scan() as stream:
            yield from split_documents(reencode_if_utf16(stream), limits.max_document_bytes)
    except OSError:
        return


def input_mentions(sources: Iterable[Source], word: bytes) -> bool:
    """Whether any source holds ``word`` (or may: a stream longer than its spooled head)."""
    return any(_contains(source, word) or not source.scanned_whole() for source in sources)


def _contains(source: Source, *words: bytes) -> bool:
    """Whether a source holds any of ``words``; read in blocks, so memory stays bounded."""
    overlap = max(len(word) for word in words) - 1  # a word may straddle two blocks
    tail = b""
    try:
        with source.open_for_scan() as stream:
            while block := stream.read(1 << 20):
                window = tail + block
                if any(word in window for word in words):
                    return True
                tail = window[-overlap:] if overlap else b""
    except OSError:
        return False
    return False


__all__ = [
    "Converter",
    "DocumentResult",
    "SiblingKeys",
    "collect_siblings",
    "input_mentions",
    "iter_sources",
    "merge_siblings",
    "sibling_keys",
    "siblings_of",
    "source_siblings",
    "status_for",
    "status_of",
    "with_policy",
]
