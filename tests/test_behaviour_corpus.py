"""Behavioural equivalence over the whole corpus and every golden case, both editions: every
difference between what Kubernetes would run and what IEF would run for the body must be covered
by a finding of the severity it deserves (k8s2ief.behaviour.coverage.COVERS)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import corpus_files, needs_corpus
from golden import cases

from k8s2ief.behaviour import Seen, uncovered_differences
from k8s2ief.load import Limits, iter_documents
from k8s2ief.pipeline import Converter, siblings_of
from k8s2ief.settings import EDITIONS, Settings


def _uncovered(files: list[Path], settings: Settings) -> tuple[int, list[str]]:
    documents = list(iter_documents([str(p) for p in files], Limits()))
    siblings = siblings_of(documents)
    converter = Converter(settings)
    checked, problems = 0, []
    for doc in documents:
        result = converter.convert(doc)
        if result.kind != "Deployment" or result.body is None:
            continue
        checked += 1
        seen = [Seen(f.code, f.severity, f.path) for f in result.findings]
        left = uncovered_differences(doc.data, result.body, seen, siblings)  # type: ignore[arg-type]
        problems += [f"{doc.source}:{doc.line}: {d}" for d in left]
    return checked, problems


@needs_corpus
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("target", ["node", "group"])
def test_every_corpus_difference_is_covered(edition: str, target: str) -> None:
    settings = Settings(
        node_id="n1" if target == "node" else None,
        group_id="g1" if target == "group" else None,
        edition=edition,
    )
    checked, problems = _uncovered(corpus_files(), settings)
    assert checked >= 400
    assert not problems, "\n".join(problems[:20])


@needs_corpus
def test_every_corpus_difference_is_covered_with_a_host_port_range() -> None:
    settings = Settings(node_id="n1", edition="platinum", host_port_range=(30000, 32767))
    checked, problems = _uncovered(corpus_files(), settings)
    assert checked >= 400
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("case", cases(), ids=[c.name for c in cases()])
def test_every_golden_difference_is_covered(case: Path, edition: str) -> None:
    files = [p for p in case.iterdir() if p.name.startswith("input.")]
    _, problems = _uncovered(files, Settings(node_id="n1", edition=edition))
    assert not problems, "\n".join(problems)
