"""``k8s2ief explain CODE``: the documentation of a finding code."""

from __future__ import annotations

import textwrap

import click

from k8s2ief.cli import Command
from k8s2ief.codes import REGISTRY, resolve_code


@click.command(cls=Command)
@click.argument("code", required=False)
@click.option("--list", "list_all", is_flag=True, help="List every code with its summary.")
def explain(code: str | None, list_all: bool) -> int:
    """Explain a finding code (KI301 or env-value-not-string)."""
    if list_all or not code:
        for info in REGISTRY.values():
            click.echo(f"{info.code}  {info.severity!s:<7}  {info.name:<28}  {info.summary}")
        return 0
    try:
        info = REGISTRY[resolve_code(code)]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{info.code} {info.name} (default severity: {info.severity})")
    click.echo(f"{info.summary}\n")
    click.echo(textwrap.fill(info.doc, width=88))
    return 0
