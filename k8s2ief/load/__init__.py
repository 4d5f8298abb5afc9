"""Loading: paths -> sources -> documents, each keeping what is needed to locate its fields.

This package knows nothing of Deployments or IEF; k8s2ief.pipeline decides what a document is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from yaml import MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from k8s2ief.load import render
from k8s2ief.load.locate import KeyIndex, locate, path_of
from k8s2ief.load.locate import _key_index as key_index
from k8s2ief.load.sources import Source, iter_sources
from k8s2ief.load.split import Chunk, reencode_if_utf16, split_documents
from k8s2ief.load.tree import Constructor, Limits, LoadError, Note, compose_nodes
from k8s2ief.paths import Path
from k8s2ief.records import MutableRecord

__all__ = [
    "Document",
    "Limits",
    "LoadError",
    "Source",
    "iter_documents",
    "iter_sources",
    "read_source",
]

LIST_KINDS_SUFFIX = "List"


class Document(MutableRecord):
    """One Kubernetes object from the input (a List's items are documents of their own)."""

    __slots__ = (  # noqa: RUF023 (the order of __init__)
        "source",
        "line",
        "data",
        "error",
        "root",
        "prefix",
        "notes",
        "_offset",
        "_key_indexes",
        "_lines",
    )
    _hidden = ("root", "notes", "_offset", "_key_indexes", "_lines")
    source: str
    line: int
    data: object
    error: LoadError | None
    root: Node | None
    prefix: Path  # ("items", 3) for the fourth member of a List
    notes: list[Note]
    # Lines of the file before this document's chunk: node marks count from the chunk's start.
    _offset: int
    _key_indexes: dict[int, KeyIndex]
    # Path -> line of what was located already: a finding's field is often located twice (a
    # node port's claim and its KI320, or two findings about one field).
    _lines: dict[Path, int]

    def __init__(
        self,
        source: str,
        line: int,
        data: object = None,
        error: LoadError | None = None,
        root: Node | None = None,
        prefix: Path = (),
        notes: list[Note] | None = None,
        _offset: int = 0,
        _key_indexes: dict[int, KeyIndex] | None = None,
        _lines: dict[Path, int] | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.data = data
        self.error = error
        self.root = root
        self.prefix = prefix
        self.notes = [] if notes is None else notes
        self._offset = _offset
        self._key_indexes = {} if _key_indexes is None else _key_indexes
        self._lines = {} if _lines is None else _lines

    @property
    def kind(self) -> str | None:
        value = self.data.get("kind") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def api_version(self) -> str | None:
        value = self.data.get("apiVersion") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        meta = self.data.get("metadata") if isinstance(self.data, dict) else None
        value = meta.get("name") if isinstance(meta, dict) else None
        return value if isinstance(value, str) else None

    def locate(self, path: Path) -> int | None:
        """1-based line of the field at ``path`` (or of its nearest existing parent)."""
        if self.root is None:
            return self.line if self.data is not None else None
        line = self._lines.get(path)
        if line is None:
            full = self.prefix + path if self.prefix else path
            node = locate(self.root, full, self._key_indexes)
            line = self._lines[path] = node.start_mark.line + 1 + self._offset
        return line

    def note_path(self, note: Note) -> Path:
        if self.root is None:
            return ()
        full = path_of(self.root, note.node)
        return full[len(self.prefix) :] if full[: len(self.prefix)] == self.prefix else full

    def note_line(self, note: Note) -> int:
        return note.node.start_mark.line + 1 + self._offset


def iter_documents(paths: Iterable[str], limits: Limits | None = None) -> Iterator[Document]:
    """Every document of every path, in order; unreadable input becomes documents with errors."""
    limits = limits or Limits()
    for source in iter_sources(paths):
        yield from read_source(source, limits)


def read_source(source: Source, limits: Limits) -> Iterator[Document]:
    try:
        stream = source.open()
    except OSError as exc:
        yield Document(source.name, 0, error=LoadError(f"cannot read: {exc.strerror or exc}"))
        return
    with stream:
        try:
            for chunk in split_documents(reencode_if_utf16(stream), limits.max_document_bytes):
                yield from read_chunk(source.name, chunk, limits)
        except OSError as exc:  # a read error mid-file (e.g. a directory named *.yaml)
            yield Document(source.name, 0, error=LoadError(f"cannot read: {exc.strerror or exc}"))


def read_chunk(name: str, chunk: Chunk, limits: Limits) -> Iterator[Document]:
    """The documents of one chunk (usually one; ``...`` markers can make more)."""
    offset = chunk.first_line - 1
    if chunk.oversize:
        yield Document(
            name,
            chunk.first_line,
            error=LoadError(
                f"document larger than {limits.max_document_bytes:,} bytes (--max-document-bytes)",
                chunk.first_line,
                code="KI011",
            ),
        )
        return
    template = helm_template_error(chunk, parsed=True)
    if template is not None:
        yield Document(name, chunk.first_line, error=template)
        return
    try:
        nodes = compose_nodes(chunk.text, limits)
    except LoadError as exc:
        exc.line = exc.line + offset if exc.line else chunk.first_line
        yield Document(name, chunk.first_line, error=exc)
        return
    except YAMLError as exc:
        error = helm_template_error(chunk, parsed=False) or _syntax_error(exc, chunk, offset)
        yield Document(name, chunk.first_line, error=error)
        return
    aliases = b"*" in chunk.text  # no '*', no alias: construction takes its simpler path
    for node in nodes:
        yield from _construct(name, node, offset, limits, aliases)


def _construct(
    name: str, node: Node, offset: int, limits: Limits, aliases: bool = True
) -> Iterator[Document]:
    line = node.start_mark.line + 1 + offset
    constructor = Constructor(limits, offset, aliases=aliases)
    try:
        data = constructor.build(node)
    except LoadError as exc:
        exc.line = (exc.line + offset) if exc.line else line
        if exc.node is not None and outside_secrets(node, exc.node):
            exc.reveal()  # proven not to be a Secret's value: the message may quote it
        yield Document(name, line, error=exc)
        return
    except RecursionError:
        yield Document(name, line, error=LoadError("nesting too deep", line, code="KI011"))
        return
    doc = Document(
        name,
        line,
        data,
        root=node,
        notes=constructor.notes,
        _offset=offset,
        _key_indexes=constructor.key_indexes,
    )
    items = data.get("items") if isinstance(data, dict) else None
    kind = doc.kind
    if kind and kind.endswith(LIST_KINDS_SUFFIX) and isinstance(items, list):
        yield from _list_members(doc, items)
    else:
        yield doc


def _list_members(doc: Document, items: list[object]) -> Iterator[Document]:
    """``kind: List`` (``kubectl get -o yaml``) is unwrapped: each item is a document."""
    for index, item in enumerate(items):
        prefix = ("items", index)
        member = Document(doc.source, 0, item, root=doc.root, prefix=prefix, _offset=doc._offset)
        member.line = member.locate(()) or doc.line
        member.notes = [n for n in doc.notes if path_of(doc.root, n.node)[:2] == prefix]
        yield member


def helm_template_error(chunk: Chunk, *, parsed: bool) -> LoadError | None:
    """A Helm template met as a manifest, as one error naming the command that renders it."""
    line = render.helm_template_line(chunk.text, parsed=parsed)
    if line is None:
        return None
    return LoadError(render.helm_template_message(), chunk.first_line + line)


def outside_secrets(root: Node, target: Node) -> bool:
    """Whether ``target`` lies in ``root`` and no mapping on the way to it has ``kind: Secret``
    (a List's items are looked at too). A root whose kind cannot be read proves nothing."""
    path = path_of(root, target)
    if not path and root is not target:
        return False  # not found: it cannot be proven outside
    node: Node | None = root
    for depth, step in enumerate((*path, None)):
        if isinstance(node, MappingNode):
            kind = key_index(node).get("kind")
            kind_text = kind[1].value if kind and isinstance(kind[1], ScalarNode) else None
            if kind_text == "Secret" or (depth == 0 and kind_text is None):
                return False
        if step is None or node is None:
            break
        node = _child(node, step)
    return True


def _child(node: Node, step: str | int) -> Node | None:
    if isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
        child: Node = node.value[step]
        return child
    if isinstance(node, MappingNode) and isinstance(step, str):
        pair = key_index(node).get(step)
        return pair[1] if pair else None
    return None


def _syntax_error(exc: YAMLError, chunk: Chunk, offset: int) -> LoadError:
    """One line, with the file line, from whatever PyYAML raised."""
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else chunk.first_line
        problem = exc.problem or exc.context or "invalid YAML"
        return LoadError(f"invalid YAML: {problem}", line)
    position = getattr(exc, "position", None)  # ReaderError: a byte offset into the chunk
    if isinstance(position, int):
        line = chunk.text.count(b"\n", 0, position) + chunk.first_line
        reason = getattr(exc, "reason", "unreadable characters")
        return LoadError(f"invalid input: {reason} (not UTF-8 text?)", line)
    return LoadError(f"invalid YAML: {exc}", chunk.first_line)
