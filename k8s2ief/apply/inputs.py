"""What apply and diff submit: targets from manifests, the cluster or bodies made earlier.

Every problem with the input is an ``InputError``: one line, naming the file and line, that the
command prints before anything is sent.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k8s2ief.apply.ahead import converting
from k8s2ief.apply.model import KvItem, Target
from k8s2ief.apply.plan import fan_out, kv_item
from k8s2ief.findings import Finding, Policy, Severity
from k8s2ief.load import Document, Limits, iter_sources
from k8s2ief.pipeline import (
    DEPLOYMENT,
    Converter,
    DocumentResult,
    collect_siblings,
    input_mentions,
    with_policy,
)
from k8s2ief.references import references, uses_env_from
from k8s2ief.settings import Settings

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget

MAX_BODY_DEPTH = 64  # IEF bodies nest about 10 levels: deeper is not a body
# The gateway takes 12 MB a body; a file of bodies or node ids past this is not one.
MAX_INPUT_BYTES = 256 * 2**20


class InputError(Exception):
    """A problem with the input, reported on one line with exit code 2."""


@dataclass
class Inputs:
    targets: list[Target]
    kv_items: list[KvItem]
    # Every ConfigMap and Secret of the input, submitted or not: a prune keeps them.
    kv_names: set[tuple[str, str]] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)  # to show on stderr, as convert does


# --------------------------------------------------------------------------- node ids


def node_ids(given: Sequence[str], path: str | None) -> list[str]:
    nodes = list(given)
    if path:
        text = _decoded(_read_bytes(path), path)
        for number, line in enumerate(text.splitlines(), 1):
            node = line.strip()
            if any(ord(c) < 32 or ord(c) == 127 for c in node):
                raise InputError(f"{path}:{number}: a node id cannot hold control characters")
            if node:
                nodes.append(node)
    return list(dict.fromkeys(nodes))


# --------------------------------------------------------------------------- bodies


def from_bodies(path: str, nodes: Sequence[str]) -> Inputs:
    """Bodies in any format convert writes: one JSON body, a JSON array, JSON lines, YAML."""
    from k8s2ief.ief.validate import validate_body

    targets: list[Target] = []
    for index, (line, body) in enumerate(read_bodies(path)):
        where = f"{path}:{line}"
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            targets.append(
                Target(
                    f"{path}[{index}]", None, None, "KI013", "not a body with a name", source=where
                )
            )
            continue
        target = Target(body["name"], None, body, source=where)
        if not nodes:
            ids = body.get("node_ids")
            target.node_id = ids[0] if isinstance(ids, list) and len(ids) == 1 else None
            violations = validate_body(body)
            if violations:
                first = violations[0]
                target.blocked_code, target.blocked_msg = "KI901", f"{first.path}: {first.message}"
        targets.extend(fan_out(target, nodes))
    return Inputs(targets, [])


def read_bodies(path: str) -> list[tuple[int, Any]]:
    """(line, body) for each body of the file (``-``: stdin)."""
    text = _decoded(_read_bytes(path), path)
    stripped = text.lstrip()
    if not stripped:
        return []
    try:
        reader = _json_bodies if stripped[0] in "[{" else _yaml_bodies
        items = reader(text, path)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be an IEF body") from None
    for line, item in items:
        if _depth_over(item, MAX_BODY_DEPTH):
            raise InputError(
                f"{path}:{line}: nested deeper than {MAX_BODY_DEPTH} levels: not an IEF body"
            )
    return items


def _json_bodies(text: str, path: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except ValueError as whole:
        lines = text.splitlines()
        if len([line for line in lines if line.strip()]) < 2:
            raise InputError(f"{path}:{whole.lineno}: not JSON: {whole.msg}") from None
        items = []
        for number, line in enumerate(lines, 1):  # JSON lines
            if line.strip():
                try:
                    items.append((number, json.loads(line)))
                except ValueError as problem:
                    raise InputError(
                        f"{path}:{number}: neither JSON nor JSON lines: {problem.msg}"
                    ) from None
        return items
    return [(1, item) for item in data] if isinstance(data, list) else [(1, data)]


def _yaml_bodies(text: str, path: str) -> list[tuple[int, Any]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    items: list[tuple[int, Any]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                items.append((node.start_mark.line + 1, loader.construct_document(node)))
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        reason = getattr(problem, "problem", None) or str(problem).splitlines()[0]
        raise InputError(f"{path}{line}: neither JSON nor YAML: {reason}") from None
    finally:
        loader.dispose()
    return items


def _depth_over(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _read_bytes(path: str) -> bytes:
    """The whole input (``-``: stdin), refused past MAX_INPUT_BYTES rather than read on."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: larger than {MAX_INPUT_BYTES // 2**20} MiB: not IEF bodies")
    return data


def _decoded(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 (byte 0x{data[error.start]:02x})") from None


# --------------------------------------------------------------------------- manifests


def from_manifests(
    paths: Sequence[str],
    settings: Settings,
    limits: Limits,
    nodes: Sequence[str],
    force: bool,
    policy: Policy,
    meanwhile: Callable[[], None] = lambda: None,
    planned: Callable[[int], None] = lambda count: None,
) -> Inputs:
    """``meanwhile`` runs while worker processes convert a large input (k8s2ief.apply.ahead);
    the plan is made once every document is converted (``planned``: see ``plan``)."""
    sources = list(iter_sources(paths))
    if input_mentions(sources, b"envFrom"):
        settings = settings.replace(siblings=collect_siblings(sources, limits))
    with converting(sources, settings, limits, facts) as converted:
        meanwhile()
        return plan(converted, nodes, force, policy, planned)


def from_cluster(
    cluster: ClusterTarget,
    settings: Settings,
    nodes: Sequence[str],
    force: bool,
    policy: Policy,
    planned: Callable[[int], None] = lambda count: None,
) -> Inputs:
    """The cluster's Deployments and the ConfigMaps and Secrets they reference, planned as the
    same objects from files would be (key names are gathered first, and kv items are always
    applied before deployments)."""
    from k8s2ief.load.cluster import ClusterError, read_cluster
    from k8s2ief.pipeline import siblings_of

    try:
        documents = read_cluster(cluster, with_references=True)
    except ClusterError as problem:
        raise InputError(str(problem)) from None
    if any(uses_env_from(doc.data) for doc in documents):
        settings = settings.replace(siblings=siblings_of(documents))
    converter = Converter(settings)
    converted = ((converter.convert(d), facts(d)) for d in documents)
    return plan(converted, nodes, force, policy, planned)


Facts = tuple[KvItem | None, tuple[tuple[str, str], ...]]


def facts(document: Document) -> Facts:
    """What a plan needs of a document besides its conversion: the ConfigMap or Secret it is,
    or the ones it references (computed where the document was parsed, maybe in a worker)."""
    data = document.data if isinstance(document.data, dict) else {}
    item = kv_item(data) if document.error is None else None
    if item is not None:
        return item, ()
    return None, tuple(sorted(set(references(data))))


def plan(
    converted: Iterable[tuple[DocumentResult, Facts]],
    nodes: Sequence[str],
    force: bool,
    policy: Policy,
    planned: Callable[[int], None] = lambda count: None,
) -> Inputs:
    """Deployments to submit, and the ConfigMaps and Secrets some submitted one references.

    ``planned(count)`` is told how many targets there are so far, at the start and after each
    Deployment, while later documents may still be converting: a run can start its reads."""
    targets: list[Target] = []
    kv: dict[tuple[str, str], KvItem] = {}
    wanted: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    planned(0)
    for converted_result, (item, needs) in converted:
        result = with_policy(converted_result, policy)  # ignored errors do not block
        if item is not None:
            kv[(item.kind, item.name)] = item
            continue
        if result.kind not in (DEPLOYMENT, None):
            continue  # other kinds are not submitted
        findings.extend(
            f for f in result.findings if f.severity in (Severity.ERROR, Severity.WARNING)
        )
        target = _target(result, force)
        if target.body is not None and target.blocked_code is None:
            target.needs = needs
            wanted.update(target.needs)
        targets.extend(fan_out(target, nodes))
        planned(len(targets))
    for target in targets:
        target.needs = tuple(need for need in target.needs if need in kv)
    return Inputs(targets, [item for key, item in kv.items() if key in wanted], set(kv), findings)


def _target(result: Any, force: bool) -> Target:
    name = str((result.body or {}).get("name") or result.name or f"{result.file}:{result.line}")
    source = f"{result.file}:{result.line}"
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if result.body is None or (errors and not force):
        first = errors[0] if errors else None
        code, message = (first.code, first.message) if first else ("KI013", "not converted")
        return Target(name, None, None, code, message, source=source)
    return Target(name, None, result.body, source=source)
