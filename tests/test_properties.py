"""Property-based tests (issue 8): random Deployments along real Kubernetes paths and mutations of
the real corpus, converted through the library.

Invariants: conversion never raises; a KI901 (the body breaks an IEF rule) only ever follows
another error finding; every leaf of the input is consumed by a rule or reported; the result of a
document does not depend on the documents around it (KI109, KI310 and KI311 excluded: they are
about the company by design, and the company here holds Deployments only, so no envFrom target
can appear in it).

Default run: a few hundred examples. ``-m fuzz``: 20,000.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import yaml
from conftest import CORPUS, tree_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s2ief.findings import Severity
from k8s2ief.load import Document, Limits, iter_documents
from k8s2ief.load.split import Chunk
from k8s2ief.paths import Path, pattern_of
from k8s2ief.pipeline import Converter, DocumentResult
from k8s2ief.rules import accounting, convert_manifest
from k8s2ief.rules.ledger import Ledger
from k8s2ief.settings import Settings

COMPANY_CODES = frozenset({"KI109", "KI310", "KI311"})
DEFAULT = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FUZZ = settings(
    max_examples=4000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- strategies ---------------------------------------------------------------------------------

junk_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
)
junk = st.recursive(
    junk_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6,
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right type, sometimes anything."""
    return st.one_of(good, good, good, junk)


def fields(required: dict[str, st.SearchStrategy[Any]],
           optional: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {k: maybe(v) for k, v in required.items()},
        optional={k: maybe(v) for k, v in optional.items()},
    )


dns = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
env_name = st.one_of(st.from_regex(r"[A-Z_][A-Z0-9_]{0,8}", fullmatch=True), st.text(max_size=6))
port = st.integers(0, 70000)
quantity = st.one_of(st.sampled_from(["100m", "1", "0.5", "128Mi", "1Gi", "2G", "1e3", "x"]),
                     st.integers(0, 10**6))
key_ref = fields({"name": dns, "key": env_name}, {"optional": st.booleans()})
env_entry = fields(
    {"name": env_name},
    {
        "value": st.text(max_size=10),
        "valueFrom": fields({}, {
            "secretKeyRef": key_ref, "configMapKeyRef": key_ref,
            "fieldRef": fields({"fieldPath": st.sampled_from(["status.hostIP", "metadata.name"])},
                               {"apiVersion": st.just("v1")}),
            "resourceFieldRef": fields({"resource": st.just("limits.cpu")}, {}),
        }),
    },
)
env_from = fields({}, {"prefix": st.text(max_size=4),
                       "configMapRef": fields({"name": dns}, {"optional": st.booleans()}),
                       "secretRef": fields({"name": dns}, {})})
port_entry = fields({"containerPort": port}, {
    "hostPort": port, "name": dns, "protocol": st.sampled_from(["TCP", "UDP", "SCTP"]),
    "hostIP": st.just("0.0.0.0"),
})
handler = st.one_of(
    st.fixed_dictionaries({"exec": fields({"command": st.lists(st.text(max_size=6), max_size=3)},
                                          {})}),
    st.fixed_dictionaries({"httpGet": fields({"port": st.one_of(port, dns)}, {
        "path": st.text(max_size=8), "scheme": st.sampled_from(["HTTP", "HTTPS"]),
        "host": dns, "httpHeaders": st.lists(fields({"name": dns, "value": st.text()}, {}))})}),
    st.fixed_dictionaries({"tcpSocket": fields({"port": st.one_of(port, dns)}, {})}),
)
probe = st.builds(lambda h, extra: {**h, **extra}, handler, fields({}, {
    "initialDelaySeconds": st.integers(-1, 100), "timeoutSeconds": st.integers(0, 100),
    "periodSeconds": st.integers(0, 100), "successThreshold": st.integers(0, 3),
    "failureThreshold": st.integers(0, 5),
}))
resources = fields({}, {
    "limits": st.dictionaries(st.sampled_from(["cpu", "memory", "nvidia.com/gpu",
                                               "huawei.com/ascend-310", "ephemeral-storage"]),
                              maybe(quantity), max_size=4),
    "requests": st.dictionaries(st.sampled_from(["cpu", "memory"]), maybe(quantity), max_size=2),
})
volume_names = st.sampled_from(["data", "conf", "cache", "logs"])
mount = fields({"name": volume_names, "mountPath": st.sampled_from(["/data", "/etc/x", "rel"])},
               {"readOnly": st.booleans(), "subPath": st.text(max_size=4)})
volume = st.builds(lambda name, source: {"name": name, **source}, volume_names, st.one_of(
    st.fixed_dictionaries({"hostPath": fields({"path": st.sampled_from(["/var", "rel"])},
                                              {"type": st.just("Directory")})}),
    st.fixed_dictionaries({"emptyDir": fields({}, {"medium": st.sampled_from(["", "Memory"])})}),
    st.fixed_dictionaries({"configMap": fields({"name": dns}, {})}),
    st.fixed_dictionaries({"secret": fields({"secretName": dns}, {})}),
    st.fixed_dictionaries({"persistentVolumeClaim": fields({"claimName": dns}, {})}),
))
container = fields(
    {"name": dns, "image": st.sampled_from(["nginx", "nginx:1.25", "swr.example/x:1"])},
    {
        "command": st.lists(st.text(max_size=8), max_size=3),
        "args": st.lists(st.text(max_size=8), max_size=3),
        "env": st.lists(env_entry, max_size=4),
        "envFrom": st.lists(env_from, max_size=2),
        "ports": st.lists(port_entry, max_size=3),
        "resources": resources,
        "livenessProbe": probe, "readinessProbe": probe, "startupProbe": probe,
        "volumeMounts": st.lists(mount, max_size=3),
        "securityContext": fields({}, {"privileged": st.booleans(),
                                       "runAsUser": st.integers(-5, 70000)}),
        "imagePullPolicy": st.just("IfNotPresent"),
        "workingDir": st.just("/app"),
    },
)
pod_spec = fields(
    {"containers": st.lists(container, max_size=3)},
    {
        "initContainers": st.lists(container, max_size=2),
        "volumes": st.lists(volume, max_size=3),
        "hostNetwork": st.booleans(),
        "restartPolicy": st.sampled_from(["Always", "OnFailure", "Never"]),
        "dnsPolicy": st.sampled_from(["ClusterFirst", "Default", "ClusterFirstWithHostNet"]),
        "nodeSelector": st.dictionaries(dns, dns, max_size=2),
        "tolerations": st.lists(fields({"key": dns}, {"operator": st.just("Exists")}), max_size=2),
        "securityContext": fields({}, {"runAsUser": st.integers(-5, 70000)}),
        "serviceAccountName": dns,
    },
)
deployment = fields(
    {
        "apiVersion": st.just("apps/v1"),
        "kind": st.just("Deployment"),
        "metadata": fields({"name": dns}, {
            "namespace": dns,
            "labels": st.dictionaries(dns, dns, max_size=2),
            "annotations": st.dictionaries(
                st.sampled_from(["k8s2ief.io/node-id", "k8s2ief.io/ring-controller", "note"]),
                maybe(dns), max_size=2),
        }),
        "spec": fields({"template": fields({"spec": pod_spec}, {
            "metadata": fields({}, {"labels": st.dictionaries(dns, dns, max_size=2)})})}, {
            "replicas": st.integers(-1, 200), "selector": st.just({"matchLabels": {"a": "b"}}),
            "strategy": st.just({"type": "Recreate"}), "revisionHistoryLimit": st.just(10),
        }),
    },
    {"status": st.just({"replicas": 1})},
)
editions = st.sampled_from(["professional", "platinum"])


@cache
def corpus_deployments() -> list[dict[str, Any]]:
    if not CORPUS.is_dir():
        return []
    files = sorted(str(p) for p in (CORPUS / "real").rglob("*") if p.suffix in (".yaml", ".yml"))
    found = []
    for doc in iter_documents(files, Limits()):
        if doc.kind == "Deployment" and isinstance(doc.data, dict):
            found.append(doc.data)
    return found


def leaf_paths(value: object) -> Iterator[Path]:
    return tree_paths(value, leaves_only=True)


def all_paths(value: object) -> Iterator[Path]:
    return tree_paths(value)


def _get(data: Any, path: Path) -> Any:
    for key in path:
        data = data[key]
    return data


@st.composite
def mutated_corpus(draw: st.DrawFn) -> dict[str, Any]:
    """A real Deployment with keys dropped, values retyped and random subtrees inserted."""
    docs = corpus_deployments()
    data = copy.deepcopy(docs[draw(st.integers(0, len(docs) - 1))])
    for _ in range(draw(st.integers(1, 6))):
        paths = [p for p in all_paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        action = draw(st.sampled_from(["drop", "retype", "insert"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "retype":
            parent[path[-1]] = draw(junk)
        else:
            target = _get(data, path)
            if isinstance(target, dict):
                target[draw(st.text(max_size=10))] = draw(junk)
            elif isinstance(target, list):
                target.insert(draw(st.integers(0, len(target))), draw(junk))
            else:
                parent[path[-1]] = draw(junk)
    return data


manifests = st.one_of(deployment, mutated_corpus()) if corpus_deployments() else deployment

# --- invariants ---------------------------------------------------------------------------------


def as_document(data: object, name: str = "input.yaml", line: int = 1) -> Document:
    return Document(name, line, data)


def via_yaml(data: object) -> Iterator[Document]:
    """The same data written as YAML and read back by the real loader."""
    from k8s2ief.load import read_chunk

    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
    yield from read_chunk("input.yaml", Chunk(text, 1), Limits())


def convert_one(data: object, edition: str) -> DocumentResult:
    return Converter(Settings(node_id="n", edition=edition)).convert(as_document(data))


def check_conversion(result: DocumentResult) -> None:
    codes = {f.code for f in result.findings}
    errors = {f.code for f in result.findings if f.severity is Severity.ERROR}
    if "KI901" in codes:
        assert errors - {"KI901"}, (
            "the body breaks an IEF rule but no error explains why: "
            + "; ".join(f"{f.code} {f.path} {f.message}" for f in result.findings)
        )
    if result.body is not None:
        from k8s2ief.emit import dumps

        dumps(result.body)  # every body can be written


def check_accounting(data: dict[str, Any], edition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each leaf has a prefix a rule consumed, a finding names, or a summary (KI002/KI010) holds."""
    ledgers: list[Ledger] = []
    original = accounting.leftovers

    def spy(document: object, ledger: Ledger) -> list[Any]:
        ledgers.append(ledger)
        return original(document, ledger)

    monkeypatch.setattr(accounting, "leftovers", spy)
    _, findings = convert_manifest(data, Settings(node_id="n", edition=edition))
    monkeypatch.undo()
    [ledger] = ledgers
    reported = ledger.consumed | {f.path for f in findings if f.path}
    for leaf in leaf_paths(data):
        if not leaf:
            continue  # an empty document: nothing to carry
        prefixes = [leaf[:end] for end in range(len(leaf), 0, -1)]
        if any(p in reported for p in prefixes):
            continue
        summarized = any(
            pattern_of(p) in accounting.SERVER_FIELDS
            or pattern_of(p).split(".", 1)[0] == "status"
            or accounting._is_default(pattern_of(p), _get(data, p), data)
            for p in prefixes
        )
        assert summarized, f"{leaf} was neither mapped nor reported"


def comparable(result: DocumentResult) -> tuple[object, list[tuple[str, str, str]]]:
    findings = sorted(
        (f.code, f.path, f.message) for f in result.findings if f.code not in COMPANY_CODES
    )
    return result.body, findings


def check_company(data: object, company: list[object], edition: str, split: int) -> None:
    alone = comparable(convert_one(data, edition))
    again = comparable(convert_one(copy.deepcopy(data), edition))
    assert alone == again, "conversion is not deterministic"
    converter = Converter(Settings(node_id="n", edition=edition))
    stream = [*company[:split], data, *company[split:]]
    results = list(converter.convert_all(as_document(d, line=i + 1) for i, d in enumerate(stream)))
    assert comparable(results[split]) == alone, "the result depends on the documents around it"


def run_all(data: dict[str, Any], company: list[object], edition: str, split: int,
            monkeypatch: pytest.MonkeyPatch) -> None:
    before = copy.deepcopy(data)
    check_conversion(convert_one(data, edition))
    assert data == before, "conversion changed its input"
    for doc in via_yaml(data):
        check_conversion(Converter(Settings(node_id="n", edition=edition)).convert(doc))
    check_accounting(data, edition, monkeypatch)
    check_company(data, company, edition, split)


# --- the tests ----------------------------------------------------------------------------------


def _property(config: settings):  # type: ignore[no-untyped-def]
    @config
    @given(
        data=manifests,
        company=st.lists(st.one_of(deployment, junk), max_size=3),
        edition=editions,
        split=st.integers(0, 3),
    )
    def check(
        data: dict[str, Any], company: list[object], edition: str, split: int,
    ) -> None:
        with pytest.MonkeyPatch.context() as monkeypatch:
            run_all(data, company, edition, min(split, len(company)), monkeypatch)

    return check


def test_random_deployments() -> None:
    _property(DEFAULT)()


@DEFAULT
@given(data=deployment, edition=editions)
def test_generated_deployments(data: dict[str, Any], edition: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        run_all(data, [], edition, 0, monkeypatch)


@pytest.mark.skipif(not corpus_deployments(), reason=f"no Deployments under {CORPUS}/real")
@DEFAULT
@given(data=mutated_corpus(), edition=editions)
def test_mutated_corpus(data: dict[str, Any], edition: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        run_all(data, [], edition, 0, monkeypatch)


@pytest.mark.skipif(not corpus_deployments(), reason=f"no Deployments under {CORPUS}/real")
def test_corpus_unmutated() -> None:
    """The real Deployments themselves, every one."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for data in corpus_deployments():
            run_all(copy.deepcopy(data), [], "professional", 0, monkeypatch)


@pytest.mark.fuzz
@pytest.mark.parametrize("round_", range(5))
def test_fuzz(round_: int) -> None:
    """5 x 4,000 = 20,000 examples of the combined property."""
    _property(FUZZ)()
