"""``k8s2ief apply``: convert (or read earlier bodies) and submit to IEF, idempotently by name.

Input is manifests (PATH...), bodies made earlier (--bodies), or --from-cluster: the Deployments
of a cluster and the ConfigMaps and Secrets they reference, read through the kubeconfig and then
applied exactly as the same objects from files would be. Secret values are only ever sent to
IEF: they are also scrubbed from any error message IEF sends back.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from k8s2ief.apply import (
    Applier,
    KvItem,
    Outcome,
    RetryPolicy,
    Target,
    fan_out,
    kv_item,
)
from k8s2ief.commands.options import (
    cluster_options,
    config_option,
    input_options,
    limit_options,
    mapping_options,
    policy_options,
)
from k8s2ief.findings import Policy, Severity
from k8s2ief.load import Document, Limits, iter_sources, read_source
from k8s2ief.pipeline import DEPLOYMENT, Converter, collect_siblings, input_mentions, with_policy
from k8s2ief.references import references, uses_env_from
from k8s2ief.settings import Settings

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget

ENV_AK, ENV_SK = "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"
ENV_TOKEN, ENV_PROJECT = "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID"
MIN_REDACTED = 6  # shorter Secret values are not scrubbed from messages: too many false hits


class _Usage(Exception):
    """A usage problem, reported on one line with exit code 2."""


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--bodies", type=click.Path(allow_dash=True, dir_okay=False),
              help="Submit IEF bodies made earlier (k8s2ief convert's output; - for stdin).")
@click.option("--node-id", "node_ids", multiple=True,
              help="Edge node; repeat to deploy to several (one deployment per node).")
@click.option("--node-ids-file", type=click.Path(exists=True, dir_okay=False),
              help="Node ids, one per line.")
@click.option("--group-id", help="IEF node group to deploy to.")
@mapping_options
@click.option("--project-id", envvar=ENV_PROJECT, help=f"IEF project (default: ${ENV_PROJECT}).")
@click.option("--region", help="IEF region, e.g. cn-north-4.")
@click.option("--endpoint", help="IEF endpoint URL, instead of --region.")
@click.option("--instance-id", help="Platinum edition: the IEF instance id.")
@click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False),
              help="CA bundle to verify the endpoint's certificate with.")
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--recreate", is_flag=True,
              help="Delete and create deployments whose node, group or tags changed.")
@click.option("--force", is_flag=True, help="Submit documents with error findings too.")
@click.option("--parallel", type=click.IntRange(min=1, max=64), default=8, show_default=True,
              help="Requests in flight.")
@click.option("--max-attempts", type=click.IntRange(min=1), default=8, show_default=True,
              help="Tries per request when IEF says trying again makes sense.")
@click.option("--retry-base-delay", type=click.FloatRange(min=0), default=0.5, show_default=True,
              help="First backoff delay in seconds (doubles each try, with jitter).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Read timeout per request, in seconds.")
@click.option("-o", "--output", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
@config_option
@input_options
@policy_options
@cluster_options
@limit_options
def apply(
    paths: tuple[str, ...],
    bodies: str | None,
    node_ids: tuple[str, ...],
    node_ids_file: str | None,
    group_id: str | None,
    settings: Settings,
    project_id: str | None,
    region: str | None,
    endpoint: str | None,
    instance_id: str | None,
    ca_cert: str | None,
    dry_run: bool,
    recreate: bool,
    force: bool,
    parallel: int,
    max_attempts: int,
    retry_base_delay: float,
    timeout: float,
    output_format: str,
    policy: Policy,
    cluster: ClusterTarget | None,
    limits: Limits,
) -> int:
    """Submit Kubernetes Deployments (files, --from-cluster, or --bodies) to IEF: create,
    update or leave alone.

    Credentials come from HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and
    HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys). Exit 0 when everything is done, 1 when a
    deployment failed or was blocked, 2 on a usage problem.
    """
    try:
        ak, sk, token = _credentials()
        if not project_id:
            raise _Usage(f"give --project-id or set {ENV_PROJECT}")
        if (region is None) == (endpoint is None):
            raise _Usage("give exactly one of --region and --endpoint")
        if sum((bool(paths), bool(bodies), cluster is not None)) != 1:
            raise _Usage("give PATH..., --bodies FILE or --from-cluster: exactly one")
        nodes = _node_ids(node_ids, node_ids_file)
        if nodes and group_id:
            raise _Usage("give node ids or a group id, not both")
        if bodies:
            targets, kv_items = _from_bodies(bodies, nodes), list[KvItem]()
        else:
            try:
                settings = replace(settings, node_id=nodes[0] if nodes else None,
                                   group_id=group_id)
            except ValueError as problem:
                raise _Usage(str(problem)) from None
            if cluster is not None:
                targets, kv_items = _from_cluster(cluster, settings, nodes, force, policy)
            else:
                targets, kv_items = _from_manifests(paths, settings, limits, nodes, force, policy)
    except _Usage as problem:
        click.echo(f"k8s2ief apply: {problem}", err=True)
        return 2

    from k8s2ief.ief.client import IefSession  # the SDK import is slow: only when submitting

    def session() -> IefSession:
        return IefSession(ak, sk, project_id or "", region=region, endpoint=endpoint,
                          instance_id=instance_id, ca_cert=ca_cert,
                          timeout=(min(10.0, timeout), timeout), security_token=token)

    try:
        session().close()  # a bad region or endpoint is a usage problem, found before any work
    except ValueError as problem:
        click.echo(f"k8s2ief apply: {problem}", err=True)
        return 2
    applier = Applier(session, dry_run=dry_run, recreate=recreate, parallel=parallel,
                      policy=RetryPolicy(max_attempts, retry_base_delay),
                      redact=[ak, sk, *([token] if token else []),
                              *_secret_values(kv_items)])
    outcomes = applier.apply(targets, kv_items)
    _print(outcomes, output_format, dry_run)
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def _credentials() -> tuple[str, str, str | None]:
    ak, sk = os.environ.get(ENV_AK, ""), os.environ.get(ENV_SK, "")
    if not ak or not sk:
        raise _Usage(f"missing credentials: set {ENV_AK} and {ENV_SK}")
    return ak, sk, os.environ.get(ENV_TOKEN) or None


def _node_ids(given: Sequence[str], path: str | None) -> list[str]:
    nodes = list(given)
    if path:
        with open(path, encoding="utf-8") as handle:
            nodes.extend(line.strip() for line in handle if line.strip())
    return list(dict.fromkeys(nodes))


def _from_bodies(path: str, nodes: Sequence[str]) -> list[Target]:
    from k8s2ief.ief.validate import validate_body

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise _Usage(f"cannot read {path}: {error.strerror}") from None
    try:
        data: Any = json.loads(text) if text.strip() else []
        items = data if isinstance(data, list) else [data]
    except ValueError:
        try:  # JSON lines
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            raise _Usage(f"{path} holds neither JSON nor JSON lines") from None
    targets: list[Target] = []
    for index, body in enumerate(items):
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            targets.append(Target(f"{path}[{index}]", None, None, "KI013",
                                  "not a body with a name"))
            continue
        target = Target(body["name"], None, body)
        if not nodes:
            ids = body.get("node_ids")
            target.node_id = ids[0] if isinstance(ids, list) and len(ids) == 1 else None
            violations = validate_body(body)
            if violations:
                first = violations[0]
                target.blocked_code, target.blocked_msg = "KI901", f"{first.path}: {first.message}"
        targets.extend(fan_out(target, nodes))
    return targets


def _from_manifests(
    paths: Sequence[str], settings: Any, limits: Any, nodes: Sequence[str], force: bool,
    policy: Policy,
) -> tuple[list[Target], list[KvItem]]:
    sources = list(iter_sources(paths))
    if input_mentions(sources, b"envFrom"):
        settings = replace(settings, siblings=collect_siblings(sources, limits))
    documents = (document for source in sources for document in read_source(source, limits))
    return _plan(documents, Converter(settings), nodes, force, policy)


def _from_cluster(
    cluster: ClusterTarget, settings: Any, nodes: Sequence[str], force: bool, policy: Policy
) -> tuple[list[Target], list[KvItem]]:
    """The cluster's Deployments and the ConfigMaps and Secrets they reference, planned as the
    same objects from files would be (the references come after the Deployments, which is fine:
    their key names are gathered first, and kv items are always applied before deployments)."""
    from k8s2ief.load.cluster import ClusterError, read_cluster
    from k8s2ief.pipeline import siblings_of

    try:
        documents = read_cluster(cluster, with_references=True)
    except ClusterError as problem:
        raise _Usage(str(problem)) from None
    if any(uses_env_from(doc.data) for doc in documents):  # as convert: key names first
        settings = replace(settings, siblings=siblings_of(documents))
    return _plan(documents, Converter(settings), nodes, force, policy)


def _plan(
    documents: Iterable[Document], converter: Converter, nodes: Sequence[str], force: bool,
    policy: Policy,
) -> tuple[list[Target], list[KvItem]]:
    """Deployments to submit, and the ConfigMaps and Secrets some submitted one references."""
    targets: list[Target] = []
    kv: dict[tuple[str, str], KvItem] = {}
    wanted: set[tuple[str, str]] = set()
    for document in documents:
        result = with_policy(converter.convert(document), policy)  # ignored errors do not block
        data = document.data if isinstance(document.data, dict) else {}
        item = kv_item(data) if document.error is None else None
        if item is not None:
            kv[(item.kind, item.name)] = item
            continue
        if result.kind not in (DEPLOYMENT, None):
            continue  # other kinds are not submitted
        target = _target(result, force)
        if target.body is not None and target.blocked_code is None:
            target.needs = tuple(sorted(set(references(data))))
            wanted.update(target.needs)
        targets.extend(fan_out(target, nodes))
    for target in targets:
        target.needs = tuple(need for need in target.needs if need in kv)
    return targets, [item for key, item in kv.items() if key in wanted]


def _secret_values(items: Iterable[KvItem]) -> list[str]:
    """Every Secret value, as sent (base64) and decoded, for scrubbing from IEF's messages."""
    values: list[str] = []
    for item in items:
        if item.kind != "Secret":
            continue
        for value in item.data.values():
            values.append(value)
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                values.append(base64.b64decode(value, validate=True).decode("utf-8"))
    return [value for value in values if len(value) >= MIN_REDACTED]


def _target(result: Any, force: bool) -> Target:
    name = str((result.body or {}).get("name") or result.name or f"{result.file}:{result.line}")
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if result.body is None or (errors and not force):
        first = errors[0] if errors else None
        code, message = (first.code, first.message) if first else ("KI013", "not converted")
        return Target(name, None, None, code, message)
    return Target(name, None, result.body)


def _print(outcomes: Sequence[Outcome], output_format: str, dry_run: bool) -> None:
    if output_format == "json":
        click.echo(json.dumps([outcome.to_dict() for outcome in outcomes], indent=2))
        return
    for outcome in outcomes:
        click.echo(outcome.line(dry_run))
