"""``k8s2ief apply``: convert (or read earlier bodies) and submit to IEF, idempotently by name.

Input is manifests (PATH...), bodies made earlier (--bodies), or --from-cluster: the Deployments
of a cluster and the ConfigMaps and Secrets they reference, read through the kubeconfig and then
applied exactly as the same objects from files would be. Secret values are only ever sent to
IEF: they are also scrubbed from any error message IEF sends back. ``k8s2ief diff`` shares all
of this up to the first write (commands/submit.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from k8s2ief.apply.retry import Interrupted
from k8s2ief.commands.submit import EXIT_INTERRUPTED, prepare, submit_options

if TYPE_CHECKING:
    from k8s2ief.apply.applier import Applier
    from k8s2ief.apply.model import Outcome


@click.command()
@submit_options
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option(
    "--wait", is_flag=True, help="Wait until every applied deployment has all its instances ready."
)
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="How long --wait waits before naming what is not ready.",
)
def apply(dry_run: bool, wait: bool, wait_timeout: float, **options: Any) -> int:
    """Submit Kubernetes Deployments (files, --from-cluster, or --bodies) to IEF: create,
    update or leave alone; with --applyset NAME --prune, delete what the set no longer holds.

    Credentials come from HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and
    HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys). Exit 0 when everything is done (and,
    with --wait, ready), 1 when a deployment failed, was blocked or is not ready, 2 on a usage
    problem, 130 when interrupted.
    """
    submission = prepare("apply", dry_run=dry_run, **options)
    if isinstance(submission, int):
        return submission
    with submission.applier as applier:
        run = submission.run()
        json_output = submission.output_format == "json"
        if not json_output:
            submission.print_outcomes(run.outcomes)
        if run.interrupted:
            if json_output:
                submission.print_outcomes(run.outcomes)
            return submission.interrupted(run.outcomes)
        ready_ok = True
        if wait and not dry_run:
            try:
                ready_ok = _wait(applier, run.outcomes, wait_timeout, json_output)
            except (KeyboardInterrupt, Interrupted):
                applier.ctx.stop.set()
                if json_output:
                    submission.print_outcomes(run.outcomes)
                click.echo("k8s2ief apply: interrupted while waiting", err=True)
                return EXIT_INTERRUPTED
        if json_output:
            submission.print_outcomes(run.outcomes)
    return 0 if ready_ok and all(outcome.ok for outcome in run.outcomes) else 1


def _wait(
    applier: Applier, outcomes: Sequence[Outcome], timeout_s: float, json_output: bool
) -> bool:
    progress = _progress if sys.stderr.isatty() else None
    state = applier.wait(outcomes, timeout_s, progress)
    if progress is not None:
        click.echo("\r\033[K", nl=False, err=True)
    for outcome in outcomes:
        if outcome.name in state and outcome.kind == "Deployment":
            outcome.ready = state[outcome.name].text()
            if not json_output:
                click.echo(f"{outcome.name}: {outcome.ready}")
    late = [name for name, readiness in state.items() if not readiness.done]
    if late:
        shown = ", ".join(late[:10]) + (f" and {len(late) - 10} more" if len(late) > 10 else "")
        click.echo(f"k8s2ief apply: not ready after {timeout_s:g}s: {shown}", err=True)
    return not late


def _progress(ready: int, total: int) -> None:
    click.echo(f"\r\033[Kk8s2ief apply: waiting: {ready}/{total} ready", nl=False, err=True)
