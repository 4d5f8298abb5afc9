"""Construction without aliases (no '*' in the text) builds what the general path builds.

k8s2ief.load.tree.Constructor skips remembering each collection for a second meeting when the
document's text has no '*' (so no alias). Here every document of the test inputs and of a sample
of the corpus is constructed both ways: the values (types and key order included), the loader's
notes, the key indexes kept for locating and the errors (message, line, code) must be the same,
also under limits small enough to be hit (--max-nodes, --max-depth).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import ROOT, corpus_files
from yaml.nodes import Node, ScalarNode, SequenceNode

from k8s2ief.load import split_documents
from k8s2ief.load.tree import Constructor, Limits, LoadError, compose_nodes

INPUTS = [
    *sorted((ROOT / "testdata" / "golden").glob("*/input.*")),
    *sorted((ROOT / "testdata" / "hostile").glob("*.yaml")),
    *sorted((ROOT / "testdata" / "scalars").glob("*.yaml")),
    *sorted((ROOT / "testdata" / "inputs").rglob("*.yaml")),
]
LIMITS = [Limits(), Limits(max_nodes=40), Limits(max_depth=4)]


def _built(node: object, limits: Limits, aliases: bool) -> tuple[object, ...]:
    constructor = Constructor(limits, 3, aliases=aliases)
    try:
        data = constructor.build(node)  # type: ignore[arg-type]
    except LoadError as exc:
        return ("error", str(exc), exc.line, exc.code)
    notes = [(n.code, id(n.node), n.message) for n in constructor.notes]
    indexes = {key: list(index.items()) for key, index in constructor.key_indexes.items()}
    return (json.dumps(data), repr(data), notes, indexes)


def _check(files: list[Path]) -> int:
    compared = 0
    for path in files:
        with path.open("rb") as stream:
            for chunk in split_documents(stream, 64 * 1024 * 1024):
                if b"*" in chunk.text:
                    continue
                try:
                    nodes = compose_nodes(chunk.text, Limits())
                except Exception:  # unreadable YAML never reaches construction
                    continue
                for node in nodes:
                    for limits in LIMITS:
                        general = _built(node, limits, aliases=True)
                        assert _built(node, limits, aliases=False) == general, path
                        compared += 1
    return compared


def test_both_paths_agree_on_the_test_inputs() -> None:
    assert _check(INPUTS) > 100


def test_both_paths_agree_on_the_corpus() -> None:
    files = corpus_files()
    if not files:
        pytest.skip("the shared corpus is not available")
    assert _check(random.Random(7).sample(files, min(80, len(files)))) > 0


def test_limits_are_hit_on_the_simpler_path() -> None:
    text = b"a:\n  b:\n    c:\n      d:\n        e: [1, 2, 3]\n"
    (node,) = compose_nodes(text, Limits())
    deep = _built(node, Limits(max_depth=3), aliases=False)
    assert deep[0] == "error" and deep[3] == "KI011"
    many = _built(node, Limits(max_nodes=4), aliases=False)
    assert many[0] == "error" and "--max-nodes" in str(many[1])
    assert deep == _built(node, Limits(max_depth=3), aliases=True)
    assert many == _built(node, Limits(max_nodes=4), aliases=True)


def _first_over(node: Node, limit: int) -> int | None:
    """Where --max-nodes stops construction: values are counted as they are met (a collection
    once it is complete) and the limit is checked as each collection completes."""
    count = 0

    def visit(item: Node) -> int | None:
        nonlocal count
        if isinstance(item, ScalarNode):
            count += 1
            return None
        children = item.value if isinstance(item, SequenceNode) else [v for _, v in item.value]
        for child in children:
            stopped = visit(child)
            if stopped is not None:
                return stopped
        count += 1
        return item.start_mark.line + 1 if count > limit else None

    return visit(node)


def test_max_nodes_stops_where_every_value_counted_at_once_would() -> None:
    checked = 0
    for path in INPUTS[:40]:
        with path.open("rb") as stream:
            for chunk in split_documents(stream, 64 * 1024 * 1024):
                if b"*" in chunk.text or b"<<" in chunk.text:
                    continue
                try:
                    nodes = compose_nodes(chunk.text, Limits())
                except Exception:  # unreadable YAML never reaches construction
                    continue
                for node in nodes:
                    if _built(node, Limits(), aliases=False)[0] == "error":
                        continue
                    for limit in range(1, 400, 7):
                        got = _built(node, Limits(max_nodes=limit), aliases=False)
                        expected = _first_over(node, limit)
                        assert (got[2] if got[0] == "error" else None) == expected, (path, limit)
                        checked += 1
    assert checked > 100
