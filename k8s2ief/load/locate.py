"""Where a field stands: a path through a document's kept node tree -> its node (and line).

Construction (k8s2ief.load.tree) copies no line numbers into the objects; a finding asks here,
and only then is the tree walked. Keys resolve as construction resolves them.
"""

from __future__ import annotations

import functools

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from k8s2ief.load.scalars import NotJsonValue, key_text, resolve_plain
from k8s2ief.load.tree import PLAIN
from k8s2ief.paths import Path

KeyIndex = dict[str, tuple[Node, Node]]


def locate(root: Node, path: Path, cache: dict[int, KeyIndex] | None = None) -> Node | None:
    """The node a path leads to (the key node for mapping entries), or the deepest one found.

    ``cache`` keeps each mapping's key index between calls: a document's findings walk the same
    few mappings again and again.
    """
    cache = {} if cache is None else cache
    node: Node = root
    found: Node = root
    for key in path:
        if isinstance(node, MappingNode) and isinstance(key, str):  # the commoner step first
            index = cache.get(id(node))
            if index is None:
                index = cache[id(node)] = _key_index(node)
            pair = index.get(key)
            if pair is None:
                return found
            found, node = pair
        elif isinstance(node, SequenceNode) and isinstance(key, int):
            if not 0 <= key < len(node.value):
                return found
            node = found = node.value[key]
        else:
            return found
    return found


def _key_index(node: MappingNode) -> KeyIndex:
    """Key -> (key node, value node), resolved as construction resolves them: the last duplicate
    wins, and keys merged in with ``<<`` only fill in keys not given before the merge."""
    index: KeyIndex = {}
    for key_node, value_node in node.value:
        if type(key_node) is not ScalarNode:
            continue
        if key_node.tag != PLAIN:  # quoted: as written (key_of, inline: a call per key)
            index[key_node.value] = (key_node, value_node)
            continue
        if key_node.value == "<<":
            sources = value_node.value if type(value_node) is SequenceNode else [value_node]
            for source in sources:
                if isinstance(source, MappingNode):
                    for key, pair in _key_index(source).items():
                        index.setdefault(key, pair)
            continue
        key = _plain_key(key_node.value)
        if key is not None:
            index[key] = (key_node, value_node)
    return index


def key_of(key_node: ScalarNode) -> str | None:
    """The JSON key a scalar key node becomes (quoted keys stay as written)."""
    if key_node.tag != PLAIN:
        return key_node.value
    return _plain_key(key_node.value)


@functools.lru_cache(maxsize=4096)
def _plain_key(text: str) -> str | None:
    # Cached: locating a finding compares every key on its path, and the same few hundred key
    # names recur in every document (resolving them was a fifth of the conversion's time).
    try:
        return key_text(resolve_plain(text))
    except NotJsonValue:
        return None


def path_of(root: Node, target: Node) -> Path:
    """The path of a node inside a document (used for loader notes, which are rare)."""
    stack: list[tuple[Node, Path]] = [(root, ())]
    visited: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((child, (*path, i)) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = key_of(key_node) if isinstance(key_node, ScalarNode) else None
                if key_node is target:
                    return (*path, key) if key is not None else path
                if key is not None:
                    stack.append((value_node, (*path, key)))
    return ()
