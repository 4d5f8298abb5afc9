"""Real manifests written by others (../shared/corpus): no traceback, every leaf accounted for,
every body valid and exactly representable by the official SDK's models."""

from __future__ import annotations

from pathlib import Path

from conftest import corpus_files, needs_corpus, tree_paths

from k8s2ief.load import Limits, iter_documents
from k8s2ief.pipeline import Converter
from k8s2ief.rules import convert_manifest
from k8s2ief.rules.ledger import Ledger
from k8s2ief.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _deployments() -> list[object]:
    docs = iter_documents([str(p) for p in corpus_files()], Limits())
    return [d for d in docs if d.kind == "Deployment" and isinstance(d.data, dict)]


@needs_corpus
def test_every_corpus_document_converts_without_exception() -> None:
    converter = Converter(Settings(node_id="node-1"))
    results = list(converter.convert_all(iter_documents([str(p) for p in corpus_files()])))
    deployments = [r for r in results if r.kind == "Deployment"]
    assert len(deployments) >= 400
    assert all(r.body is not None for r in deployments if not r.unreadable)


@needs_corpus
def test_every_leaf_is_mapped_or_reported() -> None:
    checked = 0
    for doc in _deployments():
        ledger = Ledger()
        _, findings = convert_manifest(doc.data, Settings(node_id="n"), ledger)  # type: ignore[arg-type]
        covered = ledger.consumed | {f.path for f in findings}
        for leaf in tree_paths(doc.data, leaves_only=True):
            assert any(leaf[:end] in covered for end in range(len(leaf) + 1)), (
                doc.source, doc.line, leaf,
            )
            checked += 1
    assert checked > 10_000


@needs_corpus
def test_bodies_validate_unless_an_error_explains_it() -> None:
    converter = Converter(Settings(node_id="node-1", edition="platinum"))
    for doc in iter_documents([str(p) for p in corpus_files()]):
        result = converter.convert(doc)
        codes = {f.code for f in result.findings}
        assert "KI901" not in codes, (doc.source, doc.line, result.findings)


@needs_corpus
def test_sdk_round_trip_is_exact() -> None:
    """Deserialize each body into the official SDK's model and serialize it back as the SDK
    puts it on the wire: nothing may be lost, renamed or retyped."""
    from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization

    from k8s2ief.ief.sdk_models import to_sdk_model

    converter = Converter(Settings(node_id="node-1", edition="platinum"))
    files = [*corpus_files(), *sorted((ROOT / "testdata" / "golden").rglob("input.*"))]
    count = 0
    for result in converter.convert_all(iter_documents([str(p) for p in files])):
        if result.body is None:
            continue
        assert sanitize_for_serialization(to_sdk_model(result.body)) == result.body
        count += 1
    assert count >= 400


