"""Options shared by commands, defined once.

Each group is a decorator that adds its options and hands the command one built, validated
object instead of a row of loose values: ``settings`` (a Settings), ``limits`` (Limits) and
``cluster`` (a ClusterTarget, or None without --from-cluster). Commands thus take a handful of
parameters, and the rules for combining options live here, once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from k8s2ief.load.tree import MAX_DEPTH_CEILING, Limits
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


def _group(
    options: list[Callable[[F], F]],
    names: tuple[str, ...],
    into: str,
    build: Callable[..., object],
) -> Callable[[F], F]:
    """Add ``options`` to a command; pass it ``build(**their values)`` as ``into`` instead."""

    def decorator(function: F) -> F:
        @functools.wraps(function)
        def command(*args: Any, **kwargs: Any) -> object:
            values = {name: kwargs.pop(name) for name in names}
            kwargs[into] = build(**values, paths=kwargs.get("paths", ()))
            return function(*args, **kwargs)

        for option in reversed(options):
            command = option(command)
        return command  # type: ignore[return-value]

    return decorator


TARGET_OPTIONS = [
    click.option("--node-id", help="IEF edge node to deploy to."),
    click.option("--group-id", help="IEF node group to deploy to."),
]
MAPPING_OPTIONS = [
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
_MAPPING_NAMES = ("edition", "name_override", "gpu_memory_mb", "host_port_range")


def _settings(
    *,
    node_id: str | None = None,
    group_id: str | None = None,
    edition: str,
    name_override: str | None,
    gpu_memory_mb: int | None,
    host_port_range: tuple[int, int] | None,
    paths: tuple[str, ...],
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


# convert and audit: --node-id/--group-id plus the mapping options -> ``settings``.
conversion_options = _group(
    TARGET_OPTIONS + MAPPING_OPTIONS,
    ("node_id", "group_id", *_MAPPING_NAMES),
    "settings",
    _settings,
)
# apply takes its targets its own way (several nodes): the mapping options alone -> ``settings``.
mapping_options = _group(MAPPING_OPTIONS, _MAPPING_NAMES, "settings", _settings)


def _limits(
    *, max_depth: int, max_nodes: int, max_document_bytes: int, paths: tuple[str, ...]
) -> Limits:
    return Limits(max_depth=max_depth, max_nodes=max_nodes, max_document_bytes=max_document_bytes)


_DEFAULT_LIMITS = Limits()
limit_options = _group(
    [
        click.option(
            "--max-depth",
            type=click.IntRange(min=8, max=MAX_DEPTH_CEILING),
            default=_DEFAULT_LIMITS.max_depth,
            show_default=True,
            help=f"Deepest nesting a document may have (at most {MAX_DEPTH_CEILING}).",
        ),
        click.option(
            "--max-nodes",
            type=click.IntRange(min=1000),
            default=_DEFAULT_LIMITS.max_nodes,
            show_default=True,
            help="Most values a document may expand to (alias bombs).",
        ),
        click.option(
            "--max-document-bytes",
            type=click.IntRange(min=1024),
            default=_DEFAULT_LIMITS.max_document_bytes,
            show_default=True,
            help="Largest document, in bytes.",
        ),
    ],
    ("max_depth", "max_nodes", "max_document_bytes"),
    "limits",
    _limits,
)


def _cluster(
    *,
    from_cluster: bool,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    all_namespaces: bool,
    selector: str | None,
    paths: tuple[str, ...],
) -> ClusterTarget | None:
    """The cluster to read, or None without --from-cluster (the other options then refused)."""
    if not from_cluster:
        given = [
            name
            for name, value in (
                ("--kubeconfig", kubeconfig),
                ("--context", context),
                ("--namespace", namespace),
                ("--all-namespaces", all_namespaces),
                ("--selector", selector),
            )
            if value
        ]
        if given:
            raise click.UsageError(f"{', '.join(given)} only apply with --from-cluster")
        return None
    if paths:
        raise click.UsageError("--from-cluster reads no files: drop the paths, or the flag")
    if namespace and all_namespaces:
        raise click.UsageError("--namespace and --all-namespaces exclude each other")
    from k8s2ief.load.cluster import ClusterTarget

    return ClusterTarget(kubeconfig, context, namespace, all_namespaces, selector)


cluster_options = _group(
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
        click.option("-A", "--all-namespaces", is_flag=True, help="Read every namespace."),
        click.option("-l", "--selector", help="Label selector, e.g. app=web,tier!=db."),
    ],
    ("from_cluster", "kubeconfig", "context", "namespace", "all_namespaces", "selector"),
    "cluster",
    _cluster,
)
