"""The finding registry, the generated Kubernetes field table, and the library API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from k8s2ief import convert
from k8s2ief.codes import REGISTRY, resolve_code
from k8s2ief.findings import Policy, Severity

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r'"(KI\d{3})"')


def test_every_code_used_in_the_source_is_registered_and_every_registered_code_is_used() -> None:
    used: set[str] = set()
    for path in (ROOT / "k8s2ief").rglob("*.py"):
        if path.name != "codes.py":
            used |= set(CODE.findall(path.read_text()))
    assert used - set(REGISTRY) == set()
    assert set(REGISTRY) - used == set()


def test_codes_resolve_by_number_or_name() -> None:
    assert resolve_code("ki301") == "KI301"
    assert resolve_code("env-value-not-string") == "KI301"
    assert len({info.name for info in REGISTRY.values()}) == len(REGISTRY)


def test_k8s_field_table_matches_the_installed_kubernetes_client() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_k8s_fields.py")],
        capture_output=True, text=True, check=True, timeout=120,
    )
    committed = (ROOT / "k8s2ief" / "rules" / "k8s_fields_table.py").read_text()
    assert done.stdout == committed, "regenerate: python scripts/gen_k8s_fields.py > ..."


def test_library_convert() -> None:
    manifest = yaml.safe_load((ROOT / "testdata/golden/basic/input.yaml").read_text())
    result = convert(manifest, node_id="n1")
    assert result.body is not None and result.body["node_ids"] == ["n1"]
    assert result.status == "converted"
    assert all(f.line is None and f.file is None for f in result.findings)
    assert {f.code for f in result.findings} == {"KI202", "KI110"}


def test_library_convert_never_raises_on_bad_content() -> None:
    result = convert({"kind": "Deployment", "apiVersion": "apps/v1", "spec": None})
    assert result.status == "failed"
    assert any(f.severity is Severity.ERROR for f in result.findings)


def test_policy_ignores_and_overrides() -> None:
    result = convert({"kind": "Deployment", "apiVersion": "apps/v1",
                      "metadata": {"name": "x", "namespace": "y"},
                      "spec": {"template": {"spec": {"containers": [{"name": "a",
                                                                     "image": "b"}]}}}},
                     node_id="n")
    kept, dropped = Policy.build(ignore=["KI103"], severities={"KI202": "error"}).apply(
        result.findings
    )
    assert dropped == 1 and "KI103" not in {f.code for f in kept}
    assert all(f.severity is Severity.ERROR for f in kept if f.code == "KI202")


def test_cli_does_not_import_the_kubernetes_client() -> None:
    code = (
        "import sys\n"
        "from k8s2ief.cli import main\n"
        f"main(['convert', '{ROOT}/testdata/golden/resources/input.yaml', '--node-id', 'n'])\n"
        "assert 'kubernetes.client' not in sys.modules, 'kubernetes client imported'\n"
        "assert 'jsonschema' not in sys.modules\n"
        "assert 'huaweicloudsdkief' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
