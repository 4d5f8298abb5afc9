"""Options shared by commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from k8s2ief.load import Limits
from k8s2ief.settings import EDITIONS, Settings

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget

F = TypeVar("F", bound=Callable[..., object])
SEVERITY_CHOICES = click.Choice(["error", "warning", "info", "never"], case_sensitive=False)


def _host_port_range(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        low, high = (int(part) for part in value.split("-", 1))
    except ValueError:
        raise click.BadParameter("use MIN-MAX, e.g. 30000-30100") from None
    return low, high


def conversion_options(function: F) -> F:
    """Target, edition and mapping options (convert, audit, apply)."""
    for option in reversed(
        [
            click.option("--node-id", help="IEF edge node to deploy to."),
            click.option("--group-id", help="IEF node group to deploy to."),
            click.option(
                "--edition",
                type=click.Choice(EDITIONS),
                default="professional",
                show_default=True,
                help="IEF edition: its limits decide replicas, affinity and host port ranges.",
            ),
            click.option("--name", "name_override", help="IEF name for the deployment."),
            click.option(
                "--gpu-memory-mb",
                type=click.IntRange(min=1),
                help="GPU memory of one device, to turn nvidia.com/gpu counts into IEF's MB.",
            ),
            click.option(
                "--host-port-range",
                callback=_host_port_range,
                metavar="MIN-MAX",
                help="Platinum: let IEF pick host ports in this range for ports without one.",
            ),
        ]
    ):
        function = option(function)
    return function


def limit_options(function: F) -> F:
    defaults = Limits()
    for option in reversed(
        [
            click.option(
                "--max-depth",
                type=click.IntRange(min=8),
                default=defaults.max_depth,
                show_default=True,
                help="Deepest nesting a document may have.",
            ),
            click.option(
                "--max-nodes",
                type=click.IntRange(min=1000),
                default=defaults.max_nodes,
                show_default=True,
                help="Most values a document may expand to (alias bombs).",
            ),
            click.option(
                "--max-document-bytes",
                type=click.IntRange(min=1024),
                default=defaults.max_document_bytes,
                show_default=True,
                help="Largest document, in bytes.",
            ),
        ]
    ):
        function = option(function)
    return function


def build_settings(
    node_id: str | None,
    group_id: str | None,
    edition: str,
    name_override: str | None,
    gpu_memory_mb: int | None,
    host_port_range: tuple[int, int] | None,
) -> Settings:
    try:
        return Settings(
            node_id=node_id,
            group_id=group_id,
            edition=edition,
            name=name_override,
            gpu_memory_mb=gpu_memory_mb,
            host_port_range=host_port_range,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def build_limits(max_depth: int, max_nodes: int, max_document_bytes: int) -> Limits:
    return Limits(max_depth=max_depth, max_nodes=max_nodes, max_document_bytes=max_document_bytes)


def cluster_options(function: F) -> F:
    """--from-cluster and where to read from (convert, audit, apply)."""
    for option in reversed(
        [
            click.option(
                "--from-cluster",
                is_flag=True,
                help="Read Deployments from the cluster of the kubeconfig instead of files.",
            ),
            click.option(
                "--kubeconfig",
                type=click.Path(dir_okay=False),
                help="Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
            ),
            click.option("--context", help="Kubeconfig context (default: the current one)."),
            click.option(
                "-n",
                "--namespace",
                help="Namespace to read (default: the context's namespace, else default).",
            ),
            click.option(
                "-A", "--all-namespaces", is_flag=True, help="Read every namespace."
            ),
            click.option(
                "-l", "--selector", help="Label selector, e.g. app=web,tier!=db."
            ),
        ]
    ):
        function = option(function)
    return function


def build_cluster_target(
    from_cluster: bool,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    all_namespaces: bool,
    selector: str | None,
    paths: tuple[str, ...] = (),
) -> ClusterTarget | None:
    """The cluster to read, or None without --from-cluster (the other options then refused)."""
    from k8s2ief.load.cluster import ClusterTarget

    if not from_cluster:
        given = [name for name, value in (("--kubeconfig", kubeconfig), ("--context", context),
                 ("--namespace", namespace), ("--all-namespaces", all_namespaces),
                 ("--selector", selector)) if value]
        if given:
            raise click.UsageError(f"{', '.join(given)} only apply with --from-cluster")
        return None
    if paths:
        raise click.UsageError("--from-cluster reads no files: drop the paths, or the flag")
    if namespace and all_namespaces:
        raise click.UsageError("--namespace and --all-namespaces exclude each other")
    return ClusterTarget(kubeconfig, context, namespace, all_namespaces, selector)
