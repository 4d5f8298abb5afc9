"""The benchmark suite runs end to end (--quick) and reports every row.

Values are not asserted: nothing in the test suite may depend on timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, needs_corpus

ROWS = {
    "cold start",
    "start --help",
    "start explain",
    "throughput",  # against kubectl (or skipped without it), and against PyYAML
    "memory",
    "audit",
    "apply",
    "scaling",
}


@needs_corpus
def test_quick_run_reports_every_row(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    rows = results["rows"]
    for prefix in ROWS:
        assert any(row["case"].startswith(prefix) for row in rows), prefix
    assert {"nproc", "cpu", "python"} <= set(results["machine"])
    throughput = [row for row in rows if row["case"].startswith("throughput")]
    assert len(throughput) == 2  # vs kubectl (a skip note without it) and vs PyYAML
    audit = {row["measured"] for row in rows if row["case"].startswith("audit")}
    assert audit == {"audit --jobs 2 (speed-up)", "machine ceiling (speed-up)"}
    for row in rows:
        assert {"value", "baseline", "ratio", "target", "passed", "note"} <= set(row)
        if row["target"]:
            assert row["passed"] in (True, False) or "skipped" in row["note"]
    assert "PASS" in done.stdout or "MISS" in done.stdout
    # Measured in a fresh virtualenv with a normal install, never the source tree.
    assert "installing the project into a fresh virtualenv" in done.stderr
