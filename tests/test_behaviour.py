"""The behavioural model (k8s2ief.behaviour): the kubelet's expansion, both sides, coverage."""

from __future__ import annotations

import pytest

from k8s2ief.behaviour import compare, ief_facts, kubernetes_facts, uncovered_differences
from k8s2ief.behaviour.coverage import Seen
from k8s2ief.behaviour.expansion import expand, references
from k8s2ief.behaviour.facts import resolve_env
from k8s2ief.findings import Severity

# --- the kubelet's $(VAR) expansion ----------------------------------------------------------


# Cases of the kubelet's own expansion tests (third_party/forked/golang/expansion).
KUBELET_CONTEXT = {"A": "x", "B": "y", "REF": "$(A)", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$(A)-$(B)", "x-y"),
        ("$$(A)", "$(A)"),  # escaped
        ("$$(B)_$(A)", "$(B)_x"),
        ("f-$$A", "f-$A"),
        ("$(C)", "$(C)"),  # undefined: kept as written
        ("$(A", "$(A"),  # unterminated
        ("$(A$(B))", "$(A$(B))"),  # no nesting: the name is "A$(B"
        ("$(REF)", "$(A)"),  # a value is not expanded twice
        ("a$(EMPTY)b", "ab"),
        ("$?_$!", "$?_$!"),  # shell specials pass through
        ("$$$$$$(C)", "$$$(C)"),
        ("$$$$$$$(A)", "$$$x"),
        ("${A}", "${A}"),
        ("$(A)z$", "xz$"),  # a trailing operator stays
        ("--$($($(--", "--$($($(--"),
        ("$(f$$v)", "$(f$$v)"),
        ("", ""),
    ],
)
def test_expansion_follows_the_kubelet(text: str, expanded: str) -> None:
    assert expand(text, KUBELET_CONTEXT.get) == expanded


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


def test_the_volume_sources_are_the_kubernetes_clients() -> None:
    from k8s2ief.behaviour.kubernetes import KUBERNETES_SOURCES
    from k8s2ief.rules.k8s_fields_table import TYPES

    assert set(TYPES["V1Volume"]) - {"name"} == KUBERNETES_SOURCES


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
