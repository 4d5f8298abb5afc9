"""A conversion leaves no reference cycles behind.

The CLI runs young garbage collections rarely (k8s2ief.cli.YOUNG_COLLECTION_THRESHOLD) because
reference counting frees everything a document makes. That stays true only while no document
makes a cycle (a recursive closure, an exception kept with its traceback, records pointing at
each other): such garbage would wait for a collection. Here every golden input and a stream of
corpus Deployments are converted with collection off, and a collection then finds nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, corpus_files

from k8s2ief.load import Limits, iter_documents
from k8s2ief.pipeline import Converter, DocumentResult
from k8s2ief.report import finding_line
from k8s2ief.report.model import Tally, convert_document
from k8s2ief.settings import Settings

GOLDEN = sorted((ROOT / "testdata" / "golden").glob("*/input.yaml"))


def _convert(paths: list[Path]) -> Iterator[DocumentResult]:
    converter = Converter(Settings(node_id="n"))
    tally = Tally("convert")
    for result in converter.convert_all(iter_documents([str(p) for p in paths], Limits())):
        document = convert_document(result)
        tally.add(document)
        for finding in document.findings:
            finding_line(finding)
        yield result


def _unreachable_after(paths: list[Path]) -> tuple[int, list[str]]:
    for _ in _convert(paths):  # once first: lazy imports and compiled patterns are not garbage
        pass
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        count = sum(1 for _ in _convert(paths))
        assert count > 0
        found = gc.collect()
        kinds = sorted({type(obj).__name__ for obj in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if collecting:
            gc.enable()
    return found, kinds


def test_golden_inputs_make_no_cycles() -> None:
    assert GOLDEN
    assert _unreachable_after(GOLDEN) == (0, [])


@pytest.mark.skipif(not corpus_files(), reason="the shared corpus is not there")
def test_corpus_makes_no_cycles() -> None:
    files = [p for p in corpus_files() if p.suffix in (".yaml", ".yml")][:300]
    assert _unreachable_after(files) == (0, [])
