"""``k8s2ief emulator``: serve the local IEF API emulator in the foreground."""

from __future__ import annotations

import os

import click

from k8s2ief.settings import EDITIONS

ENV_PROJECT = "HUAWEICLOUD_SDK_PROJECT_ID"
RATE = click.FloatRange(min=0.0, max=1.0)


@click.command()
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free one).",
)
@click.option(
    "--project-id", envvar=ENV_PROJECT, help=f"The project it serves (default: ${ENV_PROJECT})."
)
@click.option("--edition", type=click.Choice(EDITIONS), default="professional", show_default=True)
@click.option(
    "--host-name",
    "host_names",
    multiple=True,
    help="A name clients reach it by besides 127.0.0.1 and localhost (repeatable).",
)
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, help="Delay every answer.")
@click.option("--error-rate", type=RATE, default=0.0, help="Share of requests answered 500.")
@click.option("--throttle-rate", type=RATE, default=0.0, help="Share answered 429.")
@click.option(
    "--retry-after",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Retry-After seconds of a 429.",
)
@click.option(
    "--commit-drop-rate",
    "--commit-timeout-rate",
    type=RATE,
    default=0.0,
    help="Share of writes committed and then left unanswered (the link dropped).",
)
@click.option(
    "--commit-hold",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Seconds such a write holds the connection before dropping it.",
)
@click.option(
    "--reset-rate",
    type=RATE,
    default=0.0,
    help="Share of requests whose connection is reset unanswered.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fault draws.")
@click.option(
    "--ready-delay",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds after a create or update until a deployment's instances are ready.",
)
@click.option(
    "--never-ready-image",
    metavar="REGEX",
    help="Images matching this never get ready (e.g. ':broken$').",
)
def emulator(
    port: int,
    project_id: str | None,
    edition: str,
    host_names: tuple[str, ...],
    latency_ms: int,
    error_rate: float,
    throttle_rate: float,
    retry_after: int,
    commit_drop_rate: float,
    commit_hold: float,
    reset_rate: float,
    seed: int,
    ready_delay: float,
    never_ready_image: str | None,
) -> int:
    """Serve a local IEF API emulator until interrupted (keys: HUAWEICLOUD_SDK_AK/_SK)."""
    import re

    ak = os.environ.get("HUAWEICLOUD_SDK_AK", "")
    sk = os.environ.get("HUAWEICLOUD_SDK_SK", "")
    problem = None
    if not ak or not sk:
        problem = "set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"
    elif not project_id:
        problem = f"give --project-id or set {ENV_PROJECT}"
    elif never_ready_image:
        try:
            re.compile(never_ready_image)
        except re.error as error:
            problem = f"--never-ready-image: {error}"
    if problem:
        click.echo(f"k8s2ief emulator: {problem}", err=True)
        return 2
    from k8s2ief.testing.emulator import Emulator, Faults, serve

    faults = Faults(
        latency_ms=latency_ms,
        error_rate=error_rate,
        throttle_rate=throttle_rate,
        retry_after_s=retry_after,
        commit_timeout_rate=commit_drop_rate,
        commit_hold_s=commit_hold,
        reset_rate=reset_rate,
        seed=seed,
    )
    serve(
        Emulator(
            {ak: sk},
            project_id or "",
            edition,
            faults,
            port=port,
            ready_delay_s=ready_delay,
            never_ready_image=never_ready_image,
            host_names=host_names,
        )
    )
    return 0
