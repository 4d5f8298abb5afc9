"""Golden cases through the real CLI: expected bodies, findings and exit codes, side by side
with their inputs in testdata/golden/ (regenerate: python scripts/regen_golden.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden import cases, run_case

from k8s2ief.codes import REGISTRY

CASES = cases()
# Codes no golden case can show, and why.
NOT_PRODUCIBLE = {
    "KI901": "only a converter bug makes an invalid body; tests/test_validate.py covers the rules",
}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_case(case: Path) -> None:
    stdout, findings, code = run_case(case)
    assert stdout == (case / "body.json").read_text()
    assert findings == json.loads((case / "findings.json").read_text())
    assert code == int((case / "exit_code").read_text())


def test_every_code_has_a_golden_case() -> None:
    shown = {
        f["code"] for case in CASES for f in json.loads((case / "findings.json").read_text())
    }
    missing = set(REGISTRY) - shown - set(NOT_PRODUCIBLE)
    assert not missing, f"codes without a golden case: {sorted(missing)}"


def test_every_finding_has_a_line() -> None:
    for case in CASES:
        for finding in json.loads((case / "findings.json").read_text()):
            assert isinstance(finding["line"], int) and finding["line"] >= 1, (case, finding)
