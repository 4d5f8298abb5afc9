"""The config file (issue 15): found upwards, named explicitly, overridden by flags, checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from clirun import GOLDEN, k8s2ief

from k8s2ief.config import ConfigError, find_config

BASIC = GOLDEN / "basic" / "input.yaml"  # one clean Deployment without a target
CONTAINERS = GOLDEN / "containers" / "input.yaml"  # error findings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a manifest two levels below the config file."""
    deep = tmp_path / "deploy" / "prod"
    deep.mkdir(parents=True)
    shutil.copy(BASIC, deep / "app.yaml")
    return tmp_path


def body(done: object) -> dict[str, object]:
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    return json.loads(done.stdout)  # type: ignore[attr-defined]


def test_yaml_config_found_upwards(project: Path) -> None:
    (project / ".k8s2ief.yaml").write_text("node-id: edge-7\nedition: platinum\n")
    done = k8s2ief("convert", "app.yaml", cwd=project / "deploy" / "prod")
    assert body(done)["node_ids"] == ["edge-7"]


def test_pyproject_table(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.k8s2ief]\ngroup-id = "g-1"\nignore = ["KI202", "KI110"]\n'
    )
    done = k8s2ief(
        "convert", "app.yaml", "--report-format", "json", cwd=project / "deploy" / "prod"
    )
    assert json.loads(done.stdout)["group_id"] == "g-1"
    codes = {f["code"] for d in json.loads(done.stderr)["documents"] for f in d["findings"]}
    assert not codes & {"KI202", "KI110"}


def test_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / ".k8s2ief.yaml").write_text("node-id: from-yaml\n")
    (project / "deploy" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    done = k8s2ief("convert", "app.yaml", cwd=project / "deploy" / "prod")
    assert body(done)["node_ids"] == ["from-yaml"]


def test_flags_override_the_file(project: Path) -> None:
    (project / ".k8s2ief.yaml").write_text("group-id: g-1\nfail-on: warning\n")
    done = k8s2ief(
        "convert",
        "app.yaml",
        "--node-id",
        "flag-node",
        "--fail-on",
        "error",
        cwd=project / "deploy" / "prod",
    )
    parsed = body(done)  # the file's group id gives way to --node-id, not a conflict
    assert parsed["node_ids"] == ["flag-node"] and "group_id" not in parsed


def test_fail_on_and_severity_from_the_file(tmp_path: Path) -> None:
    config = tmp_path / "team.yaml"
    config.write_text("node-id: n1\nfail-on: never\nseverity:\n  KI3: info\n  KI8: info\n")
    done = k8s2ief("audit", CONTAINERS, "--config", config, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr  # fail-on never
    severities = {
        f["code"]: f["severity"]
        for d in json.loads(done.stdout)["documents"]
        for f in d["findings"]
    }
    assert severities["KI301"] == "info" and severities["KI801"] == "info"


def test_environment_variable_names_the_file(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.yml"
    config.write_text("node-id: env-node\n")
    done = k8s2ief("convert", BASIC, cwd=tmp_path, env={"K8S2IEF_CONFIG": str(config)})
    assert body(done)["node_ids"] == ["env-node"]


def test_config_option_beats_environment(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("node-id: a\n")
    (tmp_path / "b.yaml").write_text("node-id: b\n")
    done = k8s2ief(
        "convert",
        BASIC,
        "--config",
        tmp_path / "b.yaml",
        cwd=tmp_path,
        env={"K8S2IEF_CONFIG": str(tmp_path / "a.yaml")},
    )
    assert body(done)["node_ids"] == ["b"]


def test_validate_reads_it_and_apply_takes_it(tmp_path: Path) -> None:
    (tmp_path / ".k8s2ief.yaml").write_text("edition: platinum\n")
    platinum_only = {
        "name": "x",
        "node_ids": ["n"],
        "deployment": {
            "replicas": 3,
            "template": {
                "containers": [{"name": "c", "image_url": "nginx"}],
                "configs": {"host_network": False, "restart_policy": "Always"},
            },
        },
    }
    (tmp_path / "b.json").write_text(json.dumps(platinum_only))
    done = k8s2ief("validate", "b.json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert k8s2ief("validate", "b.json", "--edition", "professional", cwd=tmp_path).returncode == 1
    apply = k8s2ief("apply", "--help", cwd=tmp_path)
    assert "--config FILE" in apply.stdout and "--ignore" in apply.stdout


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("node-id: n\neditoin: platinum\n", 2, "unknown key 'editoin'"),
        ("edition: gold\n", 1, "edition: expected one of professional, platinum"),
        ("ignore: [KI301, KI999]\n", 1, "unknown finding code 'KI999'"),
        ("fail-on: sometimes\n", 1, "fail-on"),
        ("node-id: a\ngroup-id: b\n", 2, "not both"),
        ("severity:\n  KI301: loud\n", 1, "unknown severity 'loud'"),
        ("node-id: [a\n", 2, "invalid YAML"),
    ],
)
def test_bad_yaml_config_is_one_line_with_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    (tmp_path / ".k8s2ief.yaml").write_text(text)
    done = k8s2ief("convert", BASIC, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    [message] = done.stderr.splitlines()
    assert message.startswith(f"k8s2ief: {tmp_path / '.k8s2ief.yaml'}:{line}: ")
    assert words in message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[tool.k8s2ief]\nnode-id = "n"\nfail_on = "x"\n', 3, "unknown key 'fail_on'"),
        ('[tool.k8s2ief]\n\n[tool.k8s2ief.severity]\nKI301 = "loud"\n', 3, "severity"),
        ("[tool.k8s2ief]\nnode-id = \n", 2, "invalid TOML"),
    ],
)
def test_bad_pyproject_table_is_one_line_with_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError) as raised:
        find_config(start=str(tmp_path))
    assert str(raised.value).startswith(f"{tmp_path / 'pyproject.toml'}:{line}: ")
    assert words in str(raised.value)
    done = k8s2ief("audit", BASIC, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    done = k8s2ief("convert", BASIC, env={"K8S2IEF_CONFIG": str(tmp_path / "nope.yaml")})
    assert done.returncode == 2
    assert "no such config file" in done.stderr and "K8S2IEF_CONFIG" in done.stderr
