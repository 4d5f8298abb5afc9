"""apply converts large inputs in worker processes (k8s2ief.apply.ahead) with exactly the plan,
output and guarantees of an in-order conversion in one process (K8S2IEF_JOBS=1)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from submit_helpers import AK, CLI, DATA, NODE, PROJECT, SK, WRITES, environment, manifest

from k8s2ief.apply.ahead import AHEAD_FROM_BYTES, converting
from k8s2ief.apply.inputs import facts, from_manifests
from k8s2ief.findings import Policy
from k8s2ief.load import Limits, iter_sources
from k8s2ief.settings import Settings
from k8s2ief.testing.emulator import Emulator

MANY = 450  # generated Deployments: together past AHEAD_FROM_BYTES


@pytest.fixture
def large(tmp_path: Path) -> Path:
    """Many Deployments, then a ConfigMap and a Secret that a later Deployment references, and a
    Deployment with an error finding."""
    path = tmp_path / "large.yaml"
    generated = "".join(manifest(f"app-{i:04d}") for i in range(MANY))
    app = (DATA / "app.yaml").read_text()
    mixed = (DATA / "mixed.yaml").read_text()
    path.write_text(f"{generated}{app}\n---\n{mixed}")
    assert path.stat().st_size > AHEAD_FROM_BYTES
    return path


def _apply(path: Path, jobs: str, *args: str) -> tuple[subprocess.CompletedProcess[str], Emulator]:
    with Emulator({AK: SK}, PROJECT) as emu:
        done = subprocess.run(
            [*CLI, "apply", str(path), "--endpoint", emu.endpoint, "--node-id", NODE, *args],
            capture_output=True,
            text=True,
            env=environment(K8S2IEF_JOBS=jobs),
            timeout=300,
        )
    return done, emu


def test_the_workers_convert_exactly_what_one_process_converts(large: Path) -> None:
    settings = Settings(node_id=NODE)
    sources = list(iter_sources([str(large)]))
    with converting(sources, settings, Limits(), facts, jobs=2) as ahead:
        in_workers = list(ahead)
        assert ahead.workers == 2
    with converting(sources, settings, Limits(), facts, jobs=1) as here:
        in_process = list(here)
        assert here.workers == 0
    assert len(in_workers) == len(in_process) > MANY
    for (mine, my_facts), (reference, its_facts) in zip(in_workers, in_process, strict=True):
        assert (mine.file, mine.line, mine.kind, mine.name) == (
            reference.file,
            reference.line,
            reference.kind,
            reference.name,
        )
        assert (mine.body, mine.status, my_facts) == (reference.body, reference.status, its_facts)
        assert [f.to_dict() for f in mine.findings] == [f.to_dict() for f in reference.findings]


def test_apply_through_the_workers_answers_as_in_one_process(large: Path) -> None:
    ahead, ahead_emu = _apply(large, "2")
    alone, alone_emu = _apply(large, "1")
    assert (ahead.returncode, ahead.stdout, ahead.stderr) == (
        alone.returncode,
        alone.stdout,
        alone.stderr,
    )
    assert ahead.returncode == 1  # the deployment with no image is blocked
    lines = ahead.stdout.splitlines()
    assert lines[:2] == ["ConfigMap web-config: created", "Secret web-secret: created"]
    assert len(lines) == MANY + 5 and "broken: blocked: KI309 container has no image" in lines
    created = sorted(d["name"] for d in ahead_emu.deployments)
    assert created == sorted(d["name"] for d in alone_emu.deployments) and len(created) == MANY + 2


def test_a_collision_in_a_large_input_stops_before_any_write(large: Path) -> None:
    with large.open("a") as handle:
        handle.write("\n---\n" + manifest("app-0007", image="busybox:1"))
    ahead, emu = _apply(large, "2")
    alone, _ = _apply(large, "1")
    assert (ahead.returncode, ahead.stdout, ahead.stderr) == (2, "", alone.stderr)
    assert "2 deployments would be named app-0007" in ahead.stderr.splitlines()[-1]
    assert [r for r in emu.request_log if r.method in WRITES] == []


def test_the_listing_goes_out_while_the_input_is_planned_and_the_run_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a plan has LIST_ALL_FROM targets the run is sure to list the project: the listing
    (a read) is sent then, before the rest of the input is planned, and the run uses it instead
    of listing again. Writes still come only after the whole plan."""
    monkeypatch.setenv("HOME", str(tmp_path))  # the SDK writes $HOME/.huaweicloud
    from k8s2ief.apply.applier import LIST_ALL_FROM, Applier
    from k8s2ief.ief.client import IefSession

    path = tmp_path / "many.yaml"
    path.write_text("".join(manifest(f"app-{i:02d}") for i in range(LIST_ALL_FROM + 5)))
    listed_while_planning: list[int] = []
    with Emulator({AK: SK}, PROJECT) as emu:
        with Applier(lambda: IefSession(AK, SK, PROJECT, endpoint=emu.endpoint)) as applier:

            def planned(count: int) -> None:
                applier.targets_planned(count)
                if count < LIST_ALL_FROM:
                    assert emu.request_log == []
                elif count == LIST_ALL_FROM + 1:  # planning waits here for the listing
                    deadline = time.monotonic() + 30
                    while not emu.request_log and time.monotonic() < deadline:
                        time.sleep(0.005)
                    listed_while_planning.extend(1 for r in emu.request_log if r.method == "GET")

            inputs = from_manifests(
                [str(path)], Settings(node_id=NODE), Limits(), [], False, Policy(), planned=planned
            )
            planned_log = list(emu.request_log)
            run = applier.apply(inputs.targets, inputs.kv_items, inputs.kv_names)
        assert listed_while_planning == [1]
        assert [r.method for r in planned_log] == ["GET"]
        assert [o.action for o in run.outcomes] == ["created"] * (LIST_ALL_FROM + 5)
        methods = [r.method for r in emu.request_log]
        assert methods == ["GET"] + ["POST"] * (LIST_ALL_FROM + 5)  # listed once, no lookups


def test_a_small_plan_lists_nothing_while_planning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    from k8s2ief.apply.applier import LIST_ALL_FROM, Applier
    from k8s2ief.ief.client import IefSession

    path = tmp_path / "few.yaml"
    path.write_text("".join(manifest(f"app-{i:02d}") for i in range(LIST_ALL_FROM - 1)))
    with Emulator({AK: SK}, PROJECT) as emu:
        with Applier(lambda: IefSession(AK, SK, PROJECT, endpoint=emu.endpoint)) as applier:
            from_manifests(
                [str(path)],
                Settings(node_id=NODE),
                Limits(),
                [],
                False,
                Policy(),
                planned=applier.targets_planned,
            )
            time.sleep(0.1)
        assert emu.request_log == []
