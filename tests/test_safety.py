"""Safe by construction (issue 12): inputs read once, no Secret value in any message, failures of
the environment in one line; and the input habits of issue 15 (contained writes: test_writes.py).

Every case runs the real CLI in a subprocess through tests/test_hostile.py's helpers. Small
inputs are fixtures in testdata/hostile/ (with the catalogue's expectations); big ones are
generated into tmp_path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from test_hostile import HOSTILE, MB, TIMEOUT, cli, convert, deployment, finding_lines
from test_writes import lines_of, many_deployments

from k8s2ief.report import AUDIT_FORMATS

SECRET = HOSTILE / "secret-tagged-value.yaml"
ENV_FROM = (
    deployment(
        "uses-env",
        extra_container="        envFrom:\n        - configMapRef:\n            name: settings\n",
    )
    + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LEVEL: debug\n"
)


# --- 2. every input is read exactly once, with bounded memory ---------------------------------


def _envfrom_expanded(run: object) -> bool:
    return bool(finding_lines(run, "KI311"))  # type: ignore[arg-type]


def test_pipe_given_as_path(tmp_path: Path) -> None:
    source = tmp_path / "env.yaml"
    source.write_text(ENV_FROM)
    run = cli("convert", "--node-id", "n", "-o", "jsonl", shell=f'"$@" <(cat {source})')
    assert run.rc == 0, run.stderr
    assert run.names() == ["uses-env"] and _envfrom_expanded(run)


def test_named_fifo_with_one_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as handle:
            handle.write(ENV_FROM)

    threading.Thread(target=write, daemon=True).start()
    run = convert(fifo)
    assert run.rc == 0, run.stderr
    assert run.names() == ["uses-env"] and _envfrom_expanded(run)


@pytest.mark.parametrize("command", ["convert", "audit"])
def test_stdin_read_once_with_envfrom(command: str) -> None:
    run = cli(command, "-", "--node-id", "n", stdin=ENV_FROM.encode())
    assert run.rc == 0, run.stderr
    assert "KI311" in run.stdout + run.stderr


def test_stream_longer_than_its_spool_converts_whole(tmp_path: Path) -> None:
    """A pre-scan holds at most --max-document-bytes of a stream; the rest is still read."""
    text = ENV_FROM + "---\n" + "---\n".join(deployment(f"d{i}") for i in range(200))
    run = cli(
        "convert",
        "-",
        "--node-id",
        "n",
        "-o",
        "jsonl",
        "--max-document-bytes",
        "4096",
        stdin=text.encode(),
    )
    assert run.rc == 0, run.stderr
    assert run.names() == ["uses-env"] + [f"d{i}" for i in range(200)]
    assert _envfrom_expanded(run)


def test_one_long_line_costs_the_limit_not_the_input(tmp_path: Path) -> None:
    path = tmp_path / "one-line.yaml"
    with path.open("wb") as out:
        out.write(b"x: ")
        for _ in range(300):
            out.write(b"a" * MB)
        out.write(b"\n---\n" + deployment("after").encode())
    run = convert(path, "--max-document-bytes", str(16 * MB), measure_in=tmp_path)
    assert [x for x in finding_lines(run, "KI011") if f"{path}:1:" in x], run.stderr
    assert run.names() == ["after"]
    assert run.rss_mb < 150, run.rss_mb  # it was twice the input (600 MB here)


@pytest.mark.parametrize("shell", ['"$@" /dev/zero', '"$@" - < /dev/zero'])
def test_dev_zero_ends_with_ki011(shell: str, tmp_path: Path) -> None:
    run = cli("convert", "--node-id", "n", shell=shell, measure_in=tmp_path)
    assert run.rc == 2
    assert finding_lines(run, "KI011"), run.stderr
    assert run.rss_mb < 300, run.rss_mb


# --- 3. no Secret value in any message --------------------------------------------------------


@pytest.mark.parametrize("report", ["text", "json"])
def test_secret_value_never_in_convert_reports(report: str, tmp_path: Path) -> None:
    report_file = tmp_path / "report"
    for extra in ([], ["--report-file", str(report_file)]):
        run = cli("convert", str(SECRET), "--node-id", "n", "--report-format", report, *extra)
        assert run.rc == 2
        written = report_file.read_text() if extra else ""
        assert "not shown" in run.stderr + written
        for value in ("Hunter2", "Passw0rd"):
            assert value not in run.stdout + run.stderr + written


@pytest.mark.parametrize("fmt", sorted(AUDIT_FORMATS))
def test_secret_value_never_in_audit_reports(fmt: str, tmp_path: Path) -> None:
    output = tmp_path / f"audit.{fmt}"
    for extra in ([], ["--output", str(output)]):
        run = cli("audit", str(SECRET), "--node-id", "n", "--format", fmt, *extra)
        written = output.read_text() if extra else ""
        assert run.rc == 2
        assert "not shown" in run.stdout + written
        for value in ("Hunter2", "Passw0rd"):
            assert value not in run.stdout + run.stderr + written


# --- 4. failures of the environment: one line, exit 2 -----------------------------------------


@pytest.mark.parametrize(
    "shell, says",
    [
        ('"$@" > /dev/full', "No space left on device"),
        ('"$@" --report-file /dev/full', "No space left on device"),
        ('"$@" >&-', "stdout is closed"),
        ('"$@" 2>/dev/full', None),
        ('"$@" 2>&-', None),
    ],
)
def test_environment_failures_are_one_line_exit_2(
    shell: str, says: str | None, tmp_path: Path
) -> None:
    source = tmp_path / "app.yaml"
    source.write_text(deployment("web"))
    run = cli("convert", str(source), "--node-id", "n", "--report-format", "json", shell=shell)
    assert run.rc == 2, run.stderr
    if says is None:
        assert run.stderr == ""  # stderr was the broken stream
        return
    [line] = [x for x in lines_of(run.stderr) if not x.startswith(("{", " ", "}"))]
    assert says in line and "internal error" not in line


def test_closed_stdin_is_exit_2() -> None:
    run = cli("convert", "--node-id", "n", shell='"$@" <&-')
    assert run.rc == 2
    assert "stdin is closed" in run.stderr


def test_broken_pipe_is_not_findings(tmp_path: Path) -> None:
    """``| head -1`` stops reading: exit 0 (not 1, which means findings), even under pipefail."""
    source = tmp_path / "many.yaml"
    many_deployments(source, 5000)
    run = cli(
        "convert",
        str(source),
        "--node-id",
        "n",
        "-o",
        "jsonl",
        shell='set -o pipefail; "$@" | head -1',
    )
    assert run.rc == 0, run.stderr
    assert len(lines_of(run.stdout)) == 1
    assert "Exception ignored" not in run.stderr and "Broken pipe" not in run.stderr


def test_ctrl_c_is_130_in_one_line(tmp_path: Path) -> None:
    """Ctrl-C at a terminal signals the whole process group: the workers too."""
    source = tmp_path / "many.yaml"
    many_deployments(source, 20_000)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "k8s2ief",
            "convert",
            str(source),
            "--node-id",
            "n",
            "-o",
            "jsonl",
            "--report-file",
            str(tmp_path / "report.txt"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "K8S2IEF_JOBS": "2"},
        start_new_session=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # it has started converting (in workers: the input is > 1 MB)
    os.killpg(process.pid, signal.SIGINT)
    try:
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:  # hung: do not leave it (and its workers) behind
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert lines_of(err.decode()) == ["k8s2ief: interrupted"]


def test_kubeconfig_yaml_error_is_one_line(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\nclusters:\n  - name: a\n   bad: [\n")
    run = cli("convert", "--from-cluster", "--kubeconfig", str(kubeconfig), "--node-id", "n")
    assert run.rc == 2
    [line] = lines_of(run.stderr)
    assert "kubeconfig" in line and "line 4" in line


# --- issue 15: outputs and inputs as people use them ------------------------------------------


def test_output_dir_yaml_writes_yaml_files(tmp_path: Path) -> None:
    source = tmp_path / "two.yaml"
    source.write_text(deployment("web") + "---\n" + deployment("api"))
    out = tmp_path / "made" / "here"  # created, as kompose does
    run = cli("convert", str(source), "--node-id", "n", "-o", "yaml", "--output-dir", str(out))
    assert run.rc == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["api.yaml", "web.yaml"]
    assert yaml.safe_load((out / "web.yaml").read_text())["name"] == "web"


@pytest.mark.parametrize("command", ["convert", "audit"])
@pytest.mark.parametrize("what", ["empty-folder", "folder-without-yaml", "empty-file"])
def test_input_without_documents_warns_exit_2(command: str, what: str, tmp_path: Path) -> None:
    target = tmp_path / "input"
    if what == "empty-file":
        target = tmp_path / "empty.yaml"
        target.write_text("")
    else:
        target.mkdir()
        if what == "folder-without-yaml":
            (target / "README.md").write_text("# not a manifest\n")
    run = cli(command, str(target), "--node-id", "n")
    assert run.rc == 2
    assert "holds no documents" in run.stderr


def test_terminal_stdin_says_it_is_read(tmp_path: Path) -> None:
    import pty
    import select

    parent, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "k8s2ief", "convert", "--node-id", "n"],
        stdin=child,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(child)
    assert process.stderr is not None
    # The line comes before it waits for input; give it the test timeout to start, then end
    # the input with Ctrl-D whether the line came or not.
    ready, _, _ = select.select([process.stderr], [], [], TIMEOUT)
    first = process.stderr.readline().decode() if ready else ""
    os.write(parent, b"\x04")
    _, rest = process.communicate(timeout=TIMEOUT)
    os.close(parent)
    assert "reading manifests from stdin" in first
    assert "holds no documents" in rest.decode()
