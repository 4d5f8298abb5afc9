"""Behavioural fidelity of node ports and the environment: the defects the model exposed."""

from __future__ import annotations

from convert_helper import assert_converts, convert_yaml

from k8s2ief.findings import Severity

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
