"""A document remembers the lines it located: asked again, it answers what a fresh walk finds.

``Document.locate`` keeps path -> line per document (a node port's field is located for the
run-wide claim and again for its KI320; several findings can be about one field). Every path of
every document (each field, and paths that stop early: a missing key, an index past the end, a
step below a scalar) is asked twice, in a shuffled order, and each answer is compared with a
walk of the node tree that uses neither the document's line memo nor its key indexes.
"""

from __future__ import annotations

import random
from pathlib import Path as FilePath

import pytest
from conftest import ROOT, corpus_files

from k8s2ief.load import Document, Limits, iter_documents
from k8s2ief.load.locate import locate
from k8s2ief.paths import Path

INPUTS = [
    *sorted((ROOT / "testdata" / "golden").glob("*/input.*")),
    *sorted((ROOT / "testdata" / "hostile").glob("*.yaml")),
]


def _paths(value: object, at: Path = ()) -> list[Path]:
    found = [at, (*at, "no-such-key"), (*at, 10_000), (*at, 0, "x")]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*at, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*at, index)))
    return found


def _check(docs: list[Document], order: random.Random) -> int:
    asked = 0
    for doc in docs:
        if doc.root is None:
            continue
        paths = _paths(doc.data) * 2
        order.shuffle(paths)
        for path in paths:
            walked = locate(doc.root, doc.prefix + path)
            assert walked is not None
            assert doc.locate(path) == walked.start_mark.line + 1 + doc._offset, (doc.source, path)
            asked += 1
    return asked


def _read(files: list[FilePath]) -> list[Document]:
    return list(iter_documents([str(f) for f in files], Limits()))


def test_remembered_lines_are_a_fresh_walk_s_on_the_test_inputs() -> None:
    docs = _read(INPUTS)
    assert any(doc.prefix for doc in docs)  # List members: paths under their item
    assert _check(docs, random.Random(17)) > 1000


def test_remembered_lines_are_a_fresh_walk_s_on_the_corpus() -> None:
    files = corpus_files()
    if not files:
        pytest.skip("the shared corpus is not available")
    assert _check(_read(random.Random(5).sample(files, min(60, len(files)))), random.Random(3))
