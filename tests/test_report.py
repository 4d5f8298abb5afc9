"""The report shared by convert and audit: its JSON Schema, line order, summary paths, colour,
audit without a target, and ``k8s2ief --help``.

Reports are produced by the real CLI (in a subprocess where a terminal or the environment
matters) and validated with the ``jsonschema`` package against k8s2ief/schemas/report.schema.json.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_cluster import kubeconfig, server

from k8s2ief.cli import COMMANDS, main
from k8s2ief.report.json_report import report_schema

__all__ = ["kubeconfig", "server"]  # fixtures of the fake Kubernetes API, used by name

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "testdata" / "golden"
AUDIT = "testdata/audit"
SERVER_EXPORT = "testdata/cluster/server/deployment-shop-web.json"  # status, managedFields, ...
CORPUS = Path("/work/shared/corpus")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    # The caller's NO_COLOR must not decide a test: only what the test sets counts.
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"PYTHONPATH": str(ROOT), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "k8s2ief", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def convert_report(*args: str) -> dict[str, Any]:
    done = cli("convert", *args, "--report-format", "json", "--fail-on", "never")
    report: dict[str, Any] = json.loads(done.stderr)
    return report


def audit_report(*args: str, cwd: Path = ROOT) -> dict[str, Any]:
    done = cli("audit", *args, "--format", "json", "--fail-on", "never", "--jobs", "1", cwd=cwd)
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors_of(validator: Draft202012Validator, report: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(report)
    ]


# --- the schema, over real reports ---------------------------------------------------------------


def golden_inputs() -> list[Path]:
    return sorted(
        next(p for p in case.iterdir() if p.name.startswith("input."))
        for case in GOLDEN.iterdir()
        if case.is_dir()
    )


@pytest.mark.parametrize("path", golden_inputs(), ids=lambda p: p.parent.name)
def test_convert_reports_validate(validator: Draft202012Validator, path: Path) -> None:
    report = convert_report(str(path.relative_to(ROOT)), "--node-id", "n1")
    assert errors_of(validator, report) == []
    assert report["command"] == "convert" and report["version"] == 2
    assert report["summary"]["documents"] == len(report["documents"]) >= 1


@pytest.mark.parametrize(
    "args",
    [
        (AUDIT,),
        (AUDIT, "--node-id", "n1"),
        (AUDIT, "--ignore", "KI110", "--ignore", "KI202"),
        (SERVER_EXPORT, "--severity", "KI002=warning"),
    ],
)
def test_audit_reports_validate(validator: Draft202012Validator, args: tuple[str, ...]) -> None:
    report = audit_report(*args)
    assert errors_of(validator, report) == []
    assert report["command"] == "audit"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_corpus_audit_validates(validator: Draft202012Validator) -> None:
    report = audit_report("corpus", cwd=CORPUS.parent)
    assert errors_of(validator, report) == []
    assert report["summary"]["documents"] > 1000
    check_line_order(report)


def test_schema_rejects_what_the_shape_forbids(validator: Draft202012Validator) -> None:
    """The schema is no blank check: a missing zero count, an audit status in a convert
    report, a finding without paths and an unknown version are each an error."""
    good = convert_report(str(GOLDEN / "basic" / "input.yaml"), "--node-id", "n1")
    assert errors_of(validator, good) == []
    statuses = good["summary"]["statuses"]
    assert statuses == {"converted": 1, "lossy": 0, "failed": 0, "skipped": 0}
    broken = [json.loads(json.dumps(good)) for _ in range(4)]
    del broken[0]["summary"]["statuses"]["lossy"]
    broken[1]["documents"][0]["status"] = "clean"
    del broken[2]["documents"][0]["findings"][0]["paths"]
    broken[3]["version"] = 1
    for report in broken:
        assert errors_of(validator, report), report


def test_convert_and_audit_share_the_shape() -> None:
    converted = convert_report(AUDIT, "--node-id", "n1")
    audited = audit_report(AUDIT, "--node-id", "n1")
    assert set(converted) == set(audited)
    assert set(converted["summary"]) == set(audited["summary"])
    for mine, theirs in zip(converted["documents"], audited["documents"], strict=True):
        assert set(mine) == set(theirs)
        assert (mine["file"], mine["line"], mine["kind"], mine["name"]) == (
            theirs["file"],
            theirs["line"],
            theirs["kind"],
            theirs["name"],
        )
    statuses = converted["summary"]["statuses"]
    assert list(statuses) == ["converted", "lossy", "failed", "skipped"]
    # (annotated.yaml is converted or lossy depending on whether convert honours its
    # k8s2ief.io/ignore annotation; either way it can move.)
    assert statuses["failed"] == 3 and statuses["skipped"] == 2
    assert statuses["converted"] + statuses["lossy"] == 3
    assert converted["summary"]["deployments"] == {"total": 5, "movable": 3, "share": 0.6}


def test_schema_command_prints_the_packaged_schema() -> None:
    done = cli("schema", "--report")
    assert done.returncode == 0 and json.loads(done.stdout) == report_schema()
    assert json.loads(cli("schema").stdout)["$id"] != report_schema()["$id"]


def test_json_report_is_what_json_dumps_writes() -> None:
    """Documents are streamed, yet the text is exactly json.dumps(report, indent=2)."""
    for args in ((AUDIT,), ("-", "--node-id", "n")):
        done = subprocess.run(
            [sys.executable, "-m", "k8s2ief", "convert", *args, "--report-format", "json"],
            capture_output=True,
            text=True,
            input="",
            cwd=ROOT,
            check=False,
        )
        text = done.stderr
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


# --- findings in line order; full path lists -----------------------------------------------------


def check_line_order(report: dict[str, Any]) -> None:
    for document in report["documents"]:
        lines = [f["line"] or 0 for f in document["findings"]]
        assert lines == sorted(lines), (document["file"], lines)


def test_findings_are_in_line_order() -> None:
    report = convert_report(str(GOLDEN / "everything" / "input.yaml"), "--node-id", "n1")
    check_line_order(report)
    lines = [f["line"] for d in report["documents"] for f in d["findings"]]
    assert len(set(lines)) > 5  # a case with findings on many lines, from many rules
    for path in golden_inputs():
        check_line_order(convert_report(str(path), "--node-id", "n1"))


def test_summary_findings_carry_every_path() -> None:
    report = convert_report(SERVER_EXPORT, "--node-id", "n1")
    findings = {f["code"]: f for f in report["documents"][0]["findings"]}
    for code in ("KI002", "KI010"):
        finding = findings[code]
        count = int(finding["message"].split()[0])  # "20 field(s) ..."
        assert count > 6 and finding["message"].endswith(" ...")  # the message names 6
        assert len(finding["paths"]) == len(set(finding["paths"])) == count
    assert {"status", "metadata.managedFields", "metadata.uid"} <= set(findings["KI002"]["paths"])
    assert (
        "spec.template.spec.containers[0].livenessProbe.timeoutSeconds"
        in (findings["KI010"]["paths"])
    )
    assert all(f["paths"] == [] for c, f in findings.items() if c not in ("KI002", "KI010"))


# --- audit without a target ----------------------------------------------------------------------


def test_audit_without_target_reports_what_can_move() -> None:
    without = audit_report(AUDIT)
    targeted = audit_report(AUDIT, "--node-id", "n1")
    assert without["notes"] and "KI107" in without["notes"][0] and targeted["notes"] == []
    assert without["documents"] == targeted["documents"]  # no KI107, same statuses
    assert without["summary"] == targeted["summary"]
    assert without["summary"]["deployments"]["share"] == 0.6
    text = cli("audit", AUDIT, "--jobs", "1").stdout
    assert "3/5 Deployments clean or lossy (60.0%)" in text and "note: no --node-id" in text


def test_convert_still_needs_a_target() -> None:
    done = cli("convert", f"{AUDIT}/clean.yaml")
    assert done.returncode == 1 and "KI107 no-target" in done.stderr


def test_audit_from_cluster_all_namespaces_without_target(
    capsys: pytest.CaptureFixture[str], kubeconfig: Path
) -> None:
    """README's `k8s2ief audit --from-cluster -A` example: a real share, not 0%."""
    code = main(
        ["audit", "--from-cluster", "-A", "--kubeconfig", str(kubeconfig), "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    deployments = report["summary"]["deployments"]
    assert code == 0 and deployments["total"] == 3 and deployments["movable"] == 3
    assert all(f["code"] != "KI107" for d in report["documents"] for f in d["findings"])


# --- colour --------------------------------------------------------------------------------------


def on_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update({"PYTHONPATH": str(ROOT), "TERM": "xterm", **env})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "k8s2ief", *args],
            stdout=follower,
            stderr=follower,
            env=environment,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert done.returncode in (0, 1, 2)
    return b"".join(chunks).decode()


def test_color_always_never_and_pipes() -> None:
    red_error = "\x1b[1;31merror\x1b[0m"
    always = cli("convert", f"{AUDIT}/blocked.yaml", "--node-id", "n", "--color", "always")
    assert red_error in always.stderr and "\x1b[" not in always.stdout  # data stays plain
    audited = cli("audit", AUDIT, "--color", "always", "--jobs", "1").stdout
    assert "\x1b[1;31mblocked   \x1b[0m" in audited and "\x1b[32m2 clean\x1b[0m" in audited
    plain = cli("audit", AUDIT, "--jobs", "1").stdout
    assert ANSI.sub("", audited) == plain and "\x1b[" not in plain  # auto: a pipe is no TTY
    assert "\x1b[" not in cli("audit", AUDIT, "--color", "never", "--jobs", "1").stdout


def test_color_auto_on_a_terminal_and_no_color() -> None:
    args = ("audit", f"{AUDIT}/blocked.yaml", "--jobs", "1", "--quiet")
    assert "\x1b[1;31merror\x1b[0m" in on_terminal(*args, env={})
    assert "\x1b[" not in on_terminal(*args, env={"NO_COLOR": "1"})
    assert "\x1b[" in on_terminal(*args, "--color", "always", env={"NO_COLOR": "1"})
    assert "\x1b[" in on_terminal(*args, env={"NO_COLOR": ""})  # empty: not set, per no-color.org
    convert = ("convert", f"{AUDIT}/blocked.yaml", "--node-id", "n")
    assert "\x1b[1;31merror\x1b[0m" in on_terminal(*convert, env={})
    assert "\x1b[" not in on_terminal(*convert, env={"NO_COLOR": "1"})


def test_color_never_reaches_a_report_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    done = cli("convert", f"{AUDIT}/blocked.yaml", "--node-id", "n", "--report-file", str(target))
    assert done.returncode == 1 and "error KI302" in target.read_text()
    assert "\x1b[" not in target.read_text()


# --- k8s2ief --help ------------------------------------------------------------------------------


def test_help_lists_every_command_once_on_one_line() -> None:
    done = cli("--help", env={"COLUMNS": "80"})
    assert done.returncode == 0
    section = done.stdout.split("Commands:\n", 1)[1].splitlines()
    rows = [line.split(None, 1) for line in section if line.strip()]
    assert [name for name, _ in rows] == list(COMMANDS)  # each once, nothing wrapped
    for name, text in rows:
        assert text == COMMANDS[name][1] and "..." not in text
    for name in COMMANDS:
        assert done.stdout.count(f"  {name} ") == 1, name
        assert main([name, "--help"]) == 0  # every listed command exists


def test_readme_example_is_a_valid_report(validator: Draft202012Validator) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The JSON report", 1)[1]
    example = json.loads(section.split("```json\n", 1)[1].split("```", 1)[0])
    assert errors_of(validator, example) == []


def test_convert_report_lists_files_it_could_not_write(
    validator: Draft202012Validator, tmp_path: Path
) -> None:
    (tmp_path / "hello.json").write_text("{}", encoding="utf-8")  # kept without --force
    done = cli(
        "convert",
        str(GOLDEN / "basic" / "input.yaml"),
        "--node-id",
        "n1",
        "--output-dir",
        str(tmp_path),
        "--report-format",
        "json",
    )
    report = json.loads(done.stderr)
    assert done.returncode == 2 and errors_of(validator, report) == []
    assert len(report["errors"]) == 1 and "hello.json exists" in report["errors"][0]
    assert (tmp_path / "hello.json").read_text(encoding="utf-8") == "{}"
