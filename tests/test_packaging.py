"""A light, conventional install (issue 15): two dependencies, extras for the rest, a typed
package, shell completion and a pre-commit hook."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clirun import GOLDEN, ROOT, k8s2ief

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
BASIC = GOLDEN / "basic" / "input.yaml"
CONTAINERS = GOLDEN / "containers" / "input.yaml"

# Only the standard library, PyYAML and click may be imported: any other top-level module
# raises ImportError, as it would in an install without the extras.
ONLY_CORE = """
import sys
class _OnlyCore:
    allowed = set(sys.stdlib_module_names) | {"yaml", "_yaml", "click", "k8s2ief"}
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] not in self.allowed:
            raise ImportError(f"{name} is not installed (test: core install)")
        return None
sys.meta_path.insert(0, _OnlyCore())
"""


def requirement_names(requirements: list[str]) -> set[str]:
    return {
        r.split(";")[0].split(">")[0].split("=")[0].split("[")[0].strip().lower()
        for r in requirements
    }


def test_core_dependencies_are_pyyaml_and_click() -> None:
    assert requirement_names(PROJECT["dependencies"]) == {"pyyaml", "click", "tomli"}
    tomli = next(r for r in PROJECT["dependencies"] if r.startswith("tomli"))
    assert "python_version < '3.11'" in tomli  # 3.11+ has tomllib
    extras = PROJECT["optional-dependencies"]
    assert requirement_names(extras["cluster"]) == {"kubernetes"}
    assert requirement_names(extras["submit"]) == {"deepdiff", "huaweicloudsdkief"}
    # `pip install '.[test]'` (.ci/run) brings both extras: the suite tests everything.
    assert requirement_names(extras["cluster"] + extras["submit"]) <= requirement_names(
        extras["test"]
    )


@pytest.mark.parametrize(
    "args",
    [
        ("convert", BASIC, "--node-id", "n1"),
        ("convert", BASIC, "--node-id", "n1", "-o", "yaml"),
        (
            "audit",
            GOLDEN / "env-sources" / "input.yaml",
            CONTAINERS,
            "--jobs",
            "2",
            "--fail-on",
            "never",
        ),
        ("audit", BASIC, "--format", "sarif", "--node-id", "n1"),
        ("explain", "KI301"),
        ("schema",),
        ("completion", "bash"),
    ],
    ids=lambda a: " ".join(map(str, a[:1] + a[-2:])) if isinstance(a, tuple) else a,
)
def test_core_commands_need_only_pyyaml_and_click(args: tuple[str | Path, ...]) -> None:
    done = k8s2ief(*args, prelude=ONLY_CORE)
    assert done.returncode == 0, done.stderr
    assert "not installed" not in done.stderr


def test_validate_needs_only_pyyaml_and_click() -> None:
    body = k8s2ief("convert", BASIC, "--node-id", "n1").stdout
    done = k8s2ief("validate", "-", stdin=body, prelude=ONLY_CORE)
    assert done.returncode == 0, done.stderr


def test_the_prelude_does_hide_packages() -> None:
    done = subprocess.run(
        [sys.executable, "-c", ONLY_CORE + "import kubernetes"], capture_output=True, text=True
    )
    assert done.returncode == 1 and "not installed (test: core install)" in done.stderr


@pytest.mark.parametrize("command", ["convert", "audit"])
def test_from_cluster_without_the_extra_says_what_to_install(command: str) -> None:
    hide = "import sys; sys.modules['kubernetes'] = None"  # as if the extra was not installed
    done = k8s2ief(command, "--from-cluster", prelude=hide)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "pip install 'k8s2ief[cluster]'" in line
    assert "internal error" not in line


def test_package_is_typed() -> None:
    assert (ROOT / "k8s2ief" / "py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in data["package-data"]["k8s2ief"]


# --- shell completion -----------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(shell: str) -> None:
    done = k8s2ief("completion", shell)
    assert done.returncode == 0
    assert "_K8S2IEF_COMPLETE" in done.stdout and f"{shell}_complete" in done.stdout


def test_completion_answers_from_the_real_cli() -> None:
    env = {"_K8S2IEF_COMPLETE": "bash_complete", "COMP_WORDS": "k8s2ief co", "COMP_CWORD": "1"}
    done = k8s2ief(env=env)
    assert sorted(done.stdout.split()) == ["plain,completion", "plain,convert"]
    env = {**env, "COMP_WORDS": "k8s2ief audit --fail-on ", "COMP_CWORD": "3"}
    assert k8s2ief(env=env).stdout.split() == [
        f"plain,{s}" for s in ("error", "warning", "info", "never")
    ]


def test_unknown_shell_is_a_usage_error() -> None:
    assert k8s2ief("completion", "tcsh").returncode == 2


# --- pre-commit -----------------------------------------------------------------------------

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_pre_commit_manifest_has_what_pre_commit_requires() -> None:
    assert isinstance(HOOKS, list) and HOOKS
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python"  # pre-commit pip-installs this repository
    clientlib = pytest.importorskip("pre_commit.clientlib")  # pre-commit's own schema check
    assert [h["id"] for h in clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))] == [
        h["id"] for h in HOOKS
    ]


def test_pre_commit_entry_runs_and_fails_on_errors(tmp_path: Path) -> None:
    [hook] = HOOKS
    program, *args = shlex.split(hook["entry"])
    assert program == "k8s2ief"
    (tmp_path / ".k8s2ief.yaml").write_text("node-id: edge-1\n")  # how a repository sets its target
    ok = k8s2ief(*args, BASIC, cwd=tmp_path)  # pre-commit passes the staged files
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = k8s2ief(*args, BASIC, CONTAINERS, cwd=tmp_path)
    assert bad.returncode == 1
    assert str(CONTAINERS) in bad.stdout


def test_pre_commit_runs_the_hook_for_real(tmp_path: Path) -> None:
    """pre-commit itself installs this repository in its own virtualenv and runs the hook."""
    pytest.importorskip("pre_commit")
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".k8s2ief.yaml").write_text("node-id: edge-1\n")
    (repo / "app.yaml").write_text(BASIC.read_text())
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    env = {
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "k8s2ief-audit", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=900,
        env={**__import__("os").environ, **env},
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Passed" in done.stdout
