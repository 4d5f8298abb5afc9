"""Options shared by commands, defined once.

Each group is a decorator that adds its options and hands the command one built, validated
object instead of a row of loose values: ``settings`` (a Settings), ``limits`` (Limits),
``cluster`` (a ClusterTarget, or None without --from-cluster), ``policy`` (a Policy) and
``paths`` (positional paths, -f files and -k renderings, in that order). Commands thus take a
handful of parameters, and the rules for combining options live here, once.

``config_option`` reads the config file (k8s2ief.config) before any other option, as the
command's defaults: flags given on the command line win. Put it above the other groups.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from k8s2ief.findings import Policy
from k8s2ief.load import render
from k8s2ief.load.tree import MAX_DEPTH_CEILING, Limits
from k8s2ief.settings import EDITIONS, Settings

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget

F = TypeVar("F", bound=Callable[..., object])


# The names click.Path's __init__ uses (the attributes it sets, and ``_``, the gettext look-up),
# as in click 8.1-8.5: PathType copies that __init__ only while it is this one.
CLICK_PATH_INIT_NAMES = (
    "exists",
    "file_okay",
    "dir_okay",
    "readable",
    "writable",
    "executable",
    "resolve_path",
    "allow_dash",
    "type",
    "_",
    "name",
)


class PathType(click.Path):
    """``click.Path``, named as click names it but without looking the name up in gettext's
    catalogs (see k8s2ief.cli.HELP_TEXT): click's own ``__init__`` does, for every path option.
    tests/test_cli_texts.py checks it holds what click's does."""

    def __init__(
        self,
        *,
        exists: bool = False,
        file_okay: bool = True,
        dir_okay: bool = True,
        writable: bool = False,
        readable: bool = True,
        allow_dash: bool = False,
    ) -> None:
        if click.Path.__init__.__code__.co_names != CLICK_PATH_INIT_NAMES:
            # Another click, whose Path may hold more than this copy sets: click's own, slower.
            super().__init__(
                exists=exists,
                file_okay=file_okay,
                dir_okay=dir_okay,
                writable=writable,
                readable=readable,
                allow_dash=allow_dash,
            )
            return
        self.exists = exists
        self.file_okay = file_okay
        self.dir_okay = dir_okay
        self.readable = readable
        self.writable = writable
        self.executable = False
        self.resolve_path = False
        self.allow_dash = allow_dash
        self.type = None
        if file_okay and not dir_okay:
            self.name = "file"
        elif dir_okay and not file_okay:
            self.name = "directory"
        else:
            self.name = "path"


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
    from k8s2ief.extras import missing_extra

    missing = missing_extra("cluster", "--from-cluster")
    if missing:
        raise click.ClickException(missing)
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
            type=PathType(dir_okay=False),
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


# --- inputs: kubectl's -f and -k beside positional paths --------------------------------------


def input_options(function: F) -> F:
    """``-f/--filename`` (repeatable) and ``-k/--kustomize DIR`` added to the ``paths`` argument.

    A kustomization is rendered here, once, by ``kubectl kustomize``; a folder that holds one,
    given as a path, is refused with the -k to use (its files are build input, not manifests).
    """

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> object:
        paths = (*kwargs.get("paths", ()), *kwargs.pop("filenames"))
        for path in paths:
            if os.path.isdir(path) and render.kustomization_in(path):
                raise click.UsageError(
                    f"{path} is a kustomization ({render.kustomization_in(path)}): render it "
                    f"with -k {path}"
                )
        try:
            rendered = tuple(render.kustomize(d) for d in kwargs.pop("kustomize_dirs"))
        except render.RenderError as exc:
            raise click.ClickException(str(exc)) from None
        kwargs["paths"] = (*paths, *rendered)
        return function(*args, **kwargs)

    command = click.option(
        "-k",
        "--kustomize",
        "kustomize_dirs",
        multiple=True,
        type=PathType(file_okay=False),  # completes directories
        metavar="DIR",
        help="Render a kustomization with `kubectl kustomize DIR` and read the result.",
    )(command)
    command = click.option(
        "-f",
        "--filename",
        "filenames",
        multiple=True,
        type=PathType(allow_dash=True),
        help="A file, folder or - (stdin) to read, as kubectl's -f; repeatable, beside PATHS.",
    )(command)
    return command  # type: ignore[return-value]


# --- the findings policy ----------------------------------------------------------------------


def _policy(
    *, ignore: tuple[str, ...], severity: tuple[str, ...], paths: tuple[str, ...]
) -> Policy:
    """--ignore and --severity as one Policy; unknown codes or levels are usage errors."""
    try:
        return Policy.build(ignore, Policy.parse_severities(severity))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


policy_options = _group(
    [
        click.option(
            "--ignore",
            "ignore",
            multiple=True,
            metavar="CODES",
            help="Suppress codes: KI301, its name, a prefix such as KI8, or a comma list; "
            "repeatable.",
        ),
        click.option(
            "--severity",
            "severity",
            multiple=True,
            metavar="CODE=LEVEL",
            help="Give a code (or prefix) another severity: error, warning or info; repeatable.",
        ),
    ],
    ("ignore", "severity"),
    "policy",
    _policy,
)


# --- the config file --------------------------------------------------------------------------


def _load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    from k8s2ief.config import ConfigError, find_config

    try:
        config = find_config(value)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if config is not None:
        names = {p.name for p in ctx.command.params if p.name}
        ctx.default_map = {**config.defaults(names), **(ctx.default_map or {})}


_TARGETS = ("node_id", "node_ids", "group_id")


def config_option(function: F) -> F:
    """``--config FILE`` (else $K8S2IEF_CONFIG, else the nearest config file) as defaults."""

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> object:
        # A target on the command line replaces the file's, even when the file names the other
        # kind (a group id in the file, --node-id given): only one target can stand.
        given = [name for name in _TARGETS if kwargs.get(name)]
        ctx = click.get_current_context()
        from_file = [n for n in given if ctx.get_parameter_source(n) is ParameterSource.DEFAULT_MAP]
        if len(from_file) < len(given):
            for name in from_file:
                kwargs[name] = () if name == "node_ids" else None
        return function(*args, **kwargs)

    return click.option(  # type: ignore[return-value]
        "--config",
        type=PathType(dir_okay=False),
        metavar="FILE",
        is_eager=True,
        expose_value=False,
        callback=_load_config,
        help="Config file of defaults (default: $K8S2IEF_CONFIG, else the nearest "
        ".k8s2ief.yaml or pyproject.toml [tool.k8s2ief] from here upwards).",
    )(command)


def report_options(function: F) -> F:
    """``--color`` and ``--fail-on``: how the report looks and when it fails the run (convert and
    audit)."""
    from k8s2ief.report.style import COLOR_CHOICES

    function = click.option(
        "--fail-on",
        type=SEVERITY_CHOICES,
        default="error",
        show_default=True,
        help="Exit 1 when a finding reaches this severity.",
    )(function)
    return click.option(
        "--color",
        type=click.Choice(COLOR_CHOICES),
        default="auto",
        show_default=True,
        help="Colour the text report (auto: on a terminal, unless NO_COLOR is set).",
    )(function)
