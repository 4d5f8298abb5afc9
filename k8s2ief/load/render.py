"""Inputs that are not manifests yet: kustomizations, Helm charts and Helm templates.

A kustomization (``-k DIR``) is rendered by ``kubectl kustomize DIR``, once, and read as one
stream named ``kustomize:DIR``: findings point at the rendered stream's lines. A Helm chart is
not rendered here (that needs the chart's values and helm): its parts are recognised and skipped
with one notice, and a template met anyway is reported as such, with the command that renders it.
"""

from __future__ import annotations

import io
import os
import re
import sys
from typing import BinaryIO

from k8s2ief.patterns import lazy

KUSTOMIZE_PREFIX = "kustomize:"
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CONFIG_FILES = (".k8s2ief.yaml", ".k8s2ief.yml")  # k8s2ief's own config (k8s2ief.config)
CHART_FILE = "Chart.yaml"
CHART_TEMPLATES = "templates"
KUBECTL_TIMEOUT_S = 300
HELM_HINT = "render it first: helm template RELEASE CHART | k8s2ief convert -"

# A Go template action: "{{", at most 200 characters of one line without braces, "}}". The
# class stops at the next brace, so text full of "{{" is scanned in linear time.
_ACTION = lazy(rb"\{\{-?([^{}\n]{0,200}?)-?\}\}")
# Actions that only Helm gives meaning to: a document holding one is a template even where it
# happens to parse as YAML (``image: "{{ .Values.image }}"``).
_HELM_WORDS = lazy(
    rb"\.(?:Values|Release|Chart|Capabilities|Files|Template)\b"
    rb"|^\s*(?:include|toYaml|tpl|required)\b|\|\s*(?:nindent|indent|toYaml|quote)\b"
)
# Any action counts once the YAML failed to parse; before that, ConfigMaps carry Prometheus or
# Grafana templates (``{{ $labels.instance }}``) as data.
_ANY_WORDS = lazy(rb"^\s*[-.$/\w(\"]")


class RenderError(Exception):
    """An input that could not be rendered; the message is one line."""


class RenderedPath(str):
    """A path argument standing for rendered output: the name findings show, and the bytes.

    k8s2ief.load.sources turns it into a Source; it is a str so that commands pass it along
    with the other paths. (kubectl holds the whole rendering in memory too.)
    """

    rendered: bytes

    def __new__(cls, name: str, rendered: bytes) -> RenderedPath:
        path = super().__new__(cls, name)
        path.rendered = rendered
        return path

    def open(self) -> BinaryIO:
        return io.BytesIO(self.rendered)


def kustomize(directory: str) -> RenderedPath:
    """``kubectl kustomize DIR``, run now, as a path argument named ``kustomize:DIR``."""
    import shutil
    import subprocess  # only -k pays for these imports

    if not os.path.isdir(directory):
        raise RenderError(f"-k {directory}: not a directory")
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise RenderError(
            f"-k {directory} needs kubectl on PATH (it runs `kubectl kustomize {directory}`); "
            f"install kubectl, or pipe `kustomize build {directory}` into `k8s2ief ... -`"
        )
    try:
        done = subprocess.run(
            [kubectl, "kustomize", directory],
            capture_output=True,
            timeout=KUBECTL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"-k {directory}: kubectl kustomize failed: {exc}") from None
    if done.returncode != 0:
        reason = _first_line(done.stderr) or f"exit code {done.returncode}"
        raise RenderError(f"-k {directory}: kubectl kustomize failed: {reason}")
    return RenderedPath(KUSTOMIZE_PREFIX + directory, done.stdout)


def _first_line(stderr: bytes | None) -> str:
    """kubectl's reason, without its log prefix (``E1201 ... "command failed" err="..."``)."""
    lines = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
    if not lines:
        return ""
    logged = re.search(r'err="(.*)"\s*$', lines[0])
    reason = logged.group(1) if logged else lines[0].removeprefix("error: ")
    return reason if len(reason) <= 300 else reason[:297] + "..."


def kustomization_in(directory: str) -> str | None:
    """The kustomization file a directory holds, if it is a kustomization."""
    return next(
        (name for name in KUSTOMIZATION_FILES if os.path.isfile(os.path.join(directory, name))),
        None,
    )


# --- folders that are not manifests ---------------------------------------------------------------

_told: set[str] = set()
_skipped_config = False


def skipped_any() -> bool:
    """Whether this run left out a file on purpose (a chart's source, a kustomization, the
    config file): an input that held nothing else is not an empty input."""
    return bool(_told) or _skipped_config


def notice(message: str) -> None:
    """One line on stderr, once per run: what was skipped and why (stdout carries data)."""
    if message not in _told:
        _told.add(message)
        sys.stderr.write(f"k8s2ief: {message}\n")


def manifest_files(directory: str, subdirs: list[str], files: list[str]) -> list[str]:
    """The files of a walked directory that can be manifests; prunes ``subdirs`` in place.

    A Helm chart's Chart.yaml, values*.yaml and templates/ are its source, not manifests; a
    kustomization file describes a build, not an object; .k8s2ief.yaml configures k8s2ief.
    """
    if CHART_FILE in files:
        if CHART_TEMPLATES in subdirs:
            subdirs.remove(CHART_TEMPLATES)
        notice(
            f"{directory} is a Helm chart: {CHART_FILE}, values*.yaml and templates/ are not "
            f"manifests and were skipped; {HELM_HINT}"
        )
        files = [name for name in files if not _chart_source(name)]
    kustomization = next((name for name in files if name in KUSTOMIZATION_FILES), None)
    if kustomization is not None:
        _tell_kustomization(directory, kustomization)
        files = [name for name in files if name != kustomization]
    return [name for name in files if name not in CONFIG_FILES]


def skipped_file(path: str) -> bool:
    """Whether a file given by name is a chart's or a kustomization's source (told once), or
    k8s2ief's config file."""
    directory, name = os.path.split(os.path.abspath(path))
    if name in CONFIG_FILES:
        global _skipped_config
        _skipped_config = True
        return True  # pre-commit passes every staged YAML file, the config among them
    if name in KUSTOMIZATION_FILES:
        _tell_kustomization(os.path.dirname(path) or ".", name)
        return True
    chart = _chart_root(directory)
    if chart is None:
        return False
    inside = os.path.relpath(os.path.abspath(path), chart).split(os.sep)
    if (len(inside) == 1 and _chart_source(name)) or inside[0] == CHART_TEMPLATES:
        notice(
            f"{path} is part of the Helm chart {os.path.relpath(chart)}, not a manifest: "
            f"skipped; {HELM_HINT}"
        )
        return True
    return False


def _chart_source(name: str) -> bool:
    return name == CHART_FILE or (name.startswith("values") and name.endswith((".yaml", ".yml")))


def _chart_root(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` holding Chart.yaml."""
    while True:
        if os.path.isfile(os.path.join(directory, CHART_FILE)):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _tell_kustomization(directory: str, name: str) -> None:
    notice(
        f"{os.path.join(directory, name)} is a kustomization, not a manifest: skipped; "
        f"render it with -k {directory}"
    )


# --- Helm templates -------------------------------------------------------------------------------


def helm_template_line(text: bytes, *, parsed: bool) -> int | None:
    """0-based line of the first template action in a document's text, or None.

    ``parsed``: whether the text is valid YAML; then only Helm's own actions count.
    """
    if b"{{" not in text:
        return None
    words = _HELM_WORDS if parsed else _ANY_WORDS
    for action in _ACTION.finditer(text):
        if words.search(action.group(1)):
            return text.count(b"\n", 0, action.start())
    return None


def helm_template_message() -> str:
    return f"a Helm template, not a manifest ({{{{ ... }}}} actions): {HELM_HINT}"
