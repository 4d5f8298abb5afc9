"""Rule tests in a few lines: convert a YAML text in process (the real loader and Converter) and
compare the body and the findings with what is expected."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping

from k8s2ief.behaviour import Seen, uncovered_differences
from k8s2ief.load import Document, Limits, read_source
from k8s2ief.load.sources import Source
from k8s2ief.pipeline import Converter, DocumentResult, siblings_of
from k8s2ief.settings import Settings


def documents(text: str) -> list[Document]:
    data = textwrap.dedent(text).encode()
    return list(read_source(Source("input.yaml", lambda: io.BytesIO(data)), Limits()))


def convert_yaml(text: str, **settings: object) -> list[DocumentResult]:
    """Every Deployment's result, in order."""
    options = {"node_id": "n1", **settings}
    results = Converter(Settings(**options)).convert_all(documents(text))  # type: ignore[arg-type]
    return [r for r in results if r.kind == "Deployment"]


def codes(result: DocumentResult) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in result.findings]


def assert_converts(
    text: str,
    *,
    body: Mapping[str, object] | None = None,
    findings: Iterable[str | tuple[str, str]] = (),
    absent: Iterable[str] = (),
    **settings: object,
) -> DocumentResult:
    """Convert the first Deployment of ``text``: the body's listed parts must equal ``body``
    (dotted paths into the body), each of ``findings`` (a code, or a code and a path) must be
    reported, no code of ``absent``, and no behavioural difference may be left uncovered."""
    result = convert_yaml(text, **settings)[0]
    assert result.body is not None
    for dotted, wanted in (body or {}).items():
        assert dig(result.body, dotted) == wanted, (dotted, dig(result.body, dotted))
    seen = codes(result)
    for item in findings:
        if isinstance(item, str):
            assert item in {c for c, _ in seen}, (item, seen)
        else:
            assert item in seen, (item, seen)
    for code in absent:
        assert code not in {c for c, _ in seen}, (code, seen)
    docs = documents(text)
    manifest = next(d.data for d in docs if d.kind == "Deployment")
    left = uncovered_differences(
        manifest,  # type: ignore[arg-type]
        result.body,
        [Seen(f.code, f.severity, f.path) for f in result.findings],
        siblings_of(docs),
    )
    assert not left, [str(d) for d in left]
    return result


def dig(value: object, dotted: str) -> object:
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value
