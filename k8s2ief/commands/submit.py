"""What ``apply`` and ``diff`` share: their options, reading the input, and the plan's run.

The SDK and deepdiff (the ``submit`` extra) are imported here, once and in the main thread,
only after the command line is known to be sound: a missing extra is one line saying what to
install (exit 2), and no worker thread ever races another through a first import.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import importlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from k8s2ief.apply.inputs import InputError, Inputs, from_bodies, from_cluster, from_manifests
from k8s2ief.apply.inputs import node_ids as read_node_ids
from k8s2ief.apply.model import KvItem, Outcome
from k8s2ief.apply.plan import applyset_problem, name_collisions, owned
from k8s2ief.commands.options import (
    cluster_options,
    config_option,
    input_options,
    limit_options,
    mapping_options,
    policy_options,
)

if TYPE_CHECKING:
    from k8s2ief.apply.applier import Applier, Run
    from k8s2ief.findings import Policy
    from k8s2ief.ief.client import IefSession

ENV_AK, ENV_SK = "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"
ENV_TOKEN, ENV_PROJECT = "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID"
MIN_REDACTED = 6  # shorter Secret values are not scrubbed from messages: too many false hits
EXIT_INTERRUPTED = 130
SUBMIT_MODULES = ("deepdiff", "huaweicloudsdkcore", "huaweicloudsdkief")
F = TypeVar("F", bound=Callable[..., object])


class _Usage(Exception):
    """A usage problem, reported on one line with exit code 2."""


_OPTIONS = [
    click.argument("paths", nargs=-1, type=click.Path(allow_dash=True)),
    click.option(
        "--bodies",
        type=click.Path(allow_dash=True, dir_okay=False),
        help="IEF bodies made earlier (any format convert writes; - for stdin).",
    ),
    click.option(
        "--node-id",
        "node_ids",
        multiple=True,
        help="Edge node; repeat to deploy to several (one deployment per node).",
    ),
    click.option(
        "--node-ids-file",
        type=click.Path(exists=True, dir_okay=False),
        help="Node ids, one per line.",
    ),
    click.option("--group-id", help="IEF node group to deploy to."),
    mapping_options,
    click.option(
        "--project-id", envvar=ENV_PROJECT, help=f"IEF project (default: ${ENV_PROJECT})."
    ),
    click.option("--region", help="IEF region, e.g. cn-north-4."),
    click.option("--endpoint", help="IEF endpoint URL, instead of --region."),
    click.option("--instance-id", help="Platinum edition: the IEF instance id."),
    click.option(
        "--ca-cert",
        type=click.Path(exists=True, dir_okay=False),
        help="CA bundle to verify the endpoint's certificate with.",
    ),
    click.option(
        "--recreate",
        is_flag=True,
        help="Delete and create deployments whose node, group or tags changed.",
    ),
    click.option("--force", is_flag=True, help="Submit documents with error findings too."),
    click.option(
        "--applyset",
        metavar="NAME",
        help="Record ownership by this set (a tag) on what is created or updated.",
    ),
    click.option(
        "--prune",
        is_flag=True,
        help="With --applyset: delete what the set owns and the input no longer holds.",
    ),
    click.option(
        "--parallel",
        type=click.IntRange(min=1, max=64),
        default=8,
        show_default=True,
        help="Requests in flight.",
    ),
    click.option(
        "--max-attempts",
        type=click.IntRange(min=1),
        default=8,
        show_default=True,
        help="Tries per request when IEF says trying again makes sense.",
    ),
    click.option(
        "--retry-base-delay",
        type=click.FloatRange(min=0),
        default=0.5,
        show_default=True,
        help="First backoff delay in seconds (doubles each try, with jitter).",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=60.0,
        show_default=True,
        help="Read timeout per request, in seconds.",
    ),
    click.option(
        "-o",
        "--output",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
    ),
    config_option,
    input_options,
    policy_options,
    cluster_options,
    limit_options,
]


def submit_options(function: F) -> F:
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


class Submission:
    """A checked command line, its input planned, and the applier that will run it."""

    def __init__(
        self,
        command: str,
        inputs: Inputs,
        applier: Applier,
        output_format: str,
    ) -> None:
        self.command = command
        self.inputs = inputs
        self.applier = applier
        self.output_format = output_format

    def run(self) -> Run:
        return self.applier.apply(self.inputs.targets, self.inputs.kv_items, self.inputs.kv_names)

    def print_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        if self.output_format == "json":
            click.echo(json.dumps([outcome.to_dict() for outcome in outcomes], indent=2))
            return
        for outcome in outcomes:
            click.echo(outcome.line())

    def interrupted(self, outcomes: Sequence[Outcome]) -> int:
        stopped = sum(1 for o in outcomes if o.action == "interrupted")
        click.echo(f"k8s2ief {self.command}: interrupted; {stopped} not done", err=True)
        return EXIT_INTERRUPTED


def prepare(command: str, *, dry_run: bool, **options: Any) -> Submission | int:
    """The submission for a command line, or the exit code of a problem already reported."""
    try:
        return _prepare(command, dry_run, **options)
    except (_Usage, InputError) as problem:
        click.echo(f"k8s2ief {command}: {problem}", err=True)
        return 2


def _prepare(
    command: str,
    dry_run: bool,
    *,
    paths: tuple[str, ...],
    bodies: str | None,
    node_ids: tuple[str, ...],
    node_ids_file: str | None,
    group_id: str | None,
    settings: Any,
    project_id: str | None,
    region: str | None,
    endpoint: str | None,
    instance_id: str | None,
    ca_cert: str | None,
    recreate: bool,
    force: bool,
    applyset: str | None,
    prune: bool,
    parallel: int,
    max_attempts: int,
    retry_base_delay: float,
    timeout: float,
    output_format: str,
    policy: Policy,
    cluster: Any,
    limits: Any,
) -> Submission:
    ak, sk, token = _credentials()
    _check_usage(
        project_id,
        region,
        endpoint,
        (bool(paths), bool(bodies), cluster is not None),
        applyset,
        prune,
    )
    nodes = read_node_ids(node_ids, node_ids_file)
    if nodes and group_id:
        raise _Usage("give node ids or a group id, not both")

    def session() -> IefSession:
        from k8s2ief.ief.client import IefSession

        return IefSession(
            ak,
            sk,
            project_id or "",
            region=region,
            endpoint=endpoint,
            instance_id=instance_id,
            ca_cert=ca_cert,
            timeout=(min(10.0, timeout), timeout),
            security_token=token,
        )

    made: list[Applier] = []

    def applier() -> Applier:
        """The run's applier, made once: while the input is planned if its listing starts then
        (``Applier.targets_planned``), else after. The SDK is imported by then."""
        if not made:
            from k8s2ief.apply.applier import Applier
            from k8s2ief.apply.context import Options
            from k8s2ief.apply.retry import RetryPolicy

            options = Options(
                dry_run=dry_run,
                recreate=recreate,
                parallel=parallel,
                applyset=applyset,
                prune=prune,
            )
            policy_ = RetryPolicy(max_attempts, retry_base_delay)
            made.append(
                Applier(session, options=options, policy=policy_, redact=[ak, sk, token or ""])
            )
        return made[0]

    def planned(count: int) -> None:
        applier().targets_planned(count)

    try:
        inputs = _checked_inputs(
            command,
            _inputs(
                paths, bodies, nodes, group_id, settings, cluster, limits, force, policy, planned
            ),
            applyset,
        )
        try:
            session().close()  # a bad region or endpoint is a usage problem, found before any work
        except ValueError as problem:
            raise _Usage(str(problem)) from None
    except BaseException:
        if made:  # a listing started while planning sends nothing more
            made[0].ctx.stop.set()
        raise
    run = applier()
    run.ctx.redact_also(_secret_values(inputs.kv_items))
    return Submission(command, inputs, run, output_format)


def _checked_inputs(command: str, inputs: Inputs, applyset: str | None) -> Inputs:
    """The planned input's findings shown, its targets owned by ``applyset``, and refused
    (``_Usage``) when two targets would share a name."""
    _show_findings(inputs)
    if not inputs.targets:
        # As kubectl's "no objects passed": an empty input is more often a mistake than a wish.
        click.echo(f"k8s2ief {command}: warning: no Deployment in the input", err=True)
    if applyset:
        inputs.targets = [owned(target, applyset) for target in inputs.targets]
    collisions = name_collisions(inputs.targets)
    if collisions:
        more = f" (and {len(collisions) - 1} more)" if len(collisions) > 1 else ""
        raise _Usage(f"{collisions[0]}{more}; nothing was submitted")
    return inputs


def _check_usage(
    project_id: str | None,
    region: str | None,
    endpoint: str | None,
    inputs: tuple[bool, bool, bool],
    applyset: str | None,
    prune: bool,
) -> None:
    if not project_id:
        raise _Usage(f"give --project-id or set {ENV_PROJECT}")
    if (region is None) == (endpoint is None):
        raise _Usage("give exactly one of --region and --endpoint")
    if sum(inputs) != 1:
        raise _Usage("give PATH..., --bodies FILE or --from-cluster: exactly one")
    if prune and not applyset:
        raise _Usage("--prune needs --applyset NAME: it deletes only what that set owns")
    if applyset and (problem := applyset_problem(applyset)):
        raise _Usage(problem)


def _inputs(
    paths: Sequence[str],
    bodies: str | None,
    nodes: Sequence[str],
    group_id: str | None,
    settings: Any,
    cluster: Any,
    limits: Any,
    force: bool,
    policy: Policy,
    planned: Callable[[int], None],
) -> Inputs:
    """The input planned; the SDK is imported on the way (while workers convert manifests), so
    that ``planned`` (``plan``'s) may start reads."""
    if bodies:
        _require_submit_extra()
        return from_bodies(bodies, nodes)
    try:
        settings = settings.replace(node_id=nodes[0] if nodes else None, group_id=group_id)
    except ValueError as problem:
        raise _Usage(str(problem)) from None
    if cluster is not None:
        _require_submit_extra()
        return from_cluster(cluster, settings, nodes, force, policy, planned)
    return from_manifests(
        paths, settings, limits, nodes, force, policy, _require_submit_extra, planned
    )


def _require_submit_extra() -> None:
    """The submit extra's modules: the SDK imported now, in the main thread (every run needs
    it), deepdiff only found (a run that only creates never imports it)."""
    for module in SUBMIT_MODULES:
        try:
            if module == "deepdiff":
                found = importlib.util.find_spec(module) is not None
            else:
                found = importlib.import_module(module) is not None
        except ImportError:
            found = False
        if not found:
            raise _Usage(
                f"submitting needs the submit extra ({module} is not installed): "
                "pip install 'k8s2ief[submit]'"
            )
    importlib.import_module("k8s2ief.ief.client")  # the SDK's models, before any thread


def _show_findings(inputs: Inputs) -> None:
    """Findings of the documents being submitted, on stderr, as convert prints them."""
    if not inputs.findings:
        return
    from k8s2ief.report import finding_line

    for finding in inputs.findings:
        click.echo(finding_line(finding), err=True)


def _credentials() -> tuple[str, str, str | None]:
    ak, sk = os.environ.get(ENV_AK, ""), os.environ.get(ENV_SK, "")
    if not ak or not sk:
        raise _Usage(f"missing credentials: set {ENV_AK} and {ENV_SK}")
    return ak, sk, os.environ.get(ENV_TOKEN) or None


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
