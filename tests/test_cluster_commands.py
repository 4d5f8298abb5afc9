"""audit --from-cluster and apply --from-cluster, against the fake Kubernetes API of
test_cluster.py (its server and kubeconfig fixtures, imported from there) and, for apply, the IEF
emulator over 127.0.0.1.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cluster import SECRET_VALUE, _kubeconfig, kubeconfig, server

from k8s2ief.cli import main
from k8s2ief.testing.emulator import Emulator

__all__ = ["kubeconfig", "server"]  # fixtures, used by name

AK, SK, PROJECT = "TESTAK0123456789", "test-secret-key-0123", "0123456789abcdef0123456789abcdef"
NODE = "9ebd8efb-9fdd-44a1-abda-9cdbc287a867"
# The Secret's value as the cluster holds it (base64) and decoded: neither may ever be printed.
SECRETS = (SECRET_VALUE, base64.b64decode(SECRET_VALUE).decode())
SHOP = {"cluster:test/shop/web", "cluster:test/shop/worker"}


@pytest.fixture()
def down(tmp_path: Path) -> Path:
    """A kubeconfig whose server does not listen."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    return _kubeconfig(tmp_path / "down", f"http://127.0.0.1:{port}")


# --------------------------------------------------------------------------- audit


def _audit(
    capsys: pytest.CaptureFixture[str], kubeconfig: Path, *args: str
) -> tuple[int, str, str]:
    code = main(
        ["audit", "--from-cluster", "--kubeconfig", str(kubeconfig), "--node-id", "n1", *args]
    )
    out, err = capsys.readouterr()
    assert not any(secret in out + err for secret in SECRETS)
    return code, out, err


def test_audit_json(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> None:
    code, out, err = _audit(capsys, kubeconfig, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    documents = report["documents"]
    assert {d["file"] for d in documents} == SHOP
    for document in documents:
        assert document["kind"] == "Deployment" and document["status"] == "clean"
        assert document["line"] is None  # no file: the line is unknown, not 0
        assert all(
            f["file"] == document["file"] and f["line"] is None for f in document["findings"]
        )
    assert report["summary"]["deployments"] == {"total": 2, "movable": 2, "share": 1.0}
    web = next(d for d in documents if d["name"] == "web")
    # envFrom: the ConfigMap was read for its key names, so the env could be expanded.
    assert "KI311" in [f["code"] for f in web["findings"]]


def test_audit_reports_what_convert_reports(
    capsys: pytest.CaptureFixture[str], kubeconfig: Path
) -> None:
    _, out, _ = _audit(capsys, kubeconfig, "--format", "json")
    audited = {
        d["name"]: [(f["code"], f["path"], f["message"]) for f in d["findings"]]
        for d in json.loads(out)["documents"]
    }
    assert (
        main(
            [
                "convert",
                "--from-cluster",
                "--kubeconfig",
                str(kubeconfig),
                "--node-id",
                "n1",
                "--report-format",
                "json",
                "--fail-on",
                "never",
            ]
        )
        == 0
    )
    converted = {
        d["name"]: [(f["code"], f["path"], f["message"]) for f in d["findings"]]
        for d in json.loads(capsys.readouterr().err)["documents"]
    }
    assert audited == converted


def test_audit_sarif(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> None:
    code, out, err = _audit(capsys, kubeconfig, "--format", "sarif", "-A")
    assert code == 0, err
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results
    uris = set()
    for result in results:
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        uris.add(physical["artifactLocation"]["uri"])
    assert uris == {*SHOP, "cluster:test/default/api"}  # the source itself, not cluster%3A...
    rules = [rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)


def test_audit_text_markdown_csv(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> None:
    code, out, _ = _audit(capsys, kubeconfig, "--format", "text")
    assert code == 0
    assert "cluster:test/shop/web: info KI103" in out
    assert ":0" not in out and ":None" not in out
    code, out, _ = _audit(capsys, kubeconfig, "--format", "markdown")
    assert code == 0 and "| cluster:test/shop/web | 1 |" in out
    code, out, _ = _audit(capsys, kubeconfig, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows
    assert {row["file"] for row in rows} == SHOP
    assert {row["line"] for row in rows} == {""}


def test_audit_selector_output_and_fail_on(
    capsys: pytest.CaptureFixture[str], kubeconfig: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    code, out, _ = _audit(
        capsys, kubeconfig, "-l", "tier=back", "--format", "json", "--output", str(report)
    )
    assert code == 0 and out == ""
    assert [d["name"] for d in json.loads(report.read_text())["documents"]] == ["worker"]
    code, _, _ = _audit(capsys, kubeconfig, "--fail-on", "info", "-q")
    assert code == 1


def test_audit_unreachable_is_one_line(capsys: pytest.CaptureFixture[str], down: Path) -> None:
    for fmt in ("json", "sarif"):
        code, out, err = _audit(capsys, down, "--format", fmt)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1, err
        assert "cannot reach the cluster" in err and "Traceback" not in err


def test_audit_option_misuse(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> None:
    assert main(["audit", "--from-cluster", "testdata/audit"]) == 2
    assert main(["audit", "-A", "testdata/audit"]) == 2
    assert main(["audit", "--from-cluster", "-A", "-n", "shop"]) == 2
    code, _, err = _audit(capsys, kubeconfig, "-n", "nowhere")
    assert code == 2 and "namespace nowhere does not exist" in err


# --------------------------------------------------------------------------- apply


@pytest.fixture()
def emu(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulator]:
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
    monkeypatch.delenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", raising=False)
    with Emulator({AK: SK}, PROJECT) as emulator:
        yield emulator


def _apply(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, emu: Emulator, *args: str
) -> tuple[int, str, str]:
    caplog.set_level(logging.DEBUG)
    code = main(["apply", "--endpoint", emu.endpoint, "--retry-base-delay", "0.01", *args])
    out, err = capsys.readouterr()
    printed = out + err + caplog.text
    caplog.clear()
    for secret in (*SECRETS, AK, SK):
        assert secret not in printed
    return code, out, err


def test_apply_from_cluster_end_to_end(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    emu: Emulator,
    kubeconfig: Path,
) -> None:
    cluster = ("--from-cluster", "--kubeconfig", str(kubeconfig), "-l", "app=web")
    code, out, err = _apply(capsys, caplog, emu, *cluster, "--node-id", NODE)
    assert code == 0, out + err
    assert out.splitlines() == [
        "ConfigMap web-config: created",
        "Secret web-secret: created",
        "web: created",
    ]
    [deployment] = emu.deployments
    assert deployment["name"] == "web" and deployment["node_ids"] == [NODE]
    [configmap] = emu.configmaps
    assert configmap["name"] == "web-config"
    assert configmap["configs"] == {"color": "blue", "size": "large"}
    [secret] = emu.secrets
    assert secret["name"] == "web-secret"
    assert secret["secrets"] == {"password": SECRET_VALUE}  # base64, as Kubernetes holds it
    # The same cluster again: nothing to do, and json output prints no values either.
    code, out, _ = _apply(capsys, caplog, emu, *cluster, "--node-id", NODE, "-o", "json")
    assert code == 0
    assert {(r["kind"], r["action"]) for r in json.loads(out)} == {
        ("ConfigMap", "unchanged"),
        ("Secret", "unchanged"),
        ("Deployment", "unchanged"),
    }


def test_apply_all_namespaces_dry_run(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    emu: Emulator,
    kubeconfig: Path,
) -> None:
    code, out, err = _apply(
        capsys,
        caplog,
        emu,
        "--from-cluster",
        "--kubeconfig",
        str(kubeconfig),
        "-A",
        "--node-id",
        NODE,
        "--dry-run",
        "-o",
        "json",
    )
    assert code == 0, out + err
    planned = {(r["kind"], r["name"]) for r in json.loads(out)}
    assert planned == {
        ("ConfigMap", "web-config"),
        ("Secret", "web-secret"),
        ("Deployment", "api"),
        ("Deployment", "web"),
        ("Deployment", "worker"),
    }
    assert emu.deployments == [] and emu.configmaps == [] and emu.secrets == []
    code, out, _ = _apply(
        capsys,
        caplog,
        emu,
        "--from-cluster",
        "--kubeconfig",
        str(kubeconfig),
        "-n",
        "default",
        "--node-id",
        NODE,
    )
    assert code == 0 and out.splitlines() == ["api: created"]
    assert [d["name"] for d in emu.deployments] == ["api"] and emu.configmaps == []


def test_apply_cluster_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    emu: Emulator,
    down: Path,
    kubeconfig: Path,
) -> None:
    code, out, err = _apply(
        capsys, caplog, emu, "--from-cluster", "--kubeconfig", str(down), "--node-id", NODE
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("k8s2ief apply: cannot reach the cluster")
    misuse: list[tuple[str, ...]] = [
        ("--from-cluster", "--kubeconfig", str(kubeconfig), "some.yaml"),
        ("--from-cluster", "--kubeconfig", str(kubeconfig), "--bodies", "-"),
        ("-n", "shop", "some.yaml"),
        ("--from-cluster", "-A", "-n", "shop"),
        (),
    ]
    for args in misuse:
        code, out, err = _apply(capsys, caplog, emu, *args, "--node-id", NODE)
        assert code == 2 and out == "", args
        assert err.count("\n") == 1 and err.startswith("k8s2ief apply: "), err
    assert emu.deployments == []
