"""Tests for ``k8s2ief audit``: statuses, policy, exit codes, every format, parallel runs.

Fixtures live in testdata/audit (one document per file, named after what it shows); paths are
given relative to the repository, as a user would, so reports name them ``testdata/audit/...``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from k8s2ief.cli import main
from k8s2ief.codes import REGISTRY
from k8s2ief.findings import Finding, Policy, Severity
from k8s2ief.pipeline import DocumentResult
from k8s2ief.report.csv_report import CSV_HEADER
from k8s2ief.report.model import AUDIT, STATUSES, build_report
from k8s2ief.report.sarif import strip_empty

REPO = Path(__file__).resolve().parents[1]
FIXTURES = "testdata/audit"
CORPUS = Path("/work/shared/corpus")
TARGET = ["--node-id", "node-1"]  # without one, audit leaves KI107 out (test_report.py)
AUDIT_STATUSES = STATUSES[AUDIT]

EXPECTED_STATUS = {
    "annotated.yaml": "clean",
    "blocked.yaml": "blocked",
    "broken.yaml": "unreadable",
    "clean.yaml": "clean",
    "lossy.yaml": "lossy",
    "service.yaml": "skipped",
    "more/config.yaml": "skipped",
    "more/duplicate.yaml": "blocked",
}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI in process: exit code, stdout, stderr."""
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_process(
    *args: str, cwd: Path = REPO, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "k8s2ief", "audit", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "--format", "json", "--jobs", "1", *args)
    return code, json.loads(out)


def fixture(name: str) -> str:
    return f"{FIXTURES}/{name}"


def by_file(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["file"].removeprefix(FIXTURES + "/"): d for d in report["documents"]}


def codes_of(document: dict[str, Any]) -> list[str]:
    return [f["code"] for f in document["findings"]]


# --- the JSON shape, as documented in k8s2ief/report/json_report.py ------------------------------
# (tests/test_report.py validates it against the JSON Schema too)

FINDING_KEYS = {"code", "name", "severity", "path", "file", "line", "message", "paths"}
DOCUMENT_KEYS = {"file", "line", "kind", "name", "status", "suppressed", "findings"}
SUMMARY_KEYS = {
    "documents",
    "files",
    "findings",
    "statuses",
    "codes",
    "suppressed",
    "blocker_files",
    "deployments",
}


def check_json_shape(report: dict[str, Any]) -> None:
    assert set(report) == {"version", "command", "documents", "summary", "errors", "notes"}
    assert report["version"] == 2 and report["command"] == "audit"
    for document in report["documents"]:
        assert set(document) == DOCUMENT_KEYS
        assert document["status"] in AUDIT_STATUSES
        assert isinstance(document["suppressed"], int)
        assert document["line"] is None or document["line"] >= 1
        for finding in document["findings"]:
            assert set(finding) == FINDING_KEYS
            assert finding["severity"] in ("error", "warning", "info")
            assert REGISTRY[finding["code"]].name == finding["name"]
    check_summary_shape(report)


def check_summary_shape(report: dict[str, Any]) -> None:
    summary, documents = report["summary"], report["documents"]
    assert set(summary) == SUMMARY_KEYS
    assert list(summary["statuses"]) == list(AUDIT_STATUSES)
    assert sum(summary["statuses"].values()) == summary["documents"] == len(documents)
    assert summary["findings"] == sum(len(d["findings"]) for d in documents)
    assert sum(c["count"] for c in summary["codes"]) == summary["findings"]
    assert all(set(c) == {"code", "name", "severity", "count"} for c in summary["codes"])
    assert set(summary["suppressed"]) == {"total", "codes"}
    assert summary["suppressed"]["total"] == sum(d["suppressed"] for d in documents)
    assert all(set(f) == {"file", "errors"} for f in summary["blocker_files"])
    assert set(summary["deployments"]) == {"total", "movable", "share"}


# --- statuses and findings -----------------------------------------------------------------------


def test_every_fixture_gets_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = audit_json(capsys, FIXTURES, *TARGET)
    check_json_shape(report)
    documents = by_file(report)
    assert {name: d["status"] for name, d in documents.items()} == EXPECTED_STATUS
    assert list(documents) == list(EXPECTED_STATUS)  # directory order: files, then subfolders
    assert code == 2  # broken.yaml is unreadable, as for convert
    summary = report["summary"]
    assert summary["statuses"] == {
        "clean": 2,
        "lossy": 1,
        "blocked": 2,
        "skipped": 2,
        "unreadable": 1,
    }
    assert summary["deployments"] == {"total": 5, "movable": 3, "share": 0.6}


def test_cross_file_checks(capsys: pytest.CaptureFixture[str]) -> None:
    """envFrom finds a ConfigMap in a later file; KI109 finds a name used in an earlier one."""
    _, report = audit_json(capsys, FIXTURES, *TARGET)
    documents = by_file(report)
    assert "KI311" in codes_of(documents["clean.yaml"])
    duplicate = [f for f in documents["more/duplicate.yaml"]["findings"] if f["code"] == "KI109"]
    assert len(duplicate) == 1
    assert duplicate[0]["line"] == 5 and duplicate[0]["path"] == "metadata.name"
    assert "testdata/audit/clean.yaml:2" in duplicate[0]["message"]


def test_same_findings_as_convert(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, FIXTURES, *TARGET)
    assert main(["convert", FIXTURES, *TARGET, "--report-format", "json"]) == 2
    converted = json.loads(capsys.readouterr().err)
    # The annotation only acts in audit (convert has no policy); everything else must agree.
    expected = [d["findings"] for d in converted["documents"]]
    expected[0] = [f for f in expected[0] if f["code"] != "KI207"]
    assert [d["findings"] for d in report["documents"]] == expected


def test_blockers_ranked(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, FIXTURES, *TARGET, "--severity", "KI110=error")
    top = report["summary"]["blocker_files"]
    assert top[0] == {"file": fixture("blocked.yaml"), "errors": 2}  # KI302 and KI110
    assert [f["errors"] for f in top] == sorted((f["errors"] for f in top), reverse=True)


def test_codes_summary_has_name_severity_count(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, FIXTURES, *TARGET)
    codes = {c["code"]: c for c in report["summary"]["codes"]}
    assert codes["KI003"] == {
        "code": "KI003",
        "name": "kind-skipped",
        "severity": "info",
        "count": 2,
    }


# --- policy: --ignore, the annotation, --severity ------------------------------------------------


def test_annotation_suppresses_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, fixture("annotated.yaml"), *TARGET)
    document = report["documents"][0]
    assert document["status"] == "clean" and document["suppressed"] == 1
    assert "KI207" not in codes_of(document)
    assert report["summary"]["suppressed"] == {"total": 1, "codes": {"KI207": 1}}


@pytest.mark.parametrize("ignored", [("KI207", "KI504"), ("toleration-dropped", "probe-tcp")])
def test_ignore_flag_by_code_or_name(
    capsys: pytest.CaptureFixture[str], ignored: tuple[str, str]
) -> None:
    flags = [part for code in ignored for part in ("--ignore", code)]
    code, report = audit_json(
        capsys, fixture("lossy.yaml"), *TARGET, *flags, "--fail-on", "warning"
    )
    assert report["documents"][0]["status"] == "clean"
    assert report["summary"]["suppressed"] == {"total": 2, "codes": {"KI207": 1, "KI504": 1}}
    assert code == 0


def test_severity_override(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = audit_json(capsys, fixture("lossy.yaml"), *TARGET, "--severity", "KI207=error")
    assert report["documents"][0]["status"] == "blocked" and code == 1
    severities = {c["code"]: c["severity"] for c in report["summary"]["codes"]}
    assert severities["KI207"] == "error" and severities["KI504"] == "warning"
    code, report = audit_json(
        capsys, fixture("blocked.yaml"), *TARGET, "--severity", "env-name-invalid=warning"
    )
    assert report["documents"][0]["status"] == "lossy" and code == 0


def test_ignoring_an_error_does_not_make_a_body(capsys: pytest.CaptureFixture[str]) -> None:
    # duplicate.yaml converts; KI109 ignored makes it clean. A document that never converts
    # (no body) stays blocked whatever is ignored: see test_model_status_without_body.
    _, report = audit_json(capsys, FIXTURES, *TARGET, "--ignore", "KI109")
    assert by_file(report)["more/duplicate.yaml"]["status"] == "clean"


@pytest.mark.parametrize(
    "flags",
    [
        ("--ignore", "KI999"),
        ("--ignore", "no-such-name"),
        ("--severity", "KI999=error"),
        ("--severity", "KI207=fatal"),
        ("--severity", "KI207"),
        ("--fail-on", "sometimes"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], flags: tuple[str, str]) -> None:
    code, out, err = run(capsys, fixture("clean.yaml"), *flags)
    assert code == 2 and out == "" and err


# --- exit codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fail_on", "expected"),
    [
        ("annotated.yaml", "info", 1),
        ("annotated.yaml", "warning", 0),
        ("annotated.yaml", "error", 0),
        ("annotated.yaml", "never", 0),
        ("lossy.yaml", "info", 1),
        ("lossy.yaml", "warning", 1),
        ("lossy.yaml", "error", 0),
        ("lossy.yaml", "never", 0),
        ("blocked.yaml", "info", 1),
        ("blocked.yaml", "warning", 1),
        ("blocked.yaml", "error", 1),
        ("blocked.yaml", "never", 0),
        ("broken.yaml", "never", 2),
        ("broken.yaml", "error", 2),
    ],
)
def test_exit_codes(
    capsys: pytest.CaptureFixture[str], name: str, fail_on: str, expected: int
) -> None:
    code, _, _ = run(capsys, fixture(name), *TARGET, "--fail-on", fail_on, "--jobs", "1")
    assert code == expected


def test_default_fail_on_is_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, fixture("lossy.yaml"), *TARGET)[0] == 0
    assert run(capsys, fixture("blocked.yaml"), *TARGET)[0] == 1


# --- formats -------------------------------------------------------------------------------------


def walk_empty(value: Any, where: str = "$") -> list[str]:
    """Paths of every empty object or array in a JSON value."""
    if isinstance(value, dict):
        found = [where] if not value else []
        return found + [p for k, v in value.items() for p in walk_empty(v, f"{where}.{k}")]
    if isinstance(value, list):
        found = [where] if not value else []
        return found + [p for i, v in enumerate(value) for p in walk_empty(v, f"{where}[{i}]")]
    return []


def test_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, FIXTURES, *TARGET)
    code, out, _ = run(capsys, FIXTURES, *TARGET, "--format", "sarif")
    sarif = json.loads(out)
    assert code == 2
    assert sarif["version"] == "2.1.0" and "sarif" in sarif["$schema"]
    assert walk_empty(sarif) == []
    driver = sarif["runs"][0]["tool"]["driver"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [c["code"] for c in report["summary"]["codes"]]
    for rule in rules:
        info = REGISTRY[rule["id"]]
        assert rule["name"] == info.name and rule["shortDescription"]["text"] == info.summary
        assert rule["fullDescription"]["text"] == info.doc == rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = sarif["runs"][0]["results"]
    assert len(results) == report["summary"]["findings"]
    for result in results:
        assert result["ruleId"] in {r["id"] for r in rules}
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("testdata/audit/")
        assert location["region"]["startLine"] >= 1
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["KI003"] == "note" and levels["KI207"] == "warning"


def test_sarif_unknown_line_is_line_one(capsys: pytest.CaptureFixture[str]) -> None:
    # A file that cannot be read has no line: SARIF regions still need startLine >= 1.
    code, out, _ = run(capsys, fixture("missing.yaml"), "--format", "sarif")
    region = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert code == 2 and region["region"]["startLine"] == 1


def test_strip_empty() -> None:
    value = {"a": [], "b": {}, "c": [{}, {"d": []}, 0, ""], "e": {"f": {"g": []}}, "h": False}
    assert strip_empty(value) == {"c": [0, ""], "h": False}


def test_csv(capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, FIXTURES, *TARGET)
    _, out, _ = run(capsys, FIXTURES, *TARGET, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) - 1 == report["summary"]["findings"]
    assert all(len(row) == len(CSV_HEADER) for row in rows)
    records = list(csv.DictReader(io.StringIO(out)))
    blocked = next(r for r in records if r["code"] == "KI302")
    assert blocked["status"] == "blocked" and "1-not|valid" in blocked["message"]
    assert blocked["code_name"] == "env-name-invalid" and blocked["severity"] == "error"


def markdown_cells(line: str) -> int:
    """Cells of a table row; ``\\|`` is a pipe inside a cell."""
    inner = line.strip()[1:-1].replace("\\\\", "").replace("\\|", "")
    return inner.count("|") + 1


def test_markdown_tables_are_well_formed(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, FIXTURES, "--format", "markdown")  # no target: many error rows
    tables: list[list[str]] = [[]]
    for line in out.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    tables = [t for t in tables if t]
    assert len(tables) == 5
    for table in tables:
        width = markdown_cells(table[0])
        assert set(table[1].replace(" ", "")) <= {"|", "-"}
        assert all(line.endswith("|") and markdown_cells(line) == width for line in table)
    assert "1-not\\|valid" in out  # the pipe in the KI302 message is escaped


def test_text(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, err = run(capsys, FIXTURES, *TARGET)
    assert out.splitlines()[0].split() == ["STATUS", "LOCATION", "KIND", "NAME"]
    assert "lossy       testdata/audit/lossy.yaml:2" in out
    assert (
        "k8s2ief audit: 8 document(s) in 8 file(s): 2 clean, 1 lossy, 2 blocked, 2 skipped, "
        "1 unreadable; 3/5 Deployments clean or lossy (60.0%)"
    ) in out
    assert err == ""  # no progress when stderr is not a terminal


# --- output, stdin, subprocess, parallel ---------------------------------------------------------


def test_output_file_is_written_atomically(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "audit.json"
    target.write_text("old", encoding="utf-8")
    code, out, _ = run(capsys, FIXTURES, *TARGET, "--format", "json", "--output", str(target))
    assert code == 2 and out == ""
    check_json_shape(json.loads(target.read_text(encoding="utf-8")))
    assert os.listdir(tmp_path) == ["audit.json"]  # the temporary file was renamed, not left


def test_output_to_missing_directory_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, fixture("clean.yaml"), "--output", str(tmp_path / "no" / "x"))
    assert code == 2 and out == "" and "cannot write" in err


def test_subprocess_text_and_quiet() -> None:
    result = run_process(FIXTURES, *TARGET, "--quiet")
    assert result.returncode == 2 and result.stderr == ""
    assert "3/5 Deployments clean or lossy" in result.stdout


def test_subprocess_stdin() -> None:
    text = (REPO / fixture("lossy.yaml")).read_text(encoding="utf-8")
    result = run_process("-", *TARGET, "--format", "json", stdin=text)
    report = json.loads(result.stdout)
    check_json_shape(report)
    assert result.returncode == 0
    assert report["documents"][0]["file"] == "<stdin>"
    assert report["documents"][0]["status"] == "lossy"


@pytest.mark.parametrize("fmt", ["json", "sarif", "csv", "markdown", "text", "html"])
def test_jobs_2_matches_jobs_1_on_fixtures(fmt: str) -> None:
    one = run_process(FIXTURES, *TARGET, "--format", fmt, "--jobs", "1")
    two = run_process(FIXTURES, *TARGET, "--format", fmt, "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert one.stdout == two.stdout and one.stdout


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_jobs_2_matches_jobs_1_on_corpus() -> None:
    args = ("corpus", "--node-id", "x", "--format", "json", "--fail-on", "never")
    one = run_process(*args, "--jobs", "1", cwd=CORPUS.parent)
    two = run_process(*args, "--jobs", "2", cwd=CORPUS.parent)
    assert one.returncode == two.returncode
    assert one.stdout == two.stdout
    report = json.loads(one.stdout)
    check_json_shape(report)
    assert any(f["code"] == "KI109" for d in report["documents"] for f in d["findings"])


# --- the model, without the CLI ------------------------------------------------------------------


def test_model_status_without_body() -> None:
    """A Deployment that produced no body stays blocked when its error is ignored."""
    error = Finding("KI004", Severity.ERROR, "apiVersion", "old", "a.yaml", 2)
    warning = Finding("KI207", Severity.WARNING, "x", "y", "b.yaml", 3)
    results = [
        DocumentResult("a.yaml", 1, "Deployment", "a", "failed", None, [error]),
        DocumentResult("b.yaml", 1, "Deployment", "b", "lossy", {}, [warning]),
    ]
    report = build_report(results, Policy.build(ignore=["KI004", "KI207"]))
    assert [d.status for d in report.documents] == ["blocked", "clean"]
    assert report.summary.suppressed == 2 and report.summary.suppressed_codes == {
        "KI004": 1,
        "KI207": 1,
    }
    assert report.summary.share == 0.5
    assert build_report([], Policy()).summary.share is None
