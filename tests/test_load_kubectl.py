"""The loader reads YAML as Kubernetes does; kubectl's own decoding is the reference."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from k8s2ief.load import iter_documents

TRICKY = Path(__file__).resolve().parent.parent / "testdata" / "scalars" / "tricky.yaml"
KUBECTL = shutil.which("kubectl")


def _ours() -> dict[str, object]:
    (doc,) = list(iter_documents([str(TRICKY)]))
    assert doc.error is None
    return doc.data["data"]  # type: ignore[index, return-value]


def _numbers_as_floats(value: object) -> object:
    """kubectl prints 1e3 as 1000 and big integers through float64; compare numbers as floats."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers_as_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_floats(v) for v in value]
    return value


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (apt-get install kubectl)")
def test_loader_agrees_with_kubectl_on_tricky_scalars() -> None:
    done = subprocess.run(
        [KUBECTL, "annotate", "--local", "-f", str(TRICKY), "none-", "-o", "json"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    theirs = json.loads(done.stdout)["data"]
    ours = _ours()
    assert set(ours) == set(theirs)
    for key in theirs:
        assert _numbers_as_floats(ours[key]) == _numbers_as_floats(theirs[key]), key


def test_loader_differs_from_pyyaml_where_kubernetes_does() -> None:
    ours = _ours()
    # PyYAML cannot even load two of the lines ("=" and a custom tag): leave them out for it.
    lines = TRICKY.read_text().splitlines()
    text = "\n".join(line for line in lines if "equals:" not in line and "!foo" not in line)
    plain = yaml.safe_load(text)["data"]
    assert ours["date"] == "2024-01-01" and not isinstance(plain["date"], str)
    assert ours["sexagesimal"] == "1:20" and plain["sexagesimal"] == 80
    # go-yaml reads y/n as booleans, keys too: the key `y` becomes "true".
    assert "y" not in ours and ours["true"] is True and plain["y"] == "y"
    assert ours["exponent"] == 1000.0 and plain["exponent"] == "1e3"
    assert ours["octal_o"] == 420
    assert ours["custom_tag"] == "bar"


def test_every_node_keeps_its_line() -> None:
    (doc,) = list(iter_documents([str(TRICKY)]))
    assert doc.locate(("data", "sexagesimal")) == 12
    assert doc.locate(("data", "merged", "b")) == 59
    assert doc.locate(("metadata", "name")) == 6
