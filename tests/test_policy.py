"""One Policy (issues 14 and 15): --ignore, --severity and the k8s2ief.io/ignore annotation act
the same in convert, audit and apply, with comma lists and prefixes such as KI8."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import ROOT, k8s2ief

from k8s2ief.findings import Finding, Policy, Severity, code_patterns
from k8s2ief.testing.emulator import Emulator

DATA = ROOT / "testdata" / "policy"
ANNOTATED, PLAIN = DATA / "annotated.yaml", DATA / "plain.yaml"
AK, SK, PROJECT = "TESTAK0123456789", "test-secret-key-0123", "0123456789abcdef0123456789abcdef"


def finding(code: str, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(code, severity, "spec", "m")


def test_comma_lists_names_and_prefixes() -> None:
    assert code_patterns(["KI301,KI8", "env-name-invalid"]) == {"KI301", "KI8", "KI302"}
    assert code_patterns("ki80*") == {"KI80"}
    with pytest.raises(ValueError, match="KI999"):
        code_patterns("KI301,KI999")
    assert code_patterns("KI301,KI999,typo", strict=False) == {"KI301"}


def test_prefix_ignores_every_code_it_starts() -> None:
    policy = Policy.build(["KI8"])
    kept, dropped = policy.apply([finding("KI801"), finding("KI803"), finding("KI301")])
    assert [f.code for f in kept] == ["KI301"] and dropped == 2


def test_the_most_specific_severity_wins() -> None:
    policy = Policy.build((), {"KI8": "info", "KI80": "warning", "KI803": "error"})
    kept, _ = policy.apply([finding(c, Severity.INFO) for c in ("KI810", "KI801", "KI803")])
    assert [str(f.severity) for f in kept] == ["info", "warning", "error"]
    assert Policy.parse_severities(["KI8=info,KI301=warning"]) == {
        "KI8": "info",
        "KI301": "warning",
    }


def test_annotation_patterns_add_to_the_policy() -> None:
    kept, dropped = Policy.build(["KI301"]).apply([finding("KI301"), finding("KI801")], {"KI8"})
    assert kept == [] and dropped == 2


# --- the same in every command --------------------------------------------------------------


def convert_codes(*args: str | Path) -> tuple[int, dict[str, str]]:
    done = k8s2ief("convert", *args, "--node-id", "n1", "--report-format", "json")
    [document] = json.loads(done.stderr)["documents"]
    return done.returncode, {f["code"]: f["severity"] for f in document["findings"]}


def audit_codes(*args: str | Path) -> tuple[int, dict[str, str], str]:
    done = k8s2ief("audit", *args, "--node-id", "n1", "--format", "json")
    [document] = json.loads(done.stdout)["documents"]
    return (
        done.returncode,
        {f["code"]: f["severity"] for f in document["findings"]},
        document["status"],
    )


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
    with Emulator({AK: SK}, PROJECT) as emulator:
        yield emulator


def apply_plan(emu: Emulator, *args: str | Path) -> tuple[int, list[dict[str, object]]]:
    done = k8s2ief(
        "apply",
        *args,
        "--node-id",
        "n1",
        "--endpoint",
        emu.endpoint,
        "--dry-run",
        "-o",
        "json",
        env={
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        },
    )
    return done.returncode, json.loads(done.stdout)


def test_without_a_policy_every_command_reports_and_blocks() -> None:
    code, found = convert_codes(PLAIN)
    assert code == 1 and {"KI301", "KI801"} <= found.keys()
    code, found, status = audit_codes(PLAIN)
    assert code == 1 and status == "blocked" and {"KI301", "KI801"} <= found.keys()


def test_apply_blocks_without_a_policy(emu: Emulator) -> None:
    code, plan = apply_plan(emu, PLAIN)
    assert code == 1 and "KI301" in json.dumps(plan)


@pytest.mark.parametrize(
    "policy_args",
    [
        (ANNOTATED,),
        (PLAIN, "--ignore", "KI301,KI8"),
        (PLAIN, "--ignore", "KI301", "--ignore", "KI801"),
    ],
    ids=["annotation", "comma-list-and-prefix", "repeated"],
)
def test_policy_is_the_same_in_convert_audit_and_apply(
    emu: Emulator, policy_args: tuple[str | Path, ...]
) -> None:
    code, found = convert_codes(*policy_args)
    assert code == 0 and not {"KI301", "KI801"} & found.keys()
    code, found, status = audit_codes(*policy_args)
    assert code == 0 and status == "clean" and not {"KI301", "KI801"} & found.keys()
    code, plan = apply_plan(emu, *policy_args)
    assert code == 0, plan
    assert [entry["name"] for entry in plan] == [Path(policy_args[0]).stem]
    assert "KI301" not in json.dumps(plan)


def test_severity_override_in_convert_decides_the_exit_code() -> None:
    code, found = convert_codes(PLAIN, "--severity", "KI3=warning")
    assert code == 0 and found["KI301"] == "warning"
    code, found = convert_codes(PLAIN, "--severity", "KI801=error", "--ignore", "KI301")
    assert code == 1 and found["KI801"] == "error"


def test_unknown_code_is_a_usage_error_everywhere() -> None:
    for command in ("convert", "audit", "apply"):
        done = k8s2ief(command, PLAIN, "--ignore", "KI301,KI999")
        assert done.returncode == 2, (command, done.stderr)
        assert "KI999" in done.stderr and len(done.stderr.splitlines()) == 1


def test_apply_takes_target_and_policy_from_the_config_file(emu: Emulator, tmp_path: Path) -> None:
    (tmp_path / ".k8s2ief.yaml").write_text("node-id: cfg-node\nignore: KI301,KI8\n")
    env = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
    }
    common = ("--endpoint", emu.endpoint, "--dry-run", "-o", "json")
    done = k8s2ief("apply", PLAIN, *common, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    [entry] = json.loads(done.stdout)
    assert entry["node_id"] == "cfg-node" and entry["name"] == "plain"
    # --node-id on the command line wins; --group-id replaces the file's node id
    flagged = k8s2ief("apply", PLAIN, *common, "--node-id", "flag-node", cwd=tmp_path, env=env)
    assert json.loads(flagged.stdout)[0]["node_id"] == "flag-node"
    grouped = k8s2ief("apply", PLAIN, *common, "--group-id", "g-1", cwd=tmp_path, env=env)
    assert grouped.returncode == 0, grouped.stdout + grouped.stderr
    assert json.loads(grouped.stdout)[0]["node_id"] is None
