"""Defaults a team repeats, in a file: `.k8s2ief.yaml` or `[tool.k8s2ief]` in pyproject.toml.

Found from the working directory upwards (the nearest wins), or named by ``--config FILE`` or
``$K8S2IEF_CONFIG``. Keys are the long option names without dashes in front (``node-id``,
``fail-on``, ...); flags given on the command line override them. A file that cannot be used is
a ConfigError whose one-line message starts with ``file:line:``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator

from k8s2ief.records import FrozenRecord, set_field

ENV_VAR = "K8S2IEF_CONFIG"
YAML_NAMES = (".k8s2ief.yaml", ".k8s2ief.yml")  # also in load.render.CONFIG_FILES: not manifests
PYPROJECT = "pyproject.toml"
TOML_TABLE = "tool.k8s2ief"
FAIL_ON = ("error", "warning", "info", "never")


class ConfigError(ValueError):
    """A config file that cannot be used; the message is ``file:line: problem``."""


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


def _choice(*allowed: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, not {value!r}")
        return str(value)

    return check


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a positive whole number, not {value!r}")
    return value


def _codes(value: object) -> list[str]:
    """A comma list or a list of codes, names or prefixes, checked as --ignore checks them."""
    from k8s2ief.findings import code_patterns

    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected a list of finding codes, or a comma list")
    code_patterns(items)
    return list(items)


def _severities(value: object) -> list[str]:
    """``{KI802: info, KI8: warning}`` -> ``["KI802=info", "KI8=warning"]`` (as --severity)."""
    from k8s2ief.findings import Policy

    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("expected a mapping of finding code to severity (error|warning|info)")
    Policy.build((), {str(code): level for code, level in value.items()})
    return [f"{code}={level}" for code, level in value.items()]


def _editions(value: object) -> str:
    from k8s2ief.settings import EDITIONS

    return _choice(*EDITIONS)(value)


# key -> (check and convert, the command parameters it sets; several when commands name it apart)
KEYS: dict[str, tuple[Callable[[object], object], tuple[str, ...]]] = {
    "node-id": (_text, ("node_id", "node_ids")),
    "group-id": (_text, ("group_id",)),
    "edition": (_editions, ("edition",)),
    "fail-on": (_choice(*FAIL_ON), ("fail_on",)),
    "ignore": (_codes, ("ignore",)),
    "severity": (_severities, ("severity",)),
    "gpu-memory-mb": (_count, ("gpu_memory_mb",)),
    "host-port-range": (_text, ("host_port_range",)),
    "jobs": (_count, ("jobs",)),
    "region": (_text, ("region",)),
    "endpoint": (_text, ("endpoint",)),
}
MULTIPLE = frozenset({"node_ids", "ignore", "severity"})  # options that repeat take lists


class Config(FrozenRecord):
    """A config file's checked values, by key."""

    __slots__ = ("path", "values")
    path: str
    values: dict[str, object]

    def __init__(self, path: str, values: dict[str, object]) -> None:
        set_field(self, "path", path)
        set_field(self, "values", values)

    def defaults(self, parameters: set[str]) -> dict[str, object]:
        """Click's default_map for a command with these parameter names."""
        found: dict[str, object] = {}
        for key, value in self.values.items():
            for name in KEYS[key][1]:
                if name in parameters:
                    many = name in MULTIPLE and not isinstance(value, list)
                    found[name] = [value] if many else value
        return found


def find_config(explicit: str | None = None, start: str | None = None) -> Config | None:
    """The config to use: ``explicit``, else $K8S2IEF_CONFIG, else the nearest one found."""
    named = explicit or os.environ.get(ENV_VAR)
    if named:
        if not os.path.isfile(named):
            raise ConfigError(
                f"{named}: no such config file (from {'--config' if explicit else '$' + ENV_VAR})"
            )
        return load_config(named)
    if start is None:
        try:
            start = os.getcwd()
        except OSError:  # the working directory was removed: nothing to find upwards
            return None
    for candidate in _candidates(os.path.abspath(start)):
        config = load_config(candidate)
        if config is not None:
            return config
    return None


def _candidates(start: str) -> Iterator[str]:
    """Config files from ``start`` upwards, nearest first (os.path: pathlib costs start-up)."""
    directory = start
    while True:
        for name in YAML_NAMES:
            if os.path.isfile(os.path.join(directory, name)):
                yield os.path.join(directory, name)
        pyproject = os.path.join(directory, PYPROJECT)
        if os.path.isfile(pyproject) and _mentions_table(pyproject):
            yield pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def _mentions_table(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return f"[{TOML_TABLE}".encode() in file.read()
    except OSError:
        return False


def load_config(path: str) -> Config | None:
    """A config file, checked; None for a pyproject.toml without [tool.k8s2ief]."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        table, lines = _toml(path, text)
        if table is None:
            return None
    else:
        table, lines = _yaml(path, text)
    values: dict[str, object] = {}
    for key, value in table.items():
        line = lines.get(key, 1)
        if key not in KEYS:
            known = ", ".join(KEYS)
            raise ConfigError(f"{path}:{line}: unknown key {key!r} (known: {known})")
        try:
            values[key] = KEYS[key][0](value)
        except ValueError as exc:
            raise ConfigError(f"{path}:{line}: {key}: {exc}") from None
    if "node-id" in values and "group-id" in values:
        raise ConfigError(f"{path}:{lines.get('group-id', 1)}: give node-id or group-id, not both")
    return Config(path, values)


def _yaml(path: str, text: str) -> tuple[dict[str, object], dict[str, int]]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}:1: invalid YAML: {exc}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{path}:1: a config file is a mapping of option names to values")
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    return {str(k): v for k, v in data.items()}, lines


def _toml(path: str, text: str) -> tuple[dict[str, object] | None, dict[str, int]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            f"{path}:{found.group(1) if found else 1}: invalid TOML: {problem}"
        ) from None
    table = data.get("tool", {}).get("k8s2ief")
    if table is None:
        return None, {}
    header = _line_of(text, r"^\s*\[\s*tool\.k8s2ief\s*\]") or 1
    if not isinstance(table, dict):
        raise ConfigError(f"{path}:{header}: [{TOML_TABLE}] must be a table")
    lines = {
        key: _line_of(text, rf"^\s*\[\s*tool\.k8s2ief\.\"?{re.escape(key)}\"?\s*\]")
        or _line_of(text, rf"^\s*\"?{re.escape(key)}\"?\s*=", after=header)
        or header
        for key in table
    }
    return table, lines


def _line_of(text: str, pattern: str, after: int = 0) -> int | None:
    """1-based number of the first line at or after ``after`` matching ``pattern``."""
    regex = re.compile(pattern)
    for number, line in enumerate(text.splitlines()[after:], start=after + 1):
        if regex.search(line):
            return number
    return None
