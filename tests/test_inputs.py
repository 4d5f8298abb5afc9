"""Inputs people have (issue 15): -f beside paths, -k kustomizations, Helm charts and templates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from clirun import GOLDEN, INPUTS, k8s2ief

BASIC = GOLDEN / "basic" / "input.yaml"
TARGETS = GOLDEN / "names-and-targets" / "input.yaml"
needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")


@pytest.mark.parametrize("command", ["convert", "audit"])
def test_filename_option_reads_like_a_path(command: str) -> None:
    by_path = k8s2ief(
        command,
        BASIC,
        TARGETS,
        "--node-id",
        "n1",
        "--report-format" if command == "convert" else "--format",
        "json",
    )
    by_flag = k8s2ief(
        command,
        "-f",
        BASIC,
        "--filename",
        TARGETS,
        "--node-id",
        "n1",
        "--report-format" if command == "convert" else "--format",
        "json",
    )
    mixed = k8s2ief(
        command,
        BASIC,
        "-f",
        TARGETS,
        "--node-id",
        "n1",
        "--report-format" if command == "convert" else "--format",
        "json",
    )
    assert by_path.returncode == by_flag.returncode == mixed.returncode
    assert by_path.stdout == by_flag.stdout == mixed.stdout
    assert by_path.stderr == by_flag.stderr == mixed.stderr
    assert str(TARGETS) in by_flag.stdout + by_flag.stderr


def test_filename_dash_is_stdin() -> None:
    done = k8s2ief("convert", "-f", "-", "--node-id", "n1", stdin=BASIC.read_text())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["node_ids"] == ["n1"]


def test_apply_takes_filename(tmp_path: Path) -> None:
    # No credentials: apply stops at that usage error, after -f was accepted as the input.
    done = k8s2ief(
        "apply",
        "-f",
        BASIC,
        "--region",
        "cn-north-4",
        "--dry-run",
        env={"HUAWEICLOUD_SDK_AK": "", "HUAWEICLOUD_SDK_SK": ""},
    )
    assert done.returncode == 2
    assert "credentials" in done.stderr and "no such option" not in done.stderr


@needs_kubectl
def test_kustomize_is_rendered_and_findings_point_at_the_rendering() -> None:
    done = k8s2ief(
        "convert", "-k", INPUTS / "kustomize", "--node-id", "n1", "--report-format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "shop-web"  # kustomize's namePrefix was applied
    report = json.loads(done.stderr)
    [document] = report["documents"]
    assert document["file"] == f"kustomize:{INPUTS / 'kustomize'}"
    privileged = next(f for f in document["findings"] if f["code"] == "KI801")
    import subprocess

    rendered = subprocess.run(
        ["kubectl", "kustomize", str(INPUTS / "kustomize")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert rendered[privileged["line"] - 1].strip() == "privileged: true"


@needs_kubectl
def test_kustomize_in_audit_beside_files() -> None:
    done = k8s2ief(
        "audit",
        "-k",
        INPUTS / "kustomize",
        BASIC,
        "--node-id",
        "n1",
        "--format",
        "json",
        "--jobs",
        "2",
    )
    assert done.returncode == 0, done.stderr
    files = [d["file"] for d in json.loads(done.stdout)["documents"]]
    assert files == [str(BASIC), f"kustomize:{INPUTS / 'kustomize'}"]


@needs_kubectl
def test_kustomize_failure_is_one_line_exit_2() -> None:
    done = k8s2ief("convert", "-k", INPUTS / "kustomize-broken")
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"k8s2ief: -k {INPUTS / 'kustomize-broken'}: kubectl kustomize failed:")
    assert "missing.yaml" in line


def test_kustomize_without_kubectl_says_so(tmp_path: Path) -> None:
    done = k8s2ief("convert", "-k", INPUTS / "kustomize", env={"PATH": str(tmp_path)})
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "needs kubectl on PATH" in line and "kustomize build" in line


def test_kustomization_folder_as_a_path_says_to_use_k() -> None:
    done = k8s2ief("audit", INPUTS / "kustomize")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert f"render it with -k {INPUTS / 'kustomize'}" in line
    assert "KI013" not in done.stdout + done.stderr


def test_kustomization_inside_a_tree_is_skipped_with_a_notice(tmp_path: Path) -> None:
    shutil.copytree(INPUTS / "kustomize", tmp_path / "apps" / "web")
    done = k8s2ief("audit", tmp_path, "--format", "json", "--node-id", "n1")
    assert done.returncode == 0, done.stderr
    files = [d["file"] for d in json.loads(done.stdout)["documents"]]
    assert files == [str(tmp_path / "apps" / "web" / "base" / "deploy.yaml")]
    assert "kustomization.yaml is a kustomization, not a manifest" in done.stderr


def test_chart_folder_parts_are_not_manifests() -> None:
    done = k8s2ief("audit", INPUTS / "chart", "--format", "json", "--node-id", "n1")
    report = json.loads(done.stdout)
    files = [d["file"] for d in report["documents"]]
    assert files == [str(INPUTS / "chart" / "crds" / "deploy-extra.yaml")]  # crds/ stays
    assert report["summary"]["statuses"]["blocked"] == 0
    notices = [line for line in done.stderr.splitlines() if "Helm chart" in line]
    assert len(notices) == 1, done.stderr  # said once
    assert "helm template" in notices[0]


def test_chart_files_given_one_by_one_are_skipped_too() -> None:
    chart = INPUTS / "chart"
    done = k8s2ief(
        "audit",
        chart / "Chart.yaml",
        chart / "values.yaml",
        chart / "templates" / "deployment.yaml",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"] == []


@pytest.mark.parametrize(("name", "line"), [("helm-template.yaml", 7), ("helm-quoted.yaml", 10)])
def test_helm_template_says_to_render_it_first(name: str, line: int) -> None:
    done = k8s2ief("convert", INPUTS / name, "--node-id", "n1")
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"{INPUTS / name}:{line}: error KI001")
    assert "Helm template" in first and "helm template" in first and "k8s2ief convert -" in first


def test_go_templates_in_configmap_data_are_not_helm() -> None:
    done = k8s2ief("convert", INPUTS / "prometheus-rules.yaml", "--report-format", "json")
    assert done.returncode == 0, done.stderr
    [document] = json.loads(done.stderr)["documents"]
    assert document["status"] == "skipped"


def test_text_full_of_braces_is_scanned_in_linear_time() -> None:
    # Quadratic scanning would take minutes here and hit the subprocess timeout.
    for hostile, message in (
        ("a: b\n" + "{{ " * 400_000 + "\n", "invalid YAML"),  # no action: never closed
        ("a: '" + "{{ .Values.x " * 100_000 + "}}'\n", "Helm template"),
    ):
        done = k8s2ief("convert", "-", stdin=hostile)
        assert done.returncode == 2
        assert message in done.stderr.splitlines()[0]
