"""``k8s2ief apply`` end to end: the CLI, the real SDK and the emulator over 127.0.0.1."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from submit_helpers import manifest

from k8s2ief.apply.plan import fanned_name
from k8s2ief.cli import main
from k8s2ief.testing.emulator import Emulator, Faults

AK, SK, PROJECT = "TESTAK0123456789", "test-secret-key-0123", "0123456789abcdef0123456789abcdef"
NODE = "9ebd8efb-9fdd-44a1-abda-9cdbc287a867"
DATA = Path(__file__).parent.parent / "testdata" / "apply"
SECRET_VALUES = ("s3cr3t-token-value-42", base64.b64encode(b"s3cr3t-token-value-42").decode())
WRITES = {"POST", "PUT", "DELETE"}


@pytest.fixture(autouse=True)
def env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK writes $HOME/.huaweicloud/application_id when first imported.
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
    monkeypatch.delenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", raising=False)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator({AK: SK}, PROJECT) as emulator:
        yield emulator


class Run:
    """Runs apply in-process; keeps everything printed for the secrets scan."""

    printed: ClassVar[list[str]] = []

    def __init__(self, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture):
        self.capsys, self.caplog = capsys, caplog
        caplog.set_level(logging.DEBUG)

    def __call__(self, emu: Emulator, *args: str) -> tuple[int, str]:
        code = main(["apply", "--endpoint", emu.endpoint, "--retry-base-delay", "0.01", *args])
        out, err = self.capsys.readouterr()
        Run.printed.extend([out, err, self.caplog.text])
        return code, out


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Run:
    return Run(capsys, caplog)




def writes(emu: Emulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.request_log if r.method in WRITES]


# --------------------------------------------------------------------------- the plain cases


def test_create_then_unchanged_then_update(emu: Emulator, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    assert run(emu, str(path), "--node-id", NODE) == (0, "app: created\n")
    [created] = emu.deployments
    assert created["name"] == "app" and created["node_ids"] == [NODE]

    before = len(emu.request_log)
    assert run(emu, str(path), "--node-id", NODE) == (0, "app: unchanged\n")
    assert not [r for r in emu.request_log[before:] if r.method in WRITES]

    path.write_text(manifest("app", image="nginx:1.28-alpine"))
    code, out = run(emu, str(path), "--node-id", NODE)
    assert (code, out.splitlines()[0]) == (0, "app: updated")
    assert "image_url: 'nginx:1.27-alpine' -> 'nginx:1.28-alpine'" in out
    [updated] = emu.deployments
    assert updated["id"] == created["id"]
    assert updated["template"]["containers"][0]["image_url"] == "nginx:1.28-alpine"


def test_many_targets_list_the_project_once(emu: Emulator, run: Run, tmp_path: Path) -> None:
    # From LIST_ALL_FROM targets on, apply lists the project once and creates absent names
    # without looking each one up; names already there are looked up and compared as usual.
    from k8s2ief.apply.applier import LIST_ALL_FROM

    names = [f"app-{i:02d}" for i in range(LIST_ALL_FROM + 5)]
    path = tmp_path / "many.yaml"
    path.write_text(manifest(names[0]) + manifest(names[1]))
    assert run(emu, str(path), "--node-id", NODE)[0] == 0  # two targets: looked up one by one
    before = len(emu.request_log)
    path.write_text("".join(manifest(name) for name in names))
    code, out = run(emu, str(path), "--node-id", NODE)
    assert code == 0
    assert Counter(line.split(": ")[1] for line in out.splitlines()) == {
        "created": len(names) - 2,
        "unchanged": 2,
    }
    methods = Counter(r.method for r in emu.request_log[before:])
    # one listing, then a show for each of the two that exist (the listing gave their ids)
    assert methods == {"GET": 1 + 2, "POST": len(names) - 2}


def test_created_since_the_listing_is_decided_as_usual(
    emu: Emulator, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name absent when listed but taken when created (someone else was quicker): the create
    # is refused on its first try, and the deployment is looked up and compared as usual.
    from k8s2ief.apply.applier import Applier

    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    assert run(emu, str(path), "--node-id", NODE) == (0, "app: created\n")

    def listed_empty(self: Applier, targets: object) -> None:
        self.ctx.listed = {}

    monkeypatch.setattr(Applier, "_list", listed_empty)
    assert run(emu, str(path), "--node-id", NODE) == (0, "app: unchanged\n")
    assert len(emu.deployments) == 1


def test_dry_run_writes_nothing(emu: Emulator, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    assert run(emu, str(path), "--node-id", NODE, "--dry-run") == (0, "app: would create\n")
    assert run(emu, str(path), "--node-id", NODE) == (0, "app: created\n")
    path.write_text(manifest("app", replicas=1, image="busybox:1"))
    code, out = run(emu, str(path), "--node-id", NODE, "--dry-run", "-o", "json")
    [result] = json.loads(out)
    assert (code, result["action"]) == (0, "updated")
    assert any("image_url" in line for line in result["diff"])
    assert emu.deployments[0]["template"]["containers"][0]["image_url"] == "nginx:1.27-alpine"
    assert writes(emu) == [f"POST /v3/{PROJECT}/edgemgr/deployments"]


def test_node_change_needs_recreate(emu: Emulator, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    assert run(emu, str(path), "--node-id", NODE)[0] == 0
    code, out = run(emu, str(path), "--node-id", "other-node")
    assert code == 1 and out.startswith("app: blocked: NEEDS_RECREATE node_ids")
    assert run(emu, str(path), "--node-id", "other-node", "--recreate")[1].startswith(
        "app: recreated"
    )
    assert [d["node_ids"] for d in emu.deployments] == [["other-node"]]


def test_fan_out_over_three_nodes(emu: Emulator, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(manifest("a-thirty-character-long-name-x1"))
    nodes = tmp_path / "nodes.txt"
    nodes.write_text("node-a\nnode-b\n\nnode-c\n")
    code, out = run(emu, str(path), "--node-ids-file", str(nodes))
    names = [fanned_name("a-thirty-character-long-name-x1", f"node-{n}") for n in "abc"]
    assert code == 0 and out.splitlines() == [f"{name}: created" for name in names]
    assert all(len(name) <= 32 for name in names) and len(set(names)) == 3
    by_name = {d["name"]: d["node_ids"] for d in emu.deployments}
    assert by_name == {name: [f"node-{n}"] for name, n in zip(names, "abc", strict=True)}
    again = run(emu, str(path), "--node-id", "node-a", "--node-id", "node-b", "--node-id", "node-c")
    assert again == (0, "".join(f"{name}: unchanged\n" for name in names))


def test_wrong_secret_key_is_refused(
    emu: Emulator, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "not-the-right-secret")
    path = tmp_path / "app.yaml"
    path.write_text(manifest("app"))
    code, out = run(emu, str(path), "--node-id", NODE)
    assert code == 1 and out.startswith("app: failed: APIGW.0301 ")
    assert "not-the-right-secret" not in out
    assert emu.deployments == []


def test_missing_credentials_is_a_usage_error(
    emu: Emulator, run: Run, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HUAWEICLOUD_SDK_SK")
    code = main(["apply", "--endpoint", emu.endpoint, str(DATA / "app.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "HUAWEICLOUD_SDK_SK" in err


def test_error_document_blocked_others_submitted(emu: Emulator, run: Run) -> None:
    code, out = run(emu, str(DATA / "mixed.yaml"), "--node-id", NODE)
    assert code == 1
    assert out.splitlines() == ["good: created", "broken: blocked: KI309 container has no image"]
    assert [d["name"] for d in emu.deployments] == ["good"]


def test_referenced_configmap_and_secret_created_first(emu: Emulator, run: Run) -> None:
    code, out = run(emu, str(DATA / "app.yaml"), "--node-id", NODE)
    assert code == 0
    assert out.splitlines() == [
        "ConfigMap web-config: created",
        "Secret web-secret: created",
        "web: created",
    ]
    assert [c["name"] for c in emu.configmaps] == ["web-config"]  # not unused-config
    [secret] = emu.secrets
    assert secret["secrets"] == {"TOKEN": SECRET_VALUES[1]}
    posts = [w for w in writes(emu) if w.startswith("POST")]
    assert posts[-1].endswith("/deployments")
    code, out = run(emu, str(DATA / "app.yaml"), "--node-id", NODE, "-o", "json")
    assert code == 0 and {r["action"] for r in json.loads(out)} == {"unchanged"}


# --------------------------------------------------------------------------- subprocesses


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(home),
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
    }


def test_convert_piped_into_apply_bodies(emu: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    path.write_text(manifest("one") + manifest("two"))
    command = [sys.executable, "-m", "k8s2ief"]
    convert = subprocess.Popen(
        [*command, "convert", str(path), "--node-id", NODE],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_env(tmp_path),
    )
    applied = subprocess.run(
        [*command, "apply", "--bodies", "-", "--endpoint", emu.endpoint],
        stdin=convert.stdout,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert convert.wait(timeout=30) == 0
    assert (applied.returncode, applied.stdout) == (0, "one: created\ntwo: created\n")
    for text in (applied.stdout, applied.stderr):
        assert AK not in text and SK not in text
    assert sorted(d["name"] for d in emu.deployments) == ["one", "two"]


# --------------------------------------------------------------------------- under faults


def test_two_hundred_under_faults(emu: Emulator, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("".join(manifest(f"app-{i:03d}") for i in range(200)))
    emu.set_faults(
        Faults(
            error_rate=0.2,
            throttle_rate=0.05,
            retry_after_s=0,
            commit_timeout_rate=0.05,
            commit_hold_s=1.0,
            reset_rate=0.05,
            seed=7,
        )
    )
    # Faults strike about one request in three: 30 tries make giving up on one (0.35**30)
    # practically impossible, whatever the machine's load does to the timing.
    code, out = run(
        emu, str(path), "--node-id", NODE, "--timeout", "0.3", "--max-attempts", "30", "-o", "json"
    )
    results = json.loads(out)
    emu.set_faults(Faults())
    names = [d["name"] for d in emu.deployments]
    assert len(names) == 200 and len(set(names)) == 200
    assert [r["name"] for r in results] == [f"app-{i:03d}" for i in range(200)]
    assert code == 0 and {r["action"] for r in results} == {"created"}
    assert max(r["attempts"] for r in results) > 2  # the faults did strike
    # A re-run finds every one of them.
    code, out = run(emu, str(path), "--node-id", NODE)
    assert code == 0 and out.count(": unchanged\n") == 200


def test_nothing_secret_was_printed() -> None:
    """Runs last in this module: scans what every in-process run printed and logged."""
    assert Run.printed, "the other tests did not run"
    text = "\n".join(Run.printed)
    for secret in (AK, SK, "not-the-right-secret", *SECRET_VALUES):
        assert secret not in text


def test_emulator_command(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "k8s2ief", "emulator", "--project-id", PROJECT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        endpoint = line.rsplit(" ", 1)[1].strip()
        applied = subprocess.run(
            [
                sys.executable,
                "-m",
                "k8s2ief",
                "apply",
                "--endpoint",
                endpoint,
                "--node-id",
                NODE,
                str(DATA / "mixed.yaml"),
                "-o",
                "json",
            ],
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=60,
        )
        actions = Counter(r["action"] for r in json.loads(applied.stdout))
        assert (applied.returncode, actions) == (1, Counter({"created": 1, "blocked": 1}))
    finally:
        server.terminate()
        server.wait(timeout=10)
