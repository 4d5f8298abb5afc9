"""Safe by construction (issue 12): contained writes, inputs read once, no Secret value in any
message, failures of the environment in one line; and the input/output habits of issue 15.

Every case runs the real CLI in a subprocess through tests/test_hostile.py's helpers. Small
inputs are fixtures in testdata/hostile/ (with the catalogue's expectations); big ones are
generated into tmp_path.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from test_hostile import HOSTILE, MB, TIMEOUT, cli, convert, deployment, finding_lines

from k8s2ief.report.audit import FORMATTERS

ESCAPING = HOSTILE / "escaping-names.yaml"
SECRET = HOSTILE / "secret-tagged-value.yaml"
ENV_FROM = (
    deployment(
        "uses-env",
        extra_container="        envFrom:\n        - configMapRef:\n            name: settings\n",
    )
    + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LEVEL: debug\n"
)


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def no_temporaries(folder: Path) -> bool:
    return not list(folder.glob(".k8s2ief-*.tmp"))


# --- 1. writes stay where the user put them ------------------------------------------------------


def test_output_dir_names_never_escape(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli(
        "convert",
        str(ESCAPING),
        "--node-id",
        "n",
        "--output-dir",
        str(out),
        "--force",
        cwd=tmp_path,
    )
    assert run.rc == 2
    assert sorted(p.name for p in out.iterdir()) == ["last.json", "twice.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing one level up
    assert not Path("/tmp/k8s2ief-escaped.json").exists()
    refused = [line for line in run.stderr.splitlines() if "not written" in line]
    # ../up, /tmp/..., a NUL, "..", 300 characters, and the second "twice": one line each, with
    # the document's place.
    assert len(refused) == 6, run.stderr
    assert all(line.startswith(f"{ESCAPING}:") for line in refused), refused
    [second] = [line for line in refused if "twice" in line]
    assert "came earlier in this input" in second and "exists" not in second
    # the first "twice" (nginx:1) is the one written, and was not replaced by the second
    body = json.loads((out / "twice.json").read_text())
    assert body["deployment"]["template"]["containers"][0]["image_url"] == "nginx:1"


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "stdin"])
@pytest.mark.parametrize("command", ["convert", "audit"])
def test_output_that_is_an_input_is_refused(how: str, command: str, tmp_path: Path) -> None:
    source = tmp_path / "app.yaml"
    source.write_text(deployment("web"))
    before = source.read_bytes()
    target = tmp_path / "report.txt"
    if how == "same" or how == "stdin":
        target = source
    elif how == "symlink":
        target.symlink_to(source)
    else:
        os.link(source, target)
    option = "--report-file" if command == "convert" else "--output"
    given = ["-"] if how == "stdin" else [str(source)]
    run = cli(
        command,
        *given,
        "--node-id",
        "n",
        option,
        str(target),
        shell=f'"$@" < {source}' if how == "stdin" else None,
    )
    assert run.rc == 2
    assert source.read_bytes() == before
    [line] = lines_of(run.stderr)
    assert "is one of the inputs" in line
    assert run.stdout == ""


def _fifo_reader(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with path.open("rb") as handle:
            into.append(handle.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", ["convert", "audit"])
def test_writes_go_through_symlinks_fifos_and_devices(command: str, tmp_path: Path) -> None:
    source = tmp_path / "app.yaml"
    source.write_text(deployment("web"))
    option = "--report-file" if command == "convert" else "--output"

    real = tmp_path / "real.txt"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    run = cli(command, str(source), "--node-id", "n", option, str(link))
    assert run.rc == 0, run.stderr
    assert link.is_symlink() and "1 document" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the existing file's mode is kept

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _fifo_reader(fifo, received)
    run = cli(command, str(source), "--node-id", "n", option, str(fifo))
    reader.join(TIMEOUT)
    assert run.rc == 0, run.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode) and b"1 document" in received[0]

    if os.geteuid() == 0:  # a device node of our own (the null device), never a system one
        device = tmp_path / "null"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        run = cli(command, str(source), "--node-id", "n", option, str(device))
        assert run.rc == 0, run.stderr
        assert stat.S_ISCHR(device.stat().st_mode)
    assert no_temporaries(tmp_path)


@pytest.mark.parametrize("umask, mode", [("022", 0o644), ("027", 0o640)])
def test_new_files_honour_the_umask(umask: str, mode: int, tmp_path: Path) -> None:
    source = tmp_path / "app.yaml"
    source.write_text(deployment("web"))
    shell = f'umask {umask}; "$@"'
    out = tmp_path / "out"
    cli(
        "convert",
        str(source),
        "--node-id",
        "n",
        "--output-dir",
        str(out),
        "--report-file",
        str(tmp_path / "report.txt"),
        shell=shell,
    )
    cli(
        "audit", str(source), "--node-id", "n", "--output", str(tmp_path / "audit.txt"), shell=shell
    )
    for written in (out / "web.json", tmp_path / "report.txt", tmp_path / "audit.txt"):
        assert stat.S_IMODE(written.stat().st_mode) == mode, written


def _many_deployments(path: Path, count: int) -> None:
    path.write_text("---\n".join(deployment(f"d{i}") for i in range(count)))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_output_dir_run_leaves_no_temporary_file(jobs: str, tmp_path: Path) -> None:
    source = tmp_path / "many.yaml"
    _many_deployments(source, 20_000)
    env = {**os.environ, "K8S2IEF_JOBS": jobs}
    rounds = [(signal.SIGTERM, 143), (signal.SIGINT, 130)] * 3
    for number, (signum, code) in enumerate(rounds):
        out = tmp_path / f"out{number}"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "k8s2ief",
                "convert",
                str(source),
                "--node-id",
                "n",
                "--output-dir",
                str(out),
                "--force",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + TIMEOUT
        while not (out.is_dir() and any(out.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.02)  # wait until it writes, however loaded the machine is
        time.sleep(random.uniform(0, 0.5))
        process.send_signal(signum)
        _, err = process.communicate(timeout=TIMEOUT)
        text = err.decode("utf-8", "replace")
        assert process.returncode in (code, 0), text  # 0: it finished first
        assert "Traceback" not in text
        assert no_temporaries(out), sorted(p.name for p in out.iterdir())[:5]


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


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
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
    _many_deployments(source, 5000)
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
    _many_deployments(source, 20_000)
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
    _, err = process.communicate(timeout=TIMEOUT)
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
