"""``diff``, ``apply --applyset --prune`` and ``apply --wait`` through the CLI, against the
emulator, with and without injected faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from submit_helpers import AK, NODE, PROJECT, SK, WRITES, manifest, submit

from k8s2ief.apply.plan import APPLYSET_KEY
from k8s2ief.testing.emulator import Emulator, Faults

FAULTS = Faults(
    error_rate=0.15,
    throttle_rate=0.05,
    retry_after_s=0,
    commit_timeout_rate=0.05,
    commit_hold_s=0.0,
    reset_rate=0.05,
    seed=11,
)


@pytest.fixture(params=["calm", "faults"])
def emu(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    with Emulator({AK: SK}, PROJECT, ready_delay_s=0.3, never_ready_image=r":broken$") as em:
        if request.param == "faults":
            em.set_faults(FAULTS)
        yield em


def apps(tmp_path: Path, name: str, *names: str, image: str = "nginx:1.27-alpine") -> str:
    path = tmp_path / name
    path.write_text("".join(manifest(n, image=image) for n in names))
    return str(path)


def by_name(emu: Emulator) -> dict[str, list[dict[str, str]]]:
    return {d["name"]: d["tags"] for d in emu.deployments}


ATTEMPTS = ("--max-attempts", "30")  # faults strike often: enough tries that none gives up


# --------------------------------------------------------------------------- diff


def test_diff_exit_codes_and_output(emu: Emulator, tmp_path: Path) -> None:
    path = apps(tmp_path, "a.yaml", "one", "two")
    first = submit("diff", emu.endpoint, path, "--node-id", NODE, *ATTEMPTS)
    assert (first.returncode, first.stdout) == (1, "one: would create\ntwo: would create\n")
    assert [r for r in emu.request_log if r.method in WRITES] == []
    assert submit("apply", emu.endpoint, path, "--node-id", NODE, *ATTEMPTS).returncode == 0
    insync = submit("diff", emu.endpoint, path, "--node-id", NODE, *ATTEMPTS)
    assert (insync.returncode, insync.stdout) == (0, "one: unchanged\ntwo: unchanged\n")
    path = apps(tmp_path, "b.yaml", "one", "two", image="nginx:1.28-alpine")
    changed = submit("diff", emu.endpoint, path, "--node-id", NODE, "-o", "json", *ATTEMPTS)
    results = json.loads(changed.stdout)
    assert changed.returncode == 1
    assert [(r["name"], r["action"], r["dry_run"]) for r in results] == [
        ("one", "updated", True),
        ("two", "updated", True),
    ]
    assert results[0]["diff"] == [
        "~ template.containers[0].image_url: 'nginx:1.27-alpine' -> 'nginx:1.28-alpine'"
    ]
    writes_before = len([r for r in emu.request_log if r.method in WRITES])
    submit("diff", emu.endpoint, path, "--node-id", NODE, *ATTEMPTS)
    assert len([r for r in emu.request_log if r.method in WRITES]) == writes_before


def test_diff_errors_exit_2(emu: Emulator, tmp_path: Path) -> None:
    path = apps(tmp_path, "a.yaml", "one")
    usage = submit("diff", emu.endpoint, path, "--node-id", NODE, "--prune")
    assert usage.returncode == 2 and "--applyset" in usage.stderr
    unreachable = submit(
        "diff", "http://127.0.0.1:1", path, "--node-id", NODE, "--max-attempts", "1"
    )
    assert unreachable.returncode == 2 and "one: failed: CONNECTION_ERROR" in unreachable.stdout


# --------------------------------------------------------------------------- prune


def test_prune_deletes_only_what_the_set_owns(emu: Emulator, tmp_path: Path) -> None:
    ours = apps(tmp_path, "ours.yaml", "keep", "drop")
    assert (
        submit(
            "apply", emu.endpoint, ours, "--node-id", NODE, "--applyset", "web", *ATTEMPTS
        ).returncode
        == 0
    )
    theirs = apps(tmp_path, "theirs.yaml", "theirs")
    assert (
        submit(
            "apply", emu.endpoint, theirs, "--node-id", NODE, "--applyset", "batch", *ATTEMPTS
        ).returncode
        == 0
    )
    loose = apps(tmp_path, "loose.yaml", "untagged")
    assert submit("apply", emu.endpoint, loose, "--node-id", NODE, *ATTEMPTS).returncode == 0
    assert by_name(emu)["keep"] == [{"key": APPLYSET_KEY, "value": "web"}]
    assert by_name(emu)["untagged"] == []

    smaller = apps(tmp_path, "smaller.yaml", "keep")
    plan = submit(
        "apply",
        emu.endpoint,
        smaller,
        "--node-id",
        NODE,
        "--applyset",
        "web",
        "--prune",
        "--dry-run",
        *ATTEMPTS,
    )
    assert (plan.returncode, plan.stdout) == (0, "keep: unchanged\ndrop: would delete\n")
    assert sorted(by_name(emu)) == ["drop", "keep", "theirs", "untagged"]

    done = submit(
        "apply", emu.endpoint, smaller, "--node-id", NODE, "--applyset", "web", "--prune", *ATTEMPTS
    )
    assert (done.returncode, done.stdout) == (0, "keep: unchanged\ndrop: deleted\n")
    assert sorted(by_name(emu)) == ["keep", "theirs", "untagged"]
    again = submit(
        "diff", emu.endpoint, smaller, "--node-id", NODE, "--applyset", "web", "--prune", *ATTEMPTS
    )
    assert (again.returncode, again.stdout) == (0, "keep: unchanged\n")


def test_prune_needs_an_applyset_and_a_valid_name(emu: Emulator, tmp_path: Path) -> None:
    path = apps(tmp_path, "a.yaml", "one")
    for args in (["--prune"], ["--applyset", "has space"], ["--applyset", "x" * 44]):
        done = submit("apply", emu.endpoint, path, "--node-id", NODE, *args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert emu.request_log == []


def test_a_deployment_of_another_set_is_never_taken_over(emu: Emulator, tmp_path: Path) -> None:
    path = apps(tmp_path, "a.yaml", "shared")
    assert (
        submit(
            "apply", emu.endpoint, path, "--node-id", NODE, "--applyset", "batch", *ATTEMPTS
        ).returncode
        == 0
    )
    done = submit(
        "apply", emu.endpoint, path, "--node-id", NODE, "--applyset", "web", "--recreate", *ATTEMPTS
    )
    assert done.returncode == 1 and "blocked: APPLYSET_CONFLICT" in done.stdout
    assert by_name(emu)["shared"] == [{"key": APPLYSET_KEY, "value": "batch"}]


def test_configmaps_are_owned_and_pruned_too(emu: Emulator, tmp_path: Path) -> None:
    config = """apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {MODE: fast}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: main
        image: nginx:1
        envFrom: [{configMapRef: {name: web-config}}]
"""
    path = tmp_path / "web.yaml"
    path.write_text(config)
    assert (
        submit(
            "apply", emu.endpoint, str(path), "--node-id", NODE, "--applyset", "web", *ATTEMPTS
        ).returncode
        == 0
    )
    assert [c["description"] for c in emu.configmaps] == ["k8s2ief-applyset=web"]
    empty = apps(tmp_path, "other.yaml", "other")
    done = submit(
        "apply", emu.endpoint, empty, "--node-id", NODE, "--applyset", "web", "--prune", *ATTEMPTS
    )
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "other: created",
        "web: deleted",
        "ConfigMap web-config: deleted",
    ]
    assert emu.configmaps == [] and sorted(by_name(emu)) == ["other"]


# --------------------------------------------------------------------------- wait


def test_wait_until_ready(emu: Emulator, tmp_path: Path) -> None:
    path = apps(tmp_path, "a.yaml", "one", "two")
    done = submit(
        "apply", emu.endpoint, path, "--node-id", NODE, "--wait", "--wait-timeout", "60", *ATTEMPTS
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "one: created",
        "two: created",
        "one: ready 1/1",
        "two: ready 1/1",
    ]
    assert "\r" not in done.stderr  # no progress line when stderr is not a terminal
    again = submit(
        "apply", emu.endpoint, path, "--node-id", NODE, "--wait", "-o", "json", *ATTEMPTS
    )  # unchanged ones are waited for too
    assert [(r["action"], r["ready"]) for r in json.loads(again.stdout)] == [
        ("unchanged", True),
        ("unchanged", True),
    ]


def test_wait_names_what_is_not_ready_at_the_timeout(emu: Emulator, tmp_path: Path) -> None:
    good = apps(tmp_path, "good.yaml", "good")
    bad = tmp_path / "both.yaml"
    bad.write_text(Path(good).read_text() + manifest("stuck", image="nginx:broken"))
    done = submit(
        "apply",
        emu.endpoint,
        str(bad),
        "--node-id",
        NODE,
        "--wait",
        "--wait-timeout",
        "4",
        *ATTEMPTS,
    )
    assert done.returncode == 1
    assert done.stdout.splitlines()[-2:] == ["good: ready 1/1", "stuck: not ready 0/1"]
    assert done.stderr.splitlines()[-1] == "k8s2ief apply: not ready after 4s: stuck"


def test_wait_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess

    from submit_helpers import CLI, environment

    with Emulator({AK: SK}, PROJECT, ready_delay_s=1.0) as emu:
        path = apps(tmp_path, "a.yaml", "one")
        main, secondary = pty.openpty()
        done = subprocess.run(
            [*CLI, "apply", "--endpoint", emu.endpoint, path, "--node-id", NODE, "--wait"],
            stdout=subprocess.PIPE,
            stderr=secondary,
            text=True,
            env=environment(),
            timeout=120,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        os.close(main)
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["one: created", "one: ready 1/1"]
    assert b"waiting: 0/1 ready" in shown
