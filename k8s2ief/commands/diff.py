"""``k8s2ief diff``: what ``apply`` would change on IEF, field by field; writes nothing."""

from __future__ import annotations

from typing import Any

import click

from k8s2ief.apply.model import CHANGES
from k8s2ief.commands.submit import prepare, submit_options


@click.command()
@submit_options
def diff(**options: Any) -> int:
    """Show the changes between the manifests and what IEF holds, as kubectl diff does:
    deployments to create, to update (with the changed fields) or unchanged, and with
    --applyset NAME --prune those the set would delete. Nothing is written.

    Exit 0 when IEF is in sync, 1 when something would change, 2 on an error (a usage
    problem, a deployment that could not be looked up or could not be applied).
    """
    submission = prepare("diff", dry_run=True, **options)
    if isinstance(submission, int):
        return submission
    with submission.applier:
        run = submission.run()
    submission.print_outcomes(run.outcomes)
    if run.interrupted:
        return submission.interrupted(run.outcomes)
    if not all(outcome.ok for outcome in run.outcomes):
        return 2
    return 1 if any(outcome.action in CHANGES for outcome in run.outcomes) else 0
