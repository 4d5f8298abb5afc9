"""The behavioural model (k8s2ief.behaviour) and the defects it exposed, one test each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from convert_helper import assert_converts, convert_yaml

from k8s2ief.behaviour import compare, ief_facts, kubernetes_facts, uncovered_differences
from k8s2ief.behaviour.coverage import Seen
from k8s2ief.behaviour.expansion import expand, references
from k8s2ief.behaviour.facts import resolve_env
from k8s2ief.findings import Severity

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


# --- the kubelet's $(VAR) expansion ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$(A)-$(B)", "x-y"),
        ("$$(A)", "$(A)"),  # escaped
        ("$(C)", "$(C)"),  # undefined: kept as written
        ("$(A", "$(A"),  # unterminated
        ("a$b$", "a$b$"),
        ("$$$(A)", "$x"),
        ("", ""),
    ],
)
def test_expansion_follows_the_kubelet(text: str, expanded: str) -> None:
    assert expand(text, {"A": "x", "B": "y"}.get) == expanded


def test_references_lists_names_in_order() -> None:
    assert references("$(B) $$(A) $(A)") == ["B", "A"]


def test_resolve_env_sees_only_what_came_before() -> None:
    env = resolve_env([("URL", "db://$(USER)", True), ("USER", "app", True)])
    assert env == {"URL": "db://$(USER)", "USER": "app"}
    env = resolve_env([("USER", "app", True), ("URL", "db://$(USER)", True)])
    assert env["URL"] == "db://app"


# --- the two sides -----------------------------------------------------------------------------


def _manifest(pod: dict, replicas: int = 1) -> dict:
    return {"kind": "Deployment", "spec": {"replicas": replicas, "template": {"spec": pod}}}


def test_kubernetes_side_builds_env_from_first_later_source_winning() -> None:
    pod = {
        "containers": [
            {
                "name": "c",
                "envFrom": [{"configMapRef": {"name": "a"}}, {"configMapRef": {"name": "b"}}],
                "env": [{"name": "URL", "value": "$(KEY)/x"}],
            }
        ]
    }
    siblings = {("ConfigMap", "a"): ("KEY",), ("ConfigMap", "b"): ("KEY",)}
    facts = kubernetes_facts(_manifest(pod), siblings, group_target=False)
    assert facts[("env", "c", "KEY")] == "<configmap:b/KEY>"
    assert facts[("env", "c", "URL")] == "<configmap:b/KEY>/x"


def test_sides_agree_on_a_shared_empty_dir_only_when_one_name_is_used() -> None:
    pod = {
        "containers": [
            {"name": "a", "volumeMounts": [{"name": "v", "mountPath": "/d"}]},
            {"name": "b", "volumeMounts": [{"name": "v", "mountPath": "/d"}]},
        ],
        "volumes": [{"name": "v", "emptyDir": {}}],
    }
    entry = {"type": "emptyDir", "source": "disk", "destination": "/d", "read_only": False}
    shared = {
        "node_ids": ["n"],
        "deployment": {
            "template": {
                "containers": [
                    {"name": "a", "volumes": [{"name": "v", **entry}]},
                    {"name": "b", "volumes": [{"name": "v", **entry}]},
                ]
            }
        },
    }
    keys = [d.key for d in compare(_manifest(pod), shared)]
    assert not [k for k in keys if k[0] == "mount"]
    shared["deployment"]["template"]["containers"][1]["volumes"][0]["name"] = "v2"  # type: ignore[index]
    keys = [d.key for d in compare(_manifest(pod), shared)]
    assert ("mount", "a", "/d") in keys and ("mount", "b", "/d") in keys


def test_ief_side_binds_one_instance_on_a_node_with_host_ports() -> None:
    body = {
        "node_ids": ["n"],
        "deployment": {
            "replicas": 3,
            "template": {
                "containers": [{"name": "c", "ports": [{"container_port": 80, "host_port": 80}]}]
            },
        },
    }
    assert ief_facts(body)[("instances",)] == 1
    assert ief_facts({**body, "node_ids": None, "group_id": "g"})[("instances",)] == 3


def test_a_difference_needs_a_finding_of_its_severity_about_its_container() -> None:
    pod = {"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}, {"name": "b"}]}
    body = {
        "node_ids": ["n"],
        "deployment": {
            "template": {
                "configs": {"dns_policy": "ClusterFirst"},
                "containers": [{"name": "a"}, {"name": "b"}],
            }
        },
    }
    about_b = [Seen("KI302", Severity.ERROR, "spec.template.spec.containers[1].env[0]")]
    about_a = [Seen("KI302", Severity.ERROR, "spec.template.spec.containers[0].env[0]")]
    too_mild = [Seen("KI302", Severity.INFO, "spec.template.spec.containers[0].env[0]")]
    assert uncovered_differences(_manifest(pod), body, about_b)
    assert uncovered_differences(_manifest(pod), body, too_mild)
    assert not uncovered_differences(_manifest(pod), body, about_a)


# --- host ports ----------------------------------------------------------------------------------

PORTS = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: REPLICAS
      template:
        spec:
          containers:
          - name: web
            image: nginx:1.25
            ports:
            - {containerPort: 53, protocol: UDP}
            - {containerPort: 53, protocol: TCP}
            - {containerPort: 8080, hostPort: 0}
"""


def test_replicas_on_one_node_cannot_share_a_host_port() -> None:
    assert_converts(PORTS.replace("REPLICAS", "3"), findings=["KI320"], edition="platinum")


def test_a_host_port_range_resolves_replicas_on_one_node() -> None:
    result = assert_converts(
        PORTS.replace("REPLICAS", "3"),
        edition="platinum",
        host_port_range=(30000, 30100),
        absent=["KI320", "KI319"],
    )
    assert all(
        "host_port" not in p
        for p in result.body["deployment"]["template"]["containers"][0]["ports"]
    )  # type: ignore[index]


def test_udp_and_tcp_on_one_port_are_one_mapping_and_host_port_zero_is_unset() -> None:
    assert_converts(
        PORTS.replace("REPLICAS", "1"),
        body={
            "deployment.template.containers.0.ports": [
                {"container_port": 53, "host_port": 53},
                {"container_port": 8080, "host_port": 8080},
            ]
        },
        findings=[("KI304", "spec.template.spec.containers[0].ports[0].protocol")],
        absent=["KI320", "KI901"],
    )


def test_two_containers_on_one_node_port_conflict() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: two}
        spec:
          template:
            spec:
              containers:
              - {name: a, image: x, ports: [{containerPort: 80}]}
              - {name: b, image: y, ports: [{containerPort: 80}]}
    """
    assert_converts(
        text, findings=[("KI320", "spec.template.spec.containers[1].ports[0].containerPort")]
    )


def test_deployments_of_one_run_on_one_node_port_conflict() -> None:
    one = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: NAME}
        spec:
          template:
            spec:
              containers:
              - {name: a, image: x, ports: [{containerPort: 9080}]}
    """
    text = one.replace("NAME", "first") + "\n---\n" + one.replace("NAME", "second")
    first, second = convert_yaml(text)
    assert "KI320" not in [f.code for f in first.findings]
    assert [f.code for f in second.findings if f.code == "KI320"] == ["KI320"]
    group = convert_yaml(text, node_id=None, group_id="g")
    assert "KI320" not in [f.code for r in group for f in r.findings]


# --- environment ---------------------------------------------------------------------------------

ENV = """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cma}
    data: {KEY: a, DB_USER: app, my.dotted: x, 9starts: y}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: cmb}
    data: {KEY: b}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api}
    spec:
      template:
        spec:
          containers:
          - name: api
            image: example/api:1
            envFrom:
            - configMapRef: {name: cma}
            - configMapRef: {name: cmb}
            env:
            - {name: URL, value: "postgres://$(DB_USER)@db"}
            - name: FLAG
              valueFrom: {configMapKeyRef: {name: cmb, key: FLAG, optional: true}}
"""


def test_env_from_later_source_wins_and_env_comes_after_it() -> None:
    result = assert_converts(ENV, findings=["KI302"])
    envs = result.body["deployment"]["template"]["containers"][0]["envs"]  # type: ignore[index]
    names = [e["name"] for e in envs]
    assert names == ["DB_USER", "KEY", "URL"]  # FLAG: optional and known missing
    assert envs[1]["value_from"]["configmap"]["name"] == "cmb"


def test_an_env_from_key_ief_cannot_name_is_an_error() -> None:
    result = convert_yaml(ENV)[0]
    (finding,) = [f for f in result.findings if f.code == "KI302"]
    assert finding.severity is Severity.ERROR and "my.dotted" in finding.message
    assert "9starts" not in finding.message  # Kubernetes skips that key itself


def test_an_optional_key_known_missing_is_left_out_as_kubernetes_does() -> None:
    result = convert_yaml(ENV)[0]
    (finding,) = [f for f in result.findings if f.code == "KI313"]
    assert "left out" in finding.message


def test_a_reference_to_a_variable_not_carried_is_reported() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          template:
            spec:
              containers:
              - name: api
                image: x
                env:
                - name: POD
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - {name: ID, value: "$(POD)-1"}
                - {name: LATER, value: "$(AFTER)"}
                - {name: AFTER, value: "x"}
    """
    assert_converts(text, findings=[("KI321", "spec.template.spec.containers[0].env[1].value")])
    result = convert_yaml(text)[0]
    assert [f.path for f in result.findings if f.code == "KI321"] == [
        "spec.template.spec.containers[0].env[1].value"
    ]


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


def test_the_volume_sources_are_the_kubernetes_clients() -> None:
    from k8s2ief.behaviour.kubernetes import KUBERNETES_SOURCES
    from k8s2ief.rules.k8s_fields_table import TYPES

    assert set(TYPES["V1Volume"]) - {"name"} == KUBERNETES_SOURCES


def test_an_init_container_may_use_the_port_an_app_container_binds_later() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: init}
        spec:
          template:
            spec:
              initContainers:
              - {name: setup, image: x, ports: [{containerPort: 80}]}
              containers:
              - {name: app, image: y, ports: [{containerPort: 80}]}
    """
    assert_converts(text, absent=["KI320"])


def test_a_reference_to_an_env_from_key_ief_cannot_name_is_reported() -> None:
    text = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm}
        data: {db.host: x}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          template:
            spec:
              containers:
              - name: api
                image: x
                envFrom: [{configMapRef: {name: cm}}]
                env: [{name: URL, value: "http://$(db.host)/"}]
    """
    assert_converts(
        text, findings=["KI302", ("KI321", "spec.template.spec.containers[0].env[0].value")]
    )


def test_a_variable_redefined_after_a_reference_is_reported() -> None:
    text = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm}
        data: {HOST: x}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          template:
            spec:
              containers:
              - name: api
                image: x
                envFrom: [{configMapRef: {name: cm}}]
                env:
                - {name: URL, value: "http://$(HOST)/"}
                - {name: HOST, value: "override"}
    """
    assert_converts(text, findings=[("KI321", "spec.template.spec.containers[0].env[1].name")])


def test_host_network_ports_keep_their_protocol_and_conflict_across_replicas() -> None:
    text = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: dns}
        spec:
          replicas: 2
          template:
            spec:
              hostNetwork: true
              containers:
              - {name: dns, image: x, ports: [{containerPort: 53, protocol: UDP}]}
    """
    assert_converts(text, edition="platinum", findings=["KI320"], absent=["KI304", "KI319"])


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


def test_command_and_args_are_expanded_with_the_containers_env() -> None:
    pod = {
        "containers": [
            {
                "name": "c",
                "command": ["run", "--user=$(USER)"],
                "args": ["$(MISSING)", "$$(USER)"],
                "env": [{"name": "USER", "value": "app"}],
            }
        ]
    }
    facts = kubernetes_facts(_manifest(pod), {}, group_target=False)
    assert facts[("argv", "c")] == ("run", "--user=app", "$(MISSING)", "$(USER)")
    body = {
        "node_ids": ["n"],
        "deployment": {
            "template": {
                "containers": [{"name": "c", "command": ["run", "--user=$(USER)"], "args": ["x"]}]
            }
        },
    }
    assert ief_facts(body)[("argv", "c")] == ("run", "--user=$(USER)", "x")
