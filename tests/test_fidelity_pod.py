"""Behavioural fidelity of volumes, probes, scheduling, DNS and validation findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from convert_helper import assert_converts, convert_yaml

from k8s2ief.findings import Severity

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


# --- volumes -------------------------------------------------------------------------------------


VOLUMES = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: store}
    spec:
      template:
        spec:
          containers:
          - name: app
            image: x
            volumeMounts:
            - {name: scratch, mountPath: /tmp/s}
            - {name: datavol, mountPath: /data}
            - {name: datavol, mountPath: /backup}
          - name: helper
            image: y
            volumeMounts:
            - {name: data-vol, mountPath: /cache}
          volumes:
          - name: scratch
          - {name: datavol, emptyDir: {}}
          - {name: data-vol, hostPath: {path: /var/cache}}
"""


def test_volume_without_source_is_an_empty_dir() -> None:
    assert_converts(
        VOLUMES,
        body={"deployment.template.containers.0.volumes.0.type": "emptyDir"},
        absent=["KI602"],
    )


def test_one_volume_mounted_twice_stays_one_ief_volume() -> None:
    result = assert_converts(VOLUMES, absent=["KI901"])
    names = [v["name"] for v in result.body["deployment"]["template"]["containers"][0]["volumes"]]  # type: ignore[index]
    assert names == ["scratch", "datavol", "datavol"]


def test_two_pod_volumes_never_share_an_ief_name() -> None:
    result = assert_converts(VOLUMES)
    (helper,) = result.body["deployment"]["template"]["containers"][1]["volumes"]  # type: ignore[index]
    assert helper["name"] == "datavol2" and helper["type"] == "hostPath"


def test_a_volume_with_two_sources_is_an_error_for_each_source() -> None:
    text = VOLUMES.replace(
        "- {name: datavol, emptyDir: {}}", "- {name: datavol, emptyDir: {}, hostPath: {path: /x}}"
    )
    result = assert_converts(text)
    paths = [f.path for f in result.findings if f.code == "KI613"]
    assert paths == [
        "spec.template.spec.volumes[1].emptyDir",
        "spec.template.spec.volumes[1].hostPath",
    ]
    assert all(f.severity is Severity.ERROR for f in result.findings if f.code == "KI613")


# --- probes, scheduling, DNS -----------------------------------------------------------------


PROBES = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: ai}
    spec:
      template:
        spec:
          containers:
          - name: ai
            image: x
            startupProbe:
              httpGet: {path: /ready, port: 5001}
              initialDelaySeconds: 3
              periodSeconds: 5
              failureThreshold: FAILURES
            livenessProbe:
              httpGet: {path: healthz, port: 5001}
              initialDelaySeconds: 3
"""


def test_startup_budget_is_carried_into_the_liveness_delay() -> None:
    assert_converts(
        PROBES.replace("FAILURES", "15"),
        body={
            "deployment.template.containers.0.liveness_probe.initial_delay_seconds": 3 + 3 + 5 * 15,
            "deployment.template.containers.0.liveness_probe.http_get.path": "/healthz",
        },
        absent=["KI901"],
    )


def test_a_startup_budget_beyond_iefs_limit_is_an_error() -> None:
    assert_converts(PROBES.replace("FAILURES", "1000"), findings=["KI508"])


TOLERATIONS = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: edge}
    spec:
      template:
        spec:
          tolerations:
          - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute SECONDS}
          - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute SECONDS}
          containers:
          - {name: app, image: x}
"""


def test_tolerating_node_failure_for_ever_on_a_group_means_no_migration() -> None:
    assert_converts(
        TOLERATIONS.replace(" SECONDS", ""),
        node_id=None,
        group_id="g",
        body={"deployment.template.configs.migration": False},
        absent=["KI207"],
    )
    result = convert_yaml(TOLERATIONS.replace(" SECONDS", ""), node_id=None, group_id="g")[0]
    assert "toleration_seconds" not in result.body["deployment"]["template"]["configs"]  # type: ignore[index]


def test_a_node_target_never_gets_migration() -> None:
    result = assert_converts(
        TOLERATIONS.replace(" SECONDS", ", tolerationSeconds: 120"),
        body={"deployment.template.configs.toleration_seconds": 120},
    )
    assert "migration" not in result.body["deployment"]["template"]["configs"]  # type: ignore[index]


def _seed_example(name: str, marker: str) -> dict:
    text = (SEEDS / name).read_text(encoding="utf-8")
    start = text.index("{", text.index(marker))
    example, _ = json.JSONDecoder().raw_decode(text[start:])
    return example


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not beside this checkout")
@pytest.mark.parametrize(
    ("seed", "marker"),
    [("000_019cfa68e99b0627.txt", "请求示例"), ("002_77b238a0f1cfc96c.txt", "Example Request")],
)
def test_the_seeds_example_converts_to_exactly_its_body(seed: str, marker: str) -> None:
    case = ROOT / "testdata" / "golden" / "seed-example"
    args = (case / "args").read_text().split()
    results = convert_yaml((case / "input.yaml").read_text(), node_id=args[1])
    assert results[0].body == _seed_example(seed, marker)


def test_cluster_first_with_nameservers_is_a_warning_and_stays_cluster_first() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: dns}
        spec:
          template:
            spec:
              dnsPolicy: ClusterFirst
              dnsConfig: {nameservers: [10.0.0.53]}
              containers:
              - {name: app, image: x}
    """
    result = assert_converts(text, body={"deployment.template.configs.dns_policy": "ClusterFirst"})
    (finding,) = [f for f in result.findings if f.code == "KI212"]
    assert finding.severity is Severity.WARNING


def test_node_selector_with_a_node_target_is_a_warning_on_professional() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: pinned}
        spec:
          template:
            spec:
              nodeSelector: {disk: ssd}
              containers:
              - {name: app, image: x}
    """
    assert_converts(text, findings=["KI707"], absent=["KI701"])
    group = convert_yaml(text, node_id=None, group_id="g")[0]
    assert "KI701" in [f.code for f in group.findings]


# --- validation findings ---------------------------------------------------------------------


def test_command_and_args_are_limited_each_not_in_sum() -> None:
    text = f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: long}}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: x
                command: ["{"a" * 40000}"]
                args: ["{"b" * 40000}"]
    """
    result = convert_yaml(text)[0]
    assert "KI305" not in [f.code for f in result.findings]
    result = convert_yaml(text.replace("a" * 40000, "a" * 70000))[0]
    assert [f.path for f in result.findings if f.code == "KI305"] == [
        "spec.template.spec.containers[0].command"
    ]


def test_a_long_env_value_is_reported_beside_an_unrelated_env_error() -> None:
    text = f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: big}}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: x
                env:
                - {{name: BIG, value: "{"v" * 30000}"}}
                - name: POD
                  valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
    """
    result = convert_yaml(text)[0]
    (violation,) = [f for f in result.findings if f.code == "KI901"]
    assert violation.path == "spec.template.spec.containers[0].env[0].value"
    assert violation.line == 12  # the line of BIG's value (the text opens with a blank line)


def test_an_error_in_one_container_does_not_hide_another_containers_violation() -> None:
    text = f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: two}}
        spec:
          template:
            spec:
              containers:
              - name: a
                image: x
                env:
                - {{name: A, value: "{"v" * 30000}"}}
              - name: b
                image: y
                env:
                - name: POD
                  valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}
                - {{name: B, value: "{"w" * 30000}"}}
    """
    result = convert_yaml(text)[0]
    paths = [f.path for f in result.findings if f.code == "KI901"]
    assert paths == [
        "spec.template.spec.containers[0].env[0].value",
        "spec.template.spec.containers[1].env[1].value",
    ]


def test_an_explained_violation_is_not_repeated() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: many}
        spec:
          replicas: 2
          template:
            spec:
              containers:
              - {name: app, image: x}
    """
    result = convert_yaml(text)[0]  # professional: one replica
    assert [f.code for f in result.findings if f.code in ("KI201", "KI901")] == ["KI201"]


@pytest.mark.parametrize(
    ("command", "args"),
    [(65536, 0), (65537, 0), (0, 65537), (40000, 40000), (65536, 65536), (65537, 65537)],
)
def test_convert_and_validate_agree_on_the_argv_limit(command: int, args: int) -> None:
    from k8s2ief.ief.validate import validate_body

    text = f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: argv}}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: x
                command: ["{"c" * command}"]
                args: ["{"a" * args}"]
    """
    result = convert_yaml(text)[0]
    converter_says = "KI305" in [f.code for f in result.findings]
    validator_says = "argv-length" in [v.rule for v in validate_body(result.body)]
    assert converter_says == validator_says == (max(command, args) > 65536)
