"""One YAML document -> Python objects, with its node tree kept for locating fields.

Parsing and composing run in libyaml (C) when it is present. Construction is ours: it types
scalars Kubernetes' way (k8s2ief.load.scalars), follows go-yaml v2 on merge keys and duplicate
keys, refuses what Kubernetes refuses (null keys, infinities), and bounds what hostile input can
cost (alias expansion, nesting depth). Line numbers are not copied into the objects: a finding
asks k8s2ief.load.locate for its line, which walks the kept node tree only then.
"""

from __future__ import annotations

import base64
import binascii
import sys

import yaml
import yaml.cyaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from k8s2ief.load.errors import LoadError
from k8s2ief.load.errors import short as _short
from k8s2ief.load.scalars import _EXACT, _NUMBER_START, NotJsonValue, key_text, resolve_plain
from k8s2ief.records import FrozenRecord, set_field

_TAG = "tag:yaml.org,2002:"
STR, SEQ, MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
# Marker for "plain scalar, type it later": resolving here would type every scalar twice.
PLAIN = "!k8s2ief/plain"
KNOWN_TAGS = frozenset(
    _TAG + t for t in ("str", "seq", "map", "int", "float", "bool", "null", "binary", "timestamp")
)


# The deepest --max-depth the whole pipeline honours: past it, messages that quote a value and
# the JSON writer meet Python's recursion limit. libyaml's own limit (1,000 levels in PyYAML
# 6.0.4's wheels) is not the bound: documents libyaml refuses are parsed by PyYAML's own parser.
MAX_DEPTH_CEILING = 800


class Limits(FrozenRecord):
    """Bounds on what one document may cost; README states the defaults."""

    __slots__ = ("max_depth", "max_nodes", "max_document_bytes")  # noqa: RUF023 (the order of __init__)
    max_depth: int
    max_nodes: int  # values after alias expansion
    max_document_bytes: int

    def __init__(
        self,
        max_depth: int = 256,
        max_nodes: int = 1_000_000,
        max_document_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        if not 1 <= max_depth <= MAX_DEPTH_CEILING:
            raise ValueError(f"max_depth must be between 1 and {MAX_DEPTH_CEILING}")
        set_field(self, "max_depth", max_depth)
        set_field(self, "max_nodes", max_nodes)
        set_field(self, "max_document_bytes", max_document_bytes)


class Note(FrozenRecord):
    """Something the loader noticed in a readable document (a duplicate key, an ignored tag)."""

    __slots__ = ("code", "node", "message")  # noqa: RUF023 (the order of __init__)
    code: str
    node: Node
    message: str

    def __init__(self, code: str, node: Node, message: str) -> None:
        set_field(self, "code", code)
        set_field(self, "node", node)
        set_field(self, "message", message)


class _KubernetesResolver(yaml.resolver.BaseResolver):
    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return PLAIN if implicit[0] else STR
        return SEQ if kind is SequenceNode else MAP


if getattr(yaml, "__with_libyaml__", False):

    class NodeLoader(yaml.cyaml.CParser, _KubernetesResolver):  # type: ignore[misc]
        def __init__(self, stream: bytes | str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            _KubernetesResolver.__init__(self)

        # libyaml's composer calls these two around every node, to follow path resolvers,
        # which a Kubernetes resolver has none of (``resolve`` reads no path): two Python calls
        # a node, 2.8 % of a conversion's instructions. Builtins taking those arguments do
        # nothing the same way at C speed.
        descend_resolver = slice  # (parent, index)
        ascend_resolver = tuple  # ()


class PythonNodeLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _KubernetesResolver,
):
    """PyYAML's own parser: no nesting limit of its own (see ``compose_nodes``)."""

    def __init__(self, stream: bytes | str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _KubernetesResolver.__init__(self)


if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - libyaml is expected
    NodeLoader = PythonNodeLoader  # type: ignore[misc]


def compose_nodes(text: bytes, limits: Limits) -> list[Node]:
    """Every document node in ``text`` (usually one)."""
    try:
        if _may_nest_deeper(text):
            return _compose_iteratively(text, limits, NodeLoader)
        loader = NodeLoader(text)
        nodes = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
        return nodes
    except yaml.scanner.ScannerError as exc:
        if exc.problem != _LIBYAML_DEPTH_PROBLEM:
            raise
    # libyaml has a nesting limit of its own in some builds (PyYAML 6.0.4's wheels: 1,000
    # levels), and its scanner reads a flow collection's brackets before the parser hands out
    # the first event, so it refuses before --max-depth is checked. The pure-Python parser has
    # no such limit: it gives --max-depth its meaning (KI011 at the line where the limit is
    # passed), at its own speed, for the rare document that nests this deep.
    return _compose_iteratively(text, limits, PythonNodeLoader)


_LIBYAML_DEPTH_PROBLEM = "exceeded maximum nesting depth"


# Each level of nesting needs one of these characters: a flow collection its bracket, a block
# sequence its dash, a block mapping its colon (or '?'). Their count bounds the depth, so below
# this many libyaml's recursive composer is safe (it handles 10,000 levels; the bound is far less).
_SAFE_FOR_C_COMPOSER = 8000


def _may_nest_deeper(text: bytes) -> bool:
    if len(text) <= _SAFE_FOR_C_COMPOSER:  # each of those characters is a byte of the text
        return False
    bound = 0
    for char in (b"[", b"{", b"-", b":", b"?"):
        bound += text.count(char)
        if bound > _SAFE_FOR_C_COMPOSER:
            return True
    return False


def _compose_iteratively(text: bytes, limits: Limits, loader_class: type) -> list[Node]:
    from yaml import events

    # The parser's events, composed here without recursion (libyaml's composer recurses).
    loader = loader_class(text)
    anchors: dict[str, Node] = {}
    documents: list[Node] = []
    # Each stack entry: [node, pending_key] for mappings, [node] for sequences.
    stack: list[list] = []

    def attach(node: Node) -> None:
        if not stack:
            documents.append(node)
            return
        top = stack[-1]
        parent = top[0]
        if isinstance(parent, SequenceNode):
            parent.value.append(node)
        elif len(top) == 1:
            top.append(node)
        else:
            parent.value.append((top.pop(), node))

    while True:
        event = loader.get_event()
        if isinstance(event, events.StreamEndEvent):
            break
        if isinstance(event, events.AliasEvent):
            if event.anchor not in anchors:
                raise LoadError(
                    f"undefined alias *{_short(event.anchor)}", event.start_mark.line + 1
                )
            attach(anchors[event.anchor])
        elif isinstance(event, events.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            if event.anchor:
                anchors[event.anchor] = node
            attach(node)
        elif isinstance(event, (events.SequenceStartEvent, events.MappingStartEvent)):
            if len(stack) >= limits.max_depth:
                raise LoadError(
                    f"nesting deeper than {limits.max_depth} levels (--max-depth)",
                    event.start_mark.line + 1,
                    code="KI011",
                )
            is_seq = isinstance(event, events.SequenceStartEvent)
            cls = SequenceNode if is_seq else MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(cls, None, event.implicit)
            node = cls(tag, [], event.start_mark, None, event.flow_style)
            if event.anchor:
                anchors[event.anchor] = node
            attach(node)
            stack.append([node])
        elif isinstance(event, (events.SequenceEndEvent, events.MappingEndEvent)):
            stack.pop()[0].end_mark = event.end_mark
        elif isinstance(event, events.DocumentEndEvent):
            anchors.clear()
    return documents


class Constructor:
    """Builds plain dicts/lists/scalars from one document's nodes, Kubernetes' way."""

    def __init__(self, limits: Limits, line_offset: int = 0, *, aliases: bool = True) -> None:
        self.limits = limits
        self.line_offset = line_offset  # chunk line -> file line, for lines quoted in messages
        # False when the text has no '*' at all, so no alias: each node is then met once, and
        # nothing needs remembering for a second meeting (``_memo``, the sizes of subtrees).
        self.aliases = aliases
        self.notes: list[Note] = []
        # id of a mapping node -> key -> (key node, value node): the key index locating needs
        # (k8s2ief.load.locate), kept from construction, which resolves every key anyway, for
        # each mapping whose keys locating resolves the same way (see ``_mapping``).
        self.key_indexes: dict[int, dict[str, tuple[Node, Node]]] = {}
        self._memo: dict[int, tuple[object, int]] = {}
        self._expanded = 0

    def build(self, node: Node) -> object:
        # Construction recurses, two frames a level: Python's default limit (1,000 frames) would
        # cap --max-depth near 480 whatever it says. Pure-Python frames take no C stack, so the
        # limit is raised for this call only, to what --max-depth needs.
        needed = sys.getrecursionlimit() + 2 * self.limits.max_depth + 50
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, needed))
        try:
            return self._value(node, 0)
        finally:
            sys.setrecursionlimit(previous)

    def _value(self, node: Node, depth: int) -> object:
        if type(node) is ScalarNode:
            self._expanded += 1
            return self._scalar(node)
        if depth >= self.limits.max_depth:
            raise LoadError(
                f"nesting deeper than {self.limits.max_depth} levels, or an alias that contains "
                "itself (--max-depth)",
                node.start_mark.line + 1,
                code="KI011",
            )
        if not self.aliases:
            value = self._collection(node, depth)
            self._expanded += 1
            if self._expanded > self.limits.max_nodes:
                self._check_expansion(node)
            return value
        hit = self._memo.get(id(node))
        if hit is not None:  # an alias: count its full expansion against the limit
            value, size = hit
            self._expanded += size
            self._check_expansion(node)
            return value
        start = self._expanded
        value = self._collection(node, depth)
        size = self._expanded - start + 1
        self._expanded += 1
        self._memo[id(node)] = (value, size)
        if self._expanded > self.limits.max_nodes:
            self._check_expansion(node)
        return value

    def _collection(self, node: Node, depth: int) -> object:
        if node.tag not in (SEQ, MAP):
            self._note_tag(node)
        if type(node) is SequenceNode:
            return self._sequence(node, depth)
        return self._mapping(node, depth)

    # Most nodes are plain scalars that are strings, booleans or null: _sequence and _mapping
    # type those inline (the first two steps of resolve_plain) instead of through two calls a
    # node; everything else goes through _value and _scalar.

    def _sequence(self, node: SequenceNode, depth: int) -> list[object]:
        items: list[object] = []
        for child in node.value:
            if type(child) is ScalarNode and child.tag == PLAIN:
                text = child.value
                exact = _EXACT.get(text, _EXACT)
                if exact is not _EXACT:
                    self._expanded += 1
                    items.append(exact)
                    continue
                if text[0] not in _NUMBER_START:
                    self._expanded += 1
                    items.append(text)
                    continue
            items.append(self._value(child, depth + 1))
        return items

    def _check_expansion(self, node: Node) -> None:
        if self._expanded > self.limits.max_nodes:
            raise LoadError(
                f"aliases expand to more than {self.limits.max_nodes:,} values (--max-nodes); "
                "this looks like an alias bomb",
                node.start_mark.line + 1,
                code="KI011",
            )

    def _mapping(self, node: MappingNode, depth: int) -> dict[str, object]:
        result: dict[str, object] = {}
        seen: dict[str, tuple[Node, Node]] = {}  # key -> its last (key node, value node)
        # Whether ``seen`` is the mapping's key index as locating builds it: not with a merge
        # key (merged keys fill in), nor with a key of another tag than plain or !!str (there
        # locating takes the key as written, construction converts it).
        as_located = True
        for key_node, value_node in node.value:
            key: str | None = None
            if type(key_node) is ScalarNode:
                if key_node.tag == PLAIN:
                    text = key_node.value
                    if text == "<<":
                        as_located = False
                        self._merge(result, value_node, depth)
                        continue
                    # A word is its own key (resolve_plain's first two steps); anything else
                    # (numbers, booleans, null) goes through _key below, as does a refusal.
                    if text and text[0] not in _NUMBER_START and text not in _EXACT:
                        key = text
                elif key_node.tag == STR:
                    key = key_node.value
            if key is None:
                key = self._key(key_node)
                if key_node.tag != PLAIN:
                    as_located = False
            if key in seen:
                first = seen[key][0].start_mark.line + 1 + self.line_offset
                second = key_node.start_mark.line + 1 + self.line_offset
                self.notes.append(
                    Note(
                        "KI005",
                        key_node,
                        f"key {_short(key)!r} appears twice (lines {first} and "
                        f"{second}); Kubernetes rejects duplicate keys, "
                        "and this tool keeps the last one as kubectl's decoder does",
                    )
                )
            seen[key] = (key_node, value_node)
            if type(value_node) is ScalarNode:
                tag = value_node.tag
                if tag == PLAIN:
                    text = value_node.value
                    exact = _EXACT.get(text, _EXACT)
                    if exact is not _EXACT:
                        self._expanded += 1
                        result[key] = exact
                        continue
                    if text[0] not in _NUMBER_START:
                        self._expanded += 1
                        result[key] = text
                        continue
                elif tag == STR:
                    self._expanded += 1
                    result[key] = value_node.value
                    continue
            result[key] = self._value(value_node, depth + 1)
        if as_located:
            self.key_indexes[id(node)] = seen
        return result

    def _merge(self, result: dict[str, object], value_node: Node, depth: int) -> None:
        # go-yaml v2 merges in place, in order; a list of maps is merged last-to-first so that
        # earlier maps win, as the YAML merge-key spec asks.
        sources = value_node.value[::-1] if type(value_node) is SequenceNode else [value_node]
        for source in sources:
            merged = self._value(source, depth + 1)
            if not isinstance(merged, dict):
                raise LoadError(
                    "a merge key '<<' must refer to a mapping", source.start_mark.line + 1
                )
            result.update(merged)

    def _key(self, node: Node) -> str:
        if type(node) is not ScalarNode:
            raise LoadError("a mapping key must be a scalar", node.start_mark.line + 1)
        key = key_text(self._scalar(node))
        if key is None:
            raise LoadError(
                "a mapping key is null, which Kubernetes cannot carry", node.start_mark.line + 1
            )
        return key

    def _scalar(self, node: ScalarNode) -> object:
        tag = node.tag
        try:
            if tag == PLAIN:
                return resolve_plain(node.value)
            if tag == STR:
                return node.value
            return self._tagged_scalar(node)
        except NotJsonValue as exc:
            raise LoadError(
                "{value} " + exc.reason, node.start_mark.line + 1, value=exc.text, node=node
            ) from None

    def _tagged_scalar(self, node: ScalarNode) -> object:
        tag, text = node.tag, node.value
        if tag == _TAG + "binary":
            try:
                return base64.b64decode(text, validate=False).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise LoadError("!!binary value is not base64", node.start_mark.line + 1) from None
        if tag == _TAG + "timestamp":
            return text
        if tag in KNOWN_TAGS:
            return self._typed(node, tag[len(_TAG) :], resolve_plain(text))
        self._note_tag(node)
        return resolve_plain(text) if node.style is None else text

    @staticmethod
    def _typed(node: ScalarNode, kind: str, value: object) -> object:
        """An explicitly tagged scalar (``!!int "42"``): go-yaml converts or refuses it."""
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        checks = {
            "int": isinstance(value, int) and number,
            "float": number,
            "bool": isinstance(value, bool),
            "null": value is None,
        }
        if not checks.get(kind, True):
            raise LoadError(
                f"!!{kind} {{value}} is not a valid {kind}",
                node.start_mark.line + 1,
                value=node.value,
                node=node,
            )
        return float(value) if kind == "float" else value  # type: ignore[arg-type]

    def _note_tag(self, node: Node) -> None:
        self.notes.append(
            Note(
                "KI006",
                node,
                f"YAML tag {_short(node.tag, 80)} is ignored: Kubernetes reads the value as if "
                "untagged, and so does this tool (nothing is ever constructed from a tag)",
            )
        )
