"""The key indexes construction keeps are the ones locating would build.

k8s2ief.load.tree.Constructor keeps, for each mapping whose keys are plain or !!str, the key ->
(key node, value node) table it made while resolving them, and ``Document.locate`` starts from
those instead of building each index again (k8s2ief.load.locate._key_index). Here every kept
index is compared with the one locating builds, on the golden and hostile inputs (duplicate
keys, merge keys, tags, aliases) and a sample of the corpus; mappings that are not kept (a merge
key, another tag) must still be located as before, which the golden findings' lines pin.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import ROOT, corpus_files
from yaml.nodes import MappingNode, Node, SequenceNode

from k8s2ief.load import Document, Limits, iter_documents
from k8s2ief.load.locate import _key_index

INPUTS = [
    *sorted((ROOT / "testdata" / "golden").glob("*/input.*")),
    *sorted((ROOT / "testdata" / "hostile").glob("*.yaml")),
    *sorted((ROOT / "testdata" / "scalars").glob("*.yaml")),
]


def _mappings(root: Node) -> list[MappingNode]:
    found: list[MappingNode] = []
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            found.append(node)
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return found


def _check(docs: list[Document]) -> tuple[int, int]:
    kept = built = 0
    for doc in docs:
        if doc.root is None:
            continue
        for mapping in _mappings(doc.root):
            built += 1
            index = doc._key_indexes.get(id(mapping))
            if index is not None:
                kept += 1
                # Nodes compare by identity: the same key and value nodes for every key.
                assert index == _key_index(mapping), (doc.source, mapping.start_mark.line + 1)
    return kept, built


def _read(files: list[Path]) -> list[Document]:
    return list(iter_documents([str(f) for f in files], Limits()))


def test_kept_indexes_equal_locating_s_on_the_test_inputs() -> None:
    kept, built = _check(_read(INPUTS))
    assert 0 < kept < built  # most are kept; merges and tagged keys are not


def test_merge_keys_and_tagged_keys_are_not_kept(tmp_path: Path) -> None:
    docs = _read([ROOT / "testdata" / "hostile" / "merge-keys.yaml"])
    (doc,) = [d for d in docs if d.name == "merged"]
    assert doc.root is not None
    merging = [m for m in _mappings(doc.root) if any(k.value == "<<" for k, _ in m.value)]
    assert merging and all(id(m) not in doc._key_indexes for m in merging)
    sidecar = ("spec", "template", "spec", "containers", 1)
    assert doc.locate((*sidecar, "env")) == 23  # merged in: the anchor's line
    assert doc.locate((*sidecar, "image")) == 28  # given after the merge

    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("kind: ConfigMap\ndata:\n  !!int 0x1F: a\n  plain: b\n")
    (doc,) = _read([tagged])
    assert doc.root is not None
    (data,) = [m for m in _mappings(doc.root) if m is not doc.root]
    assert id(doc.root) in doc._key_indexes and id(data) not in doc._key_indexes
    assert doc.data == {"kind": "ConfigMap", "data": {"31": "a", "plain": "b"}}
    assert doc.locate(("data", "plain")) == 4
    assert doc.locate(("data", "0x1F")) == 3  # locating takes a tagged key as written


def test_kept_indexes_equal_locating_s_on_the_corpus() -> None:
    files = corpus_files()
    if not files:
        pytest.skip("the shared corpus is not available")
    kept, built = _check(_read(random.Random(5).sample(files, min(80, len(files)))))
    assert 0 < kept <= built
