"""apply converts large inputs in worker processes (k8s2ief.apply.ahead) with exactly the plan,
output and guarantees of an in-order conversion in one process (K8S2IEF_JOBS=1)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from submit_helpers import AK, CLI, DATA, NODE, PROJECT, SK, WRITES, environment, manifest

from k8s2ief.apply.ahead import AHEAD_FROM_BYTES, converting
from k8s2ief.apply.inputs import facts
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
