"""Writes stay where the user put them (issue 12, item 1; issue 15's --output-dir): names that
never escape the folder, outputs that are inputs refused, one rule for every file written (through
symlinks, FIFOs and devices as a shell redirection; atomic for regular files, with the umask's or
the existing mode), no temporary file left by an interruption, and no user file ever lost.

Every case runs the real CLI in a subprocess through tests/test_hostile.py's helpers.
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
from test_hostile import HOSTILE, TIMEOUT, cli, deployment, sandwich

from k8s2ief.emit import DirectoryWriter

ESCAPING = HOSTILE / "escaping-names.yaml"


def lines_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def no_temporaries(folder: Path) -> bool:
    return not list(folder.glob(".k8s2ief-*.tmp"))


def many_deployments(path: Path, count: int) -> None:
    path.write_text("---\n".join(deployment(f"d{i}") for i in range(count)))


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


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_interrupted_output_dir_run_leaves_no_temporary_file(jobs: str, tmp_path: Path) -> None:
    source = tmp_path / "many.yaml"
    many_deployments(source, 20_000)
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


# --- files are never lost -----------------------------------------------------------------------


def test_output_dir_keeps_files_when_a_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "web.json").write_text("old\n")
    errors: list[str] = []
    writer = DirectoryWriter(str(tmp_path), force=True, on_error=errors.append)

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("k8s2ief.emit.os.fsync", broken_fsync)
    writer.write({"name": "web"}, "web")
    assert (tmp_path / "web.json").read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["web.json"]  # no temporary file left behind
    assert len(errors) == 1 and "No space left" in errors[0]


def test_output_dir_existing_files_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "good-a.json").write_text("earlier\n")
    source = tmp_path / "in.yaml"
    source.write_bytes(sandwich(deployment("fresh")))
    run = cli("convert", str(source), "--node-id", "n", "--output-dir", str(out))
    assert run.rc == 2
    assert (out / "good-a.json").read_text() == "earlier\n"
    assert json.loads((out / "fresh.json").read_text())["name"] == "fresh"
    assert json.loads((out / "good-b.json").read_text())["name"] == "good-b"
    assert sorted(p.name for p in out.iterdir()) == ["fresh.json", "good-a.json", "good-b.json"]


@pytest.mark.parametrize("kind", ["under-a-file", "a-file"])
def test_output_dir_unusable_is_one_line(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "out"
    if kind == "a-file":
        target.write_text("")
    else:
        (tmp_path / "file").write_text("")
        target = tmp_path / "file" / "out"  # cannot be created
    source = tmp_path / "in.yaml"
    source.write_text(deployment("x"))
    run = cli("convert", str(source), "--node-id", "n", "--output-dir", str(target))
    assert run.rc == 2
    assert run.stdout == ""
    assert not target.is_dir() or not list(target.iterdir())
    errors = [x for x in run.stderr.splitlines() if x.strip()]
    assert len(errors) == 1 and str(target) in errors[0], run.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: a read-only directory is writable")
def test_output_dir_read_only(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    target.chmod(0o500)
    source = tmp_path / "in.yaml"
    source.write_text(deployment("x"))
    run = cli("convert", str(source), "--node-id", "n", "--output-dir", str(target))
    assert run.rc == 2
    assert len([x for x in run.stderr.splitlines() if x.strip()]) == 1
