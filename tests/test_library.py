"""The library's stream call (issue 15): a whole stream, envFrom resolved as the CLI does."""

from __future__ import annotations

import json

import pytest
import yaml
from clirun import GOLDEN, k8s2ief

from k8s2ief import Conversion, convert, convert_stream

ENV_SOURCES = GOLDEN / "env-sources" / "input.yaml"  # envFrom of a ConfigMap and a Secret


def cli_bodies(*args: str) -> list[dict[str, object]]:
    done = k8s2ief("convert", ENV_SOURCES, "--node-id", "n1", "-o", "jsonl", *args)
    return [json.loads(line) for line in done.stdout.splitlines()]


def deployments(results: list[Conversion]) -> list[Conversion]:
    return [r for r in results if r.kind == "Deployment"]


def test_text_stream_gives_the_cli_bodies_and_findings() -> None:
    results = convert_stream(ENV_SOURCES.read_text(), node_id="n1", source=str(ENV_SOURCES))
    assert [r.body for r in deployments(results)] == cli_bodies()
    assert [r.kind for r in results] == ["ConfigMap", "Deployment", "Secret"]
    report = json.loads(
        k8s2ief("convert", ENV_SOURCES, "--node-id", "n1", "--report-format", "json").stderr
    )
    for result, document in zip(results, report["documents"], strict=True):
        assert (result.line, result.status) == (document["line"], document["status"])
        assert [f.to_dict() for f in result.findings] == document["findings"]


def test_envfrom_resolved_from_parsed_documents_too() -> None:
    documents = [d for d in yaml.safe_load_all(ENV_SOURCES.read_text()) if d]
    [stream] = deployments(convert_stream(documents, node_id="n1"))
    assert stream.body == cli_bodies()[0]
    alone = convert(next(d for d in documents if d["kind"] == "Deployment"), node_id="n1")
    assert alone.body != stream.body  # one dict alone cannot see the ConfigMap: the reason
    assert all(f.line is None for f in stream.findings)  # parsed documents have no lines


def test_policy_in_the_library() -> None:
    every = deployments(convert_stream(ENV_SOURCES.read_bytes(), node_id="n1"))[0]
    some = deployments(convert_stream(ENV_SOURCES.read_bytes(), node_id="n1", ignore=["KI31"]))[0]
    assert any(f.code.startswith("KI31") for f in every.findings)
    assert not any(f.code.startswith("KI31") for f in some.findings)
    assert cli_bodies("--ignore", "KI31") == [some.body]


def test_bad_arguments_raise_and_bad_documents_do_not() -> None:
    with pytest.raises(ValueError):
        convert_stream("", node_id="a", group_id="b")
    with pytest.raises(ValueError, match="KI999"):
        convert_stream("", ignore=["KI999"])
    [broken] = convert_stream("kind: [", source="x.yaml")
    assert broken.status == "failed" and broken.findings[0].file == "x.yaml"
