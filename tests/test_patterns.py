"""Lazily compiled patterns (k8s2ief.patterns): the same answers as re.compile, compiled only
when first used, so a plain conversion compiles none of the patterns it does not need."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from k8s2ief.patterns import lazy


def test_a_lazy_pattern_answers_as_the_compiled_one() -> None:
    source = r"(?P<word>[a-z]+)-(\d+)"
    pattern, compiled = lazy(source), re.compile(source)
    for text in ("abc-12", "abc-", "x-1 y-2", ""):
        for method in ("match", "fullmatch", "search"):
            got, want = getattr(pattern, method)(text), getattr(compiled, method)(text)
            assert (got and got.groups()) == (want and want.groups()), (method, text)
        assert pattern.findall(text) == compiled.findall(text)
        assert [m.span() for m in pattern.finditer(text)] == [
            m.span() for m in compiled.finditer(text)
        ]
        assert pattern.sub(r"\2", text) == compiled.sub(r"\2", text)
        assert pattern.split(text) == compiled.split(text)
    assert pattern.groupindex == compiled.groupindex
    assert lazy(rb"\{\{(.*?)\}\}").findall(b"a {{ x }} {{y}}") == [b" x ", b"y"]
    assert lazy("abc", re.IGNORECASE).fullmatch("ABC")


def test_compiled_on_first_use_only() -> None:
    pattern = lazy(r"[0-9]+")
    assert "fullmatch" not in vars(pattern)  # nothing compiled yet
    assert pattern.fullmatch("42")
    assert "fullmatch" in vars(pattern)  # from now on the compiled pattern's own method
    assert pattern.search("a1") and not pattern.fullmatch("a1")


# A plain Deployment: no Helm action, no volume, no float, no ConfigMap, no --ignore, no
# output folder, no env: none of these patterns is needed to convert it.
PROBE = """\
import sys
from k8s2ief.cli import main
code = main(["convert", sys.argv[1], "--node-id", "n"])
import k8s2ief.behaviour.kubernetes, k8s2ief.emit, k8s2ief.findings, k8s2ief.load.render
import k8s2ief.load.scalars, k8s2ief.pipeline, k8s2ief.rules.volumes
patterns = {
    "render._ACTION": k8s2ief.load.render._ACTION,
    "render._HELM_WORDS": k8s2ief.load.render._HELM_WORDS,
    "emit._SAFE_NAME": k8s2ief.emit._SAFE_NAME,
    "findings._PREFIX": k8s2ief.findings._PREFIX,
    "volumes._NOT_NAME": k8s2ief.rules.volumes._NOT_NAME,
    "scalars._YAML_FLOAT": k8s2ief.load.scalars._YAML_FLOAT,
    "kubernetes.KUBERNETES_ENV_NAME": k8s2ief.behaviour.kubernetes.KUBERNETES_ENV_NAME,
}
used = [name for name, pattern in patterns.items() if "search" in vars(pattern)]
print("compiled:", code, *used)
"""

PLAIN = """\
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
        ports:
        - containerPort: 80
"""


def compiled(stdout: str) -> list[str]:
    """The probe's last line: the exit code, then the patterns that were compiled."""
    last = stdout.splitlines()[-1].split()
    assert last[0] == "compiled:", stdout[-500:]
    return last[1:]


def test_a_plain_conversion_compiles_none_of_the_lazy_patterns(tmp_path: Path) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(PLAIN)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(manifest)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    code, *used = compiled(done.stdout)
    assert code in ("0", "1") and used == []
    # The check can fail: with a float and a volume, those two patterns are compiled.
    manifest.write_text(
        PLAIN.replace("replicas: 1", "replicas: 1\n  minReadySeconds: 1.5").replace(
            "      containers:",
            "      volumes:\n      - name: Data_1\n        emptyDir: {}\n      containers:",
        )
    )
    again = subprocess.run(
        [sys.executable, "-c", PROBE, str(manifest)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert sorted(compiled(again.stdout)[1:]) == ["scalars._YAML_FLOAT", "volumes._NOT_NAME"]
