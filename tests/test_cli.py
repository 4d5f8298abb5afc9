"""The convert command as users run it: pipes, files, formats and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from k8s2ief.cli import cli, main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "testdata" / "golden"
BASIC = GOLDEN / "basic" / "input.yaml"
CONTAINERS = GOLDEN / "containers" / "input.yaml"  # has error findings
TARGETS = GOLDEN / "names-and-targets" / "input.yaml"  # several deployments


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "k8s2ief", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_stdin_to_stdout_pipe() -> None:
    done = run("convert", "-", "--node-id", "n1", stdin=BASIC.read_text())
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["name"] == "hello" and body["node_ids"] == ["n1"]
    assert "<stdin>:7" in done.stderr  # findings point at stdin lines


def test_no_path_reads_stdin() -> None:
    done = run("convert", "--node-id", "n1", stdin=BASIC.read_text())
    assert done.returncode == 0 and json.loads(done.stdout)["name"] == "hello"


def test_one_deployment_is_a_body_several_are_an_array() -> None:
    one = json.loads(run("convert", str(BASIC), "--node-id", "n").stdout)
    several = json.loads(run("convert", str(TARGETS), "--node-id", "n").stdout)
    none = json.loads(run("convert", "-", stdin="kind: Service\napiVersion: v1\n").stdout)
    assert isinstance(one, dict)
    assert isinstance(several, list) and len(several) == 3
    assert none == []


def test_jsonl_is_one_body_per_line_in_input_order() -> None:
    done = run("convert", str(TARGETS), str(BASIC), "-o", "jsonl", "--node-id", "n")
    lines = done.stdout.splitlines()
    assert [json.loads(line).get("name") for line in lines] == ["api", "api", None, "hello"]


def test_yaml_output_round_trips() -> None:
    done = run("convert", str(TARGETS), "-o", "yaml", "--node-id", "n")
    bodies = list(yaml.safe_load_all(done.stdout))
    assert [b.get("name") for b in bodies] == ["api", "api", None]


def test_exit_codes() -> None:
    assert run("convert", str(BASIC), "--node-id", "n").returncode == 0
    assert run("convert", str(CONTAINERS), "--node-id", "n").returncode == 1
    assert run("convert", str(CONTAINERS), "--node-id", "n", "--fail-on", "never").returncode == 0
    assert run("convert", str(BASIC), "--node-id", "n", "--fail-on", "info").returncode == 1
    assert run("convert", str(BASIC), "--fail-on", "warning").returncode == 1  # no target: error
    assert run("convert", "does-not-exist.yaml").returncode == 2
    assert run("convert", "--no-such-option").returncode == 2
    assert run("convert", str(BASIC), "--node-id", "a", "--group-id", "b").returncode == 2
    assert run("convert", "-", stdin="a: [unclosed\n").returncode == 2


def test_missing_file_is_one_line_and_others_still_convert() -> None:
    done = run("convert", "missing.yaml", str(BASIC), "--node-id", "n")
    assert done.returncode == 2
    assert json.loads(done.stdout)["name"] == "hello"
    (line,) = [x for x in done.stderr.splitlines() if "missing.yaml" in x]
    assert "No such file" in line and "Traceback" not in done.stderr


def test_report_json_lists_every_document(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = run("convert", str(TARGETS), "--report-format", "json", "--report-file", str(report))
    assert done.stderr == ""
    data = json.loads(report.read_text())
    assert [d["status"] for d in data["documents"]] == ["converted", "failed", "failed"]
    assert {"file", "line", "kind", "name", "status", "findings"} <= set(data["documents"][0])
    finding = data["documents"][1]["findings"][0]
    assert {"code", "name", "severity", "path", "file", "line", "message"} <= set(finding)


def test_output_dir_writes_one_file_each_and_keeps_existing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "hello.json").write_text("keep me")
    done = run("convert", str(BASIC), "--node-id", "n", "--output-dir", str(out))
    assert done.returncode == 2 and "exists" in done.stderr
    assert (out / "hello.json").read_text() == "keep me"
    done = run("convert", str(BASIC), "--node-id", "n", "--output-dir", str(out), "--force")
    assert done.returncode == 0 and done.stdout == ""
    assert json.loads((out / "hello.json").read_text())["name"] == "hello"
    assert [p.name for p in out.iterdir()] == ["hello.json"]  # no temporary files left


def test_output_dir_is_created_as_kompose_does(tmp_path: Path) -> None:
    out = tmp_path / "new" / "bodies"
    done = run("convert", str(BASIC), "--node-id", "n", "--output-dir", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "hello.json").read_text())["name"] == "hello"


def test_click_runner_and_main_agree() -> None:
    result = CliRunner().invoke(
        cli, ["convert", str(BASIC), "--node-id", "n"], standalone_mode=False
    )
    assert result.return_value == 0
    assert json.loads(result.stdout)["name"] == "hello"


def test_explain_every_code() -> None:
    from k8s2ief.codes import REGISTRY

    runner = CliRunner()
    for code, info in REGISTRY.items():
        result = runner.invoke(cli, ["explain", code])
        assert result.exit_code == 0 and info.summary in result.output
    assert runner.invoke(cli, ["explain", "env-value-not-string"]).exit_code == 0
    assert main(["explain", "KI999"]) == 2


def test_internal_errors_are_one_line_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import k8s2ief.pipeline

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(k8s2ief.pipeline.Converter, "convert", explode)
    assert main(["convert", str(BASIC)]) == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_help_lists_commands() -> None:
    done = run("--help")
    assert done.returncode == 0 and "convert" in done.stdout
