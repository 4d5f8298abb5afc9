"""apply never loses an outcome, never collides, and fails on bad input in one line.

Every case runs the real CLI in a subprocess against the emulator on 127.0.0.1.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from submit_helpers import (
    AK,
    CLI,
    DATA,
    NODE,
    PROJECT,
    SK,
    WRITES,
    cli,
    environment,
    manifest,
    submit,
)

from k8s2ief.apply.plan import fanned_name
from k8s2ief.testing.emulator import Emulator, Faults

HOSTILE = DATA / "hostile"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator({AK: SK}, PROJECT) as emulator:
        yield emulator


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    return done.stderr


# --------------------------------------------------------------------------- names


def test_fanned_names_are_unique_across_sources(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    names = ["inventory-service-frontend-alpha", "inventory-service-frontend-beta"]
    path.write_text("".join(manifest(name) for name in names))
    nodes = ["--node-id", "edge-a", "--node-id", "edge-b"]
    plan = submit("apply", emu.endpoint, str(path), *nodes, "--dry-run")
    planned = [line.split(":")[0] for line in plan.stdout.splitlines()]
    assert plan.returncode == 0 and len(planned) == len(set(planned)) == 4
    assert submit("apply", emu.endpoint, str(path), *nodes).returncode == 0
    assert sorted(d["name"] for d in emu.deployments) == sorted(planned)
    assert planned[0] == fanned_name(names[0], "edge-a") and all(len(n) <= 32 for n in planned)
    again = submit("apply", emu.endpoint, str(path), *nodes)  # no flipping between images
    assert (again.returncode, again.stdout.count(": unchanged\n")) == (0, 4)


def test_a_collision_left_is_an_error_before_the_first_write(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    path.write_text(manifest("app") + manifest("other") + manifest("app", image="busybox:1"))
    done = submit("apply", emu.endpoint, str(path), "--node-id", NODE)
    assert done.returncode == 2 and done.stdout == ""
    # The converter's own KI109 finding comes first, then the one line that ends the run.
    last = done.stderr.splitlines()[-1]
    assert "2 deployments would be named app" in last and "Traceback" not in done.stderr
    assert [r for r in emu.request_log if r.method in WRITES] == []


# --------------------------------------------------------------------------- one bad body


def test_a_body_the_sdk_cannot_send_fails_alone(emu: Emulator, tmp_path: Path) -> None:
    convert = cli(
        "convert",
        "-",
        "--node-id",
        NODE,
        "-o",
        "jsonl",
        stdin="".join(manifest(f"app-{i}") for i in range(5)),
    )
    bodies = [json.loads(line) for line in convert.stdout.splitlines()]
    bodies[2]["deployment"]["replicas"] = 1.0  # the API's integer field: validation refuses it
    path = tmp_path / "bodies.jsonl"
    path.write_text("".join(json.dumps(body) + "\n" for body in bodies))
    done = submit("apply", emu.endpoint, "--bodies", str(path))
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and len(lines) == 5
    assert lines[2].startswith("app-2: blocked: KI901 $.deployment.replicas"), lines[2]
    assert sorted(d["name"] for d in emu.deployments) == ["app-0", "app-1", "app-3", "app-4"]


class _HtmlPage(BaseHTTPRequestHandler):
    """A captive portal: 200 and an HTML page, whatever is asked."""

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        page = b"<html><body>Please log in</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_POST = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_an_endpoint_answering_html_fails_each_deployment(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        path = tmp_path / "apps.yaml"
        path.write_text(manifest("one") + manifest("two"))
        done = submit(
            "apply", f"http://127.0.0.1:{server.server_address[1]}", str(path), "--node-id", NODE
        )
    finally:
        server.shutdown()
    assert done.returncode == 1, done.stderr
    assert [line.split(": ")[:2] for line in done.stdout.splitlines()] == [
        ["one", "failed"],
        ["two", "failed"],
    ]
    assert "BAD_ANSWER" in done.stdout and "internal error" not in done.stderr


# --------------------------------------------------------------------------- unknown outcomes


def test_writes_whose_answer_is_lost_are_looked_up_not_failed(
    emu: Emulator, tmp_path: Path
) -> None:
    # Every write commits and then loses its answer: each create is looked up and found.
    emu.set_faults(Faults(commit_timeout_rate=1.0, commit_hold_s=0.0))
    path = tmp_path / "apps.yaml"
    path.write_text("".join(manifest(f"app-{i}") for i in range(3)))
    done = submit(
        "apply", emu.endpoint, str(path), "--node-id", NODE, "--max-attempts", "1", "-o", "json"
    )
    results = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout
    assert [r["action"] for r in results] == ["created"] * 3
    assert len(emu.deployments) == 3


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_stops_at_once_and_prints_the_outcomes_so_far(emu: Emulator, tmp_path: Path) -> None:
    emu.set_faults(Faults(latency_ms=300))
    path = tmp_path / "apps.yaml"
    path.write_text("".join(manifest(f"app-{i:02d}") for i in range(40)))
    process = subprocess.Popen(
        [
            *CLI,
            "apply",
            "--endpoint",
            emu.endpoint,
            str(path),
            "--node-id",
            NODE,
            "--parallel",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    deadline = time.monotonic() + 60
    while not [r for r in emu.request_log if r.method == "POST"]:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    writes_at_signal = len([r for r in emu.request_log if r.method == "POST"])
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    writes = len([r for r in emu.request_log if r.method == "POST"])
    assert writes <= writes_at_signal + 2  # at most the requests already in flight
    actions = Counter(line.split(": ")[1] for line in out.splitlines())
    assert sum(actions.values()) == 40 and actions["interrupted"] >= 30
    # Every deployment printed as created exists; at most the two in flight exist unreported.
    assert actions["created"] <= len(emu.deployments) <= actions["created"] + 2
    assert "interrupted" in err and "Traceback" not in err


class _CountingEmulator(Emulator):
    """Counts the requests it is answering at once (the latency sleep included)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.most = self._now = 0
        self._count = threading.Lock()

    def handle(self, request: object) -> object:  # type: ignore[override]
        with self._count:
            self._now += 1
            self.most = max(self.most, self._now)
        try:
            return super().handle(request)  # type: ignore[arg-type]
        finally:
            with self._count:
                self._now -= 1


def test_never_more_requests_in_flight_than_parallel(tmp_path: Path) -> None:
    # apply runs more threads than --parallel (they ready their next requests meanwhile).
    path = tmp_path / "apps.yaml"
    path.write_text("".join(manifest(f"app-{i:02d}") for i in range(30)))
    with _CountingEmulator({AK: SK}, PROJECT, faults=Faults(latency_ms=30)) as emu:
        done = submit("apply", emu.endpoint, str(path), "--node-id", NODE, "--parallel", "3")
        assert done.returncode == 0 and len(emu.deployments) == 30, done.stderr
        assert emu.most == 3


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "name", sorted(n for n in json.loads((HOSTILE / "expected.json").read_text()) if n[0] != "_")
)
def test_hostile_bytes_are_one_line_exit_2(name: str, emu: Emulator) -> None:
    expected = json.loads((HOSTILE / "expected.json").read_text())[name]
    if expected["as"] == "bodies":
        done = submit("apply", emu.endpoint, "--bodies", str(HOSTILE / name))
    else:
        done = submit(
            "apply", emu.endpoint, str(DATA / "mixed.yaml"), "--node-ids-file", str(HOSTILE / name)
        )
    assert done.returncode == expected["exit"]
    assert expected["text"] in one_line_error(done)
    assert emu.request_log == []


@pytest.mark.parametrize("depth", [100_000, 65])
def test_deeply_nested_bodies_are_one_line_exit_2(
    depth: int, emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"name": "x", "a": ' + "[" * depth + "]" * depth + "}")
    done = submit("apply", emu.endpoint, "--bodies", str(path))
    assert done.returncode == 2 and "deep" in one_line_error(done)
    assert emu.request_log == []


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
@pytest.mark.parametrize("count", [1, 3])
def test_apply_takes_every_body_format_convert_writes(fmt: str, count: int, emu: Emulator) -> None:
    names = [f"app-{i}" for i in range(count)]
    convert = cli(
        "convert",
        "-",
        "--node-id",
        NODE,
        "-o",
        fmt,
        stdin="".join(manifest(name) for name in names),
    )
    done = submit("apply", emu.endpoint, "--bodies", "-", stdin=convert.stdout)
    assert (done.returncode, done.stdout) == (0, "".join(f"{n}: created\n" for n in names))


def test_plans_say_they_are_plans(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    text = submit("apply", emu.endpoint, str(path), "--node-id", NODE, "--dry-run")
    assert text.stdout == "app: would create\n"
    plan = submit("apply", emu.endpoint, str(path), "--node-id", NODE, "--dry-run", "-o", "json")
    assert [(r["action"], r["dry_run"]) for r in json.loads(plan.stdout)] == [("created", True)]
    run = submit("apply", emu.endpoint, str(path), "--node-id", NODE, "-o", "json")
    assert [(r["action"], r["dry_run"]) for r in json.loads(run.stdout)] == [("created", False)]


def test_findings_are_shown_on_stderr_as_convert_shows_them(emu: Emulator) -> None:
    path = str(DATA / "hostpath.yaml")
    converted = cli("convert", path, "--node-id", NODE)
    applied = submit("apply", emu.endpoint, path, "--node-id", NODE)
    finding = [line for line in converted.stderr.splitlines() if " KI610 " in line]
    assert applied.returncode == 0 and finding and finding[0] in applied.stderr.splitlines()


def test_without_the_submit_extra_apply_says_what_to_install(tmp_path: Path) -> None:
    # deepdiff made unimportable, as on an install without the extra.
    code = (
        "import sys; sys.modules['deepdiff'] = None; from k8s2ief.cli import main; "
        "sys.exit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [
            "python",
            "-c",
            code,
            "apply",
            "--endpoint",
            "http://127.0.0.1:1",
            "--node-id",
            NODE,
            str(DATA / "mixed.yaml"),
        ],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=60,
    )
    assert done.returncode == 2
    assert "pip install 'k8s2ief[submit]'" in one_line_error(done)


class _GatewayAfterWrite(BaseHTTPRequestHandler):
    """A gateway in front of IEF: reads pass until the first write, which it answers 500 (its
    backend may or may not have committed); from then on every request gets a 503."""

    wrote = False

    def do_GET(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST":
            type(self).wrote = True
            self._answer(500, {"error_code": "APIGW.0500", "error_msg": "backend timeout"})
        elif type(self).wrote:
            self._answer(503, {"error_code": "APIGW.0503", "error_msg": "unavailable"})
        else:
            self._answer(200, {"count": 0, "deployments": []})

    do_POST = do_GET

    def _answer(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_an_unknown_outcome_is_reported_as_unknown_not_failed(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GatewayAfterWrite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    try:
        done = submit(
            "apply",
            f"http://127.0.0.1:{server.server_address[1]}",
            str(path),
            "--node-id",
            NODE,
            "--max-attempts",
            "1",
            "-o",
            "json",
        )
    finally:
        server.shutdown()
    [result] = json.loads(done.stdout)
    assert done.returncode == 1
    assert (result["action"], result["error_code"]) == ("unknown", "APIGW.0500")
    assert "may have taken effect" in result["error_msg"]
