"""Golden cases: testdata/golden/<case>/ holds input.yaml (or input.json), args (CLI flags),
and the expected stdout (body.json), findings (findings.json) and exit code (exit_code).

Regenerate after an intended change with ``python scripts/regen_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "testdata" / "golden"


def cases() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if p.is_dir())


def input_file(case: Path) -> str:
    return next(p.name for p in sorted(case.iterdir()) if p.name.startswith("input."))


def run_case(case: Path) -> tuple[str, list[dict[str, object]], int]:
    """Run the real CLI on a case: (stdout, findings as [line, code, path, message], exit code)."""
    args = shlex.split((case / "args").read_text()) if (case / "args").exists() else []
    command = [sys.executable, "-m", "k8s2ief", "convert", input_file(case), "--report-format",
               "json", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=case, capture_output=True, text=True, env=env, timeout=60)
    report = json.loads(done.stderr)
    findings = [
        {k: f[k] for k in ("line", "code", "severity", "path", "message")}
        for doc in report["documents"]
        for f in doc["findings"]
    ]
    return done.stdout, findings, done.returncode


def write_expected(case: Path) -> None:
    stdout, findings, code = run_case(case)
    (case / "body.json").write_text(stdout)
    (case / "findings.json").write_text(json.dumps(findings, indent=1, ensure_ascii=False) + "\n")
    (case / "exit_code").write_text(f"{code}\n")
