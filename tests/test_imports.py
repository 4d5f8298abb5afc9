"""Which modules each command imports (issue 17): start-up cost is mostly imports.

Each case runs the CLI entry point in a fresh interpreter, as the ``k8s2ief`` script does, then
prints the sorted names of ``sys.modules``. The assertions are on names, never on time: a heavy
or unneeded module on a start-up path fails here, deterministically, whatever the machine's load.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest

from k8s2ief.cli import COMMANDS

# Runs argv through k8s2ief.cli.main, then writes sys.modules to the file named first.
PROBE = """\
import sys
out, prelude, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
exec(prelude)
from k8s2ief.cli import main
code = main(argv)
modules = sorted(sys.modules)
with open(out, "w") as handle:
    handle.write("\\n".join([str(code), *modules]))
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: main
        image: nginx:1.25
"""

# Never on any start-up path: cluster and cloud clients, diffing, HTTP and mail stacks, schema
# libraries, process pools (only large inputs or --jobs > 1 start workers).
HEAVY = (
    "kubernetes",
    "deepdiff",
    "huaweicloudsdkcore",
    "huaweicloudsdkief",
    "jsonschema",
    "urllib3",
    "requests",
    "email",
    "http",
    "ssl",
    "socket",
    "asyncio",
    "multiprocessing",
    "concurrent",
    "logging",
    "subprocess",
    "pydantic",
    "dateutil",
)
# Modules of the project that a conversion of files never needs.
NOT_FOR_CONVERT = (
    "k8s2ief.apply",
    "k8s2ief.ief.client",
    "k8s2ief.ief.sdk_models",
    "k8s2ief.testing",
    "k8s2ief.load.cluster",
    "k8s2ief.report.html",
    "k8s2ief.workers",
    "k8s2ief.commands.apply",
    "k8s2ief.commands.audit",
    "k8s2ief.commands.emulator",
    "k8s2ief.commands.explain",
    "k8s2ief.commands.validate",
    "k8s2ief.conversion",  # the library's answer type, not the CLI's
    "k8s2ief.outfiles",  # files written by rule: --output-dir, --report-file, not stdout
    # The standard library's slow starters, needed only off the common path (streams, typos;
    # pathlib is left out: an editable install's import hook loads it at start-up):
    "tempfile",
    "importlib.resources",
    "difflib",
    "secrets",
    "shlex",  # exec probes only
    "signal",  # k8s2ief.streams uses the C module under it, loaded by the interpreter anyway
    # click's gettext look-up of a text imports locale (and stats four catalog paths): the
    # options of convert and explain carry their texts (k8s2ief.cli.HELP_TEXT).
    "locale",
)


def loaded(tmp_path: Path, *argv: str, prelude: str = "") -> set[str]:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), prelude, *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert out.exists(), done.stderr[-2000:]
    code, *modules = out.read_text().split("\n")
    assert code in ("0", "1"), (argv, code, done.stderr[-2000:])
    return set(modules)


def offenders(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    """The modules that are, or are inside, one of ``banned``."""
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def ours(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "k8s2ief" or m.startswith("k8s2ief.")}


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "one.yaml"
    path.write_text(DEPLOYMENT)
    return path


def test_help_imports_the_command_line_only(tmp_path: Path) -> None:
    modules = loaded(tmp_path, "--help")
    assert ours(modules) == {"k8s2ief", "k8s2ief.cli", "k8s2ief.streams"}
    assert offenders(modules, (*HEAVY, "yaml", "json")) == []


def test_explain_imports_the_code_registry_only(tmp_path: Path) -> None:
    modules = loaded(tmp_path, "explain", "KI101")
    assert ours(modules) == {
        "k8s2ief",
        "k8s2ief.cli",
        "k8s2ief.streams",
        "k8s2ief.codes",
        "k8s2ief.commands",
        "k8s2ief.commands.explain",
        "k8s2ief.records",  # the registry's rows
        "k8s2ief.severity",
    }
    assert offenders(modules, (*HEAVY, "yaml", "json", "decimal", "difflib", "locale")) == []


def test_convert_of_one_file_imports_no_heavy_module(tmp_path: Path, manifest: Path) -> None:
    modules = loaded(tmp_path, "convert", str(manifest), "--node-id", "n")
    assert "k8s2ief.pipeline" in modules  # the probe did convert
    assert offenders(modules, (*HEAVY, *NOT_FOR_CONVERT)) == []
    # Which findings explain a body violation: only a body with a violation asks.
    assert "k8s2ief.ief.explained" not in modules


def test_validate_imports_no_heavy_module(tmp_path: Path, manifest: Path) -> None:
    body = tmp_path / "body.json"
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "convert", str(manifest), "--node-id", "n"],
        capture_output=True,
        text=True,
        check=False,
    )
    body.write_text(done.stdout)
    modules = loaded(tmp_path, "validate", str(body))
    assert "k8s2ief.ief.validate" in modules
    assert offenders(modules, (*HEAVY, "k8s2ief.rules", "k8s2ief.pipeline", "k8s2ief.apply")) == []


def test_audit_with_one_job_imports_no_heavy_module(tmp_path: Path, manifest: Path) -> None:
    modules = loaded(tmp_path, "audit", str(manifest.parent), "--node-id", "n", "-j", "1", "-q")
    assert "k8s2ief.report.model" in modules  # the probe did audit
    assert offenders(modules, (*HEAVY, "k8s2ief.apply", "k8s2ief.ief.client")) == []


def test_the_probe_sees_an_import_made_on_the_way(tmp_path: Path) -> None:
    # The check can fail: a heavy import anywhere in the process is reported.
    modules = loaded(tmp_path, "--help", prelude="import concurrent.futures")
    assert "concurrent.futures" in offenders(modules, HEAVY)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_listed_command_is_the_command_it_names(name: str) -> None:
    # k8s2ief --help lists commands from COMMANDS without importing them: each entry must lead
    # to a command of that name, with a one-line summary.
    target, summary = COMMANDS[name]
    module, attribute = target.split(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert summary and "\n" not in summary
