"""convert --from-cluster (issue 9) against a fake Kubernetes API on 127.0.0.1.

The API serves testdata/cluster/server/*.json: the Deployments of testdata/cluster/plain/*.yaml
as the API server returns them (build.py fills in every default, managedFields, status ...).
Converting them must give the same bodies, and the same findings plus at most one KI002 and one
KI010 summary, as converting the plain YAML.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from k8s2ief.cli import main
from k8s2ief.load.cluster import ClusterTarget, read_cluster

pytest.importorskip("kubernetes")

DATA = Path(__file__).resolve().parent.parent / "testdata" / "cluster"
TOKEN = "test-token-123"
NAMESPACES = ("default", "shop")
SECRET_VALUE = "c2VjcmV0LXZhbHVlLTQy"


def _objects() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((DATA / "server").glob("*.json"))]


def _matches(labels: dict[str, str], selector: str) -> bool:
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.rstrip("=")) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class FakeApi(BaseHTTPRequestHandler):
    objects: ClassVar[list[dict[str, Any]]] = []
    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _status(self, code: int, reason: str, message: str) -> None:
        self._send(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                          "message": message, "reason": reason, "code": code})

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.requests.append(self.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._status(401, "Unauthorized", "Unauthorized")
            return
        selector = parse_qs(url.query).get("labelSelector", [""])[0]
        parts = url.path.strip("/").split("/")
        if parts == ["apis", "apps", "v1", "deployments"]:
            self._list(None, selector)
        elif parts[:4] == ["apis", "apps", "v1", "namespaces"] and parts[5:] == ["deployments"]:
            if parts[4] == "forbidden":
                self._status(403, "Forbidden", 'deployments.apps is forbidden: User "me" cannot '
                             'list resource "deployments" in namespace "forbidden"')
                return
            self._list(parts[4], selector)
        elif parts[:3] == ["api", "v1", "namespaces"] and len(parts) == 4:
            if parts[3] in NAMESPACES:
                self._send(200, {"kind": "Namespace", "apiVersion": "v1",
                                 "metadata": {"name": parts[3]}})
            else:
                self._status(404, "NotFound", f'namespaces "{parts[3]}" not found')
        elif parts[:3] == ["api", "v1", "namespaces"] and len(parts) == 6:
            kind = {"configmaps": "ConfigMap", "secrets": "Secret"}.get(parts[4])
            found = [o for o in self.objects if o["kind"] == kind
                     and o["metadata"]["namespace"] == parts[3]
                     and o["metadata"]["name"] == parts[5]]
            if found:
                self._send(200, found[0])
            else:
                self._status(404, "NotFound", f'{parts[4]} "{parts[5]}" not found')
        else:
            self._status(404, "NotFound", "the server could not find the requested resource")

    def _list(self, namespace: str | None, selector: str) -> None:
        items = []
        for obj in self.objects:
            meta = obj["metadata"]
            if obj["kind"] != "Deployment":
                continue
            if namespace is not None and meta["namespace"] != namespace:
                continue
            if not _matches(meta.get("labels", {}), selector):
                continue
            item = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
            items.append(item)  # list items come without kind and apiVersion, as in the API
        self._send(200, {"kind": "DeploymentList", "apiVersion": "apps/v1",
                         "metadata": {"resourceVersion": "5000"}, "items": items})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    FakeApi.objects = _objects()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _kubeconfig(path: Path, server: str, *, token: str = TOKEN,
                namespace: str | None = "shop") -> Path:
    context: dict[str, Any] = {"cluster": "fake", "user": "me"}
    if namespace:
        context["namespace"] = namespace
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "fake", "cluster": {"server": server}}],
        "users": [{"name": "me", "user": {"token": token}}],
        "contexts": [{"name": "test", "context": context},
                     {"name": "other", "context": {"cluster": "fake", "user": "me"}}],
    }
    path.write_text(json.dumps(config))
    return path


@pytest.fixture()
def kubeconfig(tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    return _kubeconfig(tmp_path / "config", server)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["convert", "-o", "jsonl", "--node-id", "n1", "--report-format", "json",
                 "--fail-on", "never", *args])
    out, err = capsys.readouterr()
    bodies = [json.loads(line) for line in out.splitlines() if line.strip()]
    return code, bodies, err


def _findings(report: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    return {
        doc["name"]: sorted((f["code"], f["path"], f["message"]) for f in doc["findings"])
        for doc in report["documents"]
    }


def _plain(capsys: pytest.CaptureFixture[str], *names: str) -> tuple[list[Any], dict[str, Any]]:
    files = [str(DATA / "plain" / f"{n}.yaml") for n in names]
    code, bodies, err = _run(capsys, *files, str(DATA / "plain" / "references.yaml"))
    assert code == 0, err
    return bodies, _findings(json.loads(err))


def test_bodies_and_findings_match_plain_yaml(capsys: pytest.CaptureFixture[str],
                                              kubeconfig: Path) -> None:
    code, bodies, err = _run(capsys, "--from-cluster", "--kubeconfig", str(kubeconfig))
    assert code == 0, err
    report = json.loads(err)
    plain_bodies, plain_findings = _plain(capsys, "web", "worker")
    assert sorted(bodies, key=lambda b: b["name"]) == sorted(plain_bodies,
                                                             key=lambda b: b["name"])
    cluster = _findings(report)
    assert set(cluster) == {"web", "worker"}
    for name, found in cluster.items():
        summaries = [f for f in found if f[0] in ("KI002", "KI010")]
        assert sorted(f[0] for f in summaries) == ["KI002", "KI010"]
        rest = [f for f in found if f[0] not in ("KI002", "KI010")]
        assert rest == [f for f in plain_findings[name] if f[0] != "KI003"], name
    assert {doc["file"] for doc in report["documents"]} == {
        "cluster:test/shop/web", "cluster:test/shop/worker"}
    for doc in report["documents"]:
        assert all(f["file"] == doc["file"] for f in doc["findings"])


def test_text_report_names_the_cluster_source(capsys: pytest.CaptureFixture[str],
                                              kubeconfig: Path) -> None:
    code = main(["convert", "--from-cluster", "--kubeconfig", str(kubeconfig), "--node-id", "n1",
                 "-l", "app=web"])
    _, err = capsys.readouterr()
    assert code == 0
    assert "cluster:test/shop/web: info KI002" in err
    assert "cluster:test/shop/web: info KI103" in err and "[metadata.namespace]" in err
    assert SECRET_VALUE not in err


def test_host_network_deployment_in_default_namespace(capsys: pytest.CaptureFixture[str],
                                                      tmp_path: Path, server: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # No namespace in the context: "default"; KUBECONFIG is honoured.
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path / "cfg", server, namespace=None)))
    code, bodies, err = _run(capsys, "--from-cluster")
    assert code == 0, err
    plain_bodies, _ = _plain(capsys, "api")
    assert bodies == plain_bodies
    assert json.loads(err)["documents"][0]["file"] == "cluster:test/default/api"


def test_selector_and_all_namespaces(capsys: pytest.CaptureFixture[str],
                                     kubeconfig: Path) -> None:
    code, bodies, _ = _run(capsys, "--from-cluster", "--kubeconfig", str(kubeconfig),
                           "--selector", "tier=back")
    assert code == 0 and [b["name"] for b in bodies] == ["worker"]
    code, bodies, _ = _run(capsys, "--from-cluster", "--kubeconfig", str(kubeconfig), "-A")
    assert code == 0 and sorted(b["name"] for b in bodies) == ["api", "web", "worker"]
    code, bodies, _ = _run(capsys, "--from-cluster", "--kubeconfig", str(kubeconfig), "-A",
                           "-l", "app in (api)")
    assert code == 0  # the fake API knows no set selectors: it simply matches nothing
    code, bodies, _ = _run(capsys, "--from-cluster", "--kubeconfig", str(kubeconfig),
                           "--context", "other", "-n", "default")
    assert code == 0 and [b["name"] for b in bodies] == ["api"]


def test_references_read_for_apply(kubeconfig: Path) -> None:
    documents = read_cluster(ClusterTarget(kubeconfig=str(kubeconfig), selector="app=web"),
                             with_references=True)
    kinds = [(d.kind, d.source) for d in documents]
    assert kinds == [
        ("Deployment", "cluster:test/shop/web"),
        ("ConfigMap", "cluster:test/shop/web-config"),
        ("Secret", "cluster:test/shop/web-secret"),
    ]
    secret = documents[2]
    assert secret.data["data"]["password"] == SECRET_VALUE  # type: ignore[index]
    assert SECRET_VALUE not in repr(secret)
    annotations = secret.data["metadata"].get("annotations", {})  # type: ignore[index]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in annotations
    web = documents[0].data
    assert "managedFields" in web["metadata"]  # type: ignore[index]
    assert web["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"  # type: ignore[index]


def _one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(["convert", "--from-cluster", *args])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def test_unauthorized(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: str) -> None:
    config = _kubeconfig(tmp_path / "bad", server, token="wrong")
    err = _one_line_error(capsys, "--kubeconfig", str(config))
    assert "401" in err and "unauthorized" in err


def test_forbidden(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> None:
    err = _one_line_error(capsys, "--kubeconfig", str(kubeconfig), "-n", "forbidden")
    assert "403" in err and "cannot list" in err


def test_unreachable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    config = _kubeconfig(tmp_path / "down", f"http://127.0.0.1:{port}")
    err = _one_line_error(capsys, "--kubeconfig", str(config))
    assert "cannot reach the cluster" in err and str(port) in err


def test_missing_kubeconfig(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    err = _one_line_error(capsys, "--kubeconfig", str(tmp_path / "nope"))
    assert "does not exist" in err
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nope"))
    err = _one_line_error(capsys)
    assert "no kubeconfig" in err
    monkeypatch.delenv("KUBECONFIG")
    monkeypatch.setenv("HOME", str(tmp_path))
    err = _one_line_error(capsys)
    assert "no kubeconfig" in err


def test_unknown_namespace_and_context(capsys: pytest.CaptureFixture[str],
                                       kubeconfig: Path) -> None:
    err = _one_line_error(capsys, "--kubeconfig", str(kubeconfig), "-n", "nowhere")
    assert "namespace nowhere does not exist" in err
    err = _one_line_error(capsys, "--kubeconfig", str(kubeconfig), "--context", "nope")
    assert "context nope" in err


def test_option_misuse(capsys: pytest.CaptureFixture[str], kubeconfig: Path) -> None:
    assert main(["convert", "-n", "shop", str(DATA / "plain" / "web.yaml")]) == 2
    assert main(["convert", "--from-cluster", str(DATA / "plain" / "web.yaml")]) == 2
    assert main(["convert", "--from-cluster", "-A", "-n", "shop"]) == 2
    capsys.readouterr()


def test_server_json_is_up_to_date(tmp_path: Path) -> None:
    """testdata/cluster/server/ is what build.py makes of plain/ (rerun it after an edit)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", DATA / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    import yaml

    version = 0
    for path in sorted((DATA / "plain").glob("*.yaml")):
        for plain in yaml.safe_load_all(path.read_text()):
            version += 1
            obj = build.server_object(plain, version)
            meta = obj["metadata"]
            name = f"{obj['kind']}-{meta['namespace']}-{meta['name']}.json".lower()
            assert json.loads((DATA / "server" / name).read_text()) == obj
