"""Convert and validate agree on every IEF limit both check (the contract, k8s2ief/ief/contract.py).

Manifests are generated around the contract's boundaries (replicas, command and args lengths,
resource ranges, requests against limits, both editions) and converted through the library; the
converted bodies are then mutated across the same boundaries and validated. Invariants:

- a body validate rejects had an error finding in convert that explains it, never only KI901
  (KI901 means the converter made a body it did not know was invalid);
- a convert error about a body limit the body still carries (a length, a range) means validate
  rejects the body for that limit;
- a body mutated to a value means validate rejects it exactly when convert reports an error for
  a manifest carrying the same value.
"""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k8s2ief import convert
from k8s2ief.findings import Severity
from k8s2ief.ief import contract
from k8s2ief.ief.validate import validate_body

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Converter codes about a limit of the body, and the validator's (rule, field) for the same limit.
LIMIT_RULES: dict[str, frozenset[tuple[str, str]]] = {
    "KI305": frozenset({("argv-length", "")}),
    # "1E+20" is out of range and no plain decimal either
    "KI408": frozenset({("resource-range", ""), ("schema.pattern", ".resources.")}),
    "KI403": frozenset({("resource-range", "")}),
    "KI402": frozenset({("requests-within-limits", "")}),
    "KI201": frozenset({("edition-replicas", ""), ("schema.minimum", "deployment.replicas")}),
}


def _limits(violations: list[Any], code: str) -> bool:
    """Whether a violation breaks the limit ``code`` is about."""
    return any(
        v.rule == rule and part in v.path for v in violations for rule, part in LIMIT_RULES[code]
    )


def _limit_violations(violations: list[Any]) -> list[Any]:
    return [v for v in violations if any(_limits([v], code) for code in LIMIT_RULES)]


A = contract.ARGV_MAX


def _lengths() -> st.SearchStrategy[int]:
    near = st.sampled_from([0, 1, A - 1, A, A + 1, 2 * A])
    return st.one_of(near, st.integers(0, A + 16))


@st.composite
def argv(draw: st.DrawFn) -> list[str] | None:
    if draw(st.booleans()):
        return None
    total = draw(_lengths())
    parts = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return ["x" * (b - a) for a, b in itertools.pairwise(bounds)]


def _around(low: Decimal, high: Decimal) -> list[str]:
    step = Decimal("0.01")
    values = {low - step, low, low + step, high - step, high, high + step, high * 2}
    return [str(v) for v in sorted(values) if v > 0]


CPU = st.one_of(
    st.sampled_from([*_around(Decimal("0.01"), Decimal(1000)), "10m", "1m", "5m", "1e3", "2000"]),
    st.integers(1, 1_200_000).map(lambda m: f"{m}m"),
)
MEMORY = st.one_of(
    st.sampled_from(["1Mi", "3Mi", "3.99Mi", "4Mi", "4M", "10Ki", "1000Gi", "1024000Mi"]),
    st.sampled_from(["1024001Mi", "1e9", "1e20", "512Mi"]),
    st.integers(1, 1_100_000).map(lambda mb: f"{mb}Mi"),
)
NPU = st.sampled_from(["1", "2", "999", "1000", "1001", "5000"])
QUANTITIES = {"cpu": CPU, "memory": MEMORY, "huawei.com/Ascend310": NPU}


@st.composite
def resource_block(draw: st.DrawFn) -> dict[str, str]:
    names = draw(st.lists(st.sampled_from(sorted(QUANTITIES)), unique=True, max_size=3))
    return {name: draw(QUANTITIES[name]) for name in names}


@st.composite
def container(draw: st.DrawFn, index: int) -> dict[str, Any]:
    item: dict[str, Any] = {"name": f"c{index}", "image": "nginx:1.25"}
    for field in ("command", "args"):
        value = draw(argv())
        if value is not None:
            item[field] = value
    resources = {section: draw(resource_block()) for section in ("limits", "requests")}
    resources = {section: block for section, block in resources.items() if block}
    if resources:
        item["resources"] = resources
    return item


@st.composite
def manifest(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 2))
    spec: dict[str, Any] = {
        "template": {"spec": {"containers": [draw(container(i)) for i in range(count)]}}
    }
    replicas = draw(st.one_of(st.none(), st.sampled_from([-1, 0, 1, 2, 98, 99, 100, 101])))
    if replicas is not None:
        spec["replicas"] = replicas
    # Names, labels, env names and the description around the contract's patterns and lengths:
    # the converter renames or drops what breaks them, so they must never reach the body invalid.
    metadata: dict[str, Any] = {"name": draw(text(contract.NAME_MAX + 8))}
    labels = draw(st.dictionaries(text(contract.TAG_KEY_MAX + 4), text(contract.TAG_VALUE_MAX + 4)))
    if labels:
        metadata["labels"] = labels
    description = draw(st.one_of(st.none(), text(contract.DESCRIPTION_MAX + 4)))
    if description is not None:
        metadata["annotations"] = {"k8s2ief.io/description": description}
    env = draw(st.lists(text(12), max_size=3))
    if env:
        first = spec["template"]["spec"]["containers"][0]
        first["env"] = [{"name": name, "value": "v"} for name in env]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}


def text(longest: int) -> st.SearchStrategy[str]:
    alphabet = st.sampled_from("abcxyzAZ09-_.$ ~/")
    long = st.integers(longest - 6, longest).map(lambda n: "a" * n)
    return st.one_of(st.text(alphabet, max_size=longest), long)


EDITION = st.sampled_from(contract.EDITIONS)


def _errors(findings: list[Any]) -> list[Any]:
    return [f for f in findings if f.severity is Severity.ERROR]


@EXAMPLES
@given(manifest(), EDITION)
def test_convert_and_validate_agree_on_generated_manifests(doc: dict[str, Any], edition: str):
    result = convert(doc, node_id="node-1", edition=edition)
    assert result.body is not None
    violations = validate_body(result.body, edition=edition)
    errors = _errors(result.findings)
    codes = {f.code for f in errors}
    # Every violation was known to the converter: never a KI901 (a body it thought was valid).
    assert "KI901" not in codes, [f.message for f in errors if f.code == "KI901"]
    if violations:
        assert codes, [v.rule for v in violations]
    for code in codes & LIMIT_RULES.keys():
        assert _limits(violations, code), (code, [v.rule for v in violations])
    # And the other way: a limit violation has its converter error.
    for violation in _limit_violations(violations):
        assert any(_limits([violation], code) for code in codes & LIMIT_RULES.keys()), violation


def _base() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "c0", "image": "nginx:1.25"}]}}},
    }


# Body mutations: (set the value in a body, set the same value in a manifest).
def _set_cpu(body: dict[str, Any], doc: dict[str, Any], value: Decimal) -> None:
    text = format(value, "f")
    body["deployment"]["template"]["containers"][0]["resources"] = {"limits": {"cpu": text}}
    doc["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": text}}


def _set_memory(body: dict[str, Any], doc: dict[str, Any], value: Decimal) -> None:
    body["deployment"]["template"]["containers"][0]["resources"] = {
        "limits": {"memory": format(value, "f")}
    }
    resources = {"limits": {"memory": f"{format(value, 'f')}Mi"}}
    doc["spec"]["template"]["spec"]["containers"][0]["resources"] = resources


def _set_command(body: dict[str, Any], doc: dict[str, Any], value: Decimal) -> None:
    text = ["y" * int(value)]
    body["deployment"]["template"]["containers"][0]["command"] = text
    doc["spec"]["template"]["spec"]["containers"][0]["command"] = text


def _set_replicas(body: dict[str, Any], doc: dict[str, Any], value: Decimal) -> None:
    body["deployment"]["replicas"] = int(value)
    doc["spec"]["replicas"] = int(value)


cpu, memory = contract.RESOURCES["cpu"], contract.RESOURCES["memory"]
MUTATIONS = st.one_of(
    st.tuples(
        st.just(_set_cpu),
        st.integers(1, int(cpu.high * 100) + 200).map(lambda n: Decimal(n) / 100),
    ),
    st.tuples(
        st.just(_set_memory),
        st.one_of(
            st.integers(1, 800).map(lambda n: Decimal(n) / 100),
            st.integers(int(memory.high) - 3, int(memory.high) + 3).map(Decimal),
        ),
    ),
    st.tuples(st.just(_set_command), st.integers(A - 3, A + 3).map(Decimal)),
    st.tuples(st.just(_set_replicas), st.integers(-2, 130).map(Decimal)),
)


@EXAMPLES
@given(MUTATIONS, EDITION)
def test_a_mutated_body_is_rejected_exactly_when_convert_reports_the_value(
    mutation: tuple[Any, Decimal], edition: str
):
    setter, value = mutation
    doc = _base()
    base = convert(doc, node_id="node-1", edition=edition)
    assert base.body is not None and validate_body(base.body, edition=edition) == []
    body, mutated = copy.deepcopy(base.body), copy.deepcopy(doc)
    setter(body, mutated, value)
    rejected = _limit_violations(validate_body(body, edition=edition))
    converted = convert(mutated, node_id="node-1", edition=edition)
    assert converted.body == body  # the manifest carries the same value to the same body
    reported = {f.code for f in _errors(converted.findings)} & LIMIT_RULES.keys()
    assert bool(rejected) == bool(reported), (setter.__name__, value, rejected, reported)
