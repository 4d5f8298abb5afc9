"""Body paths mapped back to manifest fields (k8s2ief.rules.origins) and the converter codes
that explain a body violation (k8s2ief.ief.explained)."""

from __future__ import annotations

import textwrap

import yaml

from k8s2ief.ief.explained import explained_by
from k8s2ief.ief.validate import Violation
from k8s2ief.rules import convert_manifest
from k8s2ief.rules.ledger import Ledger
from k8s2ief.rules.origins import manifest_path
from k8s2ief.settings import Settings

MANIFEST = yaml.safe_load(
    textwrap.dedent(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              initContainers:
              - {name: init, image: x}
              containers:
              - name: web
                image: nginx
                env:
                - {name: A, value: "1"}
                ports:
                - {containerPort: 80, hostPort: 8080}
                livenessProbe:
                  httpGet: {path: /healthz, port: 80}
                volumeMounts:
                - {name: data, mountPath: /data}
              volumes:
              - {name: data, emptyDir: {}}
        """
    )
)
APP = ("spec", "template", "spec", "containers", 0)


def _origins() -> dict:
    ledger = Ledger()
    convert_manifest(MANIFEST, Settings(node_id="n"), ledger)
    return ledger.body_paths


def test_container_parts_map_back_to_their_manifest_fields() -> None:
    origins = _origins()
    body = ("deployment", "template", "containers", 0)
    assert manifest_path(origins, (*body, "liveness_probe", "http_get", "path")) == (
        *APP,
        "livenessProbe",
        "httpGet",
        "path",
    )
    assert manifest_path(origins, (*body, "envs", 0, "value")) == (*APP, "env", 0, "value")
    assert manifest_path(origins, (*body, "ports", 0, "host_port")) == (
        *APP,
        "ports",
        0,
        "hostPort",
    )
    assert manifest_path(origins, (*body, "volumes", 0, "destination")) == (
        *APP,
        "volumeMounts",
        0,
        "mountPath",
    )
    assert manifest_path(origins, ("deployment", "template", "init_containers", 0, "name")) == (
        "spec",
        "template",
        "spec",
        "initContainers",
        0,
        "name",
    )


def test_fixed_parts_and_unknown_keys_map_to_the_nearest_field() -> None:
    origins = _origins()
    assert manifest_path(origins, ("deployment", "replicas")) == ("spec", "replicas")
    assert manifest_path(origins, ("node_ids", 0)) == ()
    body = ("deployment", "template", "containers", 0, "envs", 0, "odd")
    assert manifest_path(origins, body) == (*APP, "env", 0)


def test_explained_by_reads_rule_ids_then_body_fields() -> None:
    assert explained_by(Violation("$", "argv-length", "", ())) == {"KI305"}
    env = ("deployment", "template", "containers", 3, "envs", 2, "value")
    assert explained_by(Violation("$", "schema.maxLength", "", env)) == {"KI301", "KI302", "KI312"}
    init = ("deployment", "template", "init_containers", 0, "name")
    assert explained_by(Violation("$", "schema.pattern", "", init)) == {"KI308"}
    assert explained_by(Violation("$", "schema.type", "", ("tags", 0, "key"))) == frozenset()


def test_a_probe_command_too_long_for_ief_is_reported_at_the_probe_command() -> None:
    from convert_helper import convert_yaml

    text = f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: probe}}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: x
                livenessProbe:
                  exec: {{command: [sh, -c, "{"x" * 11000}"]}}
    """
    (result,) = convert_yaml(text)
    (violation,) = [f for f in result.findings if f.code == "KI901"]
    assert violation.path == "spec.template.spec.containers[0].livenessProbe.exec.command"
