"""docs/mapping.md is generated and current, and its rows describe what the rules really do."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import corpus_files, needs_corpus

from k8s2ief.load import iter_documents
from k8s2ief.paths import pattern_of
from k8s2ief.rules import accounting, convert_manifest
from k8s2ief.rules.ledger import Ledger
from k8s2ief.rules.matrix import CARRIED
from k8s2ief.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Rows are written once for containers and liveness probes; the same rules serve their twins.
TWINS = [
    (re.compile(r"\.initContainers\["), ".containers["),
    (re.compile(r"\.(readinessProbe|startupProbe)"), ".livenessProbe"),
    (re.compile(r'\.annotations\["k8s2ief\.io/[^"]+"\]$'), ".annotations"),
]


def test_mapping_doc_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_mapping.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout == (ROOT / "docs" / "mapping.md").read_text(), (
        "regenerate: python scripts/gen_mapping.py > docs/mapping.md"
    )


def _normalise(pattern: str) -> str:
    for regex, replacement in TWINS:
        pattern = regex.sub(replacement, pattern)
    return pattern


def _covered(pattern: str, rows: list[tuple[str, bool]]) -> bool:
    """A row names the field, names a subtree holding it, or lies inside it (an empty map)."""
    for row, subtree in rows:
        if pattern == row or row.startswith(pattern + ".") or row.startswith(pattern + "["):
            return True
        if subtree and pattern.startswith((row + ".", row + "[")):
            return True
    return False


@needs_corpus
def test_every_carried_field_has_a_matrix_row() -> None:
    """A field a rule consumed without a finding was carried over: the matrix must say how."""
    rows = [(_normalise(r.kubernetes), r.subtree) for r in CARRIED]
    files = [*corpus_files(), *sorted((ROOT / "testdata" / "golden").rglob("input.*"))]
    missing: set[str] = set()
    for doc in iter_documents([str(p) for p in files]):
        if doc.kind != "Deployment" or not isinstance(doc.data, dict):
            continue
        ledger = Ledger()
        _, findings = convert_manifest(doc.data, Settings(node_id="n", edition="platinum"), ledger)
        reported = {f.path for f in findings}
        for path in ledger.consumed - reported:
            if any(path[:end] in reported for end in range(1, len(path))):
                continue  # inside a reported field
            raw = pattern_of(path)
            summed = (accounting.DEFAULTS, accounting.SERVER_FIELDS, accounting.AS_ON_IEF)
            if any(raw in table for table in summed) or raw == "status":
                continue  # summed up in KI010 / KI002 / KI014 by the accounting walk
            pattern = _normalise(raw)
            if pattern and not _covered(pattern, rows):
                missing.add(pattern)
    assert not missing, sorted(missing)


def test_severity_decisions_state_the_registry_severity() -> None:
    from k8s2ief.codes import REGISTRY
    from k8s2ief.rules.matrix import SEVERITY_DECISIONS

    for decision in SEVERITY_DECISIONS:
        assert str(REGISTRY[decision.code].severity) == decision.severity, decision.code


def _resolve(where: str) -> object:
    module_name, _, qualified = where.partition(":")
    target: object = importlib.import_module(module_name)
    for part in qualified.split("."):
        target = getattr(target, part)
    return target


def test_every_mapping_row_names_a_real_handler() -> None:
    text = (ROOT / "docs" / "mapping.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    carried_and_reported = [r for r in rows if r.count("|") >= 6]
    assert len(carried_and_reported) > 100
    for row in carried_and_reported:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        where = cells[-1].strip("`")
        assert callable(_resolve(where)), row
        # A reported row's code is raised in the handler's module (the accounting walk raises
        # the table's codes, so its module names them in KNOWN).
        code = cells[1].split()[0]
        if re.fullmatch(r"KI\d{3}", code):
            assert code in inspect.getsource(sys.modules[where.partition(":")[0]]), row


def test_projected_volumes_have_a_row() -> None:
    text = (ROOT / "docs" / "mapping.md").read_text()
    assert "| `spec.template.spec.volumes[*].projected` | KI602 volume-unsupported |" in text


def test_a_field_goes_to_its_nearest_declaration() -> None:
    import k8s2ief.pipeline  # noqa: F401  (declares apiVersion and kind)
    from k8s2ief.rules.handlers import handler_of

    env = "spec.template.spec.initContainers[*].env[*].valueFrom.fieldRef.fieldPath"
    assert handler_of(env) == "k8s2ief.rules.environment:_value_from"
    assert handler_of("kind") == "k8s2ief.pipeline:Converter.convert"
    assert handler_of("spec.template.spec.containers[*].readinessProbe.httpGet.port") == (
        "k8s2ief.rules.probes:_http_get"
    )
    assert handler_of("status") is None


def test_a_field_has_one_handler() -> None:
    from k8s2ief.rules.handlers import handles

    with pytest.raises(ValueError, match="is declared by"):
        handles("spec.replicas")(test_a_field_has_one_handler)
